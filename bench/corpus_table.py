"""Score `archiver extract` on a gold-labelled corpus and write the table kept in the docs.

    python bench/corpus_table.py CORPUS_DIR [--scorer SCORE_PY] [--out docs/corpus-scores.md]
                                 [--pin]

CORPUS_DIR holds NN-slug.html pages with NN-slug.json gold labels; the scorer (by default
`score.py` in the folder above CORPUS_DIR) runs the extractor on each page. The table gives
the totals, then each platform's, then each page's, with the same metrics as the scorer:
exact comment count, recall, precision, and author, time and parent accuracy over the
comments matched. `--pin` also writes those figures, overall and per platform, to
tests/corpus_scores.json: the pins below which tests/test_corpus_quality.py fails.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

# The absolute bar of the quality gate: every overall metric, the exact count, and each
# page's recall; values under it are in bold in the table.
GOAL = 0.97
COUNT_GOAL = 0.90
PAGE_RECALL_FLOOR = 0.8
METRICS = ("count exact", "recall", "precision", "author", "time", "parent")
COLUMNS = ("pages", "comments") + METRICS
ROOT = Path(__file__).resolve().parent.parent
PINS = ROOT / "tests" / "corpus_scores.json"
REPIN = "python bench/corpus_table.py ../shared/corpus/dev --pin"


def run_scorer(scorer, corpus):
    """The scorer's results ({"summary": …, "pages": […]}) for `archiver extract` on corpus."""
    # The `archiver` installed beside this Python is the one scored, not another on PATH.
    path = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    env = os.environ | {"PATH": path}
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "scores.json"
        subprocess.run([sys.executable, str(scorer), str(corpus), "--cmd", "archiver extract",
                        "--json", str(out)], check=True, stdout=subprocess.DEVNULL, env=env)
        return json.loads(out.read_text(encoding="utf-8"))


def platforms(corpus, pages):
    """{page name: platform}, from each page's gold label."""
    return {page["page"]: _gold(corpus, page["page"])["platform"] for page in pages}


def _gold(corpus, page):
    return json.loads((corpus / f"{page}.json").read_text(encoding="utf-8"))


def totals(rows):
    """The scorer's metrics over a group of its per-page rows."""
    def share(part, whole):
        return sum(r.get(part, 0) for r in rows) / whole if whole else None
    gold = sum(r["gold"] for r in rows)
    predicted = sum(r["pred"] for r in rows)
    matched = sum(r.get("matched", 0) for r in rows)
    return {
        "pages": len(rows), "comments": gold,
        "count exact": sum(r.get("count_exact", 0) for r in rows) / len(rows),
        "recall": matched / gold if gold else None,
        "precision": matched / predicted if predicted else None,
        "author": share("author_ok", matched),
        "time": share("time_ok", sum(r.get("time_n", 0) for r in rows)),
        "parent": share("parent_ok", matched),
    }


def figures(corpus, pages):
    """The totals overall and per platform: what the quality gate pins."""
    platform_of = platforms(corpus, pages)
    by_platform = defaultdict(list)
    for page in pages:
        by_platform[platform_of[page["page"]]].append(page)
    return {"overall": totals(pages),
            "platforms": {name: totals(rows) for name, rows in sorted(by_platform.items())}}


def pins_document(scores):
    """The pins file: a scope to a line, so that a re-pin's diff shows which figures moved."""
    note = f"The corpus scores CI must not drop below; re-pin after an improvement: {REPIN}"
    platform_lines = ",\n".join(f"  {json.dumps(name)}: {json.dumps(values)}"
                                 for name, values in scores["platforms"].items())
    return (f'{{\n "note": {json.dumps(note)},\n "overall": {json.dumps(scores["overall"])},\n'
            f' "platforms": {{\n{platform_lines}\n }}\n}}\n')


def cell(column, value):
    if value is None:
        return "–"
    if column in ("pages", "comments"):
        return str(value)
    goal = COUNT_GOAL if column == "count exact" else GOAL
    return f"{value:.3f}" if value >= goal else f"**{value:.3f}**"


def table(title, named_rows):
    lines = [f"| {title} | " + " | ".join(COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name, values in named_rows:
        lines.append(f"| {name} | " + " | ".join(cell(c, values[c]) for c in COLUMNS) + " |")
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--scorer", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "corpus-scores.md")
    parser.add_argument("--pin", action="store_true",
                        help=f"also write the figures to {PINS.relative_to(ROOT)}, "
                             "the quality gate's pins")
    args = parser.parse_args(argv)
    pages = run_scorer(args.scorer or args.corpus.parent / "score.py", args.corpus)["pages"]
    platform_of = platforms(args.corpus, pages)
    scores = figures(args.corpus, pages)
    document = "\n\n".join([
        "# Comment extraction on the development corpus",
        "Written by `bench/corpus_table.py` from the corpus scorer's results for "
        "`archiver extract`. Goals, which CI's quality gate holds: at least "
        f"{GOAL} overall recall, precision, author, time and parent accuracy, the exact "
        f"comment count on at least {COUNT_GOAL:.0%} of pages, and no page under "
        f"{PAGE_RECALL_FLOOR} recall; values under {GOAL} ({COUNT_GOAL} for the count) are in "
        "bold. The gate also fails on any figure, overall or per platform, under its pin in "
        f"`{PINS.relative_to(ROOT)}`. Author, time and parent are over the comments matched.",
        table("corpus", [("all", scores["overall"])]),
        table("platform", list(scores["platforms"].items())),
        table("page", [(f"{page['page']} ({platform_of[page['page']]})", totals([page]))
                       for page in pages]),
    ]) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(document, encoding="utf-8")
    if args.pin:
        PINS.write_text(pins_document(scores), encoding="utf-8")
    print(table("corpus", [("all", scores["overall"])]))
    print(table("platform", list(scores["platforms"].items())))


if __name__ == "__main__":
    main()
