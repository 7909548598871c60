"""The pace a blog asks for, kept: robots.txt's Crawl-delay, and a 429 or 503 answer's
Retry-After. Scrapy reads neither (its robots.txt parsers can read Crawl-delay, but nothing
asks them), and AutoThrottle lowers any delay set by hand down to DOWNLOAD_DELAY."""

from __future__ import annotations

import logging
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

from scrapy import Request, Spider, signals
from scrapy.core.downloader import Downloader, Slot
from scrapy.crawler import Crawler
from scrapy.extensions.throttle import AutoThrottle
from scrapy.http import Response
from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)

# Answers whose Retry-After says when to ask again (RFC 9110 10.2.3, RFC 6585 4).
RETRY_AFTER_STATUSES = (429, 503)


class CrawlDelay:
    """Keeps each host's robots.txt Crawl-delay (for this crawl's user agent, at most
    CRAWL_DELAY_MAX) as the least time between two requests to it: its download slot's own
    delay, without jitter, which slots made for it later start from too, and under which
    FlooredAutoThrottle never goes."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.most = crawler.settings.getfloat("CRAWL_DELAY_MAX")
        self.user_agent = (crawler.settings.get("ROBOTSTXT_USER_AGENT")
                           or crawler.settings.get("USER_AGENT"))
        crawler.signals.connect(self.robots_parsed, signal=signals.robots_parsed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlDelay:
        return cls(crawler)

    def robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        delay = robotparser.crawl_delay(self.user_agent)
        host = urlsplit(request.url).hostname
        if not delay or host is None:
            return
        if delay > self.most:
            logger.warning("robots.txt of %s asks for %s s between requests: %s s kept "
                           "(CRAWL_DELAY_MAX)", host, delay, self.most)
            delay = self.most
        else:
            logger.info("robots.txt of %s asks for %s s between requests: kept", host, delay)
        assert self.crawler.engine is not None and self.crawler.stats is not None
        self.crawler.stats.set_value(f"archiver/politeness/crawl_delay/{host}", delay)
        downloader = self.crawler.engine.downloader
        # No jitter: Scrapy's spreads a delay from half to one and a half times itself.
        downloader.per_slot_settings.setdefault(host, {}).update(delay=delay, jitter=0)
        if host in downloader.slots:
            slot = downloader.slots[host]
            slot.delay, slot.jitter = max(slot.delay, delay), 0


def least_delay(downloader: Downloader, slot: Slot) -> float:
    """The delay a slot keeps whatever AutoThrottle measures: its host's Crawl-delay."""
    for key, held in downloader.slots.items():
        if held is slot:
            return float(downloader.per_slot_settings.get(key, {}).get("delay", 0))
    return 0.0


class FlooredAutoThrottle(AutoThrottle):
    """Scrapy's AutoThrottle, which never lowers a host's delay below its Crawl-delay."""

    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        super()._adjust_delay(slot, latency, response)
        assert self.crawler.engine is not None
        slot.delay = max(slot.delay, least_delay(self.crawler.engine.downloader, slot))


class RetryAfterMiddleware:
    """A 429 or 503 that says when to ask again (Retry-After, in seconds or as an HTTP date)
    holds its host's requests until then, RetryMiddleware's retry included: the slot's delay is
    raised to it (at most RETRY_AFTER_MAX), and set back once the host answers otherwise.
    Runs before RetryMiddleware on responses."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.most = crawler.settings.getfloat("RETRY_AFTER_MAX")
        self.held: dict[str, tuple[float, float]] = {}  # slot key -> delay, jitter before

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        key = request.meta.get("download_slot")
        assert self.crawler.engine is not None and self.crawler.stats is not None
        slot = self.crawler.engine.downloader.slots.get(key) if key else None
        if slot is None or key is None:
            return response
        wait = (retry_after_seconds(response) if response.status in RETRY_AFTER_STATUSES
                else None)
        if wait is None:
            if key in self.held:
                slot.delay, slot.jitter = self.held.pop(key)
            return response
        kept = min(wait, self.most)
        logger.info("%s answered %s, asking to wait %s s: its host's requests wait %s s",
                    request.url, response.status, wait, kept)
        self.crawler.stats.inc_value("archiver/politeness/retry_after")
        self.held.setdefault(key, (slot.delay, slot.jitter))
        # No jitter while held: Scrapy's would send the retry after half the wait.
        slot.delay, slot.jitter = max(slot.delay, kept), 0
        return response


def retry_after_seconds(response: Response) -> float | None:
    """How long a response's Retry-After says to wait: a number of seconds, or an HTTP date
    counted from the response's own Date (the server's clock, not ours); None when it says
    nothing that can be read."""
    value = (response.headers.get(b"Retry-After") or b"").decode("latin-1").strip()
    if value.isdigit():
        return float(value)
    date = (response.headers.get(b"Date") or b"").decode("latin-1")
    try:
        until, now = parsedate_to_datetime(value), parsedate_to_datetime(date)
    except (TypeError, ValueError):
        return None
    return max((until - now).total_seconds(), 0.0)
