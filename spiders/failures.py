"""What a request the `blog` spider made came to when it failed: the line it logs, the stats key
it counts, and the answer it archives (an HTTP error's)."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass

from scrapy.exceptions import (
    DownloadCancelledError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TwistedTimeoutError
from twisted.python.failure import Failure

from archiver.fault_causes import fault_words
from archiver.items import GONE, OPTIONAL_ROLES, Role
from archiver.middlewares import IncompleteBody, RobotsUnreadable

# The faults on the way that a failure is counted by a name of its own, not its exception's.
NAMED_FAULTS = {
    "timeout": (TwistedTimeoutError, DownloadTimeoutError),
    "data_loss": (ResponseDataLossError,),  # a body shorter than its Content-Length
    "incomplete_body": (IncompleteBody,),  # a compressed body cut short
}
# How Scrapy says a body is past DOWNLOAD_MAXSIZE: one its Content-Length declares, one received
# without, or one that grows past it as it is decompressed (the size so far, then the limit).
OVER_SIZE_LIMIT = re.compile(
    r"(?:(\d+) bytes which is larger than download max size \((\d+)\)"
    r"|(\d+) B decompressed so far\) exceeded DOWNLOAD_MAXSIZE \((\d+) B\))")


@dataclass(frozen=True)
class FailedFetch:
    """A failed request, as the spider reports it."""

    stat: str  # archiver/fetch/<optional, failed or gone>/<outcome>
    level: int
    message: str
    response: Response | None  # the answer of an HTTP error, archived raw
    cause: str  # what happened, in words

    @property
    def listed(self) -> bool:
        """Whether the run lists the URL as failed, for the next run to ask again: not a page
        the blog does not have, nor a post it removed."""
        return self.stat.split("/")[2] == "failed"

    @property
    def reason(self) -> str:
        return self.stat.rsplit("/", 1)[1]


def failed_fetch(failure: Failure, request: Request, known_post: bool,
                 max_size: int) -> FailedFetch:
    """A request that failed, as its role makes it. Pages a blog may well not have
    (OPTIONAL_ROLES, and listing pages it does not have) fail quietly when the blog says it
    has no such page (an HTTP 4xx, a redirect off the blog, robots.txt), counted apart from
    errors; a server error or a fault on the way is an error whatever the role. An archived
    post (`known_post`) the blog no longer has is gone, and the archive marks it removed; a
    page over `max_size` (DOWNLOAD_MAXSIZE) is not fetched."""
    role = request.cb_kwargs["role"]
    response = failure.value.response if failure.check(HttpError) else None
    if response is not None and response.status in GONE and known_post:
        return FailedFetch(f"archiver/fetch/gone/http_{response.status}", logging.INFO,
                           f"HTTP {response.status} for {request.url}: the post is gone from the "
                           "blog", response, f"HTTP {response.status}")
    redirects = request.meta.get("redirect_loop") or request.meta.get("redirect_limit")
    absent = (response.status < 500 and not redirects if response is not None
              else bool(failure.check(IgnoreRequest)))
    optional = absent and (role in OPTIONAL_ROLES or (role == Role.LISTING and response is not None
                                                      and response.status in GONE))
    kind = "optional" if optional else "failed"
    level = logging.INFO if optional else logging.ERROR
    if response is not None and redirects:
        outcome, what = (("redirect_loop", "Redirect loop") if request.meta.get("redirect_loop")
                         else ("too_many_redirects", "Too many redirects"))
        return FailedFetch(f"archiver/fetch/{kind}/{outcome}", level,
                           f"{what}, not followed: {' -> '.join(redirects)} ({role})", response,
                           what.lower())
    if response is not None and request.meta.get("offsite_redirect"):
        return FailedFetch(f"archiver/fetch/{kind}/offsite_redirect", level,
                           f"Redirect off the blog not followed: {request.url} -> "
                           f"{request.meta['offsite_redirect']} ({role})", response,
                           f"redirect off the blog, to {request.meta['offsite_redirect']}")
    if response is not None:
        return FailedFetch(f"archiver/fetch/{kind}/http_{response.status}", level,
                           f"HTTP {response.status} for {request.url} ({role}), archived raw, "
                           "crawl goes on", response, f"HTTP {response.status}")
    too_large = _too_large(failure, request, max_size)
    if too_large is not None:
        return too_large
    if failure.check(IgnoreRequest):
        # Its host's robots.txt fault is logged once, as an error, not again for each page.
        level = logging.INFO if failure.check(RobotsUnreadable) else logging.WARNING
        return FailedFetch(f"archiver/fetch/{kind}/ignored", level,
                           f"Not fetched: {request.url} ({failure.getErrorMessage()})", None,
                           f"not fetched ({failure.getErrorMessage()})")
    outcome = next((name for name, kinds in NAMED_FAULTS.items() if failure.check(*kinds)),
                   failure.type.__name__)
    return FailedFetch(f"archiver/fetch/{kind}/{outcome}", level,
                       f"Fetching {request.url} ({role}) failed: {failure.getErrorMessage()}", None,
                       fault_words(failure.value))


def _too_large(failure: Failure, request: Request, max_size: int) -> FailedFetch | None:
    """The failure of a page over the download size limit, or None for any other failure.
    Scrapy says the size it declared, or the size it grew to decompressed; of a body sent
    without its size it cancels the download past the limit, saying nothing."""
    if not failure.check(DownloadCancelledError, IgnoreRequest):
        return None
    told = OVER_SIZE_LIMIT.search(failure.getErrorMessage())
    if told is None and (failure.getErrorMessage() or not failure.check(DownloadCancelledError)):
        return None
    size, limit = ((part for part in told.groups() if part) if told
                   else (None, str(request.meta.get("download_maxsize", max_size))))
    words = (f"{size} bytes, over the download size limit of {limit} (DOWNLOAD_MAXSIZE)" if size
             else f"over the download size limit of {limit} bytes (DOWNLOAD_MAXSIZE), sent "
                  "without its length")
    return FailedFetch("archiver/fetch/failed/too_large", logging.ERROR,
                       f"Not fetched: {request.url} ({request.cb_kwargs['role']}) is {words}",
                       None, words)
