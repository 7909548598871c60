"""CPU time of extraction per page: the goal is at most 10 ms for a typical (median) page.

    python bench/extract_cpu.py [FOLDER_OR_PAGE …] [--runs 5]

Each page is timed from its decoded text to the finished thread and its links, as the crawl
does it (parsing the tree, reading the thread, sanitising, dates, links): the best of
`--runs` runs, in process CPU time, so the machine's other load counts as little as
possible. Without arguments it times the saved pages under tests/pages.
"""

import argparse
import statistics
import sys
import time
from pathlib import Path

from archiver.extractors import extract, extractor_for, find_links
from archiver.page import Page

GOAL_MS = 10.0


def pages_in(paths):
    for path in map(Path, paths):
        yield from sorted(path.rglob("*.html")) if path.is_dir() else [path]


def cpu_ms(saved, runs):
    """Best CPU time in ms of extracting one saved page from scratch, and its platform."""
    best, platform = None, None
    for _ in range(runs):
        page = Page(saved.url, saved.text, content_type=saved.content_type,
                    fetched_utc=saved.fetched_utc)
        start = time.process_time()
        platform = extractor_for(page).PLATFORM
        extract(page)
        find_links(page)
        elapsed = (time.process_time() - start) * 1000
        best = elapsed if best is None else min(best, elapsed)
    return best, platform


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*",
                        default=[str(Path(__file__).parent.parent / "tests" / "pages")])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    timings = []
    for path in pages_in(args.paths):
        ms, platform = cpu_ms(Page.from_file(path), args.runs)
        timings.append(ms)
        print(f"{ms:7.1f} ms  {platform:<14} {path.name}")
    if not timings:
        sys.exit("no pages found")
    timings.sort()
    median = statistics.median(timings)
    p90 = timings[int(0.9 * (len(timings) - 1))]
    print(f"{len(timings)} pages: median {median:.1f} ms, 90th percentile {p90:.1f} ms, "
          f"max {timings[-1]:.1f} ms, total {sum(timings):.0f} ms "
          f"(goal: median at most {GOAL_MS:.0f} ms)")
    return 0 if median <= GOAL_MS else 1


if __name__ == "__main__":
    sys.exit(main())
