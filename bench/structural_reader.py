"""How well the structural reader alone reads a labelled corpus: on the pages as they are, and
with every class and id name replaced by a meaningless one, as on a theme nobody has seen.

    python bench/structural_reader.py CORPUS_DIR [--scorer SCORE_PY]

`archiver extract` reads most pages with a platform's templates; this measures the reader that
stands behind them for every blog no template knows, with the corpus scorer's own matching
(by default `score.py` in the folder above CORPUS_DIR). It prints recall, precision and
author, time and parent accuracy over the comments matched, for both conditions.
"""

import argparse
import hashlib
import importlib.util
import json
from pathlib import Path

import lxml.html

from archiver import clean, dates
from archiver.extractors.structure import structural_comments
from archiver.page import Page

URL = "https://blog.example/post/"


def load_scorer(path):
    spec = importlib.util.spec_from_file_location("score", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def without_names(html):
    """The page with each class and id name replaced by a name that says nothing."""
    document = lxml.html.fromstring(html)
    for element in document.iter():
        for attribute in ("class", "id"):
            if isinstance(element.tag, str) and element.get(attribute):
                names = element.get(attribute).split()
                element.set(attribute, " ".join(_meaningless(name) for name in names))
    return lxml.html.tostring(document, encoding="unicode")


def _meaningless(name):
    # Letters at both ends: a name ending in digits reads as a counter (`comment-12`).
    return f"n{hashlib.sha1(name.encode()).hexdigest()[:6]}x"


def read(html):
    """The comments the structural reader finds, as the scorer reads `archiver extract`'s."""
    page = Page(URL, html)
    comments = structural_comments(page)
    return [{"author": comment.author,
             "published": dates.parse_published(comment.published_shown,
                                                comment.published_machine,
                                                language=page.language).page,
             "parent": comment.parent,
             "body": clean.html_to_text(clean.parse_fragment(comment.body_html))}
            for comment in comments]


def score(scorer, corpus, disguise):
    totals = dict.fromkeys(("gold", "pred", "matched", "author_ok", "time_ok", "time_n",
                            "parent_ok"), 0)
    for path in sorted(corpus.glob("*.html")):
        gold = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        html = Page.from_bytes(URL, path.read_bytes()).text
        result = scorer.score_page(gold, read(without_names(html) if disguise else html))
        for key in totals:
            totals[key] += result.get(key, 0)
    matched = totals["matched"] or 1
    return {"recall": totals["matched"] / totals["gold"],
            "precision": totals["matched"] / (totals["pred"] or 1),
            "author": totals["author_ok"] / matched,
            "time": totals["time_ok"] / (totals["time_n"] or 1),
            "parent": totals["parent_ok"] / matched}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--scorer", type=Path)
    args = parser.parse_args()
    scorer = load_scorer(args.scorer or args.corpus.resolve().parent / "score.py")
    print(f"{'pages':<22}{'recall':>8}{'precision':>11}{'author':>8}{'time':>7}{'parent':>8}")
    for label, disguise in (("as they are", False), ("class names replaced", True)):
        found = score(scorer, args.corpus, disguise)
        widths = (("recall", 8), ("precision", 11), ("author", 8), ("time", 7), ("parent", 8))
        print(f"{label:<22}" + "".join(f"{found[key]:>{width}.3f}" for key, width in widths))


if __name__ == "__main__":
    main()
