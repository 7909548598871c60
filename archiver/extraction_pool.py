"""Extraction in other processes: a crawl's pages read (ingest.read, the one extraction path) on
other cores while the reactor's thread downloads, finds links and writes the archive.

A page crosses to a worker as what was fetched (the PageItem less its parsed Page, which does
not pickle and would cost more to send than to parse again there); its Reading comes back with
the log records the reading made, handled here as if made here, so the crawl's log and its
handlers see them as before.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from archiver import ingest
from archiver.items import PageItem

logger = logging.getLogger(__name__)

# The reactor runs threads, which a forked child would copy mid-state: workers start as new
# interpreters, children of the crawl itself, so that they can tell when it is gone.
START_METHOD = "spawn"


class _Kept(logging.Handler):
    """A worker's log records, made picklable as logging.handlers.QueueHandler makes them."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        record.msg, record.args, record.exc_info = record.getMessage(), None, None
        self.records.append(record)


def _leave_with_the_crawl() -> None:
    """A worker's watch on the crawl that started it: a crawl killed outright (SIGKILL) would
    otherwise leave its workers waiting for pages forever, holding its output open."""
    crawl = os.getppid()

    def watch() -> None:
        while os.getppid() == crawl:
            time.sleep(1)
        os._exit(1)
    threading.Thread(target=watch, daemon=True).start()


def read_in_worker(item: PageItem, since: str | None,
                   level: int) -> tuple[ingest.Reading, list[logging.LogRecord]]:
    """ingest.read in a worker, with the records it logged at `level` (the crawl's) or above."""
    kept = _Kept()
    root = logging.getLogger()
    root.setLevel(level)
    root.addHandler(kept)
    try:
        return ingest.read(item, since=since), kept.records
    finally:
        root.removeHandler(kept)


class ExtractionPool:
    """Worker processes that read pages, started when the first page is sent."""

    def __init__(self, processes: int) -> None:
        self.processes = processes
        self.executor: ProcessPoolExecutor | None = None

    async def read(self, item: PageItem, since: str | None) -> ingest.Reading:
        """What ingest.read(item) says, read in a worker. A worker that fails or dies is an
        extraction failure like any other (the page is archived raw); the next page starts
        a new pool when the old one is broken."""
        if self.executor is None:
            logger.info("Reading pages in %s worker process%s (EXTRACT_PROCESSES)",
                        self.processes, "" if self.processes == 1 else "es")
            self.executor = ProcessPoolExecutor(
                self.processes, mp_context=multiprocessing.get_context(START_METHOD),
                initializer=_leave_with_the_crawl)
        sent = dataclasses.replace(item, page=None, thread=None, reading=None)
        level = logging.getLogger("archiver").getEffectiveLevel()
        try:
            reading, records = await asyncio.wrap_future(
                self.executor.submit(read_in_worker, sent, since, level))
        except BrokenProcessPool:
            self.shutdown()
            return ingest.extraction_failed(item.url)
        except Exception:
            return ingest.extraction_failed(item.url)
        for record in records:
            logging.getLogger(record.name).handle(record)
        return reading

    def shutdown(self) -> None:
        if self.executor is not None:
            self.executor.shutdown(cancel_futures=True)
            self.executor = None
