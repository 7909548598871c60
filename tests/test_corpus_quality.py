"""CI's quality gate on comment extraction: `archiver extract` scored on the development corpus
(`shared/corpus` beside the repository, or $ARCHIVER_CORPUS) by its own scorer, as users run
it, must hold every figure pinned in corpus_scores.json, overall and per platform, and the
absolute bar of bench/corpus_table.py. The scoring starts as the tests are collected, and
these tests run last (tests/corpus_scoring.py)."""

import json

import pytest

from bench import corpus_table
from tests.corpus_scoring import CORPUS, SCORING

PINS = json.loads(corpus_table.PINS.read_text(encoding="utf-8"))
# Float noise alone: a pinned figure is held exactly, with no slack for a small drop.
TOLERANCE = 1e-9
# The scorer's summary keys for the overall metrics, by the table's names.
SUMMARY_KEYS = {"count exact": "count_exact_rate", "recall": "recall", "precision": "precision",
                "author": "author_acc", "time": "timestamp_acc", "parent": "parent_acc"}


@pytest.fixture(scope="module")
def scored():
    """The scorer's results and the figures computed from them, from one run for the session."""
    if not CORPUS.is_dir():
        pytest.skip(f"scored corpus not found at {CORPUS}: put the shared/corpus folder beside "
                    f"the repository, or set ARCHIVER_CORPUS to its path")
    results = SCORING.wait()
    return results, corpus_table.figures(CORPUS / "dev", results["pages"])


def scopes(figures):
    return {"overall": figures["overall"]} | figures["platforms"]


def shown(value):
    return "none" if value is None else f"{value:.6f}"


def test_the_corpus_is_the_one_pinned(scored):
    _, figures = scored
    measured = {scope: (values["pages"], values["comments"])
                for scope, values in scopes(figures).items()}
    pinned = {scope: (values["pages"], values["comments"])
              for scope, values in scopes(PINS).items()}
    assert measured == pinned, (f"the corpus differs from the one pinned "
                                f"(pages, comments per scope); "
                                f"re-pin: {corpus_table.REPIN}")


def test_the_overall_figures_are_the_scorers_own(scored):
    results, figures = scored
    summary = results["summary"]
    assert summary["errors"] == 0, \
        "the extractor failed on pages of the corpus (the scorer logged which)"
    for metric, key in SUMMARY_KEYS.items():
        assert figures["overall"][metric] == pytest.approx(summary[key], abs=TOLERANCE), metric


def test_no_metric_drops_below_its_pin(scored):
    _, figures = scored
    measured = scopes(figures)
    dropped = []
    for scope, pinned in scopes(PINS).items():
        for metric in corpus_table.METRICS:
            floor = pinned[metric]
            if floor is None:  # nothing to score on that scope (a platform showing no times)
                continue
            value = measured.get(scope, {}).get(metric)
            if value is None or value < floor - TOLERANCE:
                dropped.append(f"{scope} {metric}: {shown(value)} < pinned {floor:.6f}")
    assert not dropped, "dropped below the pins:\n" + "\n".join(dropped)


def test_the_overall_figures_meet_the_bar(scored):
    _, figures = scored
    under = []
    for metric in corpus_table.METRICS:
        bar = corpus_table.COUNT_GOAL if metric == "count exact" else corpus_table.GOAL
        value = figures["overall"][metric]
        if value is None or value < bar:
            under.append(f"{metric}: {shown(value)} < {bar}")
    assert not under, "overall under the bar:\n" + "\n".join(under)


def test_no_page_falls_below_the_recall_floor(scored):
    results, _ = scored
    under = [f"{page['page']}: recall {page['matched']}/{page['gold']}" for page in results["pages"]
             if page["gold"] and page["matched"] / page["gold"] < corpus_table.PAGE_RECALL_FLOOR]
    assert not under, f"pages under {corpus_table.PAGE_RECALL_FLOOR} recall:\n" + "\n".join(under)
