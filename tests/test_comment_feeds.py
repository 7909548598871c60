"""A post's comment feed is asked for once every page of its thread has been read, and only
when those pages leave it something to fill; otherwise it is skipped, and the stats say which."""

from datetime import tzinfo
from zoneinfo import ZoneInfo

from archiver.items import PINGBACK, Comment, PageItem, Post, Role, Thread
from spiders.comment_feeds import CommentFeeds

POST = "http://blog.example/2023/10/28/a-post/"
FEED = POST + "feed/"
LONDON = ZoneInfo("Europe/London")


def comment(number: int, wall: str = "2023-10-28T11:00:00", utc: str | None = "",
            **fields: str) -> Comment:
    """A comment as the pages show it: its time shown as a wall time in LONDON."""
    return Comment(body_html="<p>Hi</p>", platform_id=str(number), published=wall,
                   published_utc=f"{wall[:16]}Z" if utc == "" else utc, **fields)


def page(url: str, comments: list[Comment], shown: int | None = None, number: int | None = None,
         more: tuple[str, ...] = ()) -> PageItem:
    item = PageItem(url=url, status=200, headers={}, body=b"", fetched_utc="2023-11-01T00:00:00Z",
                    role=Role.POST, site="blog.example")
    item.thread = Thread(platform="wordpress", post=Post(url=POST, comment_count_shown=shown),
                         comments=comments, comment_page=number, more_comment_pages=list(more))
    return item


def due(*pages: PageItem, zone: tzinfo | None = LONDON) -> list[tuple[list[str], str | None]]:
    feeds = CommentFeeds()
    feeds.hold(POST, [FEED])
    return [feeds.read(item, zone) for item in pages]


def test_a_thread_whose_pages_show_every_comment_timed_skips_its_feed():
    assert due(page(POST, [comment(1), comment(2)], shown=2)) == [([FEED], None)]


def test_a_pingback_without_a_date_or_a_time_the_zone_cannot_place_asks_for_the_feed():
    undated = comment(2, utc=None, type=PINGBACK)
    assert due(page(POST, [comment(1), undated], shown=2)) == [([FEED], "undated")]
    assert due(page(POST, [comment(1)], shown=1), zone=None) == [([FEED], None)]
    # The hour the clocks go back happens twice: the UTC time worked out may be an hour out.
    assert due(page(POST, [comment(1, wall="2023-10-29T01:30:00")], shown=1)) == [
        ([FEED], "inexact_time")]
    relative = comment(1, published_relative_to="2023-11-01T00:00:00Z")
    assert due(page(POST, [relative], shown=1)) == [([FEED], "inexact_time")]
    assert due(page(POST, [comment(1), Comment(body_html="<p>?</p>", published_utc="2023-10-28"
                                                                           "T11:00Z")],
                    shown=2)) == [([FEED], "unkeyed")]


def test_more_comments_counted_than_shown_or_no_count_asks_for_the_feed():
    assert due(page(POST, [comment(1)], shown=3)) == [([FEED], "uncounted")]
    assert due(page(POST, [comment(1)])) == [([FEED], "uncounted")]


def test_the_feed_waits_for_every_comment_page_of_the_thread():
    first = page(POST, [comment(1)], shown=2, number=2, more=(POST + "comment-page-1/",))
    second = page(POST + "comment-page-1/", [comment(2)], shown=2, number=1,
                  more=(POST + "comment-page-2/",))
    assert due(first, second) == [([], None), ([FEED], None)]


def test_a_page_of_the_thread_not_read_asks_for_the_feed_at_once_or_when_the_crawl_is_idle():
    failed = page(POST, [])
    failed.thread = None
    assert due(failed) == [([FEED], "page_unread")]
    feeds = CommentFeeds()
    feeds.hold(POST, [FEED])
    assert feeds.read(page(POST, [comment(1)], shown=2, number=2,
                           more=(POST + "comment-page-1/",)), LONDON) == ([], None)
    assert feeds.unread() == [FEED]
    assert feeds.unread() == []


def test_a_thread_whose_comment_section_shows_no_comment_and_no_count_skips_its_feed():
    feeds = CommentFeeds()
    feeds.hold(POST, [FEED], none_shown=True)
    assert feeds.read(page(POST, []), LONDON) == ([FEED], None)
    assert due(page(POST, [])) == [([FEED], "uncounted")]
