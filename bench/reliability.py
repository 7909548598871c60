"""What a crawl keeps when the blog answers badly, and when the crawl is killed.

    python bench/reliability.py [--posts 120] [--rate 0.2] [--seed 1] [--kills 20]
                                [--out docs/reliability.md]

Generates a WordPress-shaped blog of N posts from the demo blog's markup (bench/blog_generator.py),
served by nginx on 127.0.0.1 behind a fault proxy (tests/fault_proxy.py), and crawls it:

1. with no faults, into a reference archive;
2. with `rate` of the answers broken, every kind of fault in turn, into a new archive, then
   once more into the same archive (an incremental re-run, faults dealt afresh): after each,
   the comments lost, differing and duplicated against the reference, and the URLs that never
   got a good answer against those the run's `crawls` row lists;
3. killed with SIGKILL at a random moment `kills` times in a row, with SQLite's integrity
   check after each kill, then once to its end: the archive against the reference.

Writes the figures as Markdown to --out.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# The repository, not bench/, whose incremental.py would shadow Twisted's `incremental`.
sys.path[0] = str(REPO)

from bench.blog_generator import generate  # noqa: E402
from tests.fault_proxy import FAULTS, FaultProxy, comments, compared, fault_proxy  # noqa: E402
from tests.local_servers import nginx  # noqa: E402

# The faults a crawl waits out (the proxy's hang outlasts it) and how long it waits.
TIMEOUT_SECONDS = 5


def crawl_command(url: str, db: Path, log: Path) -> list[str]:
    return [sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={url}",
            "-s", f"ARCHIVE_DB={db}", "-s", f"LOG_FILE={log}", "-s", "DOWNLOAD_DELAY=0",
            "-s", "AUTOTHROTTLE_ENABLED=False", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8",
            "-s", f"DOWNLOAD_TIMEOUT={TIMEOUT_SECONDS}", "-s", "RETRY_AFTER_MAX=1"]


def crawl(url: str, db: Path, log: Path) -> int:
    """A whole crawl; its exit status."""
    return subprocess.run(crawl_command(url, db, log), cwd=REPO, stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL).returncode


def listed_failures(db: Path) -> set[str] | None:
    """The URLs the archive's latest run lists as never well answered; None when runs list
    none (an archive without the column)."""
    with sqlite3.connect(db) as conn:
        columns = {row[1] for row in conn.execute("PRAGMA table_info(crawls)")}
        if "failed_urls" not in columns:
            return None
        value = conn.execute("SELECT failed_urls FROM crawls ORDER BY id DESC LIMIT 1").fetchone()
    conn.close()
    return {entry["url"] for entry in json.loads(value[0] or "[]")}


def never_answered(proxy: FaultProxy) -> tuple[set[str], set[str]]:
    """The URLs whose last answer in this phase was broken (not a trickle, which ends whole,
    nor a wrong charset, whose bytes are whole and read as what they are), and those of them
    that are feeds or sitemaps sent off the blog: a page a blog need not have, which the crawl
    leaves to be elsewhere rather than lists as failed."""
    failed = {path for path, fault in proxy.last_fault.items()
              if fault and fault not in ("trickle", "wrong_charset")}
    elsewhere = {path for path in failed if proxy.last_fault[path] == "redirect_off_site"
                 and ("/feed/" in path or "sitemap" in path)}
    base = proxy.url.rstrip("/")
    return {base + path for path in failed}, {base + path for path in elsewhere}


def faulty_runs(proxy: FaultProxy, reference: Counter[tuple], options: argparse.Namespace,
                folder: Path) -> tuple[list[list[str]], Counter[str]]:
    """The table rows of a faulty run and its re-run, and the faults they were dealt."""
    db, rows, dealt = folder / "faulty.db", [], Counter()
    for number, name in enumerate(("run", "re-run")):
        proxy.phase(options.rate, options.seed + number)
        status = crawl(proxy.url, db, folder / f"faulty-{number}.log")
        dealt.update(proxy.faults)
        (failed, elsewhere), listed = never_answered(proxy), listed_failures(db)
        found = compared(db, reference)
        rows.append([f"after the {name}", str(status), f"{sum(proxy.asked.values()):,}",
                     f"{sum(proxy.faults.values()):,}", str(found["lost"]),
                     str(found["differing"]), str(found["duplicated"]), str(len(failed)),
                     "no such column" if listed is None else
                     f"{len(failed & listed)} of {len(failed - elsewhere)}"
                     + (f" (and {len(elsewhere)} optional sent elsewhere)" if elsewhere else "")])
    return rows, dealt


def killed_runs(proxy: FaultProxy, reference: Counter[tuple], options: argparse.Namespace,
                folder: Path) -> list[str]:
    """Kill a crawl `kills` times at random moments, then let one finish: the summary row."""
    proxy.phase(0.0, options.seed)
    db, draw, sound = folder / "killed.db", random.Random(options.seed), 0
    for number in range(options.kills):
        process = subprocess.Popen(crawl_command(proxy.url, db, folder / f"kill-{number}.log"),
                                   cwd=REPO, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(draw.uniform(0.5, 4.0))
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        if db.exists():
            with sqlite3.connect(db) as conn:
                sound += conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            conn.close()
        else:
            sound += 1
    status = crawl(proxy.url, db, folder / "after-kills.log")
    found = compared(db, reference)
    return [str(options.kills), f"{sound} of {options.kills}", str(status), str(found["lost"]),
            str(found["differing"]), str(found["duplicated"])]


def markdown(options: argparse.Namespace, posts: int, reference: int, faulty: list[list[str]],
             dealt: Counter[str], killed: list[str]) -> str:
    command = "python bench/reliability.py " + " ".join(sys.argv[1:])
    lines = ["# Reliability", "",
             f"`{command.strip()}`, {datetime.date.today().isoformat()}, "
             f"{os.cpu_count()} CPUs.", "",
             f"A generated WordPress-shaped blog of {posts} posts and {reference:,} comments "
             "(bench/blog_generator.py), served by nginx on 127.0.0.1 behind a proxy that "
             f"breaks {options.rate:.0%} of the answers (seed {options.seed}; "
             "tests/fault_proxy.py), every kind of fault in turn. Lost, differing and "
             "duplicated count comments against a crawl with no faults. Never answered: the "
             "URLs whose last answer was broken (a trickle and a wrong charset are answers); "
             "listed: those of them the run's `crawls` row lists, of those it must (a feed or "
             "sitemap redirected off the blog is a page the blog need not have: the crawl "
             "leaves it to be elsewhere).", "",
             "| | exit status | requests | faulty answers | comments lost | differing | "
             "duplicated | URLs never answered | listed in `crawls` |",
             "|---|---|---|---|---|---|---|---|---|"]
    lines += ["| " + " | ".join(row) + " |" for row in faulty]
    lines += ["", "Faults dealt, run and re-run:", "", "| fault | answers |", "|---|---|"]
    lines += [f"| {fault} | {dealt[fault]} |" for fault in FAULTS]
    lines += ["", "Killed with SIGKILL at a random moment (0.5 to 4 s into a crawl) again and "
              "again, then one crawl to its end:", "",
              "| kills | integrity_check ok | last crawl's exit status | comments lost | "
              "differing | duplicated |", "|---|---|---|---|---|---|",
              "| " + " | ".join(killed) + " |"]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=120)
    parser.add_argument("--rate", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kills", type=int, default=20)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "reliability.md")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as name, fault_proxy(TIMEOUT_SECONDS + 1) as proxy:
        folder = Path(name)
        generate(folder / "blog", proxy.url.rstrip("/"), options.posts)
        with nginx(folder / "blog", folder / "nginx", access_log=False) as base:
            proxy.set_upstream(base)
            crawl(proxy.url, folder / "reference.db", folder / "reference.log")
            reference = comments(folder / "reference.db")
            faulty, dealt = faulty_runs(proxy, reference, options, folder)
            killed = killed_runs(proxy, reference, options, folder)
    page = markdown(options, options.posts, sum(reference.values()), faulty, dealt, killed)
    options.out.write_text(page, encoding="utf-8")
    print(page)


if __name__ == "__main__":
    main()
