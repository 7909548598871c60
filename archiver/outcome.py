"""How a crawl went, judged from its stats: Scrapy itself exits 0 even when every request failed.
The stats also say what the run found and, for a run that failed, why, for its one-line report."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

OK, PARTIAL, FAILED = "ok", "partial", "failed"
INCREMENTAL = "incremental"
# Where a run's stats keep what it found new, changed and removed (storage.crawl_changes), how
# many threads of its blog the archive held as an incremental run began, and its mode.
CHANGES = "archiver/changes/"
CHECKED = "archiver/threads/checked"
MODE = "archiver/run/mode"
# Why a failed run failed, in words (archiver.fault_causes).
CAUSE = "archiver/failure/cause"
# What storage.crawl_changes counts, as a summary names it.
CHANGE_WORDS = [("posts_new", "new post"), ("comments_new", "new comment"),
                ("posts_changed", "edited post"), ("comments_changed", "edited comment"),
                ("posts_removed", "removed post"), ("comments_removed", "removed comment")]


@dataclass(frozen=True)
class Outcome:
    """A run's status (ok, partial or failed) and what it archived; for an incremental run,
    also what it checked and found, and what the archive holds of its blog after it."""

    status: str
    pages: int
    posts: int
    comments: int
    errors: int
    mode: str | None = None
    checked: int = 0
    changes: dict[str, int] = field(default_factory=dict)
    held_posts: int = 0
    held_comments: int = 0
    cause: str | None = None

    @property
    def exit_code(self) -> int:
        return 1 if self.status == FAILED else 0

    def summary(self) -> str:
        """What the run did, in one line: what it archived; for an incremental run, the threads
        it checked, read again and what it found, and what the archive holds after it, since
        its own few posts and comments would read as a loss."""
        if self.mode != INCREMENTAL:
            return (f"{self.status}: {self.pages} pages, {self.posts} posts, "
                    f"{self.comments} comments, {self.errors} errors")
        found = [plural(self.changes.get(key, 0), words) for key, words in CHANGE_WORDS
                 if self.changes.get(key, 0)]
        read_again = self.posts - self.changes.get("posts_new", 0)
        return (f"{self.status}: incremental, {self.checked} threads checked, {read_again} read "
                f"again, {', '.join(found) or 'nothing new'}; archive holds "
                f"{plural(self.held_posts, 'post')}, {plural(self.held_comments, 'comment')}; "
                f"{self.pages} pages, {self.errors} errors")


def plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


def count_errors(stats: Mapping[str, Any]) -> int:
    """The errors a run's stats count: one a URL that never got a good answer or failed to be
    read, as its `failed_urls` lists them."""
    # A callback that raised (spider_exceptions/…) dropped the rest of its page's work.
    errors = sum(value for key, value in stats.items()
                 if key.startswith(("archiver/fetch/failed/", "archiver/extract/error",
                                    "archiver/pages/broken/", "spider_exceptions/"))
                 and key != "spider_exceptions/count")
    return errors + stats.get("archiver/robots/disallow_all", 0)


def crawl_outcome(stats: Mapping[str, Any]) -> Outcome:
    """The outcome of a run from its Scrapy stats dict."""
    errors = count_errors(stats)
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
                   comments=stats.get("archiver/comments/saved", 0), errors=errors,
                   mode=stats.get(MODE), checked=stats.get(CHECKED, 0),
                   changes={key.removeprefix(CHANGES): value for key, value in stats.items()
                            if key.startswith(CHANGES)},
                   held_posts=stats.get("archiver/posts/in_archive", 0),
                   held_comments=stats.get("archiver/comments/in_archive", 0),
                   cause=stats.get(CAUSE))
