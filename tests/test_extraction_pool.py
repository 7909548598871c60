"""Pages read in a worker process: what they log is logged in the crawl's process, and a page
the worker cannot take is an extraction error like any other (the page is archived raw)."""

import asyncio
import dataclasses
import logging

from archiver.extraction_pool import ExtractionPool
from archiver.ingest import stored_item
from archiver.items import Role

PAGE = stored_item(url="http://blog.example/about/", status=200,
                   headers={"Content-Type": "text/html; charset=utf-8"},
                   body=b"<html><body></body></html>",
                   fetched_utc="2024-01-01T00:00:00Z", role=Role.POST, site="blog.example",
                   zone=None)


def test_a_worker_s_log_records_are_handled_here_and_a_page_it_cannot_take_is_an_error(caplog):
    caplog.set_level(logging.INFO)
    # A header value no pickle carries: the page never reaches the worker.
    unsendable = dataclasses.replace(PAGE, headers={"X-Callback": lambda: None})
    pool = ExtractionPool(1)

    async def read_both():
        return await pool.read(PAGE, None), await pool.read(unsendable, None)
    try:
        read, failed = asyncio.run(read_both())
    finally:
        pool.shutdown()
    assert (read.failed, read.counts) == (False, {"archiver/pages/not_a_post": 1})
    assert (failed.failed, failed.counts) == (True, {"archiver/extract/error": 1})
    assert [(record.name, record.getMessage()) for record in caplog.records
            if record.name.startswith("archiver")] == [
        ("archiver.extraction_pool", "Reading pages in 1 worker process (EXTRACT_PROCESSES)"),
        ("archiver.ingest", "Not a post or comment thread, archived raw only: "
                            "http://blog.example/about/"),
        ("archiver.ingest", "Extraction failed on http://blog.example/about/; the page is "
                            "archived raw")]
