"""A test server: the static demo blog plus scripted faults, on a free loopback port.

    python -m tests.blogserver data/demo-blog [--faults] [--robots-503]

Prints its base URL ("http://127.0.0.1:PORT/") as the first line of stdout, then serves
until killed (Scrapy's mockserver pattern). Besides every path of the snapshot
(archiver.demo), it answers these fault paths, which the blog itself never links to:

    /faults/500/            500 Internal Server Error
    /faults/slow/           a page sent after SLOW_SECONDS, longer than a test's timeout
    /faults/redirect-away/  302 to http://other.invalid/, a host the crawl must not follow
    /faults/latin-1/        the example thread re-encoded as ISO-8859-1 (Content-Type says
                            so), with "Prolétariat" in its title
    /faults/broken-html/    the example thread cut off in the middle of its comment list

A test either starts a crawl at a fault path, or passes --faults, which adds links to all
of them to the home page as listed posts, so a whole-blog crawl meets them. The two
copies of the example thread name their own path as canonical, so they are archived as
posts of their own and leave the real one alone. --robots-503 makes /robots.txt answer
503 Service Unavailable.
"""

import argparse
import dataclasses
import functools
import re
import sys
import threading
import time
from urllib.parse import urljoin, urlsplit

from archiver.demo import BlogHandler, Reply, serve

EXAMPLE_POST = "/2014/08/12/iraqi-communists-call-on-worlds-proletariat-to-unite-against-islamists/"
SLOW_SECONDS = 5
ELSEWHERE = "http://other.invalid/2014/08/12/elsewhere/"
HTML = "text/html; charset=UTF-8"
CANONICAL = re.compile(r'<link rel="canonical" href="[^"]*"')


def server_error(blog, base_url):
    return Reply(500, HTML, b"<!DOCTYPE html>\n<title>Error</title>\n<h1>Internal Server Error</h1>\n")


def slow(blog, base_url):
    time.sleep(SLOW_SECONDS)
    return Reply(200, HTML, b"<!DOCTYPE html>\n<title>Slow</title>\n<p>Too late.</p>\n")


def redirect_away(blog, base_url):
    return Reply(302, HTML, b"", location=ELSEWHERE)


def latin_1(blog, base_url):
    """The example thread in ISO-8859-1: characters outside it become character references."""
    text = example_copy(blog, base_url, "/faults/latin-1/").replace("Proletariat", "Prolétariat")
    text = re.sub(r'<meta charset="[^"]*"', '<meta charset="ISO-8859-1"', text)
    return Reply(200, "text/html; charset=iso-8859-1", text.encode("latin-1", "xmlcharrefreplace"))


def broken_html(blog, base_url):
    """The example thread cut off half-way through the tag of its middle comment."""
    text = example_copy(blog, base_url, "/faults/broken-html/")
    starts = [match.start() for match in re.finditer(r'<li id="comment-', text)]
    return Reply(200, HTML, text[:starts[len(starts) // 2] + 20].encode())


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
}


def with_fault_links(reply):
    """A listing page with every fault path added as a listed post."""
    links = "".join(f'<article><h2 class="entry-title"><a href="{path}">{path}</a></h2></article>\n'
                    for path in FAULTS)
    return dataclasses.replace(reply, body=reply.body.replace(b"</main>", links.encode() + b"</main>", 1))


class FaultHandler(BlogHandler):
    """The demo blog's handler, answering the fault paths as well."""

    def __init__(self, *args, fault_links=False, robots_503=False, **kwargs):
        self.fault_links = fault_links
        self.robots_503 = robots_503
        super().__init__(*args, **kwargs)

    def reply(self):
        path = urlsplit(self.path).path
        if path == "/robots.txt" and self.robots_503:
            return Reply(503, "text/plain; charset=utf-8", b"Service Unavailable\n")
        if path in FAULTS:
            return FAULTS[path](self.server.blog, self.server.base_url)
        reply = super().reply()
        return with_fault_links(reply) if path == "/" and self.fault_links else reply


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.blogserver", description=__doc__.splitlines()[0])
    parser.add_argument("root", help="a snapshot folder with manifest.json, e.g. data/demo-blog")
    parser.add_argument("--faults", action="store_true", help="link the fault paths from the home page")
    parser.add_argument("--robots-503", action="store_true", help="answer /robots.txt with 503")
    args = parser.parse_args(argv)
    handler = functools.partial(FaultHandler, fault_links=args.faults, robots_503=args.robots_503)
    with serve(args.root, handler=handler) as base_url:
        sys.stdout.write(base_url + "\n")
        sys.stdout.flush()
        threading.Event().wait()


if __name__ == "__main__":
    main()
