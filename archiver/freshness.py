"""When a thread the archive already holds is worth reading again.

A blog signals some changes cheaply: a listing or feed gives a post's comment count or the
time it last changed, the WordPress REST API lists the posts edited since a time and every
comment's text. What no signal reveals (an edit to an old comment on a blog without such an
API) is caught by reading every thread again now and then: soon after its last activity, when
edits and moderation happen, and at least every `refresh_days` once it has gone quiet.
"""

import hashlib
from datetime import datetime, time, timezone

from archiver.dates import parse_machine

DAY = 86400.0
# A thread is read again after a quarter of the time it has been quiet: a day after a comment
# from yesterday, a month after one from four months ago (at most `refresh_days`).
QUIET_FRACTION = 0.25


def changed_posts(links, known_posts):
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
        if (count is not None and count != shown) or (modified and (read is None or modified > read)):
            changed.append(url)
    return changed


def refresh_due(known, url, now, refresh_days):
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


def parse_utc(value):
    """An aware UTC datetime from an ISO 8601 or RFC 2822 time or date; None if there is none."""
    parsed = parse_machine(value)
    if parsed is None:
        return None
    if not isinstance(parsed, datetime):  # a date alone: its start
        parsed = datetime.combine(parsed, time())
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return parsed.astimezone(timezone.utc)
