"""Archives made by earlier releases, migrated, have exactly the schema of a new archive and keep
their rows. The archives are frozen in tests/archives/ (see its README): a change to
storage.TABLES without a migration step fails here."""

import hashlib
import shutil
from pathlib import Path

import pytest
from sqlite_utils import Database

from archiver import storage
from archiver.items import Comment, Post, Thread
from archiver.storage import migrations

ARCHIVES = Path(__file__).parent / "archives"
FROZEN = sorted(ARCHIVES.glob("*.db"))
POST_TITLE = "Iraqi Communists Call on World’s Proletariat to unite against Islamists"
# What every frozen archive holds: the demo blog's example thread (one post, 7 comments and 2
# pingbacks, 4 linked sources) and the pages it was read from.
THREAD_ROWS = {"sites": 1, "crawls": 1, "posts": 1, "comments": 9, "links": 4}


def schema(db):
    """Every table, column (and the columns' order), foreign key, index, trigger and full-text
    table, one fact a tuple, so that a difference reads as the facts one side lacks."""
    facts = set()
    for table in db.tables:
        facts.add(("column order", table.name, ", ".join(table.columns_dict)))
        facts.update(("column", table.name, c.name, c.type, c.notnull, c.default_value, c.is_pk)
                     for c in table.columns)
        facts.update(("foreign key", table.name, fk.column, fk.other_table, fk.other_column)
                     for fk in table.foreign_keys)
        facts.update(("index", table.name, index.name, index.unique, tuple(index.columns))
                     for index in table.indexes)
    facts.update(("trigger", trigger.table, trigger.name, trigger.sql) for trigger in db.triggers)
    facts.update(("full-text", name, sql) for name, sql in db.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql LIKE 'CREATE VIRTUAL TABLE%'"))
    return facts


def master(db):
    """The schema as SQLite stores it, statement by statement."""
    return {(kind, name): sql for kind, name, sql in db.execute(
        "SELECT type, name, sql FROM sqlite_master")}


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    db = storage.open_archive(tmp_path_factory.mktemp("fresh") / "archive.db")
    yield {"schema": schema(db), "master": master(db)}
    db.close()


def frozen_copy(frozen, tmp_path):
    """A copy to open: opening the frozen archive itself could change it."""
    path = tmp_path / frozen.name
    shutil.copyfile(frozen, path)
    return path


def migrated(frozen, tmp_path):
    """A copy of a frozen archive, opened (and so migrated) by today's code."""
    return storage.open_archive(frozen_copy(frozen, tmp_path))


def every_row(db, table, columns):
    return db.execute(f"SELECT {', '.join(f'[{column}]' for column in columns)} "
                      f"FROM [{table}] ORDER BY rowid").fetchall()


def test_there_is_a_frozen_archive_of_every_schema_before_today():
    assert [path.name for path in FROZEN] == [
        "v1.db", "v2.db", "v3.db", "v4-upgraded-from-v1.db", "v4.db", "v6.db", "v7.db"]


@pytest.mark.parametrize("frozen", FROZEN, ids=[path.stem for path in FROZEN])
def test_a_migrated_archive_has_the_schema_of_a_new_one(frozen, fresh, tmp_path):
    db = migrated(frozen, tmp_path)
    got = schema(db)
    assert {"lacks": sorted(fresh["schema"] - got), "has more": sorted(got - fresh["schema"])
            } == {"lacks": [], "has more": []}
    assert master(db) == fresh["master"]
    assert db.execute("PRAGMA foreign_key_check").fetchall() == []
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()


@pytest.mark.parametrize("frozen", FROZEN, ids=[path.stem for path in FROZEN])
def test_a_migrated_archive_keeps_its_rows(frozen, tmp_path):
    before = Database(frozen_copy(frozen, tmp_path))
    old_columns = {table.name: list(table.columns_dict) for table in before.tables
                   if table.name in storage.TABLES}
    old = {name: every_row(before, name, columns) for name, columns in old_columns.items()}
    before.close()
    db = storage.open_archive(tmp_path / frozen.name)
    assert {name: every_row(db, name, columns) for name, columns in old_columns.items()} == old
    assert {name: len(rows) for name, rows in old.items() if name in THREAD_ROWS} == THREAD_ROWS
    assert db.execute("SELECT title, published_local, published_year, comment_count "
                      "FROM posts").fetchall() == [(POST_TITLE, "2014-08-12T12:44:00+01:00",
                                                    2014, 9)]
    # Each dated comment has the year it was dated in, the others none.
    assert db.execute("SELECT count(*) FROM comments WHERE published_year IS NOT CAST(substr("
                      "coalesce(published_local, published_utc), 1, 4) AS INTEGER)"
                      ).fetchone()[0] == 0
    assert all(hashlib.sha256(storage.read_page_body(row)).hexdigest() == row["sha256"]
               for row in storage.stored_pages(db))
    db.close()


@pytest.mark.parametrize("frozen", FROZEN, ids=[path.stem for path in FROZEN])
def test_a_migrated_archive_is_searched_and_written_as_a_new_one(frozen, tmp_path):
    db = migrated(frozen, tmp_path)
    assert [row["author"] for row in db.table("comments").search("governing coalition")] == [
        "Jim Monaghan"]
    site, post_url = db.execute("SELECT site, url FROM posts").fetchone()
    reply = Comment(body_html="<p>A late reply</p>", body_text="A late reply", author="Late",
                    platform_id="9001", parent_platform_id="1")
    crawl_id = storage.start_crawl(db, site, post_url, {}, "2027-01-01T00:00:00Z")
    with storage.transaction(db):
        storage.save_thread(db, site, Thread(platform="wordpress", post=Post(url=post_url),
                                             comments=[reply], source="feed"),
                            seen=storage.Seen(crawl_id, "2027-01-01T00:00:00Z"))
    assert [row["author"] for row in db.table("comments").search("late reply")] == ["Late"]
    assert db.execute("SELECT depth, position FROM comments WHERE platform_id = '9001'"
                      ).fetchone() == (2, 10)
    db.close()


@pytest.mark.parametrize("frozen", FROZEN, ids=[path.stem for path in FROZEN])
def test_every_step_is_recorded_and_opening_again_changes_nothing(frozen, tmp_path):
    db = migrated(frozen, tmp_path)
    names = [migrations.INITIAL, *migrations.STEPS]
    recorded = [name for (name,) in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")]
    assert sorted(recorded) == names
    before = master(db)
    db.close()
    db = storage.open_archive(tmp_path / frozen.name)
    assert master(db) == before
    assert db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == len(names)
    db.close()


def test_a_new_archive_is_recorded_as_having_had_every_step(tmp_path):
    db = storage.open_archive(tmp_path / "archive.db")
    assert [name for (name,) in db.execute("SELECT name FROM _sqlite_migrations ORDER BY id")
            ] == [migrations.INITIAL, *migrations.STEPS]
    db.close()


def test_a_read_only_archive_is_not_migrated(tmp_path):
    path = frozen_copy(ARCHIVES / "v3.db", tmp_path)
    before = path.read_bytes()
    db = storage.open_read_only(path)
    assert db is not None
    assert "published_year" not in db.table("posts").columns_dict
    db.close()
    assert path.read_bytes() == before
