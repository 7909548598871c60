"""Threads for analysis: the archive's posts or comments as CSV, JSON Lines or Parquet rows
(`archiver export`), and as the items a crawl gives its feed exports. Both are made here from
the same rows (storage.exports) and the same columns (items.PostItem, items.CommentItem), so a
crawl's feed and an export of what it archived hold the same rows.

Each row carries its thread view's address on `archiver serve` of the archive file (whose
name, less `.db`, is the database's name in Datasette):
`/archive/-/thread/blog.example/2014/08/12/a-post/#comment-7`.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from collections.abc import Iterable, Iterator
from itertools import islice
from pathlib import Path
from types import ModuleType
from typing import IO

from sqlite_utils import Database

from archiver.items import CommentItem, PostItem
from archiver.storage import exports
from archiver.urls import comment_fragment, thread_path

FORMATS = ("csv", "jsonl", "parquet")
# Rows a Parquet row group holds: a large archive is written a group at a time.
PARQUET_GROUP = 10_000
PARQUET_MISSING = ("Parquet needs pyarrow, which is not installed: "
                   "pip install 'thread-archiver[parquet]'")

ThreadItem = PostItem | CommentItem


class MissingParquet(Exception):
    """Parquet was asked for where pyarrow is not installed."""


def columns(item_class: type[ThreadItem]) -> list[str]:
    """The columns of a row of `item_class`, in their order."""
    return [field.name for field in dataclasses.fields(item_class)]


def database_route(db_path: str | Path) -> str:
    """The name Datasette serves the archive at `db_path` under, as its URLs write it."""
    from datasette.utils import tilde_encode

    return tilde_encode(Path(db_path).stem)


def post_items(db: Database, route: str, site: str | None = None,
               crawl_id: int | None = None) -> Iterator[PostItem]:
    """The archive's posts (of `site`, or read by the run `crawl_id`, when given), their thread
    views under the database `route`."""
    for row in exports.post_rows(db, site, crawl_id):
        yield PostItem(**row, thread_view=_thread_view(route, row["site"], row["url"]))


def comment_items(db: Database, route: str, site: str | None = None,
                  crawl_id: int | None = None) -> Iterator[CommentItem]:
    """The archive's comments (of `site`, or of the posts read by the run `crawl_id`, when
    given), each leading to its place in its thread view under the database `route`."""
    for row in exports.comment_rows(db, site, crawl_id):
        address = _thread_view(route, row["site"], row["post_url"])
        yield CommentItem(**row, thread_view=address + comment_fragment(row["comment_key"]))


def _thread_view(route: str, site: str, url: str) -> str:
    return f"/{route}/-/thread/{thread_path(site, url)}"


def format_of(output: str) -> str | None:
    """The format OUTPUT's suffix names, or None; stdout (`-`) is CSV."""
    if output == "-":
        return "csv"
    suffix = Path(output).suffix.lower().lstrip(".")
    return {"ndjson": "jsonl"}.get(suffix, suffix) if suffix in (*FORMATS, "ndjson") else None


def write(items: Iterable[ThreadItem], item_class: type[ThreadItem], file_format: str,
          stream: IO[bytes]) -> int:
    """Write `items` as rows of `file_format` to the binary `stream`: how many."""
    if file_format == "parquet":
        return _write_parquet(items, item_class, stream)
    # UTF-8, with the line ends it is given (CSV's are `\\r\\n`, as RFC 4180 has them); let go
    # of at the end, so that the caller's stream stays open.
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    try:
        if file_format == "csv":
            writer = csv.writer(text)
            writer.writerow(columns(item_class))
            lines = (writer.writerow(["" if value is None else value
                                      for value in dataclasses.astuple(item)]) for item in items)
        else:
            lines = (text.write(json.dumps(dataclasses.asdict(item), ensure_ascii=False) + "\n")
                     for item in items)
        return sum(1 for _ in lines)
    finally:
        text.detach()


def parquet_modules() -> tuple[ModuleType, ModuleType]:
    """pyarrow and pyarrow.parquet; MissingParquet where they are not installed."""
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError:
        raise MissingParquet(PARQUET_MISSING) from None
    return pyarrow, pyarrow.parquet


def _write_parquet(items: Iterable[ThreadItem], item_class: type[ThreadItem],
                   stream: IO[bytes]) -> int:
    pa, pq = parquet_modules()
    schema = pa.schema([(field.name, pa.int64() if "int" in str(field.type) else pa.string())
                        for field in dataclasses.fields(item_class)])
    rows = (dataclasses.asdict(item) for item in items)
    written = 0
    with pq.ParquetWriter(stream, schema) as writer:
        while group := list(islice(rows, PARQUET_GROUP)):
            writer.write_table(pa.Table.from_pylist(group, schema=schema))
            written += len(group)
        if not written:
            writer.write_table(schema.empty_table())
    return written


def export_threads(db: Database, route: str, per: str, file_format: str, stream: IO[bytes],
                   site: str | None = None) -> int:
    """Write the archive's comments (`per` "comment") or posts ("post"), of `site` only when
    given, as `file_format` rows to `stream`: how many."""
    if per == "post":
        return write(post_items(db, route, site), PostItem, file_format, stream)
    return write(comment_items(db, route, site), CommentItem, file_format, stream)
