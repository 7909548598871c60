"""One path from a fetched page to archived rows: the demo blog crawled for real by `scrapy
crawl`, the same archive rebuilt from its stored pages alone by `archiver reparse`, and its
`export-warc` imported into a new archive by `archiver import-warc`, give the same rows in every
table.

Only what identifies a run is left out: the `crawls` rows themselves (their ids, times,
arguments and Scrapy stats; an import's counts are compared with the crawl's), every column
naming a crawl, and when runs saw a row (`first_seen_utc`, `last_seen_utc`, `thread_read_utc`:
a re-read writes no history, and only a crawl reads threads whole). Row ids are compared by what
they point to: a post by its site and URL, a comment by its post and key.
"""

import sqlite3

from archiver import storage
from tests.helpers import EXAMPLE, archiver_output, crawl, rows

# When runs saw a row: a re-read writes no history, and only a crawl reads threads whole.
RUN_TIMES = {"first_seen_utc", "last_seen_utc", "thread_read_utc"}
# What a run found, as its row in `crawls` counts it.
RUN_COUNTS = ("status", "pages", "posts", "comments", "posts_new", "posts_changed",
              "posts_removed", "comments_new", "comments_changed", "comments_removed", "errors")


def table_rows(db, table):
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        found = [dict(row) for row in conn.execute(f"SELECT * FROM [{table}]")]
    conn.close()
    return found


def content(db):
    """Every table but `crawls`, row by row (lists of (column, value) pairs, in a set order),
    without what identifies a run, and with row ids replaced by what they point to."""
    tables = {name: table_rows(db, name) for name in storage.TABLES}
    posts = {row["id"]: (row["site"], row["url"]) for row in tables["posts"]}
    comments = {row["id"]: (posts[row["post_id"]], row["comment_key"])
                for row in tables["comments"]}
    natural = {"posts": posts, "comments": comments}
    held = {}
    for name, spec in storage.TABLES.items():
        if name == "crawls":
            continue
        refers = {column: other for column, other, _ in spec.get("foreign_keys", [])}
        held[name] = sorted(([(column, natural[refers[column]].get(value)
                               if refers.get(column) in natural else value)
                              for column, value in row.items()
                              if column not in RUN_TIMES and refers.get(column) != "crawls"
                              and not column == spec["pk"] == "id"]
                             for row in tables[name]), key=repr)
    return held


def test_the_crawl_leaves_rows_in_every_table_compared(demo_archive):
    assert {name: len(found) for name, found in content(demo_archive).items()} == {
        "sites": 1, "posts": 7, "comments": 58, "links": 57, "pages": 27, "post_versions": 0,
        "comment_versions": 0}


def test_reparse_of_the_stored_pages_alone_gives_the_crawl_s_rows(demo_archive,
                                                                   demo_archive_copy):
    db = demo_archive_copy
    with sqlite3.connect(db) as conn:
        for statement in ("UPDATE pages SET post_id = NULL", "DELETE FROM links",
                          "DELETE FROM comment_versions", "DELETE FROM post_versions",
                          "DELETE FROM comments", "DELETE FROM posts"):
            conn.execute(statement)
    conn.close()
    assert archiver_output("reparse", "--db", db) == (
        "13 pages read: 7 posts, 58 comments; 0 failed to extract, 0 not a thread\n")
    assert content(db) == content(demo_archive)


def test_import_of_the_crawl_s_export_gives_the_crawl_s_rows(demo_archive, tmp_path):
    export, db = tmp_path / "blog.warc.gz", tmp_path / "imported.db"
    assert archiver_output("export-warc", "--db", demo_archive, export) == (
        f"27 responses written to {export}\n")
    assert archiver_output("import-warc", "--db", db, export) == (
        "blog.warc.gz: ok: 20 pages, 7 posts, 58 comments; skipped 0 revisits, 0 non-2xx "
        "responses, 0 other responses; 0 failed to extract\n")
    assert content(db) == content(demo_archive)
    counts = f"SELECT {', '.join(RUN_COUNTS)} FROM crawls"
    assert rows(db, counts) == rows(demo_archive, counts) == [
        ("ok", 20, 7, 58, 7, 0, 0, 58, 0, 0, 0)]


def test_reparse_reads_a_page_with_the_since_of_the_crawl_that_fetched_it(demo_blog, tmp_path):
    """The post's page is archived raw, its thread dropped: published before `since`."""
    db = tmp_path / "since.db"
    crawl(demo_blog.url + EXAMPLE, db, tmp_path, "-a", "since=2014-08-13")
    before = content(db)
    assert rows(db, "SELECT source, title FROM posts") == [("feed", None)]
    assert archiver_output("reparse", "--db", db) == (
        "2 pages read: 1 posts, 9 comments; 0 failed to extract, 0 not a thread\n")
    assert content(db) == before


def test_an_archive_still_to_migrate_is_crawled_in_full_and_migrated_by_the_pipeline(
        demo_blog, demo_archive_copy, tmp_path):
    """The spider only reads the archive; the archive pipeline, which writes, migrates it. An
    archive of an earlier version is read as holding nothing yet."""
    db = demo_archive_copy
    with sqlite3.connect(db) as conn:
        for table in ("posts", "comments"):
            conn.execute(f"ALTER TABLE {table} DROP COLUMN published_year")
        conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_published_year'")
    conn.close()
    log = crawl(demo_blog.url, db, tmp_path)
    assert "The archive is of an earlier version: this run reads every post" in log
    assert rows(db, "SELECT mode, status, posts, posts_new FROM crawls ORDER BY id") == [
        ("full", "ok", 7, 7), ("full", "ok", 7, 0)]
    assert rows(db, "SELECT count(*), count(published_year) FROM posts") == [(7, 6)]


def test_a_crawl_that_reads_its_pages_in_a_worker_process_gives_the_same_rows(
        demo_blog, demo_archive, tmp_path):
    db = tmp_path / "workers.db"
    log = crawl(demo_blog.url, db, tmp_path, "-s", "EXTRACT_PROCESSES_AFTER=0")
    assert "Reading pages in 1 worker process" in log
    read, expected = content(db), content(demo_archive)
    assert {name: read[name] for name in ("sites", "posts", "comments", "links")} == {
        name: expected[name] for name in ("sites", "posts", "comments", "links")}
