"""Which archived threads an incremental run reads again, from the signals a blog gives."""

from datetime import UTC, datetime, timedelta

from archiver import freshness
from archiver.items import PageLinks
from archiver.storage import KnownPost

NOW = datetime(2026, 11, 25, 3, 15, tzinfo=UTC)
POST = "https://blog.example/2024/05/a-post/"


def known(read_days_ago=2, active_days_ago=400, comments=5, shown=None):
    def iso(days):
        return None if days is None else (NOW - timedelta(days=days)).strftime("%Y-%m-%dT%H:%M:%SZ")

    return KnownPost(id=1, platform_id="7", comments=comments, comments_shown=shown,
                     thread_read_utc=iso(read_days_ago), last_activity_utc=iso(active_days_ago),
                     stale=False)


def test_a_listing_signals_a_count_that_differs_or_a_change_after_the_last_read():
    posts = {POST: known(shown=5), "https://blog.example/other/": known()}
    assert freshness.changed_posts(PageLinks(posts=[POST], comment_counts={POST: 5}),
                                   posts) == []
    assert freshness.changed_posts(PageLinks(posts=[POST], comment_counts={POST: 6}),
                                   posts) == [POST]
    read = posts[POST].thread_read_utc
    assert freshness.changed_posts(PageLinks(posts=[POST], modified={POST: read}), posts) == []
    assert freshness.changed_posts(
        PageLinks(posts=[POST], modified={POST: "2026-11-24T12:00:00+01:00"}), posts) == [POST]
    # A post the archive does not hold is no change of one: it is new, and read anyway.
    new = "https://blog.example/new/"
    assert freshness.changed_posts(PageLinks(posts=[new], comment_counts={new: 1}), posts) == []


def test_the_count_a_post_page_showed_is_compared_before_the_archived_one():
    posts = {POST: known(comments=4, shown=5)}
    assert freshness.changed_posts(PageLinks(posts=[POST], comment_counts={POST: 5}),
                                   posts) == []


def test_a_thread_falls_due_sooner_the_more_recently_it_was_active():
    assert freshness.refresh_due(known(read_days_ago=None), POST, NOW, 30)
    # Quiet for over a year: due within 15 to 30 days of its last read, never before.
    assert not freshness.refresh_due(known(read_days_ago=14), POST, NOW, 30)
    assert freshness.refresh_due(known(read_days_ago=30), POST, NOW, 30)
    # A comment two days ago: read again after a day at most.
    assert freshness.refresh_due(known(read_days_ago=1, active_days_ago=2), POST, NOW, 30)
    assert not freshness.refresh_due(known(read_days_ago=0.4, active_days_ago=2), POST, NOW, 30)


def test_the_comment_index_is_read_whole_only_on_activity_a_changed_total_or_its_age():
    before = {"1": ("7", "a"), "2": ("7", "b")}
    recent = (NOW - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")

    def reason(newest, total, total_before, read_utc, earlier=before):
        return freshness.index_reread_reason(earlier, newest, total, total_before, read_utc, 7,
                                             NOW)

    assert reason({"2": ("7", "b")}, "2", "2", recent) is None
    assert "new or edited" in reason({"3": ("8", "c")}, "3", "2", recent)
    assert "new or edited" in reason({"2": ("7", "B")}, "2", "2", recent)
    assert reason({"2": ("7", "b")}, "1", "2", recent) == (
        "1 comments where the last whole read counted 2: reading it all")
    assert "more than 7 days" in reason({}, "2", "2", "2026-11-01T00:00:00Z")
    assert "no whole read" in reason({}, "2", None, None, earlier={})


def test_index_changes_name_the_posts_of_new_edited_and_gone_comments():
    before = {"1": ("7", "a"), "2": ("8", "b"), "3": ("9", "c")}
    now = {"1": ("7", "a"), "2": ("8", "B"), "4": ("10", "d")}
    assert freshness.index_changes(before, now, complete=True) == {"8", "9", "10"}
    # With a page of the index missing, a comment not seen may just be on it.
    assert freshness.index_changes(before, now, complete=False) == {"8", "10"}


def test_validators_dated_after_the_servers_clock_are_not_used():
    stored = {"etag": '"abc"', "last-modified": "Wed, 25 Nov 2026 01:00:00 GMT",
              "date": "Wed, 25 Nov 2026 02:00:00 GMT"}
    assert freshness.conditional_headers(stored) == {
        "If-None-Match": '"abc"', "If-Modified-Since": "Wed, 25 Nov 2026 01:00:00 GMT"}
    future = "Thu, 01 Jan 2099 12:00:00 GMT"
    assert freshness.conditional_headers({**stored, "last-modified": future}) is None
    assert freshness.conditional_headers({"date": stored["date"]}) is None
