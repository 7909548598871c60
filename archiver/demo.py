"""The demo blog: a static snapshot of a WordPress site, served on loopback.

`archiver demo` and the tests crawl it instead of a live blog. A snapshot folder (see
data/demo-blog, made by tests/snapshot_site.py; the package ships it as demo_blog) holds
manifest.json, which records the origin it was taken from and, per path, the status,
Content-Type, Location and the file with the body exactly as the blog served it.

WordPress writes absolute links, so every text body and Location is served with the
recorded origin replaced by the server's own, in each form WordPress spells it: plain,
JSON-escaped ("http:\\/\\/…", in /wp-json/), percent-encoded (oEmbed links) and bare
host:port.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import json
import re
import sys
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote, urlsplit

# The snapshot `archiver demo` serves and the tests crawl: the repository's data/demo-blog, which
# a built package holds as archiver/demo_blog (pyproject.toml maps it there). An editable
# install runs from the clone, where the repository's copy is; setuptools' editable finder
# cannot import a data folder mapped from elsewhere, so it is looked for by path, not imported.
PACKAGED_DEMO_BLOG = Path(__file__).resolve().parent / "demo_blog"
DEMO_BLOG = (PACKAGED_DEMO_BLOG if PACKAGED_DEMO_BLOG.is_dir()
             else Path(__file__).resolve().parent.parent / "data" / "demo-blog")
TEXT_TYPES = re.compile(r"^text/|xml|json|rss|atom", re.I)
NOT_FOUND = b"<!DOCTYPE html>\n<title>Not found</title>\n<h1>Not found</h1>\n"


@dataclasses.dataclass(frozen=True)
class Reply:
    """One HTTP response to send."""

    status: int
    content_type: str
    body: bytes
    location: str | None = None


class StaticBlog:
    """The recorded responses of a snapshot folder, answered as if served from another origin."""

    def __init__(self, root: str | Path) -> None:
        root = Path(root)
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        self.origin = manifest["origin"].rstrip("/")
        self.replies = {
            unquote(page["path"]): Reply(page["status"], page["content_type"],
                                         (root / page["file"]).read_bytes(), page.get("location"))
            for page in manifest["pages"]}

    def respond(self, target: str, base_url: str) -> Reply:
        """The Reply for a request target ("/path/?query"), with links rebased on `base_url`."""
        reply = self.replies.get(unquote(target))
        if reply is None:
            return Reply(404, "text/html; charset=utf-8", NOT_FOUND)
        rebase = _rebaser(self.origin, base_url.rstrip("/"))
        body = rebase(reply.body) if TEXT_TYPES.search(reply.content_type) else reply.body
        location = rebase(reply.location.encode()).decode() if reply.location else None
        return dataclasses.replace(reply, body=body, location=location)


@functools.lru_cache(maxsize=8)
def _rebaser(old: str, new: str) -> Callable[[bytes], bytes]:
    """A function replacing origin `old` by `new` in bytes, in every spelling of it."""
    spellings = {
        old: new,
        old.replace("/", "\\/"): new.replace("/", "\\/"),
        quote(old, safe=""): quote(new, safe=""),
        urlsplit(old).netloc: urlsplit(new).netloc,
    }
    forms = {key.encode(): value.encode() for key, value in spellings.items()}
    # Longest first, so a full origin is replaced whole rather than by its host:port.
    pattern = re.compile(b"|".join(re.escape(key) for key in sorted(forms, key=len, reverse=True)))
    return lambda data: pattern.sub(lambda match: forms[match[0]], data)


class BlogHandler(BaseHTTPRequestHandler):
    """Answers GET and HEAD from the server's StaticBlog; subclasses may override `reply`."""

    server: BlogServer

    def reply(self) -> Reply:
        return self.server.blog.respond(self.path, self.server.base_url)

    def do_GET(self) -> None:
        self.send(self.reply(), with_body=True)

    def do_HEAD(self) -> None:
        self.send(self.reply(), with_body=False)

    def send(self, reply: Reply, with_body: bool) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Length", str(len(reply.body)))
        if reply.location:
            self.send_header("Location", reply.location)
        self.end_headers()
        if with_body:
            self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: a crawl's own log says what was fetched."""


class BlogServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its blog and its own base URL."""

    def __init__(self, blog: StaticBlog, address: tuple[str, int],
                 handler: type[BlogHandler] = BlogHandler) -> None:
        super().__init__(address, handler)
        self.blog = blog
        self.base_url = f"http://{address[0]}:{self.server_port}/"

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet when a client hangs up (a crawler giving up on a slow page); loud otherwise."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@contextlib.contextmanager
def serve(root: str | Path, port: int = 0, host: str = "127.0.0.1",
          handler: type[BlogHandler] = BlogHandler) -> Iterator[str]:
    """Serve the snapshot in `root` from a background thread; yields the base URL."""
    server = BlogServer(StaticBlog(root), (host, port), handler)
    thread = threading.Thread(target=server.serve_forever, name="demo-blog", daemon=True)
    thread.start()
    try:
        yield server.base_url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
