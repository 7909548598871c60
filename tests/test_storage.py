import json
import sqlite3

import pytest

from archiver import storage
from archiver.items import Comment, Link, Post, SiteInfo, Thread
from archiver.storage.threads import comment_key
from tests.saved_threads import POST_URL, SITE, crawl, html_thread, rows, save, sight


def feed_thread():
    """What the post's comment feed adds: the pingback's time, which the page did not show."""
    ping = Comment(body_html="<p>[…] excerpt […]</p>", body_text="[…] excerpt […]",
                   author="Other blog", platform_id="12",
                   published_local="2014-08-12T15:59:00+01:00",
                   published_utc="2014-08-12T14:59:00Z")
    return Thread(platform="wordpress", post=Post(url=POST_URL), comments=[ping], source="feed")


def test_saving_a_thread_writes_exact_rows(db):
    save(db, html_thread())
    assert rows(db, "posts") == [{
        "id": 1, "site": SITE, "url": POST_URL, "platform": "wordpress", "platform_id": "1",
        "title": "A post", "author": "Andrew Coates", "published_shown": "August 12, 2014",
        "published_local": "2014-08-12T12:44:00+01:00", "published_utc": "2014-08-12T11:44:00Z",
        "published_relative_to": None, "published_year": 2014, "categories": '["Iraq"]',
        "tags": '["ISIS"]', "body_html": '<p>From <a href="https://src.example/x">here</a>.</p>',
        "body_text": "From here.",
        "comment_count": 3, "comment_count_shown": None, "language": "en", "source": "html",
        "first_seen_utc": None, "last_seen_utc": None, "first_seen_crawl": None,
        "last_seen_crawl": None, "edited_utc": None, "removed_utc": None, "removed_by_crawl": None,
        "thread_read_utc": None, "broken_utc": None, "stale_utc": None}]
    comments = [{k: r[k] for k in ("id", "post_id", "platform_id", "parent_id", "depth",
                                   "position", "type", "author", "published_utc")}
                for r in rows(db, "comments")]
    assert comments == [
        {"id": 1, "post_id": 1, "platform_id": "11", "parent_id": None, "depth": 1, "position": 1,
         "type": "comment", "author": "Jim", "published_utc": "2014-08-12T13:15:00Z"},
        {"id": 2, "post_id": 1, "platform_id": "12", "parent_id": None, "depth": 1, "position": 2,
         "type": "pingback", "author": "Other blog", "published_utc": None},
        {"id": 3, "post_id": 1, "platform_id": "13", "parent_id": 1, "depth": 2, "position": 3,
         "type": "comment", "author": "Sue", "published_utc": "2014-08-12T14:00:00Z"},
    ]
    assert rows(db, "links") == [
        {"id": 1, "post_id": 1, "comment_id": None, "position": 0, "url": "https://src.example/x",
         "text": "here", "domain": "src.example", "external": 1},
        {"id": 2, "post_id": 1, "comment_id": 1, "position": 0, "url": "http://stopwar.org.uk/x",
         "text": "http://stopwar.org.uk/x", "domain": "stopwar.org.uk", "external": 1},
    ]


def test_saving_again_changes_nothing(db):
    save(db, html_thread())
    before = {table: rows(db, table) for table in ("posts", "comments", "links")}
    save(db, html_thread(), html_thread())
    assert {table: rows(db, table) for table in ("posts", "comments", "links")} == before


@pytest.mark.parametrize("order", ["page first", "feed first"])
def test_feed_fills_what_the_page_left_out_in_either_order(db, order):
    threads = [html_thread(), feed_thread()]
    save(db, *(threads if order == "page first" else reversed(threads)))
    ping = db.execute("SELECT type, author, published_utc, body_text, position FROM comments "
                      "WHERE platform_id = '12'").fetchone()
    assert tuple(ping) == ("pingback", "Other blog", "2014-08-12T14:59:00Z", "[…] excerpt […]",
                           2)
    post = db.execute("SELECT title, source FROM posts").fetchone()
    assert tuple(post) == ("A post", "html")


def test_full_text_search_finds_comments_and_posts(db):
    save(db, html_thread())
    assert [r["id"] for r in db.table("comments").search("reply")] == [3]
    assert [r["id"] for r in db.table("posts").search("here")] == [1]


def test_schema_has_foreign_keys_and_wal(db):
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {(fk.column, fk.other_table, fk.other_column)
            for fk in db.table("comments").foreign_keys} == {
        ("post_id", "posts", "id"), ("parent_id", "comments", "id"),
        ("first_seen_crawl", "crawls", "id"), ("last_seen_crawl", "crawls", "id"),
        ("removed_by_crawl", "crawls", "id")}
    assert set(db.table_names()) >= {"sites", "posts", "comments", "links", "pages", "crawls",
                                     "post_versions", "comment_versions", "posts_fts",
                                     "comments_fts"}


def test_page_headers_never_keep_cookies_or_credentials(db):
    from archiver.items import PageItem

    item = PageItem(url=POST_URL, status=200, body=b"<html></html>",
                    fetched_utc="2024-01-01T00:00:00Z", role="post", site=SITE,
                    headers={"Content-Type": "text/html", "Set-Cookie": "a=b",
                             "Authorization": "Basic eA=="})
    with storage.transaction(db):
        page_id = storage.save_page(db, item)
    row = db.table("pages").get(page_id)
    assert json.loads(row["headers"]) == {"Content-Type": "text/html"}
    assert storage.read_page_body(row) == b"<html></html>"


def api_reply():
    """A reply only an API shows, to comment 13 (the page's reply to 11), with a link in it."""
    reply = Comment(body_html='<p>See <a href="https://src.example/y">this</a></p>',
                    body_text="See this", author="Ann", platform_id="14", parent_platform_id="13",
                    links=[Link("https://src.example/y", "this", "src.example", True)])
    return Thread(platform="wordpress", post=Post(url=POST_URL), comments=[reply], source="rest")


@pytest.mark.parametrize("order", ["page first", "API first"])
def test_a_reply_only_an_api_shows_gets_its_depth_and_links(db, order):
    threads = [html_thread(), api_reply()]
    save(db, *(threads if order == "page first" else reversed(threads)))
    reply = db.execute("SELECT reply.id, parent.platform_id, reply.depth, reply.source "
                       "FROM comments AS reply "
                       "JOIN comments AS parent ON parent.id = reply.parent_id "
                       "WHERE reply.platform_id = '14'").fetchone()
    assert reply[1:] == ("13", 3, "rest")
    links = db.execute("SELECT url FROM links WHERE comment_id = ?", [reply[0]]).fetchall()
    assert links == [("https://src.example/y",)]


def test_links_of_a_comment_the_page_shows_come_from_the_page(db):
    feed_copy = feed_thread()
    feed_copy.comments[0].links = [Link("https://feed.example/only", "only", "feed.example", True)]
    save(db, feed_copy, html_thread())
    ping_links = db.execute("SELECT l.url FROM links l JOIN comments c ON c.id = l.comment_id "
                            "WHERE c.platform_id = '12'").fetchall()
    assert ping_links == []


def edited_thread():
    thread = html_thread()
    thread.comments[0].body_text = "First, edited"
    thread.comments[0].body_html = "<p>First, edited</p>"
    thread.post.title = "A post (updated)"
    return thread


def test_an_edit_seen_by_a_later_run_keeps_the_earlier_text_as_a_version(db):
    first, second, third = crawl(db, 1), crawl(db, 2), crawl(db, 3)
    sight(db, first, html_thread())
    sight(db, second, edited_thread())
    sight(db, third, edited_thread())
    assert rows(db, "comment_versions") == [{
        "id": 1, "comment_id": 1, "version": 1, "author": "Jim", "author_url": None,
        "body_html": "<p>First</p>", "body_text": "First", "first_seen_utc": first.utc,
        "last_seen_utc": first.utc, "replaced_utc": second.utc,
        "replaced_by_crawl": second.crawl_id}]
    assert rows(db, "post_versions") == [{
        "id": 1, "post_id": 1, "version": 1, "title": "A post",
        "body_html": '<p>From <a href="https://src.example/x">here</a>.</p>',
        "body_text": "From here.", "first_seen_utc": first.utc, "last_seen_utc": first.utc,
        "replaced_utc": second.utc, "replaced_by_crawl": second.crawl_id}]
    comment = rows(db, "comments")[0]
    assert {key: comment[key] for key in ("body_text", "first_seen_utc", "last_seen_utc",
                                          "first_seen_crawl", "last_seen_crawl", "edited_utc")} == {
        "body_text": "First, edited", "first_seen_utc": first.utc, "last_seen_utc": third.utc,
        "first_seen_crawl": first.crawl_id, "last_seen_crawl": third.crawl_id,
        "edited_utc": second.utc}
    sight(db, crawl(db, 4), html_thread())
    assert [(r["version"], r["body_text"], r["first_seen_utc"], r["last_seen_utc"])
            for r in rows(db, "comment_versions")] == [
        (1, "First", first.utc, first.utc), (2, "First, edited", second.utc, third.utc)]


def test_two_pages_of_one_run_and_other_sources_make_no_versions(db):
    first, second = crawl(db, 1), crawl(db, 2)
    sight(db, first, html_thread(), edited_thread())
    edited_feed = feed_thread()
    edited_feed.comments[0].body_text = "something else"
    sight(db, second, edited_feed, edited_thread())
    assert rows(db, "comment_versions") == [] and rows(db, "post_versions") == []


def test_a_thread_read_in_full_marks_what_it_no_longer_shows_removed_and_a_return_revives_it(db):
    first, second, third = crawl(db, 1), crawl(db, 2), crawl(db, 3)
    sight(db, first, html_thread())
    trashed = html_thread()
    del trashed.comments[1]
    trashed.comments[1].parent = 0
    sight(db, second, trashed)
    with storage.transaction(db):
        assert storage.close_thread(db, 1, second) == 1
    assert [(r["platform_id"], r["removed_utc"], r["removed_by_crawl"])
            for r in rows(db, "comments")] == [
        ("11", None, None), ("12", second.utc, second.crawl_id), ("13", None, None)]
    assert db.execute("SELECT thread_read_utc, stale_utc FROM posts").fetchone() == (
        second.utc, None)
    sight(db, third, html_thread())
    assert [r["removed_utc"] for r in rows(db, "comments")] == [None, None, None]


def test_a_thread_whose_comments_all_vanish_is_not_marked(db):
    first, second = crawl(db, 1), crawl(db, 2)
    thread = html_thread()
    thread.comments += [Comment(body_html="x", body_text=f"x{n}", platform_id=f"2{n}")
                        for n in range(3)]
    sight(db, first, thread)
    sight(db, second, Thread(platform="wordpress", post=html_thread().post, comments=[]))
    with storage.transaction(db):
        assert storage.close_thread(db, 1, second) is None
    assert [r["removed_utc"] for r in rows(db, "comments")] == [None] * 6


def test_a_run_row_counts_what_it_found_new_changed_and_removed(db):
    first, second = crawl(db, 1), crawl(db, 2)
    sight(db, first, html_thread())
    trashed = edited_thread()
    del trashed.comments[1]
    trashed.comments[1].parent = 0
    trashed.comments.append(Comment(body_html="<p>New</p>", body_text="New", author="Ann",
                                    platform_id="15"))
    sight(db, second, trashed)
    with storage.transaction(db):
        storage.close_thread(db, 1, second)
    assert storage.crawl_changes(db, first.crawl_id) == {
        "posts_new": 1, "posts_changed": 0, "posts_removed": 0, "comments_new": 3,
        "comments_changed": 0, "comments_removed": 0}
    assert storage.crawl_changes(db, second.crawl_id) == {
        "posts_new": 0, "posts_changed": 1, "posts_removed": 0, "comments_new": 1,
        "comments_changed": 1, "comments_removed": 1}


def test_a_comment_without_an_id_keeps_the_key_archives_already_have():
    comment = Comment(body_html="", body_text="x" * 600, author="Ann", published_shown="Monday")
    assert comment_key(comment) == "sha1:3a66897f58e06af7d341663b2cf08873c31bbeab"


def test_a_read_only_archive_sees_what_is_written_and_writes_nothing(tmp_path):
    path = tmp_path / "a folder" / "odd ?#%name.db"
    archive = storage.open_archive(path)
    storage.save_site(archive, SiteInfo(site=SITE, url="https://blog.example/"))
    reader = storage.open_read_only(path)
    assert reader is not None
    save(archive, html_thread())
    assert reader.execute("SELECT title FROM posts").fetchall() == [("A post",)]
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        reader.execute("DELETE FROM posts")
    reader.close()
    storage.close_archive(archive)
    assert sorted(file.name for file in path.parent.iterdir()) == [path.name]


def test_there_is_no_read_only_archive_where_there_is_no_file(tmp_path):
    assert storage.open_read_only(tmp_path / "archive.db") is None
    assert list(tmp_path.iterdir()) == []


def test_a_read_only_archive_gives_the_state_an_incremental_run_starts_from(db, tmp_path):
    seen = crawl(db, 1)
    sight(db, seen, html_thread())
    with storage.transaction(db):
        storage.close_thread(db, 1, seen)
    storage.finish_crawl(db, seen.crawl_id, finished_utc=seen.utc, status="ok")
    reader = storage.open_read_only(tmp_path / "archive.db")
    assert reader is not None
    state = storage.read_site_state(reader, SITE)
    reader.close()
    assert state == storage.read_site_state(db, SITE)
    assert state.last_run_utc == seen.utc
    assert state.posts == {POST_URL: storage.KnownPost(
        id=1, platform_id="1", comments=3, comments_shown=None, thread_read_utc=seen.utc,
        last_activity_utc="2014-08-12T14:00:00Z", stale=False)}
