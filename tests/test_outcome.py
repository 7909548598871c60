"""How a run is judged from its stats, for `archiver crawl`'s exit status and the crawls table."""

import pytest

from archiver.fault_causes import failure_cause
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


def test_an_incremental_run_says_what_it_checked_found_and_what_the_archive_holds():
    outcome = crawl_outcome({
        "archiver/pages/saved_ok": 12, "archiver/posts/saved": 3, "archiver/comments/saved": 40,
        "archiver/fetch/failed/http_500": 1, "archiver/posts/in_archive": 8,
        "archiver/comments/in_archive": 61, "archiver/run/mode": "incremental",
        "archiver/threads/checked": 7, "archiver/changes/posts_new": 1,
        "archiver/changes/comments_new": 3, "archiver/changes/posts_changed": 0,
        "archiver/changes/comments_changed": 1, "archiver/changes/comments_removed": 2,
        "finish_reason": "finished"})
    assert outcome.summary() == (
        "partial: incremental, 7 threads checked, 2 read again, 1 new post, 3 new comments, "
        "1 edited comment, 2 removed comments; archive holds 8 posts, 61 comments; 12 pages, "
        "1 errors")


def test_a_first_or_full_run_says_what_it_archived():
    outcome = crawl_outcome({"archiver/pages/saved_ok": 20, "archiver/posts/saved": 7,
                             "archiver/comments/saved": 58, "archiver/posts/in_archive": 7,
                             "archiver/run/mode": "full", "finish_reason": "finished"})
    assert outcome.summary() == "ok: 20 pages, 7 posts, 58 comments, 0 errors"


@pytest.mark.parametrize("failed, reason, cause", [
    ([("http://b.example/feed/", "timed out"), ("http://b.example/robots.txt", "HTTP 502"),
      ("http://b.example/", "HTTP 502")], "finished",
     "HTTP 502 at http://b.example/robots.txt: the host is not crawled while its robots.txt "
     "cannot be read (RFC 9309)"),
    ([("http://b.example/feed/", "timed out"), ("http://b.example/", "HTTP 404")], "finished",
     "HTTP 404 at http://b.example/"),
    ([("http://b.example/feed/", "timed out"), ("http://b.example/sitemap.xml", "HTTP 500")],
     "finished", "timed out at http://b.example/feed/"),
    ([], "finished", "no post found at http://b.example/"),
    ([("http://b.example/", "HTTP 500")], "shutdown",
     "stopped (SIGTERM or SIGINT) before the crawl finished"),
], ids=["robots-first", "then-the-start-url", "then-the-first", "nothing-failed", "stopped"])
def test_a_failed_run_s_cause_is_the_fault_that_kept_the_most_from_being_read(failed, reason,
                                                                              cause):
    listed = [{"url": url, "role": "", "reason": ""} for url, _ in failed]
    assert failure_cause(listed, dict(failed), "http://b.example/", reason) == cause
