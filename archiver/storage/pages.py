"""Fetched responses as the archive keeps them: the body compressed, the headers without
credentials."""

from __future__ import annotations

import gzip
import hashlib
import json
from collections.abc import Collection, Iterator
from typing import Any

from sqlite_utils import Database

from archiver.items import PageItem
from archiver.storage.writes import marks, upsert

# Headers a page keeps: never cookies or credentials.
PRIVATE_HEADERS = {"set-cookie", "cookie", "authorization", "proxy-authorization",
                   "www-authenticate", "proxy-authenticate"}
# How hard bodies are compressed. On the demo blog's pages level 9 is no smaller than 6
# (18.6% of the raw size against 18.7%) and costs a fifth more time; any level reads back.
GZIP_LEVEL = 6


def save_page(db: Database, item: PageItem, crawl_id: int | None = None,
              post_id: int | None = None) -> int:
    """Store one fetched response, body compressed; return the page id."""
    headers = {k: v for k, v in item.headers.items() if k.lower() not in PRIVATE_HEADERS}
    row = {
        "url": item.url, "site": item.site, "role": item.role, "status": item.status,
        "headers": json.dumps(headers, sort_keys=True), "encoding": item.encoding,
        "content_type": headers.get("Content-Type") or headers.get("content-type"),
        "fetched_utc": item.fetched_utc, "size": len(item.body),
        "sha256": hashlib.sha256(item.body).hexdigest(),
        "body": gzip.compress(item.body, GZIP_LEVEL, mtime=0), "post_id": post_id,
        "crawl_id": crawl_id,
    }
    return upsert(db, "pages", row, conflict=["url"])


def read_page_body(row: dict[str, Any]) -> bytes:
    """The raw bytes of a stored page row."""
    return gzip.decompress(row["body"])


def stored_pages(db: Database, site: str | None = None, roles: Collection[str] | None = None,
                 ok_only: bool = False) -> Iterator[dict[str, Any]]:
    """The stored pages (of one site, of some roles, 2xx only) as rows, in fetch order, read one
    at a time: together their bodies can be far larger than memory."""
    where, params = ["1"], []
    if site is not None:
        where.append("site = ?")
        params.append(site)
    if roles:
        where.append(f"role IN ({marks(roles)})")
        params.extend(roles)
    if ok_only:
        where.append("status BETWEEN 200 AND 299")
    ids = [row[0] for row in db.execute(
        f"SELECT id FROM pages WHERE {' AND '.join(where)} ORDER BY fetched_utc, id", params)]
    for page_id in ids:
        yield next(db.query("SELECT * FROM pages WHERE id = ?", [page_id]))
