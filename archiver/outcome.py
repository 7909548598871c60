"""How a crawl went, judged from its stats: Scrapy itself exits 0 even when every request failed."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

OK, PARTIAL, FAILED = "ok", "partial", "failed"


@dataclass(frozen=True)
class Outcome:
    """A run's status (ok, partial or failed) and what it archived."""

    status: str
    pages: int
    posts: int
    comments: int
    errors: int

    @property
    def exit_code(self) -> int:
        return 1 if self.status == FAILED else 0


def crawl_outcome(stats: Mapping[str, Any]) -> Outcome:
    """The outcome of a run from its Scrapy stats dict."""
    # A callback that raised (spider_exceptions/…) dropped the rest of its page's work.
    errors = sum(value for key, value in stats.items()
                 if key.startswith(("archiver/fetch/failed/", "archiver/extract/error",
                                    "archiver/pages/broken/", "spider_exceptions/"))
                 and key != "spider_exceptions/count")
    errors += stats.get("archiver/robots/disallow_all", 0)
    pages = stats.get("archiver/pages/saved_ok", 0)
    reason = stats.get("finish_reason", "finished")
    # Judged only where the run counted them: an import of WARC files holds many blogs.
    no_post = stats.get("archiver/posts/in_archive") == 0
    finished = reason == "finished" or reason.startswith("closespider")
    if pages == 0 or no_post or not finished:
        status = FAILED
    else:
        status = PARTIAL if errors else OK
    return Outcome(status=status, pages=pages, posts=stats.get("archiver/posts/saved", 0),
                   comments=stats.get("archiver/comments/saved", 0), errors=errors)
