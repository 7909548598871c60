"""Downloader middlewares: robots.txt read the way RFC 9309 asks, also on the hosts of thread
sources; redirects kept on the blog, and redirect loops seen; compressed bodies cut short
refused."""

from __future__ import annotations

import logging
import re
import zlib
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import get_retry_request
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.http.request import NO_CALLBACK
from scrapy.robotstxt import ProtegoRobotParser, RobotParser
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from scrapy.utils.misc import build_from_crawler
from twisted.internet.defer import Deferred

from archiver.failed_urls import url_failed
from archiver.fault_causes import fault_words

logger = logging.getLogger(__name__)

# How much of a compressed body is inflated at a time to see that it ends.
INFLATE_CHUNK = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b"

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"
# RFC 3986's reserved characters but "/", which Protego already keeps apart from its escape.
RESERVED = ":?#[]@!$&'()*+,;="
RESERVED_ESCAPE = re.compile("%(" + "|".join(f"{ord(char):02X}" for char in RESERVED) + ")",
                             re.I)
PATH_RULE = re.compile(r"^(\s*(?:allow|disallow)\s*:)(.*)$", re.I | re.M)


class ReservedEscapesRobotParser(ProtegoRobotParser):
    """Protego, but with the escape of a reserved character kept apart from the character.

    RFC 9309 (2.2.2) decodes an escaped octet before comparing only when it is unreserved:
    `Disallow: /search%3Fq` is about the path `/search%3Fq`, not the query of `/search?q`.
    Protego decodes every escape and encodes the result again, so both spellings compare
    equal. Escaping the "%" of such escapes, in rules and URLs alike, keeps them as written:
    Protego leaves "%25" alone.
    """

    def __init__(self, robotstxt_body: bytes, spider: Spider | None) -> None:
        # Latin-1 maps bytes to characters one to one: decoding the body is still Scrapy's.
        text = robotstxt_body.decode("latin-1")
        text = PATH_RULE.sub(lambda rule: rule[1] + _keep_reserved_escapes(rule[2]), text)
        super().__init__(text.encode("latin-1"), spider)

    def allowed(self, url: str | bytes, user_agent: str | bytes) -> bool:
        if isinstance(url, bytes):
            url = url.decode("utf-8")
        return super().allowed(_keep_reserved_escapes(url), user_agent)


def _keep_reserved_escapes(text: str) -> str:
    return RESERVED_ESCAPE.sub(lambda escape: "%25" + escape[1].upper(), text)


class RobotsUnreadable(IgnoreRequest):
    """A request not made because its host's robots.txt could not be read: the fault is that
    robots.txt's, logged once as an error, not a rule of the blog's."""


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt middleware, but failing closed.

    Scrapy parses whatever a 5xx robots.txt returns and treats a network error as "no
    robots.txt": both allow everything. RFC 9309 (2.3.1.4) says an unreachable robots.txt
    means complete disallow, so this run leaves such a host alone; the next run asks again.
    The requests to such a host fail as RobotsUnreadable, saying why, and the fault is logged
    once, in words, without Scrapy's traceback under the first request that waited for it.
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self._robots_urls: dict[str, str] = {}  # by netloc
        self._unreadable: dict[str, str] = {}  # by netloc: why its robots.txt was not read

    async def robot_parser(self, request: Request) -> RobotParser | None:
        parts = urlparse_cached(request)
        netloc = parts.netloc
        if netloc in self._parsers:
            parser = self._parsers[netloc]
            return await maybe_deferred_to_future(parser) if isinstance(parser, Deferred) \
                else parser
        self._parsers[netloc] = Deferred()
        self._robots_urls[netloc] = f"{parts.scheme}://{netloc}/robots.txt"
        robots = Request(self._robots_urls[netloc], priority=self.DOWNLOAD_PRIORITY,
                         meta={"dont_obey_robotstxt": True}, callback=NO_CALLBACK)
        try:
            response = await self.crawler.engine.download_async(robots)
            await self._parse_robots(response, netloc, request)
        except Exception as error:
            self._robots_error(error, netloc)
        self._stats.inc_value("robotstxt/request_count")
        return await self.robot_parser(request)

    def process_request_2(self, rp: RobotParser | None, request: Request) -> None:
        netloc = urlparse_cached(request).netloc
        if netloc in self._unreadable:
            self._stats.inc_value("robotstxt/forbidden")
            raise RobotsUnreadable(f"its host's robots.txt could not be read: "
                                   f"{self._unreadable[netloc]}")
        super().process_request_2(rp, request)

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        if response.status >= 500:
            self._disallow_all(netloc, f"HTTP {response.status}",
                               f"robots.txt answered {response.status}")
            return
        await super()._parse_robots(response, netloc, request)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        if isinstance(exc, IgnoreRequest):
            super()._robots_error(exc, netloc)
            return
        self._stats.inc_value(f"robotstxt/exception_count/{type(exc)}")
        cause = fault_words(exc)
        self._disallow_all(netloc, cause, f"robots.txt unreachable ({cause})")

    def _disallow_all(self, netloc: str, cause: str, reason: str) -> None:
        logger.error("%s for %s: treating the whole host as disallowed (RFC 9309)", reason, netloc)
        self._stats.inc_value("archiver/robots/disallow_all")
        self._unreadable[netloc] = cause
        self.crawler.signals.send_catch_log(url_failed, url=self._robots_urls[netloc],
                                            role="robots", reason="disallow_all", cause=cause)
        parser = build_from_crawler(self._parserimpl, self.crawler, DISALLOW_ALL)
        waiting = self._parsers[netloc]
        assert isinstance(waiting, Deferred)
        self._parsers[netloc] = parser
        waiting.callback(parser)


class OffsiteRedirectMiddleware:
    """Stops a redirect that leaves the blog's host and port, so that it is seen rather than
    dropped.

    Scrapy's offsite filter discards such a redirect without calling the request's errback:
    no log line, no page row. Marking it here (before RedirectMiddleware, which runs after
    us on responses) lets it reach the spider's errback as a 3xx, to be logged and counted.
    """

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        location = response.headers.get(b"Location")
        if not 300 <= response.status < 400 or not location:
            return response
        target = urljoin(request.url, location.decode("latin-1"))
        # Host and port, as a blog's site key has them: another port is another server.
        if urlsplit(target).netloc.lower() != urlsplit(request.url).netloc.lower():
            request.meta["dont_redirect"] = True
            request.meta["offsite_redirect"] = target
        return response


class RetryingMiddleware:
    """A downloader middleware that may ask a request again as RetryMiddleware would: counted
    under retry/reason_count/, at most RETRY_TIMES times."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryingMiddleware:
        return cls(crawler)

    def retry(self, request: Request, reason: str) -> Request | None:
        """`request` asked again, or None once its retries are spent."""
        crawling = self.crawler.spider
        assert crawling is not None
        return get_retry_request(request, spider=crawling, reason=reason)


class RedirectLoopMiddleware(RetryingMiddleware):
    """Stops a redirect back to an address its chain already passed (A -> B -> A, A -> A),
    and one past REDIRECT_MAX_TIMES, so that each reaches the spider's errback as a 3xx.

    Scrapy's dupefilter drops the hop back as a request already seen, without calling any
    errback: no log line, no count, the page silently missing. Its RedirectMiddleware drops the
    hop past the limit as an IgnoreRequest, which reads as a request left alone on purpose.
    A server that loops for a moment (a cache, a login wall being set up) may not a moment
    later: the chain is first asked again from its start, RETRY_TIMES times, as a transport
    fault is. Runs before RedirectMiddleware on responses, as OffsiteRedirectMiddleware does."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_redirects = crawler.settings.getint("REDIRECT_MAX_TIMES")

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        location = response.headers.get(b"Location")
        if (not 300 <= response.status < 400 or not location
                or request.meta.get("dont_redirect")):
            return response
        target = urljoin(request.url, location.decode("latin-1")).split("#", 1)[0]
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in chain:
            reason = "redirect_loop"
        elif len(chain) > self.max_redirects:
            reason = "redirect_limit"
        else:
            return response
        again = self.retry(request.replace(url=chain[0], meta={
            key: value for key, value in request.meta.items()
            if not key.startswith("redirect_")}), reason)
        if again is not None:
            return again
        request.meta[reason] = [*chain, target]
        request.meta["dont_redirect"] = True
        return response


class ThreadSourceRobotsTxtMiddleware:
    """Lets the robots.txt of a host the crawl takes threads from (Disqus) past the offsite filter.

    The spider lets each thread-source request off the blog's host on its own (`allow_offsite`).
    Scrapy's robots.txt middleware then asks that host for its robots.txt with a request of its
    own, which the offsite filter would drop, and an unfetched robots.txt counts as "allow all".
    So this runs before the offsite filter, for the hosts of THREAD_SOURCE_ORIGINS and of their
    THREAD_SOURCE_MIRRORS.
    """

    def __init__(self, hosts: set[str]) -> None:
        self.hosts = hosts

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ThreadSourceRobotsTxtMiddleware:
        origins = [*crawler.settings.getlist("THREAD_SOURCE_ORIGINS"),
                   *crawler.settings.getdict("THREAD_SOURCE_MIRRORS").values()]
        return cls({urlsplit(origin).netloc for origin in origins})

    def process_request(self, request: Request, spider: Spider | None = None) -> None:
        parts = urlsplit(request.url)
        if (parts.path == "/robots.txt" and request.meta.get("dont_obey_robotstxt")
                and parts.netloc in self.hosts):
            request.meta["allow_offsite"] = True


class IncompleteBody(Exception):
    """A compressed body whose stream ends before its end: a response cut short."""


class WholeBodyMiddleware(RetryingMiddleware):
    """Refuses a gzip or deflate body whose stream is cut short, retried as a transport fault.

    Scrapy's HttpCompressionMiddleware gives as much as it can inflate of such a body, without
    a word, so a page cut short in transit would read as a whole page, and its thread as read
    in full. This runs before it on responses (a higher number), on the body as received: a
    stream that does not end is retried (RETRY_TIMES), then fails as IncompleteBody. A body
    shorter than its Content-Length never gets here: Scrapy fails it (DOWNLOAD_FAIL_ON_DATALOSS)
    and retries it."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE")

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Request | Response:
        encodings = b",".join(response.headers.getlist(b"Content-Encoding")).split(b",")
        # The last encoding listed was applied last: its stream is the body as received.
        outer = encodings[-1].strip().lower()
        if not response.body or request.method == "HEAD" or _stream_ends(
                response.body, outer, request.meta.get("download_maxsize", self.max_size)):
            return response
        message = f"{outer.decode('latin-1')} body cut short ({len(response.body)} bytes)"
        again = self.retry(request, "incomplete_body")
        if again is None:
            raise IncompleteBody(message)
        return again


def _stream_ends(body: bytes, encoding: bytes, max_size: int) -> bool:
    """Whether `body`, compressed with `encoding`, holds streams that each reach their end
    (gzip members one after another). Encodings other than gzip and deflate are taken as whole.
    Inflated output is thrown away, and past `max_size` of it the body is taken as whole:
    HttpCompressionMiddleware refuses it then."""
    if encoding in (b"gzip", b"x-gzip"):
        return _zlib_ends(body, zlib.MAX_WBITS | 16, max_size)
    if encoding == b"deflate":
        # Servers send deflate with and without its zlib wrapper.
        return (_zlib_ends(body, zlib.MAX_WBITS, max_size)
                or _zlib_ends(body, -zlib.MAX_WBITS, max_size))
    return True


def _zlib_ends(body: bytes, wbits: int, max_size: int) -> bool:
    data, inflated = body, 0
    while data:
        decompressor = zlib.decompressobj(wbits)
        try:
            while not decompressor.eof:
                inflated += len(output := decompressor.decompress(data, INFLATE_CHUNK))
                data = decompressor.unconsumed_tail
                if max_size and inflated > max_size:
                    return True
                if not output and not data:
                    return False
        except zlib.error:
            return False
        data = decompressor.unused_data
        # Bytes after a whole gzip member that start no other member are padding.
        if not data.startswith(GZIP_MAGIC) or wbits != zlib.MAX_WBITS | 16:
            return True
    return True
