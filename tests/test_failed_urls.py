"""Every URL a run never got a good answer for is counted and listed in its row in `crawls`,
and the next run asks it again; pages a blog may lack stay optional."""

import gzip
import json
import re

import pytest

from archiver.demo import Reply
from tests.blogserver import HTML, running
from tests.helpers import (
    DEMO_BLOG,
    EXAMPLE,
    EXAMPLE_THREAD,
    OPEN_THREAD,
    POSTS,
    POSTS_QUERY,
    THREAD_QUERY,
    crawl,
    rows,
)
from tests.replies import ApiReply, StreamedReply


def demo_blog_with(tmp_path, answers):
    """A snapshot of the demo blog whose pages at the paths of `answers` answer as that says
    ({"status": …, "location": …}, their body as recorded): a folder to serve."""
    manifest = json.loads((DEMO_BLOG / "manifest.json").read_text(encoding="utf-8"))
    for page in manifest["pages"]:
        page["file"] = str(DEMO_BLOG / page["file"])
        page.update(answers.get(page["path"], {}))
    folder = tmp_path / "faulty-blog"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return folder


def last_crawl(db):
    ((status, errors, failed, stats),) = rows(
        db, "SELECT status, errors, failed_urls, stats FROM crawls ORDER BY id DESC LIMIT 1")
    return status, errors, json.loads(failed), json.loads(stats)


def test_failed_pages_are_listed_and_asked_again_by_the_next_run(demo_blog, tmp_path):
    comment_page, comment_feed = f"/{OPEN_THREAD}comment-page-2/", f"/{EXAMPLE}feed/"
    db = tmp_path / "archive.db"
    with demo_blog.showing(demo_blog_with(tmp_path, {comment_page: {"status": 500},
                                                        comment_feed: {"status": 503}})):
        crawl(demo_blog.url, db, tmp_path)
    status, errors, failed, stats = last_crawl(db)
    # The blog has no sitemap and no REST comments: optional, not failed.
    assert stats["archiver/fetch/optional/http_404"] > 0
    assert (status, errors, sorted(failed, key=lambda entry: entry["role"])) == ("partial", 2, [
        {"url": demo_blog.url + comment_feed[1:], "role": "comments", "reason": "http_503"},
        {"url": demo_blog.url + comment_page[1:], "role": "post", "reason": "http_500"},
    ])
    demo_blog.asked.clear()
    crawl(demo_blog.url, db, tmp_path)
    status, errors, failed, stats = last_crawl(db)
    assert (status, errors, failed) == ("ok", 0, [])
    assert {comment_page, comment_feed} <= set(demo_blog.asked)
    assert (stats["archiver/fetch/asked_again/post"],
            stats["archiver/fetch/asked_again/comments"]) == (1, 1)
    assert rows(db, POSTS_QUERY, demo_blog.url) == POSTS
    # The pingbacks' times come from the comment feed alone.
    assert rows(db, THREAD_QUERY, demo_blog.url + EXAMPLE) == EXAMPLE_THREAD


def test_a_rest_index_redirecting_to_itself_is_a_failed_url(demo_blog, tmp_path):
    # Scrapy's dupefilter dropped the hop back unseen: the run counted nothing.
    db = tmp_path / "archive.db"
    looping = {"/wp-json/": {"status": 301, "location": "http://127.0.0.1:8082/wp-json/"}}
    with demo_blog.showing(demo_blog_with(tmp_path, looping)):
        log = crawl(demo_blog.url, db, tmp_path)
    rest = demo_blog.url + "wp-json/"
    assert f"Redirect loop, not followed: {rest} -> {rest} (site)" in log
    status, errors, failed, stats = last_crawl(db)
    assert (status, errors, failed, stats["archiver/fetch/failed/redirect_loop"]) == (
        "partial", 1, [{"url": rest, "role": "site", "reason": "redirect_loop"}], 1)
    assert rows(db, POSTS_QUERY, demo_blog.url) == POSTS


@pytest.mark.parametrize("fault, reason", [
    # Scrapy inflated what it could of the cut stream and archived it as the whole page.
    ("gzip-cut-once", "incomplete_body"),
    # A server may loop for a moment; a loop that stays fails as the tests above show.
    ("redirect-self-once", "redirect_loop"),
], ids=["compressed-page-cut-short", "redirect-loop"])
def test_a_fault_that_heals_is_asked_again_until_the_page_is_whole(tmp_path, fault, reason):
    db, page = tmp_path / "archive.db", f"faults/{fault}/"
    with running() as blog:
        crawl(blog + page, db, tmp_path, "-s", "RETRY_TIMES=1")
    status, errors, failed, stats = last_crawl(db)
    assert (status, errors, failed, stats[f"retry/reason_count/{reason}"]) == ("ok", 0, [], 1)
    # Every comment, as the example thread's page shows it (its pingbacks' times are in the
    # comment feed of the real post, which the copy's page does not name as its own).
    assert [row[:7] for row in rows(db, THREAD_QUERY, blog + page)] == [
        row[:7] for row in EXAMPLE_THREAD]


@pytest.mark.parametrize("sent", ["with its length", "compressed", "without its length"])
def test_a_page_over_the_size_limit_is_a_failed_url_with_its_reason(demo_blog, tmp_path, sent):
    # The post's page, grown past archiver.settings.DOWNLOAD_MAXSIZE (16 MiB).
    recorded = (DEMO_BLOG / "files" / "13.html").read_bytes()
    grown = recorded.replace(b"</body>", b"<!--" + b"x" * 2**24 + b"--></body>")
    reply = {"with its length": Reply(200, HTML, grown),
             "compressed": ApiReply(200, HTML, gzip.compress(grown, mtime=0),
                                    headers=(("Content-Encoding", "gzip"),)),
             "without its length": StreamedReply(200, HTML, grown)}[sent]
    db, post = tmp_path / "archive.db", demo_blog.url + EXAMPLE
    with demo_blog.scripted({f"/{EXAMPLE}": [reply]}):
        log = crawl(demo_blog.url, db, tmp_path)
    # Decompressed, the size it had grown to when Scrapy stopped.
    (told,) = re.findall(f"ERROR: Not fetched: {re.escape(post)} \\(post\\) is (.*)$", log, re.M)
    size = re.sub("^[0-9]+ bytes", "N bytes", told) if sent == "compressed" else told
    assert size == {
        "with its length": f"{len(grown)} bytes, over the download size limit of {2**24} "
                           "(DOWNLOAD_MAXSIZE)",
        "compressed": f"N bytes, over the download size limit of {2**24} (DOWNLOAD_MAXSIZE)",
        "without its length": f"over the download size limit of {2**24} bytes "
                              "(DOWNLOAD_MAXSIZE), sent without its length"}[sent]
    status, errors, failed, stats = last_crawl(db)
    assert (status, errors, failed, stats["archiver/fetch/failed/too_large"]) == (
        "partial", 1, [{"url": post, "role": "post", "reason": "too_large"}], 1)
