"""A reverse proxy on 127.0.0.1 that breaks a seeded share of the answers of the blog behind it,
in every way a crawl meets on the web, and what an archive crawled through it kept of the
comments of one crawled without: for the reliability benchmark (bench/reliability.py) and the
tests.

Each request is faulty with probability `rate`, decided by a generator seeded with the seed,
the path and how many times that path was asked before, so that a run is the same every time
and a retry may heal. A faulty request gets one of FAULTS, in turn over the kinds.
"""

from __future__ import annotations

import contextlib
import gzip
import http.client
import random
import socket
import sqlite3
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = "127.0.0.1"
# A comment as the archive holds it: its post, its key, and what a reader sees of it.
COMMENTS = """SELECT p.url, c.comment_key, c.author, c.published_utc, c.body_text,
                     parent.comment_key
              FROM comments c JOIN posts p ON p.id = c.post_id
              LEFT JOIN comments parent ON parent.id = c.parent_id"""
# What goes wrong, as the crawl meets it.
FAULTS = ("http_500", "http_503_retry_after", "http_429_retry_after", "reset", "cut_short",
          "gzip_cut_short", "trickle", "timeout", "redirect_off_site", "redirect_loop",
          "wrong_charset")


class FaultProxy(ThreadingHTTPServer):
    """The proxy: `asked` counts the requests per path, `faults` the faults dealt per kind,
    `last_fault` the fault of each path's latest answer (None when it was good)."""

    daemon_threads = True

    def __init__(self, hang_seconds: float) -> None:
        super().__init__((LOOPBACK, 0), FaultHandler)
        self.upstream = urlsplit("")
        self.hang_seconds = hang_seconds
        self.lock = threading.Lock()
        self.phase(rate=0.0, seed=0)

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A crawl killed mid-request leaves its connections to reset: nothing to report.
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def set_upstream(self, url: str) -> None:
        self.upstream = urlsplit(url)

    def phase(self, rate: float, seed: int) -> None:
        """From now on, break `rate` of the answers as `seed` deals them, counting afresh."""
        with self.lock:
            self.rate, self.seed = rate, seed
            self.asked: Counter[str] = Counter()
            self.faults: Counter[str] = Counter()
            self.last_fault: dict[str, str | None] = {}

    @property
    def url(self) -> str:
        return f"http://{LOOPBACK}:{self.server_address[1]}/"

    def deal(self, path: str) -> str | None:
        """The fault of this request for `path`, or None."""
        with self.lock:
            attempt = self.asked[path]
            self.asked[path] += 1
            draw = random.Random(f"{self.seed}:{path}:{attempt}")
            fault = (draw.choice(FAULTS) if draw.random() < self.rate and path != "/robots.txt"
                     else None)
            if fault:
                self.faults[fault] += 1
            self.last_fault[path] = fault
            return fault


class FaultHandler(BaseHTTPRequestHandler):
    server: FaultProxy
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        fault = self.server.deal(self.path)
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")
            self.close_connection = True
            return
        if fault == "timeout":
            time.sleep(self.server.hang_seconds)
            self.close_connection = True
            return
        if fault in ("http_500", "http_503_retry_after", "http_429_retry_after"):
            status = int(fault[5:8])
            headers = {"Retry-After": "1"} if "retry_after" in fault else {}
            return self._send(status, {"Content-Type": "text/plain", **headers}, b"Faulty\n")
        if fault in ("redirect_off_site", "redirect_loop"):
            target = (f"http://127.0.0.2:{self.server.server_address[1]}{self.path}"
                      if fault == "redirect_off_site" else self.path)
            return self._send(302, {"Location": target, "Content-Type": "text/plain"}, b"")
        status, headers, body = self._upstream()
        if fault == "wrong_charset" and "html" in headers.get("Content-Type", ""):
            headers["Content-Type"] = "text/html; charset=iso-8859-5"
        if fault == "gzip_cut_short":
            headers["Content-Encoding"] = "gzip"
            compressed = gzip.compress(body)
            body = compressed[: len(compressed) // 2]
        if fault == "cut_short":
            self._send(status, headers, body, length=len(body), cut=len(body) // 2)
            return
        self._send(status, headers, body, trickle=fault == "trickle")

    def _upstream(self) -> tuple[int, dict[str, str], bytes]:
        upstream = self.server.upstream
        connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=30)
        try:
            connection.request("GET", self.path, headers={"Host": self.headers["Host"] or ""})
            answer = connection.getresponse()
            body = answer.read()
            keep = ("Content-Type", "Location", "Last-Modified", "ETag")
            return answer.status, {name: answer.headers[name] for name in keep
                                   if answer.headers[name]}, body
        finally:
            connection.close()

    def _send(self, status: int, headers: dict[str, str], body: bytes, length: int | None = None,
              cut: int | None = None, trickle: bool = False) -> None:
        self.send_response(status)
        for name, value in headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body) if length is None else length))
        self.end_headers()
        if cut is not None:
            self.wfile.write(body[:cut])
            self.close_connection = True
        elif trickle:
            step = max(len(body) // 8, 1)
            for start in range(0, len(body), step):
                self.wfile.write(body[start:start + step])
                self.wfile.flush()
                time.sleep(0.05)
        else:
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@contextlib.contextmanager
def fault_proxy(hang_seconds: float = 6.0) -> Iterator[FaultProxy]:
    """The proxy, serving from a thread of this process, on a free port: its `url` is known
    at once, its `upstream` (the blog behind it) set when that blog is up, and it breaks
    nothing until given a `phase`."""
    proxy = FaultProxy(hang_seconds)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        proxy.shutdown()
        proxy.server_close()


def comments(db: Path) -> Counter[tuple]:
    with sqlite3.connect(db) as conn:
        held = Counter(conn.execute(COMMENTS).fetchall())
    conn.close()
    return held


def compared(db: Path, reference: Counter[tuple]) -> dict[str, int]:
    """Comments of the reference missing (no comment of that post and key), differing (held
    with another author, time, text or parent) and duplicated (held more than once)."""
    held = comments(db)
    keys = Counter(row[:2] for row in held.elements())
    reference_keys = {row[:2] for row in reference}
    return {"lost": len(reference_keys - set(keys)),
            "differing": sum(1 for row in reference if row[:2] in keys and row not in held),
            "duplicated": sum(count - 1 for count in keys.values() if count > 1)}
