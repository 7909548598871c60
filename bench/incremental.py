"""Requests an incremental run makes, against the first run over the same blog: the goals are
at most 5% when nothing changed, and at most 10% after a night of changes, all archived.

    python bench/incremental.py [--posts 200] [--comments 40]

Starts a real WordPress of its own with the harness in shared/wordpress beside the repository
(or $WP_HARNESS), seeds it with POSTS posts of 0..COMMENTS comments each, and crawls it three
times into one archive: the first run, a second with nothing changed, and a third after five
new comments on two posts, a reply on a comment page that is not the first, an edited
comment, a trashed comment, a late-approved comment, an edited post and a trashed post.
Prints each run's
requests and what it found, and checks the third run against WordPress's own truth.
"""

import argparse
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.wordpress_harness import (  # noqa: E402
    change_the_blog,
    harness_path,
    live_threads,
    missing_prerequisite,
    seeded_site,
    truth_threads,
)

GOALS = {"unchanged": 0.05, "changed": 0.10}
COUNTS = ("requests", "posts_new", "posts_changed", "posts_removed", "comments_new",
          "comments_changed", "comments_removed")


def crawl(base, db, log):
    subprocess.run([sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={base}/",
                    "-s", f"ARCHIVE_DB={db}", "-s", "DOWNLOAD_DELAY=0",
                    "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
                    "-s", f"LOG_FILE={log}"], cwd=REPO, check=True)
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return dict(conn.execute("SELECT * FROM crawls ORDER BY id DESC LIMIT 1").fetchone())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=200)
    parser.add_argument("--comments", type=int, default=40)
    options = parser.parse_args()
    harness = harness_path()
    reason = missing_prerequisite(harness)
    if reason:
        sys.exit(reason)
    with tempfile.TemporaryDirectory() as folder, \
            seeded_site(harness, Path(folder) / "wordpress", str(options.posts),
                        str(options.comments)) as site:
        db = Path(folder) / "archive.db"
        first = crawl(site.base, db, Path(folder) / "first.log")
        unchanged = crawl(site.base, db, Path(folder) / "unchanged.log")
        changes = change_the_blog(site, site.truth())
        truth = site.truth()
        changed = crawl(site.base, db, Path(folder) / "changed.log")
        with sqlite3.connect(db) as conn:
            read_again = conn.execute(
                "SELECT count(DISTINCT post_id) FROM pages WHERE crawl_id = ? AND role = 'post'",
                [changed["id"]]).fetchone()[0]
        threads_match = live_threads(db) == truth_threads(truth)

    print(f"blog: {len(truth['posts'])} posts, {len(truth['comments'])} approved comments")
    print(f"{'run':<10} " + " ".join(f"{name:>16}" for name in COUNTS) + f" {'of first':>9}")
    failures = []
    for name, run in (("first", first), ("unchanged", unchanged), ("changed", changed)):
        ratio = run["requests"] / first["requests"]
        print(f"{name:<10} " + " ".join(f"{run[key]:>16}" for key in COUNTS) + f" {ratio:>8.1%}")
        if name in GOALS and ratio > GOALS[name]:
            failures.append(f"{name}: {ratio:.1%} of the first run's requests, "
                            f"goal {GOALS[name]:.0%}")
    expected = {"posts_new": 0, "posts_changed": 1, "posts_removed": 1,
                "comments_new": len(changes.new) + 1, "comments_changed": 1, "comments_removed": 1}
    found = {key: changed[key] for key in expected}
    print(f"changed run: {read_again} threads read again (of {len(changes.posts)} changed); "
          f"archive matches WordPress's truth: {threads_match}")
    if found != expected:
        failures.append(f"changed run found {found}, expected {expected}")
    if unchanged["posts_new"] or unchanged["comments_new"] or unchanged["comments_changed"]:
        failures.append(f"unchanged run found changes: {unchanged}")
    if not threads_match:
        failures.append("the archive's live comments differ from WordPress's approved ones")
    for failure in failures:
        print("FAIL", failure)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
