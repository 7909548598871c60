"""The URLs a run never got a good answer for, gathered for its row in `crawls` (`failed_urls`)
so that the next run asks them again.

Whatever finds a failure sends `url_failed` (the spider's errbacks, the robots.txt middleware)
or adds it (the archive pipeline, for a page whose extraction failed or whose capture is
broken; Scrapy's spider_error, for a callback that raised); one FailedUrls a run gathers
them. Each is also counted in the stats the run's `errors` is summed from (archiver.outcome),
one count a URL, so the two agree.
"""

from __future__ import annotations

import json
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import Response
from twisted.python.failure import Failure

# Sent with url, role, reason (the last part of the stats key it was counted under) and cause
# (what happened, in words: archiver.fault_causes).
url_failed = object()


class FailedUrls:
    """The failed URLs of one run, in the order they failed: {url, role, reason} each; and for
    those whose fault was told, what it was in words."""

    def __init__(self, crawler: Crawler) -> None:
        self.failed: dict[str, dict[str, str]] = {}
        self.causes: dict[str, str] = {}
        crawler.signals.connect(self.add, signal=url_failed)
        crawler.signals.connect(self._callback_raised, signal=signals.spider_error)

    def add(self, url: str, role: str, reason: str, cause: str | None = None) -> None:
        """Record a URL's failure; a URL that fails twice is listed once, with its first reason."""
        self.failed.setdefault(url, {"url": url, "role": str(role), "reason": reason})
        if cause is not None:
            self.causes.setdefault(url, cause)

    def _callback_raised(self, failure: Failure, response: Response | Failure,
                         **_: Any) -> None:
        # An errback that raised is handed its request's Failure, which carries the request.
        request = getattr(response, "request", None)
        url = request.url if request is not None else getattr(response, "url", "")
        role = request.cb_kwargs.get("role", "") if request is not None else ""
        self.add(url, role, f"spider_exception_{failure.type.__name__}")

    def as_json(self) -> str:
        return json.dumps(list(self.failed.values()), ensure_ascii=False)
