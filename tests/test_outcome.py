"""How a run is judged from its stats, for `archiver crawl`'s exit status and the crawls table."""

from archiver.outcome import crawl_outcome


def test_a_callback_that_raised_makes_the_run_partial_once_per_exception():
    outcome = crawl_outcome({"archiver/pages/saved_ok": 3, "spider_exceptions/AttributeError": 1,
                             "spider_exceptions/count": 1, "finish_reason": "finished"})
    assert (outcome.status, outcome.errors, outcome.exit_code) == ("partial", 1, 0)


def test_a_run_that_archived_nothing_failed():
    outcome = crawl_outcome({"archiver/fetch/failed/timeout": 2, "finish_reason": "finished"})
    assert (outcome.status, outcome.errors, outcome.exit_code) == ("failed", 2, 1)
