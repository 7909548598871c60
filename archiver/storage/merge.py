"""Archives made by separate runs (one a worker, say) combined into one: every row on the keys a
crawl saves it on, every id it points at remapped, and the history of each kept.

A post or comment that two archives hold is merged column by column as a crawl merges a row it
sees again (records.merge_record): the later sighting's source rules, and a text that differs
from what an earlier run saw from the same source leaves a version. Merging an archive a second
time changes nothing: its runs, rows, versions and pages are all found again on their keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from archiver.items import Link
from archiver.storage.connection import open_read_only
from archiver.storage.crawls import crawl_changes
from archiver.storage.history import close_thread
from archiver.storage.links import read_links, write_links
from archiver.storage.migrations import pending
from archiver.storage.records import VERSIONED, Seen, keep_version, merge_record
from archiver.storage.threads import number_comments
from archiver.storage.writes import Batch, insert_sql, read_row, read_rows, transaction, update_sql

# What tells one run from another in any archive: ids differ from archive to archive.
CRAWL_KEY = ("site", "start_url", "arguments", "mode", "started_utc")
# The columns of a post or comment that point at runs.
CRAWL_COLUMNS = ("first_seen_crawl", "last_seen_crawl", "removed_by_crawl")


class ShardNotReady(Exception):
    """A file to merge is no archive, or one an earlier release made and not yet migrated."""


@dataclass
class Merged:
    """What merging one archive into another did: how many of its rows each table took."""

    shard: str
    crawls: int = 0
    posts: int = 0
    comments: int = 0
    pages: int = 0
    new: Counter[str] = field(default_factory=Counter)  # {table: rows new to the archive}

    def summary(self) -> str:
        """One line: the archive merged and what it brought."""
        new = ", ".join(f"{count} {table}" for table, count in self.new.items() if count)
        return (f"{self.shard}: {self.crawls} crawls, {self.posts} posts, {self.comments} "
                f"comments, {self.pages} pages merged; " + (f"new: {new}" if new else
                                                             "nothing new"))


def merge_order(paths: Iterable[str | Path]) -> list[Path]:
    """The archives in the order their runs started (the earliest first run first)."""
    def first_start(path: Path) -> str:
        shard = _open_shard(path)
        started = shard.execute("SELECT min(started_utc) FROM crawls").fetchone()[0]
        shard.close()
        return started or ""

    return sorted((Path(path) for path in paths), key=first_start)


def merge_archive(db: Database, path: str | Path) -> Merged:
    """Merge the archive at `path` into `db`, in one transaction."""
    shard = _open_shard(Path(path))
    done = Merged(str(path))
    try:
        with transaction(db):
            crawls = _merge_crawls(db, shard, done)
            for site in read_rows(shard, "SELECT * FROM sites", []):
                _upsert_site(db, site)
            posts = _merge_rows(db, shard, "posts", crawls, {}, done)
            comments = _merge_rows(db, shard, "comments", crawls, posts, done)
            _merge_links(db, shard, posts, comments)
            _close_threads(db, shard, posts, crawls)
            _merge_pages(db, shard, posts, crawls, done)
            for post_id in set(posts.values()):
                number_comments(db, post_id)
            for crawl_id in set(crawls.values()):
                changes = crawl_changes(db, crawl_id)
                db.execute(update_sql("crawls", tuple(changes)), [*changes.values(), crawl_id])
    finally:
        shard.close()
    return done


def _open_shard(path):
    shard = open_read_only(path)
    if shard is None:
        raise ShardNotReady(f"no archive at {path}")
    if pending(shard):
        shard.close()
        raise ShardNotReady(f"{path} is an archive of an earlier release: open it with this "
                            f"one first (archiver reparse --db {path} migrates it)")
    return shard


def _merge_crawls(db, shard, done):
    """Each run of the shard as a run of the archive, new ones added; {shard id: archive id}."""
    ids = {}
    for crawl in read_rows(shard, "SELECT * FROM crawls ORDER BY started_utc, id", []):
        values = {column: value for column, value in crawl.items() if column != "id"}
        found = db.execute("SELECT id FROM crawls WHERE " + " AND ".join(
            f"[{column}] IS ?" for column in CRAWL_KEY), [crawl[c] for c in CRAWL_KEY]).fetchone()
        if found is None:
            ids[crawl["id"]] = db.execute(insert_sql("crawls", tuple(values)),
                                          list(values.values())).lastrowid
            done.new["crawls"] += 1
        else:
            # A run still going when the archive was merged before may have finished since.
            ids[crawl["id"]] = found[0]
            db.execute(update_sql("crawls", tuple(values)), [*values.values(), found[0]])
        done.crawls += 1
    return ids


def _upsert_site(db, site):
    """A blog's record: what the later archive knows wins, a null never erases."""
    columns = list(site)
    updates = ", ".join(f"[{c}] = coalesce(excluded.[{c}], sites.[{c}])" for c in columns)
    db.execute(f"INSERT INTO sites ({', '.join(f'[{c}]' for c in columns)}) "
               f"VALUES ({', '.join('?' for _ in columns)}) "
               f"ON CONFLICT (site) DO UPDATE SET {updates}", list(site.values()))


def _merge_rows(db, shard, table, crawls, posts, done):
    """Every post or comment of the shard merged into the archive, with its versions;
    {shard id: archive id}. Replies are pointed at their parents once every comment is in."""
    ids: dict[int, int] = {}
    history, owner, _ = VERSIONED[table]
    parents = {}
    for row in read_rows(shard, f"SELECT * FROM [{table}] ORDER BY id", []):
        shard_id = row.pop("id")
        row.update({column: crawls.get(row[column]) for column in CRAWL_COLUMNS})
        if table == "comments":
            row["post_id"] = posts[row["post_id"]]
            parents[shard_id] = row.pop("parent_id")
            old = read_row(db, "SELECT * FROM comments WHERE post_id = ? AND comment_key = ?",
                          [row["post_id"], row["comment_key"]])
        else:
            old = read_row(db, "SELECT * FROM posts WHERE site = ? AND url = ?",
                          [row["site"], row["url"]])
        versions = read_rows(shard, f"SELECT * FROM [{history}] WHERE [{owner}] = ? "
                                    f"ORDER BY version", [shard_id])
        ids[shard_id] = _merge_row(db, table, old, row, versions, crawls, done)
        setattr(done, table, getattr(done, table) + 1)
    for shard_id, parent in parents.items():
        if parent is not None:
            db.execute("UPDATE comments SET parent_id = ? WHERE id = ? AND "
                       "(parent_id IS NULL OR source = 'html')", [ids[parent], ids[shard_id]])
    return ids


def _merge_row(db, table, old, row, versions, crawls, done):
    """One row merged over the archive's, as a crawl that saw it then would; return its id."""
    if old is None:
        row_id = db.execute(insert_sql(table, tuple(row)), list(row.values())).lastrowid
        done.new[table] += 1
        _add_versions(db, table, row_id, versions, crawls)
        return row_id
    kept = VERSIONED[table][2]
    later = _later(row, old, "first_seen_utc", "last_seen_utc")
    # A read from HTML wins, as in a crawl, but only over what earlier runs saw: a shard that
    # saw the row no later than the archive did only fills in what the archive lacks.
    prefer = "new" if row["source"] == "html" and later else "old"
    seen = None
    first_read = row
    if later:
        # The shard first saw the text of its first version: that is what an edit is told by.
        seen = Seen(row["first_seen_crawl"], row["first_seen_utc"])
        if versions:
            first_read = {**row, **{column: versions[0][column] for column in kept}}
    merged = merge_record(table, old, first_read, prefer, seen)
    values = merged.row
    if merged.version:
        keep_version(db, table, merged.version)
    if versions and later:
        values.update({column: row[column] for column in (*kept, "edited_utc")})
    values.update(_seen_columns(old, row, values))
    changes = tuple(column for column, value in values.items() if value != old[column])
    if changes:
        db.execute(update_sql(table, changes), [*(values[c] for c in changes), old["id"]])
    _add_versions(db, table, old["id"], versions, crawls)
    return old["id"]


def _later(row, old, row_column, old_column):
    """Whether the shard's `row_column` time comes after the archive's `old_column` one."""
    return (row[row_column] or "") > (old[old_column] or "")


def _seen_columns(old, row, values):
    """First seen the earliest, last seen the latest, and removed as the latest run that saw
    the row left it (the shard's own if it saw it last, either if both did)."""
    first = row if old["first_seen_utc"] is None or _later(old, row, "first_seen_utc",
                                                           "first_seen_utc") else old
    last = row if _later(row, old, "last_seen_utc", "last_seen_utc") else old
    if last is old and old["removed_utc"] is None and not _later(old, row, "last_seen_utc",
                                                                 "last_seen_utc"):
        last = row  # seen last by both: the removal either found
    seen = {"first_seen_utc": first["first_seen_utc"], "first_seen_crawl":
            first["first_seen_crawl"], "last_seen_utc": last["last_seen_utc"],
            "last_seen_crawl": last["last_seen_crawl"], "removed_utc": last["removed_utc"],
            "removed_by_crawl": last["removed_by_crawl"]}
    if "thread_read_utc" in values:
        seen["thread_read_utc"] = max(old["thread_read_utc"] or "",
                                      row["thread_read_utc"] or "") or None
        seen["stale_utc"] = last["stale_utc"]
        seen["broken_utc"] = last["broken_utc"]
    return seen


def _add_versions(db, table, row_id, versions, crawls):
    """The shard's versions of a row, after the archive's, but for those it has already."""
    history, owner, kept = VERSIONED[table]
    for version in versions:
        replaced_by = crawls.get(version["replaced_by_crawl"])
        if db.execute(f"SELECT 1 FROM [{history}] WHERE [{owner}] = ? AND replaced_utc IS ? "
                      f"AND replaced_by_crawl IS ?",
                      [row_id, version["replaced_utc"], replaced_by]).fetchone():
            continue
        keep_version(db, table, {
            owner: row_id, **{column: version[column] for column in kept},
            "first_seen_utc": version["first_seen_utc"],
            "last_seen_utc": version["last_seen_utc"], "replaced_utc": version["replaced_utc"],
            "replaced_by_crawl": replaced_by})


def _close_threads(db, shard, posts, crawls):
    """The threads the shard read in full after every other run did: their comments it did not
    see are gone from the blog, as a crawl that read them then would have marked them."""
    for shard_id, crawl_id, read_utc in shard.execute(
            "SELECT id, last_seen_crawl, thread_read_utc FROM posts "
            "WHERE thread_read_utc IS NOT NULL AND last_seen_crawl IS NOT NULL"):
        post_id = posts[shard_id]
        if db.execute("SELECT thread_read_utc = ? FROM posts WHERE id = ?",
                      [read_utc, post_id]).fetchone()[0]:
            close_thread(db, post_id, Seen(crawls[crawl_id], read_utc))


def _merge_links(db, shard, posts, comments):
    """The links of each post body and comment whose row the shard's text now is: a crawl
    writes them from the source a row is from, so those are the shard's links."""
    found: dict[tuple[int, int | None], list[Link]] = {}
    for post_id, comment_id, url, text, domain, external in shard.execute(
            "SELECT post_id, comment_id, url, text, domain, external FROM links "
            "ORDER BY post_id, comment_id, position"):
        key = (posts[post_id], comments.get(comment_id))
        found.setdefault(key, []).append(Link(url, text, domain, bool(external)))
    owners = _text_owners(db, shard, posts, "posts", "id", None)
    owners += _text_owners(db, shard, comments, "comments", "post_id", posts)
    batch = Batch()
    stored: dict[int, Any] = {}
    for post_id, comment_id in owners:
        if post_id not in stored:
            stored[post_id] = read_links(db, post_id)
        write_links(batch, stored[post_id], post_id, comment_id,
                    found.get((post_id, comment_id), []))
    batch.run(db)


def _text_owners(db, shard, ids, table, post_column, posts):
    """(post id, comment id or None) of the shard's rows whose text the archive now holds."""
    owners = []
    for shard_id, post_id, body_text in shard.execute(
            f"SELECT id, [{post_column}], body_text FROM [{table}] WHERE body_html IS NOT NULL"):
        if db.execute(f"SELECT 1 FROM [{table}] WHERE id = ? AND body_text IS ?",
                      [ids[shard_id], body_text]).fetchone():
            archive_post = posts[post_id] if posts else ids[shard_id]
            owners.append((archive_post, ids[shard_id] if posts else None))
    return owners


def _merge_pages(db, shard, posts, crawls, done):
    """Each fetched page, by URL: the later fetch wins, as in a crawl."""
    for page in read_rows(shard, "SELECT * FROM pages ORDER BY fetched_utc, id", []):
        page.pop("id")
        page["post_id"] = posts.get(page["post_id"])
        page["crawl_id"] = crawls.get(page["crawl_id"])
        old = read_row(db, "SELECT id, fetched_utc FROM pages WHERE url = ?", [page["url"]])
        done.pages += 1
        if old is None:
            db.execute(insert_sql("pages", tuple(page)), list(page.values()))
            done.new["pages"] += 1
        elif (page["fetched_utc"] or "") >= (old["fetched_utc"] or ""):
            values = {column: value for column, value in page.items() if value is not None}
            db.execute(update_sql("pages", tuple(values)), [*values.values(), old["id"]])
