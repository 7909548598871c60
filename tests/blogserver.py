"""A test server: the static demo blog plus scripted faults, on a free loopback port.

    python -m tests.blogserver data/demo-blog [--faults] [--robots-503] [--rest MODE]

Prints its base URL ("http://127.0.0.1:PORT/") as the first line of stdout, then serves
until killed (Scrapy's mockserver pattern). Besides every path of the snapshot
(archiver.demo), it answers these fault paths, which the blog itself never links to:

    /faults/500/            500 Internal Server Error
    /faults/slow/           a page never sent: the crawl's download timeout ends the request
    /faults/redirect-away/  302 to http://other.invalid/, a host the crawl must not follow
    /faults/latin-1/        the example thread re-encoded as ISO-8859-1 (Content-Type says
                            so), with "Prolétariat" in its title
    /faults/broken-html/    the example thread cut off in the middle of its comment list
    /faults/redirect-loop/  302 to /faults/redirect-loop/?back, which answers 302 back to it
    /faults/redirect-self/  302 to itself
    /faults/redirect-chain/ 302 to ?hop=1, which answers 302 to ?hop=2, … without end
    /faults/gzip-cut/       the example thread gzip-compressed, cut at half its length
    /faults/short-body/     the example thread, half of it sent, Content-Length saying all
    /faults/gzip-cut-once/  as /faults/gzip-cut/ the first time, whole after that (not linked
                            by --faults)
    /faults/redirect-self-once/  as /faults/redirect-self/ the first time, the example thread
                            after that (not linked by --faults)

A test either starts a crawl at a fault path, or passes --faults, which adds links to all
of them to the home page as listed posts, so a whole-blog crawl meets them. The two
copies of the example thread name their own path as canonical, so they are archived as
posts of their own and leave the real one alone. --robots-503 makes /robots.txt answer
503 Service Unavailable.

The snapshot holds the REST index (/wp-json/) but no other REST route, so the blog's REST
comments answer 404. --rest MODE scripts the REST API's wp/v2 routes instead:

    json      the posts and comments collections in tests/demo_rest, recorded from the
              WordPress harness seeded as the demo blog was, with one reply (75) approved
              after the snapshot was taken; answered as WordPress answers them (filters `post`
              and `after`, `_fields`, X-WP-Total, X-WP-TotalPages, Link), but REST_PAGE_SIZE
              items a page at most, so that short collections span pages
    401       wp/v2 routes answer 401, as when a plugin keeps them from visitors
    disabled  every REST address, the index included, answers 401 (REST disabled for visitors)
    html      wp/v2 routes answer 200 with the home page's HTML, as some caches and security
              plugins do
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import dataclasses
import functools
import gzip
import re
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from archiver.demo import BlogHandler, Reply, StaticBlog, serve
from tests.demo_rest_api import REST_ROOT, rest_reply
from tests.replies import ApiReply, ShortReply, StreamedReply

ROOT = Path(__file__).resolve().parent.parent

EXAMPLE_POST = "/2014/08/12/iraqi-communists-call-on-worlds-proletariat-to-unite-against-islamists/"
ELSEWHERE = "http://other.invalid/2014/08/12/elsewhere/"
REDIRECT_LOOP = "/faults/redirect-loop/"
REDIRECT_CHAIN = "/faults/redirect-chain/"
HTML = "text/html; charset=UTF-8"
CANONICAL = re.compile(r'<link rel="canonical" href="[^"]*"')
REST_MODES = ("json", "401", "disabled", "html")


def server_error(blog, base_url, target):
    return Reply(500, HTML,
                 b"<!DOCTYPE html>\n<title>Error</title>\n<h1>Internal Server Error</h1>\n")


def slow(blog, base_url, target):
    """Holds the request until the server is stopped: however loaded the machine, the crawl's
    timeout, not a race with a sleep, decides that this page fails."""
    threading.Event().wait()


def redirect_away(blog, base_url, target):
    return Reply(302, HTML, b"", location=ELSEWHERE)


def latin_1(blog, base_url, target):
    """The example thread in ISO-8859-1: characters outside it become character references."""
    text = example_copy(blog, base_url, "/faults/latin-1/").replace("Proletariat", "Prolétariat")
    text = re.sub(r'<meta charset="[^"]*"', '<meta charset="ISO-8859-1"', text)
    return Reply(200, "text/html; charset=iso-8859-1", text.encode("latin-1", "xmlcharrefreplace"))


def broken_html(blog, base_url, target):
    """The example thread cut off half-way through the tag of its middle comment."""
    text = example_copy(blog, base_url, "/faults/broken-html/")
    starts = [match.start() for match in re.finditer(r'<li id="comment-', text)]
    return Reply(200, HTML, text[:starts[len(starts) // 2] + 20].encode())


def redirect_loop(blog, base_url, target):
    """302 to the same path with `?back`, which answers 302 to the path: A -> B -> A."""
    hop = REDIRECT_LOOP if urlsplit(target).query == "back" else REDIRECT_LOOP + "?back"
    return Reply(302, HTML, b"", location=urljoin(base_url, hop))


def redirect_self(blog, base_url, target):
    """302 to itself: A -> A."""
    return Reply(302, HTML, b"", location=urljoin(base_url, target))


def redirect_chain(blog, base_url, target):
    """302 to the next hop, `?hop=N`, without end: a chain past any redirect limit."""
    hop = int(dict(parse_qsl(urlsplit(target).query)).get("hop", 0))
    return Reply(302, HTML, b"", location=urljoin(base_url, f"{REDIRECT_CHAIN}?hop={hop + 1}"))


def gzip_cut(blog, base_url, target):
    """The example thread gzip-compressed and cut at half its length, Content-Length saying so:
    its stream never ends."""
    body = gzip.compress(example_copy(blog, base_url, "/faults/gzip-cut/").encode(), mtime=0)
    return ApiReply(200, HTML, body[:len(body) // 2], headers=(("Content-Encoding", "gzip"),))


def gzip_cut_once(blog, base_url, target):
    """The example thread gzip-compressed: cut at half its length the first time it is asked
    for, whole after that."""
    with ASKED_LOCK:
        ASKED[target] += 1
        first = ASKED[target] == 1
    body = gzip.compress(example_copy(blog, base_url, "/faults/gzip-cut-once/").encode(), mtime=0)
    return ApiReply(200, HTML, body[:len(body) // 2] if first else body,
                    headers=(("Content-Encoding", "gzip"),))


def short_body(blog, base_url, target):
    """The example thread, sent in part: Content-Length says twice what comes before the
    connection closes."""
    body = example_copy(blog, base_url, "/faults/short-body/").encode()
    return ShortReply(200, HTML, body[:len(body) // 2], declared_length=len(body))


def example_copy(blog, base_url, path):
    """The example thread's page as text, naming `path` as its canonical URL."""
    text = blog.respond(EXAMPLE_POST, base_url).body.decode("utf-8")
    return CANONICAL.sub(f'<link rel="canonical" href="{urljoin(base_url, path)}"', text, count=1)


FAULTS = {
    "/faults/500/": server_error,
    "/faults/slow/": slow,
    "/faults/redirect-away/": redirect_away,
    "/faults/latin-1/": latin_1,
    "/faults/broken-html/": broken_html,
    "/faults/redirect-loop/": redirect_loop,
    "/faults/redirect-self/": redirect_self,
    "/faults/redirect-chain/": redirect_chain,
    "/faults/gzip-cut/": gzip_cut,
    "/faults/short-body/": short_body,
}
# Answered as FAULTS are, but not linked by --faults: a page that heals when asked again.
def redirect_self_once(blog, base_url, target):
    """A 302 to itself the first time it is asked for, the example thread after that."""
    with ASKED_LOCK:
        ASKED[target] += 1
        first = ASKED[target] == 1
    if first:
        return Reply(302, HTML, b"", location=urljoin(base_url, target))
    return Reply(200, HTML, example_copy(blog, base_url, "/faults/redirect-self-once/").encode())


HEALING = {"/faults/gzip-cut-once/": gzip_cut_once,
           "/faults/redirect-self-once/": redirect_self_once}
# How many times each request target of HEALING was asked for, in this process.
ASKED: collections.Counter[str] = collections.Counter()
ASKED_LOCK = threading.Lock()


def with_fault_links(reply):
    """A listing page with every fault path added as a listed post."""
    links = "".join(f'<article><h2 class="entry-title"><a href="{path}">{path}</a></h2></article>\n'
                    for path in FAULTS)
    body = reply.body.replace(b"</main>", links.encode() + b"</main>", 1)
    return dataclasses.replace(reply, body=body)


class HeadersHandler(BlogHandler):
    """Sends the headers of its own an ApiReply has, a ShortReply's lying Content-Length, and a
    StreamedReply without one."""

    def __init__(self, *args, **kwargs):
        self.api_headers = ()
        super().__init__(*args, **kwargs)

    def send(self, reply, with_body):
        self.api_headers = getattr(reply, "headers", ())
        if not isinstance(reply, ShortReply | StreamedReply):
            super().send(reply, with_body)
            return
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        if isinstance(reply, ShortReply):
            self.send_header("Content-Length", str(reply.declared_length))
        self.end_headers()
        self.wfile.write(reply.body)

    def end_headers(self):
        for name, value in self.api_headers:
            self.send_header(name, value)
        super().end_headers()


class FaultHandler(HeadersHandler):
    """The demo blog's handler, answering the fault paths as well."""

    def __init__(self, *args, fault_links=False, robots_503=False, rest=None, **kwargs):
        self.fault_links = fault_links
        self.robots_503 = robots_503
        self.rest = rest
        super().__init__(*args, **kwargs)

    def reply(self):
        path = urlsplit(self.path).path
        if path == "/robots.txt" and self.robots_503:
            return Reply(503, "text/plain; charset=utf-8", b"Service Unavailable\n")
        if path in FAULTS or path in HEALING:
            fault = FAULTS.get(path) or HEALING[path]
            return fault(self.server.blog, self.server.base_url, self.path)
        if (self.rest and path.startswith(REST_ROOT)
                and (path != REST_ROOT or self.rest == "disabled")):
            return rest_reply(self.rest, self.server.blog, self.server.base_url, self.path)
        reply = super().reply()
        return with_fault_links(reply) if path == "/" and self.fault_links else reply


class ServedBlog:
    """A snapshot this process serves (see `serving`): its base URL, the request targets it
    was asked for and when, and what a test makes it do for a while: hold answers back,
    answer some targets as scripted, or show another snapshot at the same address."""

    def __init__(self, root: str | Path) -> None:
        self.blog = StaticBlog(root)
        self.url = ""
        self.asked: list[str] = []
        self.asked_at: list[float] = []  # when each of `asked` came, by time.monotonic()
        self.user_agents: list[str | None] = []  # the User-Agent header of every request
        self._hold: tuple[Callable[[str], bool], threading.Event] | None = None
        self._scripted: dict[str, list[Reply]] = {}

    @contextlib.contextmanager
    def scripted(self, replies: dict[str, list[Reply]]) -> Iterator[None]:
        """While the block runs, answer each target of `replies` with its replies in turn, and
        then as the snapshot does."""
        self._scripted = {target: list(answers) for target, answers in replies.items()}
        try:
            yield
        finally:
            self._scripted = {}

    @contextlib.contextmanager
    def holding(self, when: Callable[[str], bool]) -> Iterator[None]:
        """While the block runs, hold back the answer to each request whose target
        `when(target)` is true (asked as the request comes); answer them when it ends."""
        released = threading.Event()
        self._hold = (when, released)
        try:
            yield
        finally:
            self._hold = None
            released.set()

    @contextlib.contextmanager
    def showing(self, root: str | Path) -> Iterator[None]:
        """Serve the snapshot in `root` instead while the block runs, at the same address."""
        shown, self.blog = self.blog, StaticBlog(root)
        try:
            yield
        finally:
            self.blog = shown

    def answer(self, target: str) -> Reply:
        """The Reply to a request for `target`, once no hold keeps it back."""
        self.asked.append(target)
        self.asked_at.append(time.monotonic())
        hold = self._hold
        if hold and hold[0](target):
            hold[1].wait()
        if self._scripted.get(target):
            return self._scripted[target].pop(0)
        return self.blog.respond(target, self.url)


class ServedHandler(HeadersHandler):
    """Answers from the ServedBlog it is given."""

    def __init__(self, *args, served, **kwargs):
        self.served = served
        super().__init__(*args, **kwargs)

    def reply(self):
        self.served.user_agents.append(self.headers["User-Agent"])
        return self.served.answer(self.path)


@contextlib.contextmanager
def serving(root: str | Path) -> Iterator[ServedBlog]:
    """The snapshot in `root` served from a thread of this process on a free loopback port,
    so that a test can steer it; yields its ServedBlog."""
    served = ServedBlog(root)
    with serve(root, handler=functools.partial(ServedHandler, served=served)) as url:
        served.url = url
        yield served


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.blogserver",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("root", help="a snapshot folder with manifest.json, e.g. data/demo-blog")
    parser.add_argument("--faults", action="store_true",
                        help="link the fault paths from the home page")
    parser.add_argument("--robots-503", action="store_true", help="answer /robots.txt with 503")
    parser.add_argument("--rest", choices=REST_MODES, help="script the REST API's wp/v2 routes")
    args = parser.parse_args(argv)
    handler = functools.partial(FaultHandler, fault_links=args.faults, robots_503=args.robots_503,
                                rest=args.rest)
    with serve(args.root, handler=handler) as base_url:
        sys.stdout.write(base_url + "\n")
        sys.stdout.flush()
        threading.Event().wait()


@contextlib.contextmanager
def running(site="data/demo-blog", *flags):
    """This server in a process of its own, serving `site` (a snapshot folder) with `flags`;
    yields its base URL and stops it afterwards."""
    process = subprocess.Popen([sys.executable, "-m", "tests.blogserver", str(site), *flags],
                               cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        yield process.stdout.readline().strip()
    finally:
        process.kill()
        process.wait()


if __name__ == "__main__":
    main()
