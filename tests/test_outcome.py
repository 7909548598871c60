"""How a run is judged from its stats, for `archiver crawl`'s exit status and the crawls table."""

from archiver.outcome import crawl_outcome


def test_a_callback_that_raised_makes_the_run_partial_once_per_exception():
    outcome = crawl_outcome({"archiver/pages/saved_ok": 3, "spider_exceptions/AttributeError": 1,
                             "spider_exceptions/count": 1, "finish_reason": "finished"})
    assert (outcome.status, outcome.errors, outcome.exit_code) == ("partial", 1, 0)


def test_a_run_that_archived_nothing_failed():
    outcome = crawl_outcome({"archiver/fetch/failed/timeout": 2, "finish_reason": "finished"})
    assert (outcome.status, outcome.errors, outcome.exit_code) == ("failed", 2, 1)


def test_a_run_after_which_the_archive_holds_no_post_of_its_blog_failed():
    stats = {"archiver/pages/saved_ok": 5, "archiver/posts/in_archive": 0,
             "finish_reason": "finished"}
    assert (crawl_outcome(stats).status, crawl_outcome(stats).exit_code) == ("failed", 1)


def test_a_run_that_found_nothing_new_on_an_archived_blog_is_ok():
    outcome = crawl_outcome({"archiver/pages/saved_ok": 4, "archiver/posts/saved": 0,
                             "archiver/posts/in_archive": 7, "finish_reason": "finished"})
    assert (outcome.status, outcome.exit_code) == ("ok", 0)
