"""WARC files: the archive's stored responses written out for other tools (replay, other
archives), and WARCs other tools wrote (wget, grab-site, our own export) read into the archive.

warcio reads and writes them: record framing, digests, gzip members and the chunked and
compressed payloads other crawlers keep.
"""

from __future__ import annotations

import contextlib
import http
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import version
from io import BytesIO
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlsplit

from sqlite_utils import Database
from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import BufferedReader
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.timeutils import iso_date_to_datetime
from warcio.warcwriter import WARCWriter

from archiver import ingest, storage
from archiver.dates import utc_iso
from archiver.items import Role
from archiver.outcome import Outcome, crawl_outcome

WARC_1_1 = "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/"
# Scrapy undoes the chunking and the content codings it knows and drops their headers (a
# Content-Encoding still stored names a coding the body is still in), but keeps Content-Length,
# the length on the wire. A header that no longer describes the stored body keeps its value
# under this prefix, as the Wayback Machine and pywb name such headers.
ORIGINAL = "X-Archive-Orig-"
READABLE_TYPES = re.compile(r"html|xml|json", re.I)
SITE_INDEX = "/wp-json/"
# A field of our own on each response record: the role the page was archived as, so that an
# import of our export archives every page as the crawl did (WARC 1.1 lets writers add fields).
ROLE_FIELD = "Thread-Archiver-Role"


def export_warc(db: Database, output: str | Path, site: str | None = None) -> int:
    """Write every stored response (of `site`, or of every blog) to `output` as a WARC 1.1 file,
    gzipped when its name ends in .gz; return how many were written.

    No request records: the archive keeps no requests, and one made up now would claim headers
    that were never sent.
    """
    path = Path(output)
    written = 0
    with path.open("wb") as stream:
        writer = WARCWriter(stream, gzip=path.suffix == ".gz", warc_version="1.1")
        info = writer.create_warcinfo_record(path.name, {
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
    http_headers = StatusAndHeaders(status_line,
                                    _headers_of_body(json.loads(row["headers"]), len(body)),
                                    protocol="HTTP/1.1")
    return writer.create_warc_record(
        row["url"], "response", payload=BytesIO(body), length=len(body), http_headers=http_headers,
        warc_headers_dict={"WARC-Date": row["fetched_utc"], "WARC-Warcinfo-ID": warcinfo_id,
                           ROLE_FIELD: row["role"]})


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
    were fetched. Its counts are kept under the keys of a crawl's stats.
    """

    path: Path
    first: datetime | None = None
    last: datetime | None = None
    counts: ingest.Tally = field(default_factory=ingest.Tally)
    run: ingest.Run | None = None
    comments: int = 0
    outcome: Outcome | None = None

    @property
    def exit_code(self) -> int:
        assert self.outcome is not None, "known once the import is finished"
        return self.outcome.exit_code

    def summary(self) -> str:
        assert self.run is not None and self.outcome is not None
        counts = self.counts
        return (f"{self.path.name}: {self.outcome.status}: {self.outcome.pages} pages, "
                f"{len(self.run.post_ids)} posts, {self.comments} comments; skipped "
                f"{counts['archiver/warc/revisit']} revisits, {counts['archiver/warc/not_2xx']} "
                f"non-2xx responses, {counts['archiver/warc/other']} other responses; "
                f"{counts['archiver/extract/error']} failed to extract")


def import_warcs(db: Database, paths: Iterable[str | Path]) -> list[WarcImport]:
    """Archive the pages of the WARC files at `paths`, each file a run in `crawls`, all their
    captures in WARC-Date order, so that captures of a post in runs over time make its
    history. Returns a WarcImport per file."""
    files = [WarcImport(Path(path)) for path in paths]
    captures = sorted(capture for index, imported in enumerate(files)
                      for capture in _captures(imported, index))
    now = datetime.now(UTC)
    for imported in sorted(files, key=lambda imported: imported.first or now):
        name = imported.path.name
        crawl_id = storage.start_crawl(db, None, name, {"warc": name},
                                       utc_iso(imported.first or now), mode="import")
        imported.run = ingest.Run(crawl_id, imported.counts)
    zones = storage.site_timezones(db)
    with contextlib.ExitStack() as stack:
        streams = [stack.enter_context(imported.path.open("rb")) for imported in files]
        for capture in captures:
            streams[capture.file].seek(capture.offset)
            record = next(iter(ArchiveIterator(streams[capture.file])))
            run = files[capture.file].run
            assert run is not None
            _archive(db, record, capture.fetched, run, zones)
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
    """Every response our export recorded the role of, as the crawl archived it; of the
    others, the 2xx HTML, XML and JSON pages."""
    with imported.path.open("rb") as stream:
        records = ArchiveIterator(stream)
        for record in records:
            skipped = _skipped(record)
            if skipped:
                imported.counts.inc_value(f"archiver/warc/{skipped}")
                continue
            if record.rec_type != "response":
                continue
            fetched = iso_date_to_datetime(record.rec_headers.get_header("WARC-Date"),
                                           tz_aware=True)
            imported.first = min(imported.first or fetched, fetched)
            imported.last = max(imported.last or fetched, fetched)
            url = record.rec_headers.get_header("WARC-Target-URI")
            rank = 0 if urlsplit(url).path == SITE_INDEX else 1
            yield Capture(rank, fetched, index, records.get_record_offset())


def _skipped(record):
    """Why a record is not archived, as its stats key says, or None."""
    if record.rec_type == "revisit":
        return "revisit"
    if record.rec_type != "response":
        return None
    if urlsplit(record.rec_headers.get_header("WARC-Target-URI")).scheme not in ("http", "https"):
        return "other"
    if _recorded_role(record) is not None:
        return None
    if not record.http_headers.get_statuscode().startswith("2"):
        return "not_2xx"
    return None if _readable(record.http_headers) else "other"


def _readable(http_headers):
    """An HTML, XML or JSON payload, in no content coding warcio cannot undo."""
    return (READABLE_TYPES.search(http_headers.get_header("Content-Type") or "") is not None
            and _decodable(http_headers))


def _decodable(http_headers):
    """Whether the payload is in no content coding, or in one warcio undoes."""
    coding = (http_headers.get_header("Content-Encoding") or "").lower()
    return not coding or coding in BufferedReader.get_supported_decompressors()


def _recorded_role(record):
    """The role our export recorded a response was fetched as, or None."""
    value = record.rec_headers.get_header(ROLE_FIELD)
    return Role(value) if value in set(Role) else None


def _archive(db, record, fetched, run, zones):
    """Store one capture, fetched at `fetched`, and what was read from it."""
    url = record.rec_headers.get_header("WARC-Target-URI")
    site = urlsplit(url).netloc
    role = _recorded_role(record)
    item = ingest.stored_item(url, int(record.http_headers.get_statuscode()),
                              _stored_headers(record.http_headers),
                              record.content_stream().read(), utc_iso(fetched),
                              role or Role.OTHER, site, zones.get(site))
    reading = ingest.read(item) if role is not None else _read_unrecorded(item)
    if reading.site_info is not None and reading.site_info.timezone:
        zones[site] = reading.site_info.timezone
    ingest.archive(db, item, reading, run)


def _read_unrecorded(item):
    """Read a capture no role was recorded for (another tool wrote its WARC file): the blog's
    REST index where it is one, else a page read for a thread, whose role then says what it
    held: a post's page for a thread read from HTML, another source of a thread for one from a
    feed or an API, other for none. A page extraction failed on stays a post's page, for
    `archiver reparse` to read again."""
    if urlsplit(item.url).path == SITE_INDEX:
        item.role = Role.SITE
        reading = ingest.read(item)
        if reading.site_info is not None:
            return reading
    item.role = Role.POST
    reading = ingest.read(item)
    if reading.thread is not None and reading.thread.source != "html":
        item.role = Role.COMMENTS
    elif reading.thread is None and not reading.failed:
        item.role = Role.OTHER
    return reading


def _stored_headers(http_headers):
    """Response headers as a crawl stores them: names as Scrapy writes them, repeated ones
    joined, and no Content-Encoding or Transfer-Encoding for the codings warcio undid."""
    undone = ["Transfer-Encoding"]
    if _decodable(http_headers):
        undone.append("Content-Encoding")
    headers = {}
    for name, value in http_headers.headers:
        name = name.title()
        if name not in undone:
            headers[name] = f"{headers[name]}, {value}" if name in headers else value
    return headers


def _finish(db, imported, finished):
    run = imported.run
    imported.comments = storage.count_comments(db, run.post_ids)
    stats = {"finish_reason": "finished", **imported.counts,
             "archiver/posts/saved": len(run.post_ids),
             "archiver/comments/saved": imported.comments}
    outcome = imported.outcome = crawl_outcome(stats)
    storage.finish_crawl(
        db, run.crawl_id, site=next(iter(run.sites)) if len(run.sites) == 1 else None,
        finished_utc=utc_iso(finished), finish_reason="finished", status=outcome.status,
        pages=outcome.pages, posts=outcome.posts, comments=outcome.comments, errors=outcome.errors,
        **storage.crawl_changes(db, run.crawl_id), stats=json.dumps(stats, sort_keys=True))
