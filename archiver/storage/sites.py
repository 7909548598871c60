"""What the archive holds of each blog: its record, and the state an incremental run starts
from."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from sqlite_utils import Database

from archiver.items import SiteInfo
from archiver.storage.pages import read_page_body
from archiver.storage.writes import marks, upsert


def save_site(db: Database, site: SiteInfo) -> None:
    """Record what is known of a blog; known values are never replaced by unknown ones."""
    row = {key: value for key, value in asdict(site).items() if value is not None}
    upsert(db, "sites", row, conflict=["site"])


def site_timezones(db: Database) -> dict[str, str | None]:
    """{site: its zone, or None} for every blog in the archive."""
    return dict(db.execute("SELECT site, timezone FROM sites").fetchall())


def count_posts(db: Database, site: str | None) -> int:
    """How many posts of `site` the archive holds, removed ones included."""
    return db.execute("SELECT count(*) FROM posts WHERE site = ?", [site]).fetchone()[0]


def count_site_comments(db: Database, site: str | None) -> int:
    """How many comments, pingbacks and trackbacks on posts of `site` the archive holds,
    removed ones included."""
    return db.execute("SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id "
                      "WHERE p.site = ?", [site]).fetchone()[0]


@dataclass(frozen=True)
class KnownPost:
    """What the archive knows of one post, for deciding whether to read its thread again."""

    id: int
    platform_id: str | None
    comments: int  # live comments, pingbacks and trackbacks
    comments_shown: int | None  # the count its page showed
    thread_read_utc: str | None  # the last time all its pages were read in one run
    last_activity_utc: str | None  # its newest comment, or its publication
    stale: bool  # a listing, feed or API said it changed since


@dataclass
class SiteState:
    """What the archive holds of one blog: the per-site record incremental runs start from."""

    last_run_utc: str | None = None  # start of the latest run that finished
    posts: dict[str, KnownPost] = field(default_factory=dict)  # by url
    # url -> headers of a page that has validators
    validators: dict[str, dict[str, str]] = field(default_factory=dict)
    # url -> (body, headers) for the roles asked for
    pages: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    pages_fetched_utc: str | None = None  # when the earliest of those was fetched
    # {url, role, reason} of each URL the latest finished run never got a good answer for
    failed_urls: list[dict[str, str]] = field(default_factory=list)


def read_site_state(db: Database, site: str, roles: tuple[str, ...] = ()) -> SiteState:
    """The SiteState of `site`, with the stored bodies of its pages of `roles` from the latest
    run that fetched any. Known posts are those a page of theirs was read for: a post only a
    feed or an API named is still to be archived. Reads only, so a read-only connection serves,
    on an archive already migrated (`pending_migrations` says)."""
    state = SiteState()
    state.last_run_utc = db.execute(
        "SELECT max(started_utc) FROM crawls WHERE site = ? AND finished_utc IS NOT NULL "
        "AND status IN ('ok', 'partial')", [site]).fetchone()[0]
    state.posts = _known_posts(db, site)
    failed = db.execute("SELECT failed_urls FROM crawls WHERE site = ? AND finished_utc IS NOT "
                        "NULL ORDER BY started_utc DESC LIMIT 1", [site]).fetchone()
    state.failed_urls = json.loads(failed[0] or "[]") if failed else []
    for row in db.query("SELECT url, headers FROM pages WHERE site = ? AND status = 200 "
                        "AND role NOT IN ('post', 'comments')", [site]):
        headers = {key.lower(): value for key, value in json.loads(row["headers"]).items()}
        if "etag" in headers or "last-modified" in headers:
            state.validators[row["url"]] = headers
    if roles:
        rows = list(db.query(
            f"SELECT url, body, headers, fetched_utc FROM pages WHERE site = ? "
            f"AND role IN ({marks(roles)}) AND status = 200 AND crawl_id = (SELECT max(crawl_id) "
            f"FROM pages WHERE site = ? AND role IN ({marks(roles)}))",
            [site, *roles, site, *roles]))
        state.pages = {row["url"]: (read_page_body(row), json.loads(row["headers"]))
                       for row in rows}
        state.pages_fetched_utc = min((row["fetched_utc"] for row in rows), default=None)
    return state


def _known_posts(db: Database, site: str) -> dict[str, KnownPost]:
    rows = db.query(
        "SELECT url, id, platform_id, comment_count_shown, thread_read_utc, stale_utc,"
        " (SELECT count(*) FROM comments WHERE post_id = posts.id AND removed_utc IS NULL)"
        " AS live,"
        " max(coalesce(published_utc, ''), coalesce((SELECT max(published_utc) FROM comments"
        "  WHERE post_id = posts.id), '')) AS activity "
        "FROM posts WHERE site = ? AND source = 'html' AND removed_utc IS NULL", [site])
    return {row["url"]: KnownPost(
        id=row["id"], platform_id=row["platform_id"], comments=row["live"],
        comments_shown=row["comment_count_shown"], thread_read_utc=row["thread_read_utc"],
        last_activity_utc=row["activity"] or None, stale=row["stale_utc"] is not None)
        for row in rows}
