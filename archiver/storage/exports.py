"""The archive's threads as rows for analysis: one a post, or one a comment with its post's key
and title, each named as the export's columns (archiver.items.PostItem, CommentItem) less the
thread view's address, which is not the archive's to know. Rows come in the blog's order: posts
by site and time published, comments in thread order."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

from archiver.storage.writes import iter_rows

POSTS = (
    "SELECT p.site, p.url, p.title, p.author, p.platform_id, p.published_utc, p.published_shown,"
    " p.published_local, p.categories, p.tags, p.language, p.comment_count,"
    " p.comment_count_shown,"
    " (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.type <> 'comment')"
    "   AS pingback_count,"
    " (SELECT count(*) FROM comments c WHERE c.post_id = p.id AND c.removed_utc IS NOT NULL)"
    "   AS removed_comment_count,"
    " p.body_text, p.body_html, p.removed_utc FROM posts p"
)
COMMENTS = (
    "SELECT p.site, p.url AS post_url, p.title AS post_title, p.author AS post_author,"
    " p.published_utc AS post_published_utc, c.comment_key, parent.comment_key AS parent_key,"
    " c.platform_id, c.parent_platform_id, c.position, c.depth, c.type, c.author, c.author_url,"
    " c.permalink, c.published_utc, c.published_shown, c.published_local, c.body_text,"
    " c.body_html, c.removed_utc FROM comments c JOIN posts p ON p.id = c.post_id"
    " LEFT JOIN comments parent ON parent.id = c.parent_id"
)
POST_ORDER = " ORDER BY p.site, p.published_utc IS NULL, p.published_utc, p.url"
COMMENT_ORDER = POST_ORDER + ", c.position, c.id"


def post_rows(db: Database, site: str | None = None,
              crawl_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Each post of the archive; of `site` only, or only those the run `crawl_id` read, when
    given."""
    where, params = _where(site, crawl_id)
    return iter_rows(db, POSTS + where + POST_ORDER, params)


def comment_rows(db: Database, site: str | None = None,
                 crawl_id: int | None = None) -> Iterator[dict[str, Any]]:
    """Each comment, pingback and trackback of the archive, those gone from the blog too; of
    `site` only, or only of the posts the run `crawl_id` read (their whole threads), when
    given."""
    where, params = _where(site, crawl_id)
    return iter_rows(db, COMMENTS + where + COMMENT_ORDER, params)


def _where(site: str | None, crawl_id: int | None) -> tuple[str, list[Any]]:
    conditions, params = [], []
    for condition, value in (("p.site = ?", site), ("p.last_seen_crawl = ?", crawl_id)):
        if value is not None:
            conditions.append(condition)
            params.append(value)
    return (" WHERE " + " AND ".join(conditions) if conditions else ""), params
