"""A page too long to hold as one tree is read in parts (archiver.long_pages): its runs of
comments a part at a time, each part as the page with only that part, in worker processes. What
it gives is what the page read whole gives, to the byte of `archiver extract`'s JSON."""

import contextlib
import io
import json
import os
import re
import signal
import subprocess
import sys
import zlib
from pathlib import Path

import pytest

from archiver.extractors import extract
from archiver.long_pages import extract_long
from archiver.page import Page
from archiver.page_runs import LONG_PAGE_BYTES, split_page
from archiver.thread_json import thread_as_json, write_thread_json
from bench.huge_page import generate
from tests.helpers import archiver, wait_until

PAGES = sorted(Path(__file__).parent.glob("pages/*/*.html"))
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "dev"
# Corpus pages whose comments are read in two parts or more, each of a platform or theme of its
# own; on two of them some comments are outside the run (a "best comments" box, pingbacks).
CORPUS_PAGES = ("03-netzpolitik-cider", "07-muffinrezept-grundrezept", "10-hearya-metal",
                "11-scilogs-gendersprache", "14-wptavern-reactjs", "32-pixnet-maple",
                "36-foxyfolksy-buttercream")
# Parts far smaller than a long page's, so that pages of tens of comments have several.
SMALL = {"run_length": 16, "part_characters": 3000, "workers": 1}


def read_in_parts(path: Path, url: str | None, **sizes: int) -> str:
    """`archiver extract`'s JSON of the page at `path`, read in parts of `sizes`."""
    thread, comments = extract_long(path, url, **(sizes or SMALL))
    printed = io.StringIO()
    write_thread_json(thread, printed, comments)
    return printed.getvalue()


def read_whole(path: Path, url: str | None) -> str:
    printed = io.StringIO()
    write_thread_json(extract(Page.from_file(path, url=url)), printed)
    return printed.getvalue()


@pytest.mark.parametrize("path", PAGES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_a_saved_page_read_in_parts_reads_as_expected(path):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    url = expected.pop("fetched_from")
    assert json.loads(read_in_parts(path, url)) == expected


@pytest.mark.parametrize("name", CORPUS_PAGES)
def test_a_corpus_page_read_in_several_parts_gives_what_it_gives_whole(name):
    path = CORPUS / f"{name}.html"
    url = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["url"]
    split = split_page(path, SMALL["run_length"], SMALL["part_characters"])
    assert split is not None and max(len(parts) for parts in split.runs) > 1
    assert read_in_parts(path, url) == read_whole(path, url)


@pytest.fixture(scope="module")
def long_page(tmp_path_factory):
    """A saved post page of 10,800 comments, 17 MB: over the size a crawl fetches."""
    path = tmp_path_factory.mktemp("long") / "post.html"
    written = generate(path, 10_800)
    assert path.stat().st_size > LONG_PAGE_BYTES
    return path, written


def test_archiver_extract_reads_a_page_over_the_size_limit_in_parts(long_page):
    path, written = long_page
    done = archiver("extract", path.name, "--url", written.url, cwd=path.parent)
    assert done.returncode == 0, done.stderr
    printed = done.stdout
    assert printed == read_whole(path, written.url)
    comments = json.loads(printed)["comments"]
    read = [(comment["id"], None if comment["parent"] is None
             else comments[comment["parent"]]["id"]) for comment in comments]
    assert read == list(zip(written.ids, written.parents, strict=True))


def test_a_long_list_in_the_post_is_put_back_and_stays_in_the_post(tmp_path):
    path = tmp_path / "post.html"
    written = generate(path, 300)
    items = "".join(f"<li>Source {number}: {'a line of the list. ' * 20}</li>\n"
                    for number in range(200))
    html = path.read_text(encoding="utf-8").replace(
        '<div class="entry-content">', f'<div class="entry-content"><ul>{items}</ul>', 1)
    path.write_text(html, encoding="utf-8")
    sizes = {"run_length": 64, "part_characters": 50_000, "workers": 2}
    split = split_page(path, sizes["run_length"], sizes["part_characters"])
    assert split is not None and len(split.runs) == 2
    printed = read_in_parts(path, written.url, **sizes)
    assert printed == read_whole(path, written.url)
    post = json.loads(printed)["post"]
    assert post["body_text"].startswith("Source 0: ") and "\nSource 199: " in post["body_text"]


def test_a_part_of_a_flat_list_begins_with_a_comment_at_the_shallowest_depth(tmp_path):
    # A flat list gives depth by class: a reply must stay in the part of what it answers.
    depths = [1, 2, 3, 3, 2, 1, 2, 1, 1, 2, 3, 4, 2, 1] * 20
    comments = "".join(f'<div class="comment depth-{depth}"><p>{"Text. " * 30}</p></div>'
                       for depth in depths)
    path = tmp_path / "flat.html"
    path.write_text(f"<html><body><div id='comments'>{comments}</div></body></html>",
                    encoding="utf-8")
    split = split_page(path, run_length=16, part_characters=1000)
    assert split is not None
    [parts] = split.runs
    assert len(parts) > 10
    firsts = [Page("https://blog.example/", zlib.decompress(part).decode("utf-8"))
              .xpath("//body/*[1]/@class").get() for part in parts]
    assert set(firsts) == {"comment depth-1"}


def test_a_feed_is_never_split(tmp_path):
    path = tmp_path / "comments.xml"
    items = "".join(f"<item><title>Comment {number}</title></item>" for number in range(100))
    path.write_text(f'<?xml version="1.0"?><rss><channel>{items}</channel></rss>',
                    encoding="utf-8")
    assert split_page(path, run_length=16) is None


@pytest.mark.parametrize("path", PAGES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_the_thread_is_written_as_json_dump_writes_it(path):
    url = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))["fetched_from"]
    thread = extract(Page.from_file(path, url=url))
    assert read_whole(path, url) == json.dumps(thread_as_json(thread), ensure_ascii=False,
                                               indent=1) + "\n"


def test_no_thread_is_written_as_json_dump_writes_it():
    printed = io.StringIO()
    write_thread_json(None, printed)
    assert printed.getvalue() == json.dumps(thread_as_json(None), indent=1) + "\n"


def workers_of(pid: int) -> list[int]:
    """The worker processes the command `pid` has started, each ignoring SIGINT."""
    workers = []
    for entry in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):  # ended since it was listed
            stat = Path(f"/proc/{entry}/stat").read_text()
            command = Path(f"/proc/{entry}/cmdline").read_bytes()
            status = Path(f"/proc/{entry}/status").read_text()
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in command:
                ignored = int(re.search(r"^SigIgn:\s*([0-9a-f]+)", status, re.M)[1], 16)
                assert ignored & 1 << signal.SIGINT - 1
                workers.append(int(entry))
    return workers


def as_in_a_terminal():
    """SIGINT as a terminal's command has it: a run started in the background by a shell (as
    CI may be) ignores it, and so would everything the tests start."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def start_long_extract(long_page):
    """`archiver extract` of the long page, once it has started its workers: the process and
    its workers."""
    path, written = long_page
    process = subprocess.Popen([sys.executable, "-m", "archiver.cli", "extract", path,
                                "--url", written.url], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE, text=True, start_new_session=True,
                               preexec_fn=as_in_a_terminal)
    cores = len(os.sched_getaffinity(0))
    wait_until(lambda: len(workers_of(process.pid)) == cores, process, "workers started")
    return process, workers_of(process.pid)


def test_ctrl_c_stops_a_long_extract_and_its_workers_in_one_line(long_page):
    process, workers = start_long_extract(long_page)
    os.killpg(process.pid, signal.SIGINT)  # as a terminal sends it: to every process
    _, errors = process.communicate(timeout=120)
    # click's own answer to Ctrl-C: a new line after the terminal's ^C, and "Aborted!".
    assert (process.returncode, errors) == (1, "\nAborted!\n")
    assert not [worker for worker in workers if Path(f"/proc/{worker}").exists()]


def test_a_worker_killed_ends_a_long_extract_in_one_line(long_page):
    process, workers = start_long_extract(long_page)
    os.kill(workers[0], signal.SIGKILL)
    _, errors = process.communicate(timeout=120)
    assert process.returncode == 1
    assert errors.startswith(f"Error: a process reading {long_page[0]} in parts stopped: ")
    assert errors.count("\n") == 1
