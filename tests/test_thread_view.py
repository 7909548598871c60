"""The thread view and the raw copy of the archive of a real crawl of the demo blog, served by a
real `datasette` process with the project's plugins, templates and static files (what it shows
of edits, removals, hostile markup and tangled replies is in test_thread_view_edge_cases.py)."""

import contextlib
import re
import sqlite3

import pytest

from archiver import storage
from tests.helpers import (
    EXAMPLE,
    EXAMPLE_TITLE,
    OPEN_THREAD,
    get,
    html_page,
    post_id,
    rows,
    text,
    thread_address,
)
from tests.local_servers import datasette

# The example thread as the thread view shows it: each comment's platform id, author, where
# the author's name links, its time as shown, in the blog's time and in UTC, and its replies.
EXAMPLE_CONVERSATION: list[tuple] = [
    ("1", "Jim Monaghan", None, "August 12, 2014 at 2:15 pm",
     "2014-08-12 14:15 +01:00 Europe/London", "2014-08-12 13:15 UTC", []),
    ("2", "Andrew Coates", "https://tendance.example.org/", "August 12, 2014 at 3:55 pm",
     "2014-08-12 15:55 +01:00 Europe/London", "2014-08-12 14:55 UTC", []),
    ("3", "Iraq, the Left and the Islamic State | Another Left Blog",
     "http://anotherleftblog.wordpress.com/2014/08/12/iraq-the-left-and-the-islamic-state/", None,
     "2014-08-12 15:59 +01:00 Europe/London", "2014-08-12 14:59 UTC", []),
    ("4", "Anonymous", None, "August 12, 2014 at 11:22 pm",
     "2014-08-12 23:22 +01:00 Europe/London", "2014-08-12 22:22 UTC", []),
    ("5", "Iraqi Communist Party appeal: read it and pass it on | Workers' Solidarity Notes",
     "https://workerssolidaritynotes.example.net/2014/08/13/iraqi-communist-party-appeal/", None,
     "2014-08-13 08:31 +01:00 Europe/London", "2014-08-13 07:31 UTC", []),
    ("6", "Jim Denham", "https://shiraz.example.net/", "August 13, 2014 at 1:47 pm",
     "2014-08-13 13:47 +01:00 Europe/London", "2014-08-13 12:47 UTC", [
         ("8", "Andrew Coates", "https://tendance.example.org/", "August 13, 2014 at 5:02 pm",
          "2014-08-13 17:02 +01:00 Europe/London", "2014-08-13 16:02 UTC", [
              ("9", "Jim Denham", "https://shiraz.example.net/", "August 13, 2014 at 6:30 pm",
               "2014-08-13 18:30 +01:00 Europe/London", "2014-08-13 17:30 UTC", [])])]),
    ("7", "Sue R", None, "August 13, 2014 at 3:23 pm",
     "2014-08-13 15:23 +01:00 Europe/London", "2014-08-13 14:23 UTC", []),
]


def conversation(items, ids):
    """The nested comments of a thread view as (platform id, author, author link, as shown, local,
    UTC, replies): the replies read from the list inside each comment."""
    found = []
    for item in items:
        header = item.find_class("comment-header")[0]
        author = header.find_class("author")[0]
        shown = header.find_class("shown")
        found.append((ids[item.get("id")], text(author), author.get("href"),
                      text(shown[0]) if shown else None, text(header.find_class("local")[0]),
                      text(header.find_class("utc")[0]),
                      conversation(item.xpath("./ol[@class='replies']/li"), ids)))
    return found


@pytest.fixture(scope="module")
def demo(demo_blog, demo_archive, tmp_path_factory):
    """The archive of the demo blog, served; yields (Datasette's base URL, the archive's path,
    the blog's base URL)."""
    tmp_path = tmp_path_factory.mktemp("demo")
    # A database that is no archive, served beside it, has no thread view.
    with contextlib.closing(sqlite3.connect(tmp_path / "other.db")) as other:
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    with datasette(tmp_path / "datasette.log", demo_archive, tmp_path / "other.db") as base:
        yield base, demo_archive, demo_blog.url


def thread_view(demo, path):
    """(post id, HTML text, lxml document) of the thread view of the post at `path`."""
    base, db, blog = demo
    return (post_id(db, blog + path), *html_page(base + thread_address(blog, path)))


def page_id(db, url):
    ((found,),) = rows(db, "SELECT id FROM pages WHERE url = ?", url)
    return found


def test_the_example_thread_shows_its_comments_in_thread_order_nested_as_replies(demo):
    base, db, blog = demo
    thread, html, doc = thread_view(demo, EXAMPLE)
    # A comment's place in the thread is its key: on this blog, its id on the blog.
    ids = {f"comment-{comment_key}": platform_id for comment_key, platform_id in rows(
        db, "SELECT comment_key, platform_id FROM comments WHERE post_id = ?", thread)}
    (top,) = doc.find_class("comments")
    assert conversation(top.xpath("./li"), ids) == EXAMPLE_CONVERSATION
    assert [ids[item.get("id")] for item in doc.find_class("type-pingback")] == ["3", "5"]
    assert text(doc.get_element_by_id("comments").find("h2")) == "9 comments (2 pingbacks)"
    (reply_time,) = doc.get_element_by_id(next(a for a, p in ids.items() if p == "8")).xpath(
        "./article//time")
    assert reply_time.get("datetime") == "2014-08-13T16:02:00Z"
    # Each comment links its place on the blog, and the author's comments across the archive.
    (first,) = [item for item in doc.find_class("comment") if ids[item.get("id")] == "1"]
    assert [(text(a), a.get("href")) for a in first.xpath(".//p[@class='comment-links']/a")] == [
        ("#1", f"#{first.get('id')}"), ("on the blog", blog + EXAMPLE + "#comment-1"),
        ("archived copy", f"/archive/-/raw/{page_id(db, blog + EXAMPLE)}")]
    (author_comments,) = first.find_class("author-comments")
    assert author_comments.get("href") == "/archive/comments?author=Jim+Monaghan"
    title = html_page(base + author_comments.get("href"))[1].findtext(".//title")
    assert re.findall(r'([\d,]+) rows? where author = "Jim Monaghan"', title) == ["3"]
    assert html.count('<link rel="stylesheet" '
                      'href="/-/static-plugins/thread-archiver/archive.css">') == 1


def test_the_post_shows_its_header_body_and_linked_sources(demo):
    _, db, blog = demo
    thread, _, doc = thread_view(demo, EXAMPLE)
    (post,) = doc.find_class("archived-post")
    assert text(post.find("div/h1")) == EXAMPLE_TITLE
    (byline,) = post.find_class("byline")
    assert [text(part) for part in byline.xpath(".//*[@class]")] == [
        "Andrew Coates",
        "August 12, 2014 2014-08-12 12:44 +01:00 Europe/London 2014-08-12 11:44 UTC",
        "August 12, 2014", "2014-08-12 12:44 +01:00 Europe/London", "2014-08-12 11:44 UTC"]
    assert text(post.find_class("terms")[0]) == \
        "in Iraq, Left tagged Communism, Iraq, ISIS, Islamism, Solidarity"
    links = post.find_class("post-links")[0].findall("a")
    assert [(text(a), a.get("href")) for a in links] == [
        ("original post", blog + EXAMPLE),
        ("archived copy", f"/archive/-/raw/{page_id(db, blog + EXAMPLE)}"),
        ("row in posts", f"/archive/posts/{thread}")]
    assert text(post.find_class("post-body")[0]).startswith(
        "As the armed columns of the self-proclaimed Islamic State push further into northern "
        "Iraq")
    (sources,) = post.find_class("sources")
    assert [(text(a), a.get("href"), text(a.getnext())) for a in sources.xpath(".//li/a")] == [
        ("English-language blog that carries the party’s statements",
         "http://iraqi-left-statements.blogspot.com/2014/08/appeal-to-workers-of-world.html",
         "iraqi-left-statements.blogspot.com"),
        ("the latest article on Iraq from the Stop the War Coalition",
         "http://www.stopwar.org.uk/news/iraq-the-case-against-another-intervention",
         "www.stopwar.org.uk"),
        ("its Wikipedia page", "https://en.wikipedia.org/wiki/Iraqi_Communist_Party",
         "en.wikipedia.org"),
    ]


def test_each_comment_links_the_raw_copy_of_the_page_that_showed_it(demo):
    base, db, blog = demo
    _, _, doc = thread_view(demo, OPEN_THREAD)
    copies = {}
    for link in doc.xpath("//li[contains(@class, 'comment')]/article"
                          "//a[text()='archived copy']"):
        copies[link.get("href")] = copies.get(link.get("href"), 0) + 1
    # The post's own address shows its latest comment page, the fourth, which is stored under
    # that address alone; every other comment page under its own.
    assert copies == {f"/archive/-/raw/{page_id(db, blog + OPEN_THREAD + suffix)}": count
                      for suffix, count in (("", 10), ("comment-page-1/", 12),
                                            ("comment-page-2/", 10), ("comment-page-3/", 10))}
    for href in copies:
        status, headers, body = get(base + href)
        ((stored,),) = rows(db, "SELECT body FROM pages WHERE id = ?",
                            int(href.rsplit("/", 1)[1]))
        assert (status, headers["Content-Type"], headers["X-Content-Type-Options"],
                headers["Content-Security-Policy"]) == \
            (200, "text/plain; charset=utf-8", "nosniff", "sandbox")
        assert body == storage.read_page_body({"body": stored})


def test_unknown_posts_pages_and_archives_answer_404(demo):
    base, _, _ = demo
    assert [get(base + path)[0] for path in (
        "/archive/-/thread/999999", "/archive/-/raw/999999", "/elsewhere/-/thread/1",
        "/elsewhere/-/raw/1", "/other/-/thread/1", "/other/-/raw/1",
        "/archive/-/thread/blog.example/2014/08/12/no-such-post/")] == [404] * 7


def test_post_pages_link_their_thread_view(demo):
    base, db, blog = demo
    for path in (f"/archive/posts/{post_id(db, blog + EXAMPLE)}", "/archive/posts"):
        _, doc = html_page(base + path)
        assert [a.get("href") for a in doc.xpath("//td[contains(@class, 'col-title')]/a")
                if text(a) == EXAMPLE_TITLE] == [thread_address(blog, EXAMPLE)]


def test_the_stylesheet_is_served_and_fetches_nothing(demo):
    base, _, _ = demo
    status, headers, body = get(base + "/-/static-plugins/thread-archiver/archive.css")
    assert (status, headers["Content-Type"].split(";")[0]) == (200, "text/css")
    css = body.decode("utf-8")
    assert [word for word in ("url(", "@import", "@font-face", "http") if word in css] == []
