"""`archiver merge`: archives of separate runs combined into one equal, table by table, to a
single archive that made the same crawls in the same order; merging again changes nothing; and
what Datasette shows of the merged archive is what it shows of the single one."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest

from archiver.storage import TABLES
from tests.blogserver import serving
from tests.helpers import (
    DEMO_BLOG,
    ROOT,
    archiver_output,
    copy_archive,
    crawl,
    dump,
    get,
    natural_rows,
)
from tests.local_servers import archiver_serve
from tests.served_archive import edit_and_delete_a_comment

GENERIC_BLOG = ROOT / "tests" / "sites" / "generic"
@pytest.fixture(scope="module")
def archives(demo_blog, demo_archive, tmp_path_factory):
    """(merged, single): three shards (the demo blog, a second blog, the demo blog again after
    a comment was edited and another deleted) merged into one archive, and one archive that
    crawled the same, in the same order. The demo archive is the first shard."""
    tmp_path = tmp_path_factory.mktemp("merge")
    single, later, other = (tmp_path / name for name in ("single.db", "later.db", "other.db"))
    copy_archive(demo_archive, single)
    with serving(GENERIC_BLOG) as blog:
        for db in (other, single):
            crawl(blog.url, db, tmp_path)
    blog_files = tmp_path / "blog"
    shutil.copytree(DEMO_BLOG, blog_files)
    edit_and_delete_a_comment(blog_files)
    with demo_blog.showing(blog_files):
        for db in (later, single):
            crawl(demo_blog.url, db, tmp_path, "-a", "full=1")
    merged = tmp_path / "merged.db"
    output = archiver_output("merge", "--db", merged, later, other, demo_archive)
    assert [line.split(":")[0] for line in output.splitlines()] == [
        str(demo_archive), str(other), str(later)]
    return merged, single


@pytest.mark.parametrize("table", list(TABLES))
def test_merged_shards_equal_one_archive_of_the_same_crawls(archives, table):
    merged, single = archives
    assert natural_rows(merged, table) == natural_rows(single, table)


def test_merging_the_shards_again_changes_nothing(archives, tmp_path):
    merged = tmp_path / "merged.db"
    copy_archive(archives[0], merged)
    before = dump(merged)
    shards = sorted(archives[0].parent.glob("[lo]*.db"))
    output = archiver_output("merge", "--db", merged, *shards)
    assert [line.split("; ")[1] for line in output.splitlines()] == ["nothing new"] * 2
    assert dump(merged) == before


def test_the_merged_archive_s_full_text_indexes_match_its_rows(archives, tmp_path):
    merged = tmp_path / "merged.db"
    copy_archive(archives[0], merged)
    with contextlib.closing(sqlite3.connect(merged)) as conn:
        for table in ("posts", "comments"):
            # FTS5 checks its index against the table it indexes (rank 1), failing if they differ.
            conn.execute(f"INSERT INTO {table}_fts ({table}_fts, rank) "
                         f"VALUES ('integrity-check', 1)")


def test_datasette_shows_the_merged_archive_s_last_crawl_and_search_as_the_single_one_s(
        archives, tmp_path):
    answers = []
    for db in archives:
        with archiver_serve(db, tmp_path / f"serve-{db.stem}.log") as base:
            answers.append([[(row["change"], row["post"], row["author"], row["text"],
                              row["earlier_text"])
                             for row in ask(base, db, "last_crawl")],
                            [(row["hit"], row["post"], row["author"], row["snippet"])
                             for row in ask(base, db, "search", q="again")]])
    merged, single = answers
    assert merged == single
    assert ("edited comment", "Iraqi Communists Call on World’s Proletariat to unite against "
            "Islamists", "Anonymous") in [row[:3] for row in merged[0]]
    assert merged[1]


def ask(base: str, db: Path, query: str, **params: str) -> list[dict[str, Any]]:
    """The rows of one of the archive's canned queries, as Datasette answers them in JSON."""
    arguments = urlencode({**params, "_shape": "array"})
    status, _, body = get(f"{base}/{db.stem}/{query}.json?{arguments}")
    assert status == 200, body[:2000]
    return json.loads(body)
