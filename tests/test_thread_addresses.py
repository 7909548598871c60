"""A thread's address is the same in every archive of its blog: the demo blog crawled in
different orders gives the example post other ids, and one thread view address, made of the
post's key (the blog's host and the post's path). The address by id of old sends there."""

import asyncio
import html
import json
from urllib.parse import urlsplit

import pytest
from datasette.app import Datasette

from archiver.datasette.archive import post_urls
from archiver.urls import thread_path
from tests.helpers import EXAMPLE, EXAMPLE_TITLE, archiver, crawl, post_id, thread_address

KURDISTAN = "2014/02/09/why-kurdistan-still-matters/"
# A post whose path holds escapes: its address keeps them as they are.
ESCAPED_PATH = "2022/08/09/solidarity-%e2%9c%8a-with-the-kurds/"


def crawled_in_order(blog, folder, first_post):
    """An archive of the whole blog whose first post saved is `first_post`: a crawl of that post
    alone, then one of the blog."""
    folder.mkdir()
    db = folder / "archive.db"
    crawl(blog + first_post, db, folder)
    crawl(blog, db, folder)
    return db


def ask(db, *paths):
    """(status, Location header, body) for a GET of each of `paths` from Datasette serving the
    archive `db` in this process, with the project's plugins; redirects are answers too."""
    async def answers():
        datasette = Datasette(immutables=[str(db)])
        return [await datasette.client.get(path) for path in paths]

    return [(answer.status_code, answer.headers.get("location"), answer.text)
            for answer in asyncio.run(answers())]


@pytest.fixture(scope="module")
def archives(demo_blog, tmp_path_factory):
    """Two archives of the demo blog, crawled in other orders: the example post saved first in
    one, after another in the other."""
    folder = tmp_path_factory.mktemp("orders")
    return [crawled_in_order(demo_blog.url, folder / name, first)
            for name, first in (("example-first", EXAMPLE), ("kurdistan-first", KURDISTAN))]


def test_the_example_thread_has_one_address_whatever_order_its_blog_was_crawled_in(
        demo_blog, demo_archive, archives):
    blog = demo_blog.url
    address = thread_address(blog, EXAMPLE)
    assert address == f"/archive/-/thread/{urlsplit(blog).netloc}/{EXAMPLE}"
    # Saved first in one archive, after the post saved first in the other.
    (first, later) = (post_id(db, blog + EXAMPLE) for db in archives)
    assert first == 1 and later > 1
    for db in [demo_archive, *archives]:
        ((status, _, page),) = ask(db, address)
        assert (status, f"<h1>{html.escape(EXAMPLE_TITLE)}</h1>" in page) == (200, True)
        # Comments are anchored by their key in the thread: here, their ids on the blog.
        assert [anchor for anchor in ("comment-1", "comment-9") if f'id="{anchor}"' in page] == [
            "comment-1", "comment-9"]
        ((_, _, posts),) = ask(db, "/archive/posts")
        assert f'<a class="archive-title" href="{address}" title="the thread view">' in posts


def test_the_address_by_id_redirects_to_the_address_by_key(demo_blog, archives):
    blog = demo_blog.url
    for db in archives:
        ((status, location, _),) = ask(db, f"/archive/-/thread/{post_id(db, blog + EXAMPLE)}")
        assert (status, location) == (302, thread_address(blog, EXAMPLE))


def test_a_merged_archive_answers_at_the_same_address(demo_blog, archives, tmp_path):
    blog = demo_blog.url
    merged = tmp_path / "archive.db"
    done = archiver("merge", "--db", merged, *reversed(archives))
    assert done.returncode == 0, done.stderr
    by_id = f"/archive/-/thread/{post_id(merged, blog + EXAMPLE)}"
    ((status, _, page), (_, location, _)) = ask(merged, thread_address(blog, EXAMPLE), by_id)
    assert (status, f"<h1>{html.escape(EXAMPLE_TITLE)}</h1>" in page) == (200, True)
    assert location == thread_address(blog, EXAMPLE)


def test_canned_queries_and_search_link_the_address_by_key(demo_blog, archives):
    blog = demo_blog.url
    address = thread_address(blog, EXAMPLE)
    for db in archives:
        (thread, by_url, search) = ask(
            db, f"/archive/thread.json?_shape=array&post={address.split('/thread/')[1]}",
            f"/archive/thread.json?_shape=array&post={blog}{EXAMPLE}",
            "/archive/-/search?q=Monaghan")
        rows = json.loads(thread[2])
        assert len(rows) == 9 and json.loads(by_url[2]) == rows
        assert rows[0]["thread"] == f"http://localhost{address}#comment-1"
        assert f'href="{address}#comment-1"' in search[2]


def test_a_path_with_escapes_and_an_unknown_address(demo_blog, demo_archive):
    blog = demo_blog.url
    (escapes, unescaped, unknown) = ask(
        demo_archive, thread_address(blog, ESCAPED_PATH),
        thread_address(blog, ESCAPED_PATH.replace("%e2%9c%8a", "\u270a")),
        thread_address(blog, "2014/08/12/no-such-post"))
    assert [escapes[0], unescaped[0], unknown[0]] == [200, 200, 404]


@pytest.mark.parametrize("url", [
    "https://blog.example/2014/08/12/a-post/",
    "http://blog.example/?p=12",
    "https://blog.example/2022/08/09/solidarity-%e2%9c%8a-with-the-kurds/",
    "https://blog.example/a post/#top",
    "https://elsewhere.example/2014/a-post/?p=1",
])
def test_a_thread_path_leads_back_to_its_post_s_url(url):
    site = "blog.example"
    path = thread_path(site, url)
    assert path.startswith(f"{site}/") and "?" not in path and "#" not in path
    assert url in post_urls(site, path[len(site):])
