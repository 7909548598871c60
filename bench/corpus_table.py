"""Score `archiver extract` on a gold-labelled corpus and write the table kept in the docs.

    python bench/corpus_table.py CORPUS_DIR [--scorer SCORE_PY] [--out docs/corpus-scores.md]

CORPUS_DIR holds NN-slug.html pages with NN-slug.json gold labels; the scorer (by default
`score.py` in the folder above CORPUS_DIR) runs the extractor on each page. The table gives
the totals, then each platform's, then each page's, with the same metrics as the scorer:
exact comment count, recall, precision, and author, time and parent accuracy over the
comments matched.
"""

import argparse
import json
import subprocess
import sys
import tempfile
from collections import defaultdict
from pathlib import Path

GOAL = 0.95
COUNT_GOAL = 0.85
COLUMNS = ("pages", "comments", "count exact", "recall", "precision", "author", "time", "parent")


def run_scorer(scorer, corpus):
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "scores.json"
        subprocess.run([sys.executable, str(scorer), str(corpus), "--cmd", "archiver extract",
                        "--json", str(out)], check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text(encoding="utf-8"))["pages"]


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
        "author": share("author_ok", matched), "time": share("time_ok", sum(r.get("time_n", 0) for r in rows)),
        "parent": share("parent_ok", matched),
    }


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
    parser.add_argument("--out", type=Path, default=Path(__file__).parent.parent / "docs" / "corpus-scores.md")
    args = parser.parse_args(argv)
    pages = run_scorer(args.scorer or args.corpus.parent / "score.py", args.corpus)
    platform_of = {page["page"]: json.loads((args.corpus / f"{page['page']}.json").read_text(encoding="utf-8"))["platform"]
                   for page in pages}
    by_platform = defaultdict(list)
    for page in pages:
        by_platform[platform_of[page["page"]]].append(page)
    document = "\n\n".join([
        "# Comment extraction on the development corpus",
        "Written by `bench/corpus_table.py` from the corpus scorer's results for `archiver extract`. "
        f"Goals: at least {GOAL} recall, precision, author, time and parent accuracy, overall and per "
        f"platform, and the exact comment count on at least {COUNT_GOAL:.0%} of pages; values under "
        "their goal are in bold. Author, time and parent are over the comments matched.",
        table("corpus", [("all", totals(pages))]),
        table("platform", [(name, totals(rows)) for name, rows in sorted(by_platform.items())]),
        table("page", [(f"{page['page']} ({platform_of[page['page']]})", totals([page])) for page in pages]),
    ]) + "\n"
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(document, encoding="utf-8")
    print(table("corpus", [("all", totals(pages))]))
    print(table("platform", [(name, totals(rows)) for name, rows in sorted(by_platform.items())]))


if __name__ == "__main__":
    main()
