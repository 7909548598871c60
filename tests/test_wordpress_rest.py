"""The WordPress REST API as a thread source: REST answers read on their own, and real crawls of
the demo blog whose REST routes tests/blogserver.py scripts (answering, refusing, or disabled)."""

import json
from pathlib import Path

import pytest

from archiver.extractors import extract, extractor_for, find_links, wordpress_rest
from archiver.page import Page
from archiver.thread_json import thread_as_json
from tests.blogserver import running
from tests.helpers import EXAMPLE, EXAMPLE_THREAD, crawl, rows

COLLECTIONS = Path(__file__).resolve().parent / "demo_rest"
SITE = "https://blog.example/"
POST_URL = (SITE + "2014/08/12/"
            "iraqi-communists-call-on-worlds-proletariat-to-unite-against-islamists/")
COMMENTS = (f"{SITE}wp-json/wp/v2/comments?post=1&per_page=100&orderby=id&order=asc"
            "&_fields=id,post,parent,author_name,author_url,date,date_gmt,link,content")
# What tests/blogserver.py --rest json adds to the example thread: a reply approved after the
# page was cached, which only the REST API shows; its depth follows from its parent's.
LATE_REPLY = (10, "75", "9", 4, "comment", "Sue R", None, "2014-08-14T08:05:00Z")


def recorded(name, post=None):
    """A recorded collection of the demo blog's REST API, as answered from https://blog.example."""
    items = json.loads((COLLECTIONS / f"{name}.json").read_text(encoding="utf-8"))
    text = json.dumps([item for item in items if post is None or item["post"] == post])
    return text.replace("http://127.0.0.1:8082", SITE.rstrip("/"))


def answer(text, url=COMMENTS, **headers):
    return Page(url, text, content_type="application/json; charset=UTF-8", headers=headers)


def test_a_page_of_comments_reads_as_a_rest_thread_with_exact_ids_parents_and_times():
    thread = extract(answer(recorded("comments", post=1)), timezone="Europe/London")
    assert (thread.source, thread.platform, thread.post.url, thread.post.platform_id) == (
        "rest", "wordpress", POST_URL, "1")
    assert [(c.platform_id, c.parent_platform_id, c.parent, c.depth, c.type, c.author, c.author_url,
             c.published_shown, c.published_local, c.published_utc) for c in thread.comments] == [
        ("1", None, None, 1, "comment", "Jim Monaghan", None, None,
         "2014-08-12T14:15:00+01:00", "2014-08-12T13:15:00Z"),
        ("2", None, None, 1, "comment", "Andrew Coates", "https://tendance.example.org/", None,
         "2014-08-12T15:55:00+01:00", "2014-08-12T14:55:00Z"),
        # The stored name is empty: the HTML shows "Anonymous" for it, and wins.
        ("4", None, None, 1, "comment", "", None, None,
         "2014-08-12T23:22:00+01:00", "2014-08-12T22:22:00Z"),
        ("6", None, None, 1, "comment", "Jim Denham", "https://shiraz.example.net/", None,
         "2014-08-13T13:47:00+01:00", "2014-08-13T12:47:00Z"),
        ("7", None, None, 1, "comment", "Sue R", None, None,
         "2014-08-13T15:23:00+01:00", "2014-08-13T14:23:00Z"),
        ("8", "6", 3, 2, "comment", "Andrew Coates", "https://tendance.example.org/", None,
         "2014-08-13T17:02:00+01:00", "2014-08-13T16:02:00Z"),
        ("9", "8", 5, 3, "comment", "Jim Denham", "https://shiraz.example.net/", None,
         "2014-08-13T18:30:00+01:00", "2014-08-13T17:30:00Z"),
        ("75", "9", 6, 4, "comment", "Sue R", None, None,
         "2014-08-14T09:05:00+01:00", "2014-08-14T08:05:00Z"),
    ]
    first = thread_as_json(thread)["comments"][0]
    assert (first["body"], first["links"], first["published"]) == (
        "Worth reading alongside this, from a rather different angle: "
        "http://www.internationalviewpoint.org/spip.php?article3512 The ICP were part of the "
        "governing coalition not so long ago, which colours how some people read their appeals.",
        [{"url": "http://www.internationalviewpoint.org/spip.php?article3512",
          "text": "http://www.internationalviewpoint.org/spip.php?article3512"}],
        "2014-08-12T14:15:00")


def test_times_are_the_stored_wall_times_in_the_sites_zone_not_the_skewed_date_gmt():
    # As WordPress answers for a comment written at 01:47:05 GMT, in the hour London's clocks
    # skip on 2014-03-30: its date_gmt read the GMT time as a London wall time, an hour late.
    item = {"id": 215, "post": 7, "parent": 0, "author_name": "A", "date": "2014-03-30T02:47:05",
            "date_gmt": "2014-03-30T02:47:05", "link": f"{SITE}?p=7#comment-215",
            "content": {"rendered": "<p>x</p>"}}
    zoned = extract(answer(json.dumps([item])), timezone="Europe/London")
    assert zoned.post.url == SITE + "?p=7"
    assert [(c.published, c.published_local, c.published_utc) for c in zoned.comments] == [
        ("2014-03-30T02:47:05", "2014-03-30T02:47:05+01:00", "2014-03-30T01:47:05Z")]
    unzoned = extract(answer(json.dumps([item])))
    assert [(c.published, c.published_local, c.published_utc) for c in unzoned.comments] == [
        ("2014-03-30T02:47:05", "2014-03-30T02:47:05", None)]


def test_a_reply_whose_parent_is_on_an_earlier_page_keeps_its_parents_id_but_no_depth():
    items = [item for item in json.loads(recorded("comments", post=1)) if item["id"] in (9, 75)]
    thread = extract(answer(json.dumps(items)), timezone="Europe/London")
    assert [(c.platform_id, c.parent_platform_id, c.parent, c.depth) for c in thread.comments] == [
        ("9", "8", None, None), ("75", "9", 0, None)]


def test_the_next_page_comes_from_the_link_header_or_else_the_page_count():
    linked = answer("[]", **{"Link": f'<{COMMENTS}&page=1>; rel="prev", <{COMMENTS}&page=3>; '
                                     f'rel="next"',
                             "X-WP-TotalPages": "3"})
    assert find_links(linked).feeds == []  # an empty answer has no thread to go on with
    page = recorded("comments", post=1)
    assert find_links(answer(page, **{"Link": f'<{COMMENTS}&page=1>; rel="prev", '
                                              f'<{COMMENTS}&page=3>; rel="next"'})).feeds == [
        COMMENTS + "&page=3"]
    assert find_links(answer(page, url=COMMENTS + "&page=2", **{"X-WP-TotalPages": "3"})).feeds == [
        COMMENTS + "&page=3"]
    assert find_links(answer(page, url=COMMENTS + "&page=3",
                             **{"X-WP-TotalPages": "3"})).feeds == []
    assert find_links(answer(page)).feeds == []


def test_a_page_of_posts_lists_the_posts_and_the_next_page():
    url = wordpress_rest.posts_url(SITE + "wp-json/")
    links = find_links(answer(recorded("posts"), url=url, **{"X-WP-TotalPages": "2"}))
    assert url == SITE + "wp-json/wp/v2/posts?per_page=100&_fields=id,link,date_gmt"
    assert links.listings == [url + "&page=2"]
    assert links.posts == [SITE + path for path in (
        "2023/04/23/whatever-happened-to-the-arab-spring-part-2/",
        "2022/08/09/solidarity-%e2%9c%8a-with-the-kurds/",
        "2015/03/01/open-thread-anything-goes-comments-paginated/",
        "2015/01/02/review-the-arab-spring-revisited/",
        "2014/08/12/iraqi-communists-call-on-worlds-proletariat-to-unite-against-islamists/",
        "2014/02/09/why-kurdistan-still-matters/")]
    assert extract(answer(recorded("posts"), url=url)) is None


def test_rest_answers_are_recognised_by_address_or_by_shape():
    assert extractor_for(answer("[]")) is wordpress_rest
    refused = '{"code":"rest_forbidden","data":{"status":401}}'
    assert extractor_for(answer(refused)) is wordpress_rest
    assert extractor_for(Page("file:///saved/comments.json",
                              recorded("comments", post=1))) is wordpress_rest
    assert extractor_for(Page("file:///saved/feed.json",
                              '{"version": "https://jsonfeed.org/version/1.1"}')) \
        is not wordpress_rest
    assert extractor_for(Page(POST_URL,
                              "<html><body><p>[wp-json]</p></body></html>")) is not wordpress_rest


def post_page(head, body_class="single single-post postid-7"):
    return Page(POST_URL, f"""<!DOCTYPE html><html lang="en"><head>
<meta name="generator" content="WordPress 6.4"><link rel="canonical" href="{POST_URL}">{head}
</head><body class="{body_class}"><article><h1 class="entry-title">A post</h1>
<div class="entry-content"><p>Text.</p></div></article><div id="comments" class="comments-area">
</div></body></html>""")


@pytest.mark.parametrize("head, body_class, expected", [
    # The API's discovery link and the post's own resource: WordPress prints both by default.
    (f'<link rel="https://api.w.org/" href="{SITE}wp-json/"><link rel="alternate" '
     f'type="application/json" href="{SITE}wp-json/wp/v2/posts/1">', "single postid-7", COMMENTS),
    # Without pretty permalinks the API answers at ?rest_route=.
    (f'<link rel="https://api.w.org/" href="{SITE}?rest_route=/"><link rel="shortlink" '
     f'href="{SITE}?p=1">',
     "single", f"{SITE}?rest_route=/wp/v2/comments&post=1&per_page=100&orderby=id&order=asc"
               "&_fields=id,post,parent,author_name,author_url,date,date_gmt,link,content"),
    # Discovery links removed from the head: the post id of the markup, at the usual root.
    ("", "single single-post postid-1", COMMENTS),
])
def test_a_post_page_names_its_rest_comments_among_its_thread_sources(head, body_class, expected):
    assert find_links(post_page(head, body_class)).feeds == [expected]


def test_a_page_without_a_post_id_names_no_rest_comments():
    assert wordpress_rest.comments_url(post_page("", "single")) is None


def serving(mode):
    """The demo blog with its REST API in `mode` (None: as the snapshot has it); yields its
    base URL."""
    return running("data/demo-blog", *(["--rest", mode] if mode else []))


@pytest.fixture(scope="module")
def rest_blog():
    """The demo blog, its REST API answering from the recorded collections."""
    with serving("json") as url:
        yield url


def thread_rows(db, blog):
    return rows(db, "SELECT c.position, c.platform_id, parent.platform_id, c.depth, c.type, "
                    "c.author, c.published_shown, c.published_utc "
                    "FROM comments c JOIN posts p ON p.id = c.post_id "
                    "LEFT JOIN comments parent ON parent.id = c.parent_id WHERE p.url = ? "
                    "ORDER BY c.position", blog + EXAMPLE)


def stats(db):
    """The crawl's fetch outcomes and its request count (robots.txt included)."""
    (text,) = rows(db, "SELECT stats FROM crawls")[0]
    return {key: value for key, value in json.loads(text).items()
            if key.startswith("archiver/fetch/") or key == "downloader/request_count"}


def test_rest_pages_through_a_thread_and_fills_in_what_the_page_lacks(rest_blog, tmp_path):
    db = tmp_path / "rest.db"
    crawl(rest_blog + EXAMPLE, db, tmp_path)
    # The HTML rows stand; the REST API adds the reply the cached page predates, with its parent
    # (on another page of the answer) and the GMT time WordPress stored.
    assert thread_rows(db, rest_blog) == EXAMPLE_THREAD + [LATE_REPLY]
    assert rows(db, "SELECT platform_id, source, published_local, permalink FROM comments "
                    "WHERE platform_id IN ('9', '75') ORDER BY id") == [
        ("9", "html", "2014-08-13T18:30:00+01:00", rest_blog + EXAMPLE + "#comment-9"),
        ("75", "rest", "2014-08-14T09:05:00+01:00",
         rest_blog + EXAMPLE + "comment-page-1/#comment-75")]
    following = ("wp-json/wp/v2/comments?post%5B0%5D=1&per_page=100&orderby=id&order=asc"
                 "&_fields=id%2Cpost%2Cparent%2Cauthor_name%2Cauthor_url%2Cdate%2Cdate_gmt"
                 "%2Clink%2Ccontent&page=")
    assert rows(db, "SELECT substr(url, length(?) + 1), status FROM pages WHERE url LIKE "
                    "'%/wp/v2/%' ORDER BY id", rest_blog) == [
        (COMMENTS[len(SITE):], 200), (following + "2", 200), (following + "3", 200)]
    assert stats(db) == {"downloader/request_count": 7}


def test_rest_lists_the_posts_published_after_since(rest_blog, tmp_path):
    db = tmp_path / "since.db"
    crawl(rest_blog, db, tmp_path, "-a", "since=2015-01-01")
    assert rows(db, "SELECT substr(url, length(?) + 1), status, role FROM pages "
                    "WHERE url LIKE '%/wp/v2/posts%' ORDER BY id", rest_blog) == [
        ("wp-json/wp/v2/posts?per_page=100&_fields=id,link,date_gmt&after=2015-01-01T00:00:00",
         200, "rest_posts"),
        ("wp-json/wp/v2/posts?per_page=100&_fields=id%2Clink%2Cdate_gmt"
         "&after=2015-01-01T00%3A00%3A00&page=2", 200, "rest_posts")]
    assert rows(db, "SELECT substr(url, length(?) + 1), comment_count FROM posts ORDER BY url",
                rest_blog) == [
        ("2015/01/02/review-the-arab-spring-revisited/", 5),
        ("2015/03/01/open-thread-anything-goes-comments-paginated/", 42),
        ("2022/08/09/solidarity-%e2%9c%8a-with-the-kurds/", 0),
        ("2023/04/23/whatever-happened-to-the-arab-spring-part-2/", 0),
        ("about-this-blog/", 0)]  # a page, not a post: its URL has no date to judge by
    assert rows(db, "SELECT status FROM crawls") == [("ok",)]


@pytest.mark.parametrize("mode, log_line, counted", [
    # The snapshot's index lists wp/v2, but it holds no other REST route.
    (None,
     "HTTP 404 for {blog}" + COMMENTS[len(SITE):] + " (comments), archived raw, crawl goes on",
     {"archiver/fetch/optional/http_404": 1, "downloader/request_count": 5}),
    ("401",
     "HTTP 401 for {blog}" + COMMENTS[len(SITE):] + " (comments), archived raw, crawl goes on",
     {"archiver/fetch/optional/http_401": 1, "downloader/request_count": 5}),
    ("html", "REST API address {blog}" + COMMENTS[len(SITE):] + " (comments) answered text/html; "
     "charset=UTF-8, not JSON: the HTML pages alone give what it would have",
     {"archiver/fetch/optional/not_json": 1, "downloader/request_count": 5}),
    # REST disabled for visitors: its index refuses too, and nothing else is asked of it.
    ("disabled", "No WordPress REST index at {blog}wp-json/: times without a zone on the page stay "
     "local wall times, comments come from the HTML pages and feeds alone",
     {"archiver/fetch/optional/http_401": 1, "downloader/request_count": 4}),
])
def test_without_rest_answers_the_thread_comes_from_the_html(mode, log_line, counted, tmp_path):
    db = tmp_path / "html.db"
    with serving(mode) as blog:
        log = crawl(blog + EXAMPLE, db, tmp_path)
    assert log_line.format(blog=blog) in log
    assert stats(db) == counted
    assert thread_rows(db, blog) == EXAMPLE_THREAD
    assert rows(db, "SELECT status FROM crawls") == [("ok",)]


def test_a_rest_api_that_refuses_the_posts_is_asked_nothing_more(tmp_path):
    db = tmp_path / "refused.db"
    with serving("401") as blog:
        log = crawl(blog, db, tmp_path)
    assert ("The REST API did not list the posts: comments from the HTML pages and feeds alone"
            in log)
    assert rows(db,
                "SELECT substr(url, length(?) + 1), status FROM pages WHERE url LIKE '%/wp/v2/%'",
                blog) == [("wp-json/wp/v2/posts?per_page=100&_fields=id,link,date_gmt", 401)]
    assert rows(db, "SELECT count(*), sum(comment_count) FROM posts") == [(7, 58)]
    assert rows(db, "SELECT status FROM crawls") == [("ok",)]


def test_a_lone_surrogate_escaped_in_a_rest_answer_is_dropped_and_the_comment_kept():
    item = {"id": 3, "post": 1, "parent": 0, "author_name": "Ann\\ud800",
            "date": "2014-08-12T14:15:00", "date_gmt": "2014-08-12T13:15:00",
            "link": f"{POST_URL}#comment-3", "content": {"rendered": "\\udfffBroken \\ud83d text"}}
    text = json.dumps([item]).replace("\\\\u", "\\u")
    thread = extract(answer(text), timezone="Europe/London")
    assert [(c.platform_id, c.author, c.body_text) for c in thread.comments] == [
        ("3", "Ann", "Broken text")]
