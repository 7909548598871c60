"""The SQLite archive: its schema and migrations, and saving pages, threads and runs.

Storage knows tables and keys, nothing of HTML. Every save happens inside one
`BEGIN IMMEDIATE` transaction per fetched page, and rows are upserted on stable keys
(site + post URL, post + platform comment id), so running the same crawl twice
leaves exactly the same rows. A thread's stored rows are read in one query a table and only
what changed is written, in batches.

This package is the storage API (`from archiver import storage; storage.save_thread(…)`);
its modules say what each part holds:

    schema       today's tables, keys, indexes and full-text search, as data
    migrations   the frozen steps that bring older archives to that schema
    connection   opening the archive (read-write and migrated, or read-only) and closing it
    writes       the write transaction, the upsert, and statements run a batch at a time
    records      one post or comment row: which source wins, sightings and versions
    threads      a thread's post, comments and links, and their counts
    links        the links of a post body or comment, written where they changed
    history      what a run finds gone or changed: removals, stale posts
    pages        fetched responses, compressed
    crawls       one row a run
    sites        each blog's record and the state an incremental run starts from
    merge        archives of separate runs combined into one (`archiver merge`)
"""

from archiver.storage.connection import (
    NotAnArchive,
    check_archive,
    close_archive,
    open_archive,
    open_read_only,
)
from archiver.storage.crawls import crawl_arguments, crawl_changes, finish_crawl, start_crawl
from archiver.storage.history import close_thread, mark_post_removed, mark_stale
from archiver.storage.migrations import is_archive
from archiver.storage.migrations import pending as pending_migrations
from archiver.storage.pages import read_page_body, save_page, stored_pages
from archiver.storage.records import PLATFORM_UTC, Seen
from archiver.storage.schema import TABLES
from archiver.storage.sites import (
    KnownPost,
    SiteState,
    count_posts,
    count_site_comments,
    read_site_state,
    save_site,
    site_timezones,
)
from archiver.storage.threads import (
    count_comment_types,
    count_comments,
    count_mismatches,
    save_thread,
)
from archiver.storage.writes import transaction

__all__ = [
    "KnownPost", "NotAnArchive", "PLATFORM_UTC", "Seen", "SiteState", "TABLES", "check_archive",
    "close_archive", "close_thread", "count_comment_types", "count_comments", "count_mismatches",
    "count_posts", "count_site_comments", "crawl_arguments", "crawl_changes", "finish_crawl",
    "is_archive", "mark_post_removed", "mark_stale", "open_archive", "open_read_only",
    "pending_migrations", "read_page_body", "read_site_state", "save_page", "save_site",
    "save_thread", "site_timezones", "start_crawl", "stored_pages", "transaction",
]
