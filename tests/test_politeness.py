"""A blog's own word on its pace is kept: robots.txt's Crawl-delay spaces every request to it,
AutoThrottle or not, and a 429's Retry-After holds its retry; each capped, so that no blog
stalls a run. Real crawls of one post of the demo blog, served on loopback by a server that
notes when each request came: the gaps are checked from below, which a loaded machine only
widens."""

import pytest
from scrapy.http import Response

from archiver.demo import Reply
from archiver.politeness import retry_after_seconds
from tests.blogserver import EXAMPLE_POST, serving
from tests.helpers import DEMO_BLOG, crawl, rows
from tests.replies import ApiReply

ROBOTS = "/robots.txt"


def robots_asking(delay):
    return Reply(200, "text/plain; charset=utf-8",
                 f"User-agent: *\nCrawl-delay: {delay}\nDisallow: /wp-admin/\n".encode())


def gaps_from(blog, target):
    """The seconds between each request the blog had from the first for `target` on."""
    times = blog.asked_at[blog.asked.index(target):]
    return [later - earlier for earlier, later in zip(times, times[1:], strict=False)]


@pytest.mark.parametrize("asked, settings, said", [
    (1, ["-s", "AUTOTHROTTLE_ENABLED=True"],
     "robots.txt of 127.0.0.1 asks for 1.0 s between requests: kept"),
    (3600, ["-s", "CRAWL_DELAY_MAX=1"],
     "robots.txt of 127.0.0.1 asks for 3600.0 s between requests: 1.0 s kept (CRAWL_DELAY_MAX)"),
], ids=["under-autothrottle", "cut-down-to-the-cap"])
def test_crawl_delay_spaces_every_request_to_the_blog(tmp_path, asked, settings, said):
    with serving(DEMO_BLOG) as blog, blog.scripted({ROBOTS: [robots_asking(asked)]}):
        log = crawl(blog.url + EXAMPLE_POST[1:], tmp_path / "archive.db", tmp_path, *settings)
        gaps = gaps_from(blog, ROBOTS)
    assert len(gaps) >= 3 and min(gaps) >= 0.95, gaps
    assert said in log


def test_a_429_s_retry_after_holds_the_retry_and_the_page_is_archived(tmp_path):
    busy = ApiReply(429, "text/plain; charset=utf-8", b"Slow down\n",
                    headers=(("Retry-After", "2"),))
    db = tmp_path / "archive.db"
    with serving(DEMO_BLOG) as blog, blog.scripted({EXAMPLE_POST: [busy]}):
        log = crawl(blog.url + EXAMPLE_POST[1:], db, tmp_path, "-s", "RETRY_TIMES=1")
        gaps = gaps_from(blog, EXAMPLE_POST)
        asked_again = blog.asked.count(EXAMPLE_POST)
    # Held for the retry, and no longer once the blog answered it.
    assert asked_again == 2 and gaps[0] >= 1.95 and min(gaps[1:]) < 1, gaps
    assert f"{blog.url}{EXAMPLE_POST[1:]} answered 429, asking to wait 2.0 s" in log
    assert rows(db, "SELECT status FROM pages WHERE url = ?", blog.url + EXAMPLE_POST[1:]) == [
        (200,)]


def test_retry_after_is_read_as_seconds_or_as_a_date_on_the_server_s_clock():
    def answer(**headers):
        return Response("https://blog.example/", status=503, headers=headers)

    assert retry_after_seconds(answer(**{"Retry-After": "120"})) == 120
    assert retry_after_seconds(answer(**{"Retry-After": "Wed, 21 Oct 2026 07:28:30 GMT",
                                         "Date": "Wed, 21 Oct 2026 07:28:00 GMT"})) == 30
    assert retry_after_seconds(answer(**{"Retry-After": "soon"})) is None
    assert retry_after_seconds(answer()) is None
