"""What `archiver crawl` tells its user, from real processes against blogs on 127.0.0.1: a
progress line on a terminal and none under cron, one honest summary line per blog, why a
failed crawl failed, the User-Agent it sends and an archive's folder that does not exist yet."""

import os
import re
import select
import subprocess
import sys
import time
import tomllib

import pytest

from archiver import HOMEPAGE, __version__
from tests.blogserver import running
from tests.helpers import EXAMPLE, FAST, PATIENCE, ROOT, archiver, archiver_crawl

# One state of the progress line, as the terminal is sent it: the line rewritten from its
# start, and the rest of the terminal's line cleared.
PROGRESS = re.compile(r"(?P<blog>\S+): (?P<pages>\d+) pages, (?P<posts>\d+) posts, "
                      r"(?P<comments>\d+) comments, (?P<errors>\d+) errors, "
                      r"(?P<rate>\d+\.\d) pages/s\x1b\[K")


def on_terminal(*args, cwd):
    """The `archiver` command with `args`, its stderr a pseudo-terminal and its stdout a pipe,
    run to its end: (exit status, what the terminal showed, stdout)."""
    primary, secondary = os.openpty()
    process = subprocess.Popen([sys.executable, "-m", "archiver.cli", *map(str, args)],
                               cwd=cwd, stdout=subprocess.PIPE, stderr=secondary,
                               stdin=subprocess.DEVNULL)
    os.close(secondary)
    shown = b""
    deadline = time.monotonic() + PATIENCE * 2
    try:
        while time.monotonic() < deadline:
            if not select.select([primary], [], [], 1)[0]:
                continue
            try:
                data = os.read(primary, 65536)
            except OSError:  # EIO: every process holding the terminal has ended
                break
            if not data:
                break
            shown += data
        stdout, _ = process.communicate(timeout=PATIENCE)
    finally:
        os.close(primary)
        if process.poll() is None:
            process.kill()
            process.communicate()
    return process.returncode, shown.decode("utf-8"), stdout.decode("utf-8")


def test_on_a_terminal_a_crawl_rewrites_one_progress_line_as_pages_come_in(demo_blog, tmp_path):
    blog = demo_blog.url
    status, shown, stdout = on_terminal("crawl", blog, "--db", tmp_path / "archive.db",
                                        "--log-file", tmp_path / "crawl.log", *FAST,
                                        cwd=tmp_path)
    assert (status, stdout) == (0, f"{blog}: ok: 20 pages, 7 posts, 58 comments, 0 errors\n")
    # The terminal turns the line's end into "\r\n".
    assert shown.startswith("\r") and shown.endswith("\r\n"), repr(shown[-300:])
    states = [PROGRESS.fullmatch(state) for state in shown[1:-2].split("\r")]
    assert None not in states, repr(shown)
    assert {state["blog"] for state in states} == {blog}
    counts = [(int(state["pages"]), int(state["posts"]), int(state["comments"]))
              for state in states]
    assert counts == sorted(counts) and len(set(counts)) > 3
    assert counts[-1] == (20, 7, 58)
    assert {state["errors"] for state in states} == {"0"}


def test_under_cron_a_first_run_and_a_rerun_each_print_what_they_did_in_one_line(
        demo_blog, tmp_path):
    blog, db = demo_blog.url, tmp_path / "archive.db"
    first = archiver_crawl(blog, db, tmp_path / "first.log")
    assert (first.returncode, first.stdout, first.stderr) == (
        0, f"{blog}: ok: 20 pages, 7 posts, 58 comments, 0 errors\n", "")
    again = archiver_crawl(blog, db, tmp_path / "again.log")
    assert (again.returncode, again.stdout, again.stderr) == (
        0, f"{blog}: ok: incremental, 7 threads checked, 0 read again, nothing new; archive holds "
           "7 posts, 58 comments; 8 pages, 0 errors\n", "")


FAILURES = {
    "refused": ("http://127.0.0.1:9/", (), (),
                "connection refused at http://127.0.0.1:9/robots.txt"),
    "dns": ("http://no-such-blog.invalid/", (), (),
            "host name not found (DNS) at http://no-such-blog.invalid/robots.txt"),
    "http-500": ("{blog}faults/500/", (), (), "HTTP 500 at {blog}faults/500/"),
    "timeout": ("{blog}faults/slow/", (), ("-s", "DOWNLOAD_TIMEOUT=2"),
                "timed out at {blog}faults/slow/"),
    "robots-503": ("{blog}", ("--robots-503",), (),
                   "HTTP 503 at {blog}robots.txt: the host is not crawled while its robots.txt "
                   "cannot be read (RFC 9309)"),
}


@pytest.mark.parametrize("name", FAILURES)
def test_a_failed_crawl_says_why_in_one_line_on_stderr_and_in_its_log(tmp_path, name):
    start, server_flags, settings, cause = FAILURES[name]
    log = tmp_path / "crawl.log"
    with running("data/demo-blog", *server_flags) as blog:
        url = start.format(blog=blog)
        done = archiver_crawl(url, tmp_path / "archive.db", log, *settings)
    cause = cause.format(blog=blog)
    assert (done.returncode, done.stderr) == (1, f"Error: the crawl of {url} failed: {cause}\n")
    assert re.fullmatch(rf"{re.escape(url)}: failed: \d pages, 0 posts, 0 comments, \d errors\n",
                        done.stdout), done.stdout
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [line.split("] ", 1)[1] for line in lines if "[archiver.pipelines] ERROR" in line] == [
        f"ERROR: The crawl failed: {cause}"]
    assert not [line for line in lines if "Forbidden by robots.txt" in line]


def test_a_host_whose_robots_txt_cannot_be_read_is_logged_once_as_an_error(tmp_path):
    log = tmp_path / "crawl.log"
    archiver_crawl("http://127.0.0.1:9/", tmp_path / "archive.db", log)
    lines = [line.split(" ", 2)[2] for line in log.read_text(encoding="utf-8").splitlines()
             if re.match(r"\d{4}-\d\d-\d\d ", line)]
    assert [line for line in lines if "ERROR" in line or "WARNING" in line] == [
        "[scrapy.downloadermiddlewares.retry] ERROR: Gave up retrying <GET "
        "http://127.0.0.1:9/robots.txt> (failed 1 times): Connection was refused by other side: "
        "111: Connection refused.",
        "[archiver.middlewares] ERROR: robots.txt unreachable (connection refused) for "
        "127.0.0.1:9: treating the whole host as disallowed (RFC 9309)",
        "[archiver.pipelines] ERROR: The crawl failed: connection refused at "
        "http://127.0.0.1:9/robots.txt"]
    assert ("[blog] INFO: Not fetched: http://127.0.0.1:9/ (its host's robots.txt could not be "
            "read: connection refused)") in lines


@pytest.mark.parametrize("settings, user_agent", [
    ((), f"thread-archiver/{__version__} (+{HOMEPAGE}; archives blog comment threads; obeys "
         "robots.txt)"),
    (("-s", "USER_AGENT=blog-keeper (+mailto:keeper@blog.example)"),
     "blog-keeper (+mailto:keeper@blog.example)"),
], ids=["default", "operator's own"])
def test_every_request_says_who_crawls_and_where_to_reach_them(demo_blog, tmp_path, settings,
                                                                user_agent):
    asked = len(demo_blog.user_agents)
    done = archiver_crawl(demo_blog.url + EXAMPLE, tmp_path / "archive.db",
                          tmp_path / "crawl.log", *settings)
    assert done.returncode == 0, done.stdout + done.stderr
    received = demo_blog.user_agents[asked:]
    assert len(received) > 3
    assert set(received) == {user_agent}


def test_an_archive_in_a_folder_that_does_not_exist_has_it_made_and_said_so(tmp_path):
    done = archiver("crawl", "http://127.0.0.1:9/", "--db", "missing/dir/a.db", *FAST,
                    cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        1, "Made the folder missing/dir for the archive missing/dir/a.db\n"
           "Error: the crawl of http://127.0.0.1:9/ failed: connection refused at "
           "http://127.0.0.1:9/robots.txt\n")
    assert sorted(path.name for path in (tmp_path / "missing" / "dir").iterdir()) == [
        "a.db", "a.db.lock", "logs"]


def test_an_archive_whose_folder_cannot_be_made_is_refused_in_one_line(tmp_path):
    (tmp_path / "missing").write_text("a file where the folder would be\n")
    done = archiver("crawl", "http://127.0.0.1:9/", "--db", "missing/dir/a.db", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", "Error: cannot make the folder missing/dir for the archive missing/dir/a.db: "
               "Not a directory\n")


def test_the_user_agent_s_contact_is_the_project_s_homepage():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["urls"]["Homepage"] == HOMEPAGE
