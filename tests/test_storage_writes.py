"""What a save writes: only what changed, links in place, a thread's rows in batches, and the
same rows as saving them one at a time would leave."""

import re

from archiver import storage
from archiver.items import Comment, Link, PageItem, Post, Role, Thread
from archiver.storage.threads import comment_key
from tests.saved_threads import SITE, crawl, html_thread, rows, save, sight


def links_of(*urls):
    return [Link(f"https://src.example/{url}", url, "src.example", True) for url in urls]


def link_row(link_id, comment_id, position, url):
    return {"id": link_id, "post_id": 1, "comment_id": comment_id, "position": position,
            "url": f"https://src.example/{url}", "text": url, "domain": "src.example",
            "external": 1}


def test_changed_links_are_rewritten_in_place_and_the_rest_left_alone(db):
    thread = html_thread()
    thread.comments[0].links = links_of("a", "b", "c")
    thread.comments[2].links = links_of("d")
    save(db, thread)
    thread.comments[0].links = links_of("a", "x")
    thread.comments[2].links = links_of("d", "e")
    save(db, thread)
    assert [row for row in rows(db, "links") if row["comment_id"]] == [
        link_row(2, 1, 0, "a"), link_row(3, 1, 1, "x"), link_row(5, 3, 0, "d"),
        link_row(6, 3, 1, "e")]


def test_an_unchanged_save_by_a_later_run_writes_only_that_each_row_was_seen(db):
    sight(db, crawl(db, 1), html_thread())
    second = crawl(db, 2)
    traced = []
    db.conn.set_trace_callback(traced.append)
    sight(db, second, html_thread())
    db.conn.set_trace_callback(None)
    # Per-row writes, and any write the full-text index makes (SQLite traces those as "--").
    writes = [sql for sql in traced if re.match(r"(INSERT|DELETE|UPDATE \[|--)", sql)]
    seen = f"SET [last_seen_utc] = '{second.utc}', [last_seen_crawl] = {second.crawl_id}"
    assert writes == [f"UPDATE [posts] {seen} WHERE id = 1",
                      *(f"UPDATE [comments] {seen} WHERE id = {n}" for n in (1, 2, 3))]


def test_a_comment_twice_on_a_page_is_one_row_pointing_at_a_parent_after_it(db):
    """Two comments alike with no platform id have one key; the second's parent comes after
    the first, so the row goes in before its parent does."""
    twin = Comment(body_html="<p>+1</p>", body_text="+1", author="Jim")
    parent = Comment(body_html="<p>Top</p>", body_text="Top", author="Sue", platform_id="20")
    reply = Comment(body_html="<p>+1</p>", body_text="+1", author="Jim", parent=1,
                    parent_platform_id="20", depth=2)
    thread = Thread(platform="wordpress", post=Post(url="https://blog.example/p/"),
                    comments=[twin, parent, reply], comment_page=1)
    save(db, thread)
    common = {"post_id": 1, "comment_page": 1, "type": "comment", "author_url": None,
              "permalink": None, "published_shown": None, "published_local": None,
              "published_utc": None, "published_relative_to": None, "published_year": None,
              "source": "html", "first_seen_utc": None, "last_seen_utc": None,
              "first_seen_crawl": None, "last_seen_crawl": None, "edited_utc": None,
              "removed_utc": None, "removed_by_crawl": None}
    assert rows(db, "comments") == [
        {**common, "id": 1, "platform_id": None, "parent_id": 2, "parent_platform_id": "20",
         "depth": 2, "position": 2, "page_position": 2, "author": "Jim",
         "body_html": "<p>+1</p>", "body_text": "+1", "comment_key": comment_key(twin)},
        {**common, "id": 2, "platform_id": "20", "parent_id": None, "parent_platform_id": None,
         "depth": 1, "position": 1, "page_position": 1, "author": "Sue",
         "body_html": "<p>Top</p>", "body_text": "Top", "comment_key": "20"}]


def test_search_finds_an_edited_text_and_not_the_one_it_replaced(db):
    sight(db, crawl(db, 1), html_thread())
    edited = html_thread()
    edited.comments[0].body_text = "First, edited"
    sight(db, crawl(db, 2), edited)
    sight(db, crawl(db, 3), edited)
    found = db.execute("SELECT rowid, body_text FROM comments_fts WHERE comments_fts MATCH ? "
                       "ORDER BY rowid", ["first"]).fetchall()
    assert found == [(1, "First, edited")]
    assert db.execute("SELECT count(*) FROM comments_fts WHERE comments_fts MATCH 'edited'"
                      ).fetchone() == (1,)


def test_a_page_body_reads_back_as_it_was_fetched(db):
    body = ("<html><body>" + "Ünïcode, and bytes no charset has: \x00\xff. " * 500
            + "</body></html>").encode() + bytes(range(256))
    item = PageItem(url="https://blog.example/p/", status=200, headers={}, body=body,
                    fetched_utc="2026-01-01T00:00:00Z", role=Role.POST, site=SITE)
    with storage.transaction(db):
        storage.save_page(db, item)
    assert storage.read_page_body(rows(db, "pages")[0]) == item.body
