"""When a thread the archive already holds is worth reading again.

A blog signals some changes cheaply: a listing or feed gives a post's comment count or the
time it last changed, the WordPress REST API lists the posts edited since a time and every
comment's text. What no signal reveals (an edit to an old comment on a blog without such an
API) is caught by reading every thread again now and then: soon after its last activity, when
edits and moderation happen, and at least every `refresh_days` once it has gone quiet.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime, time
from typing import TYPE_CHECKING

from archiver.dates import parse_machine

if TYPE_CHECKING:
    from archiver.items import PageLinks
    from archiver.storage import KnownPost

# What a page of the WordPress REST comment index says of each comment on it:
# {comment id: (post id, digest of what a reader sees of it)}.
IndexEntries = Mapping[str, tuple[str, str]]

DAY = 86400.0
# A thread is read again after a quarter of the time it has been quiet: a day after a comment
# from yesterday, a month after one from four months ago (at most `refresh_days`).
QUIET_FRACTION = 0.25


def changed_posts(links: PageLinks, known_posts: Mapping[str, KnownPost]) -> list[str]:
    """The known posts (URLs) whose comment count or last change, as `links` gives them,
    differs from what the archive read."""
    changed = []
    for url in links.posts:
        known = known_posts.get(url)
        if known is None:
            continue
        count = links.comment_counts.get(url)
        shown = known.comments_shown if known.comments_shown is not None else known.comments
        modified = parse_utc(links.modified.get(url))
        read = parse_utc(known.thread_read_utc)
        if ((count is not None and count != shown)
                or (modified and (read is None or modified > read))):
            changed.append(url)
    return changed


def index_reread_reason(before: IndexEntries, newest: IndexEntries, total: str | None,
                        total_before: str | None, read_utc: str | None, index_days: float,
                        now: datetime) -> str | None:
    """Why an incremental run should read the whole comment index after its newest page, or
    None. `total` and `total_before` are the comment totals the API gave (its X-WP-Total,
    which counts comments on posts it then hides). A new or edited comment among the newest
    means the blog is active, and moderation (trashing, approving, editing) comes with
    activity; a total that differs means an older comment came or went. Only a whole read, at
    least every `index_days` before `now`, shows an edit to an old comment on a quiet blog, or
    a removal and an approval that cancel out in the total."""
    if not before:
        return "no whole read of it from an earlier run: reading it all"
    if any(before.get(key) != value for key, value in newest.items()):
        return "new or edited comments among the newest: reading it all"
    if total != total_before:
        return f"{total} comments where the last whole read counted {total_before}: reading it all"
    read = parse_utc(read_utc)
    if read is None or (now - read).total_seconds() / DAY >= index_days:
        return f"last read in whole more than {index_days:g} days ago: reading it all"
    return None


def index_changes(before: IndexEntries, now: IndexEntries, complete: bool) -> set[str]:
    """The posts (ids) whose comments differ between two reads of the comment index: new,
    edited, late-approved and, when every page of `now` answered, gone ones."""
    posts = {post for key, (post, digest) in now.items() if before.get(key) != (post, digest)}
    if complete:
        posts.update(post for key, (post, _) in before.items() if key not in now)
    return posts


def conditional_headers(stored: Mapping[str, str]) -> dict[str, str] | None:
    """The headers of a conditional request for a page stored with `stored` headers (lower-case
    names), so that, unchanged, it answers 304. None when its validators cannot be trusted: a
    Last-Modified later than the answer's own Date breaks RFC 9110 (WordPress dates its feeds by
    the newest comment, even one dated in the future), and the ETag derives from it."""
    modified, sent = parse_utc(stored.get("last-modified")), parse_utc(stored.get("date"))
    if modified and sent and modified > sent:
        return None
    headers = {"If-None-Match": stored.get("etag"),
               "If-Modified-Since": stored.get("last-modified")}
    return {name: value for name, value in headers.items() if value} or None


def refresh_due(known: KnownPost, url: str, now: datetime, refresh_days: float) -> bool:
    """Whether a thread nothing signalled should be read again anyway: never read in full, or
    read longer ago than its refresh interval. Intervals are spread over half their length
    by the URL, so threads archived together do not all fall due on the same night."""
    read = parse_utc(known.thread_read_utc)
    if read is None:
        return True
    active = parse_utc(known.last_activity_utc) or read
    quiet_days = max((now - active).total_seconds(), 0) / DAY
    interval = min(float(refresh_days), max(1.0, quiet_days * QUIET_FRACTION))
    spread = int(hashlib.sha1(url.encode("utf-8")).hexdigest()[:8], 16) / 0xFFFFFFFF
    return (now - read).total_seconds() / DAY >= interval * (0.5 + 0.5 * spread)


def parse_utc(value: str | None) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 or RFC 2822 time or date; None if there is none."""
    parsed = parse_machine(value)
    if parsed is None:
        return None
    if not isinstance(parsed, datetime):  # a date alone: its start
        parsed = datetime.combine(parsed, time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)
