"""`archiver demo --serve`, run as a user runs it: the demo blog and Datasette on its archive
stay up after the crawl, the thread view's links to the blog answer, and SIGINT (Ctrl-C) or
SIGTERM ends it cleanly."""

import contextlib
import queue
import re
import signal
import subprocess
import sys
import threading
import urllib.request
from urllib.parse import urlsplit

import pytest

from tests.helpers import EXAMPLE, EXAMPLE_TITLE, PATIENCE, get, html_page
from tests.local_servers import free_port, wait_until_ready


def lines_of(stream):
    """A queue of the lines `stream` gives, read by a thread of its own, then None at its end."""
    lines = queue.Queue()

    def read():
        for line in stream:
            lines.put(line)
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    return lines


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_the_demo_keeps_its_blog_and_datasette_up_until_interrupted(tmp_path, stop):
    port = free_port()
    log = tmp_path / "demo.log"
    with open(log, "w") as stderr:
        process = subprocess.Popen([sys.executable, "-m", "archiver.cli", "demo", "--serve",
                                    "--port", "0", "--serve-port", str(port)], cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=stderr, text=True)
    try:
        printed = lines_of(process.stdout)
        shown = []
        while not shown or not shown[-1].startswith("Try:"):
            line = printed.get(timeout=PATIENCE)
            assert line is not None, "".join(shown) + log.read_text()
            shown.append(line)
        blog = re.match(r"Demo blog served at (\S+);", shown[0])[1]
        archive = f"http://127.0.0.1:{port}"
        assert "".join(shown[1:]) == (
            "Archive data/archive.db: 7 posts, 58 comments (52 comment, 6 pingback), 57 links, "
            "27 pages, 1 crawls\n\n"
            "Serving until interrupted (Ctrl-C):\n"
            f"  the demo blog  {blog}\n"
            f"  the archive    {archive}/\n"
            f"Try:  archiver crawl {blog} --db data/archive.db\n")

        def answers():
            with contextlib.suppress(OSError), urllib.request.urlopen(archive + "/-/versions.json",
                                                                      timeout=2):
                return True
            return False

        wait_until_ready(process, "archiver demo", log, PATIENCE, answers)
        html, thread = html_page(f"{archive}/archive/-/thread/{urlsplit(blog).netloc}/{EXAMPLE}")
        assert EXAMPLE_TITLE in html
        links = {text: [link.get("href") for link in thread.iter("a")
                        if link.text_content().strip() == text]
                 for text in ("original post", "on the blog")}
        assert links["original post"] == [blog + EXAMPLE]
        assert links["on the blog"][0] == f"{blog}{EXAMPLE}#comment-1"
        for address in links["original post"] + links["on the blog"][:1]:
            status, _, page = get(address)
            # The blog spells the title's apostrophe as a character reference.
            assert (status, b"<title>Iraqi Communists Call on World&#8217;s" in page) == (
                200, True)

        process.send_signal(stop)
        assert process.wait(timeout=PATIENCE) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with contextlib.suppress(OSError), urllib.request.urlopen(blog, timeout=2):
        pytest.fail("the demo blog still answers")
