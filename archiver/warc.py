"""WARC files: the archive's stored responses written out for other tools (replay, other
archives), and WARCs other tools wrote (wget, grab-site, our own export) read into the archive.

warcio reads and writes them: record framing, digests, gzip members and the chunked and
compressed payloads other crawlers keep.
"""

import contextlib
import http
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from archiver import storage
from archiver.dates import utc_iso
from archiver.extractors import extract, wordpress
from archiver.items import PageItem, SiteInfo
from archiver.outcome import Outcome, crawl_outcome
from archiver.page import Page

logger = logging.getLogger(__name__)

WARC_1_1 = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Scrapy undoes the chunking and the content codings it knows and drops their headers (a
# Content-Encoding still stored names a coding the body is still in), but keeps Content-Length,
# the length on the wire. A header that no longer describes the stored body keeps its value
# under this prefix, as the Wayback Machine and pywb name such headers.
ORIGINAL = "X-Archive-Orig-"
READABLE_TYPES = re.compile(r"html|xml|json", re.I)
SITE_INDEX = "/wp-json/"


def export_warc(db, output, site=None):
    """Write every stored response (of `site`, or of every blog) to `output` as a WARC 1.1 file,
    gzipped when its name ends in .gz; return how many were written.

    No request records: the archive keeps no requests, and one made up now would claim headers
    that were never sent.
    """
    output = Path(output)
    written = 0
    with output.open("wb") as stream:
        writer = WARCWriter(stream, gzip=output.suffix == ".gz", warc_version="1.1")
        info = writer.create_warcinfo_record(output.name, {
            "software": f"thread-archiver/{version('thread-archiver')} warcio/{version('warcio')}",
            "format": "WARC File Format 1.1",
            "conformsTo": WARC_1_1,
            "description": "Responses stored by thread-archiver; bodies as stored, without the "
                           "transfer and content codings the crawler undid",
        })
        writer.write_record(info)
        info_id = info.rec_headers.get_header("WARC-Record-ID")
        for row in storage.stored_pages(db, site=site):
            writer.write_record(_response_record(writer, row, info_id))
            written += 1
    return written


def _response_record(writer, row, warcinfo_id):
    body = storage.read_page_body(row)
    status = row["status"]
    try:
        status_line = f"{status} {http.HTTPStatus(status).phrase}"
    except ValueError:  # a status HTTP does not name
        status_line = str(status)
    http_headers = StatusAndHeaders(status_line, _headers_of_body(json.loads(row["headers"]), len(body)),
                                    protocol="HTTP/1.1")
    return writer.create_warc_record(
        row["url"], "response", payload=BytesIO(body), length=len(body), http_headers=http_headers,
        warc_headers_dict={"WARC-Date": row["fetched_utc"], "WARC-Warcinfo-ID": warcinfo_id})


def _headers_of_body(headers, length):
    """Stored response headers made true of the stored body, of `length` bytes."""
    described = []
    for name, value in headers.items():
        lower = name.lower()
        if lower == "transfer-encoding" or lower == "content-length" and value != str(length):
            described.append((ORIGINAL + name, value))
        elif lower != "content-length":
            described.append((name, value))
    return described + [("Content-Length", str(length))]


class Capture(NamedTuple):
    """A response record to archive, in the order captures are archived: the blogs' REST
    indexes first (they give the zones every other page's times need), then by WARC-Date."""

    rank: int
    fetched: datetime  # its WARC-Date, in UTC
    file: int
    offset: int


@dataclass
class WarcImport:
    """One WARC file read into the archive, and what it held.

    Its run in `crawls` is dated by its captures, first to last WARC-Date, not by when it was
    imported: an incremental crawl after it then asks the blog what changed since the pages
    were fetched.
    """

    path: Path
    crawl_id: int = None
    first: datetime = None
    last: datetime = None
    sites: set = field(default_factory=set)
    pages: int = 0
    post_ids: set = field(default_factory=set)
    comments: int = 0
    failed: int = 0
    revisits: int = 0
    not_ok: int = 0
    other: int = 0  # responses that are not an http(s) HTML, XML or JSON page
    outcome: Outcome = None

    def summary(self):
        return (f"{self.path.name}: {self.outcome.status}: {self.pages} pages, "
                f"{len(self.post_ids)} posts, {self.comments} comments; skipped {self.revisits} "
                f"revisits, {self.not_ok} non-2xx responses, {self.other} other responses; "
                f"{self.failed} failed to extract")


def import_warcs(db, paths):
    """Archive the pages of the WARC files at `paths`, each file a run in `crawls`, all their
    captures in WARC-Date order, so that captures of a post in runs over time make its
    history. Returns a WarcImport per file."""
    files = [WarcImport(Path(path)) for path in paths]
    captures = sorted(capture for index, imported in enumerate(files)
                      for capture in _captures(imported, index))
    now = datetime.now(timezone.utc)
    for imported in sorted(files, key=lambda imported: imported.first or now):
        name = imported.path.name
        imported.crawl_id = storage.start_crawl(db, None, name, {"warc": name},
                                                utc_iso(imported.first or now), mode="import")
    zones = storage.site_timezones(db)
    with contextlib.ExitStack() as stack:
        streams = [stack.enter_context(imported.path.open("rb")) for imported in files]
        for capture in captures:
            streams[capture.file].seek(capture.offset)
            record = next(iter(ArchiveIterator(streams[capture.file])))
            _archive(db, record, capture.fetched, files[capture.file], zones)
    for imported in files:
        _finish(db, imported, imported.last or now)
    return files


class NotAWarc(Exception):
    """A file warcio cannot read to its end as a WARC (or ARC) file."""


def _captures(imported, index):
    """The captures of one file worth archiving; counts the ones skipped. Files are read whole
    before anything is written, so one that is not a WARC stops the import before it starts."""
    try:
        yield from _read_captures(imported, index)
    except ArchiveLoadFailed as error:
        raise NotAWarc(f"{imported.path}: {error}") from None


def _read_captures(imported, index):
    with imported.path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            if record.rec_type == "revisit":
                imported.revisits += 1
                continue
            if record.rec_type != "response":
                continue
            url = record.rec_headers.get_header("WARC-Target-URI")
            if urlsplit(url).scheme not in ("http", "https"):
                imported.other += 1
                continue
            if not record.http_headers.get_statuscode().startswith("2"):
                imported.not_ok += 1
                continue
            if not _readable(record.http_headers):
                imported.other += 1
                continue
            fetched = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date"), tz_aware=True)
            imported.first = min(imported.first or fetched, fetched)
            imported.last = max(imported.last or fetched, fetched)
            rank = 0 if urlsplit(url).path == SITE_INDEX else 1
            yield Capture(rank, fetched, index, records.get_record_offset())


def _readable(http_headers):
    """An HTML, XML or JSON payload, in no content coding warcio cannot undo."""
    coding = (http_headers.get_header("Content-Encoding") or "").lower()
    return (READABLE_TYPES.search(http_headers.get_header("Content-Type") or "") is not None
            and (not coding or coding in BufferedReader.get_supported_decompressors()))


def _archive(db, record, fetched, imported, zones):
    """Store one capture, fetched at `fetched`, and the thread read from it, in one transaction."""
    url = record.rec_headers.get_header("WARC-Target-URI")
    parts = urlsplit(url)
    site = parts.netloc
    headers = _stored_headers(record.http_headers)
    body = record.content_stream().read()
    page = Page.from_bytes(url, body, headers.get("Content-Type"), fetched_utc=fetched, headers=headers)
    site_info = wordpress.read_site(page) if parts.path == SITE_INDEX else None
    if site_info is not None and site_info.site != site:
        site_info = None
    if site_info is not None and site_info.timezone:
        zones[site] = site_info.timezone
    thread, role = None, "site" if site_info is not None else "other"
    if site_info is None:
        try:
            thread = extract(page, timezone=zones.get(site))
            role = "post" if thread is not None else "other"
        except Exception:
            logger.exception("Extraction failed on %s; the page is archived raw", url)
            imported.failed += 1
            role = "post"  # so that `archiver reparse` reads it again with a better extractor
    seen = storage.Seen(imported.crawl_id, utc_iso(fetched))
    with storage.transaction(db):
        if site not in imported.sites:
            storage.save_site(db, SiteInfo(site=site, url=f"{parts.scheme}://{site}/"))
            imported.sites.add(site)
        if site_info is not None:
            storage.save_site(db, site_info)
        post_id = storage.save_thread(db, site, thread, seen=seen) if thread is not None else None
        storage.save_page(db, PageItem(url=url, status=int(record.http_headers.get_statuscode()),
                                       headers=headers, body=body, fetched_utc=seen.utc, role=role,
                                       site=site, encoding=page.encoding),
                          crawl_id=imported.crawl_id, post_id=post_id)
    imported.pages += 1
    if post_id is not None:
        imported.post_ids.add(post_id)


def _stored_headers(http_headers):
    """Response headers as a crawl stores them: names as Scrapy writes them, repeated ones
    joined, and no Content-Encoding or Transfer-Encoding for the codings warcio undid."""
    headers = {}
    for name, value in http_headers.headers:
        name = name.title()
        if name not in ("Content-Encoding", "Transfer-Encoding"):
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _finish(db, imported, finished):
    imported.comments = storage.count_comments(db, imported.post_ids)
    stats = {"finish_reason": "finished", "archiver/pages/saved": imported.pages,
             "archiver/pages/saved_ok": imported.pages, "archiver/posts/saved": len(imported.post_ids),
             "archiver/comments/saved": imported.comments, "archiver/extract/error": imported.failed,
             "archiver/warc/revisit": imported.revisits, "archiver/warc/not_2xx": imported.not_ok,
             "archiver/warc/other": imported.other}
    outcome = imported.outcome = crawl_outcome(stats)
    storage.finish_crawl(
        db, imported.crawl_id, site=next(iter(imported.sites)) if len(imported.sites) == 1 else None,
        finished_utc=utc_iso(finished), finish_reason="finished", status=outcome.status,
        pages=outcome.pages, posts=outcome.posts, comments=outcome.comments, errors=outcome.errors,
        **storage.crawl_changes(db, imported.crawl_id), stats=json.dumps(stats, sort_keys=True))
