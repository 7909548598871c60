"""Real `scrapy crawl` processes against the demo blog served on 127.0.0.1, real SQLite files."""

import json

import pytest

from tests.blogserver import running
from tests.helpers import (
    EXAMPLE,
    EXAMPLE_THREAD,
    EXAMPLE_TITLE,
    POSTS,
    POSTS_QUERY,
    THREAD_QUERY,
    archiver,
    archiver_crawl,
    crawl,
    crawled,
    listening_ports,
    pages_archived,
    rows,
    start_crawl,
    wait_until,
)


def snapshot(db):
    return {table: rows(db, f"SELECT * FROM {table} ORDER BY id")
            for table in ("posts", "comments", "links")}


def test_example_thread_is_archived_exactly(demo_blog, demo_archive):
    post = demo_blog.url + EXAMPLE
    assert rows(demo_archive, THREAD_QUERY, post) == EXAMPLE_THREAD
    assert rows(demo_archive, "SELECT title, author, published_shown, published_local, "
                              "published_utc, categories, tags, comment_count FROM posts "
                              "WHERE url = ?", post) == [(
        EXAMPLE_TITLE, "Andrew Coates", "August 12, 2014", "2014-08-12T12:44:00+01:00",
        "2014-08-12T11:44:00Z", '["Iraq", "Left"]',
        '["Communism", "Iraq", "ISIS", "Islamism", "Solidarity"]', 9)]


def test_every_post_and_comment_page_is_archived(demo_blog, demo_archive):
    assert rows(demo_archive, POSTS_QUERY, demo_blog.url) == POSTS
    pages = rows(demo_archive, "SELECT comment_page, count(*) FROM comments c "
                               "JOIN posts p ON p.id = c.post_id WHERE p.url LIKE '%open-thread%' "
                               "GROUP BY comment_page ORDER BY comment_page")
    assert [page for page, _ in pages] == [1, 2, 3, 4]


def test_post_links_are_the_linked_sources(demo_blog, demo_archive):
    assert rows(demo_archive, "SELECT l.url, l.text, l.domain, l.external FROM links l "
                              "JOIN posts p ON p.id = l.post_id "
                              "WHERE p.url = ? AND l.comment_id IS NULL ORDER BY l.position",
                demo_blog.url + EXAMPLE) == [
        ("http://iraqi-left-statements.blogspot.com/2014/08/appeal-to-workers-of-world.html",
         "English-language blog that carries the party’s statements",
         "iraqi-left-statements.blogspot.com", 1),
        ("http://www.stopwar.org.uk/news/iraq-the-case-against-another-intervention",
         "the latest article on Iraq from the Stop the War Coalition", "www.stopwar.org.uk", 1),
        ("https://en.wikipedia.org/wiki/Iraqi_Communist_Party", "its Wikipedia page",
         "en.wikipedia.org", 1),
    ]


def test_a_second_run_reads_no_unchanged_thread_and_leaves_the_same_rows(
        demo_blog, demo_archive_copy, tmp_path):
    db = demo_archive_copy
    before = snapshot(db)
    crawl(demo_blog.url, db, tmp_path)
    assert snapshot(db) == before
    assert rows(db, "SELECT mode, status, posts_new, comments_new, comments_removed FROM crawls "
                    "ORDER BY id") == [("full", "ok", 7, 58, 0), ("incremental", "ok", 0, 0, 0)]
    assert rows(db, "SELECT count(*) FROM pages "
                    "WHERE crawl_id = 2 AND role IN ('post', 'comments')") == [(0,)]


def test_a_post_s_comment_feed_is_fetched_only_where_its_pages_leave_something_to_fill(
        demo_archive):
    # Three threads have pingbacks, which the theme prints without a time; the pages of the
    # others show every comment with its time and id, or no comment and no count at all.
    (stats,) = rows(demo_archive, "SELECT stats FROM crawls")
    assert {key: value for key, value in json.loads(stats[0]).items()
            if key.startswith("archiver/comment_feeds/")} == {
        "archiver/comment_feeds/fetched/undated": 3, "archiver/comment_feeds/skipped": 3}


def test_a_post_url_archives_that_post_only(demo_blog, tmp_path):
    blog = demo_blog.url
    db = tmp_path / "one.db"
    crawl(blog + EXAMPLE, db, tmp_path)
    assert rows(db, "SELECT url, comment_count FROM posts") == [(blog + EXAMPLE, 9)]


def test_max_posts_limits_the_posts_archived(demo_blog, tmp_path):
    db = tmp_path / "two.db"
    log = crawl(demo_blog.url, db, tmp_path, "-a", "max_posts=2")
    assert rows(db, "SELECT count(*) FROM posts") == [(2,)]
    assert "'archiver/posts/over_max_posts'" in log


def test_archiver_crawl_exits_non_zero_when_every_request_fails(tmp_path):
    done = archiver("crawl", "http://127.0.0.1:9/", "--db", tmp_path / "none.db",
                    "-s", "RETRY_TIMES=0", "--log-file", tmp_path / "none.log", cwd=tmp_path)
    assert (done.returncode, done.stderr) == (
        1, "Error: the crawl of http://127.0.0.1:9/ failed: connection refused at "
           "http://127.0.0.1:9/robots.txt\n")
    assert done.stdout == "http://127.0.0.1:9/: failed: 0 pages, 0 posts, 0 comments, 2 errors\n"
    ((status, pages, failed),) = rows(tmp_path / "none.db",
                                      "SELECT status, pages, failed_urls FROM crawls")
    assert (status, pages, json.loads(failed)) == ("failed", 0, [
        {"url": "http://127.0.0.1:9/robots.txt", "role": "robots", "reason": "disallow_all"},
        {"url": "http://127.0.0.1:9/", "role": "listing", "reason": "ignored"}])


@pytest.fixture(scope="module", autouse=True)
def faults(tmp_path_factory):
    """A whole crawl of the demo blog whose home page also lists the fault pages of
    tests/blogserver.py, started as the module starts: the page never sent holds it for FAST's
    download timeout, which the module's other tests run beside (its test comes last). Yields
    a function waiting for its end, which gives (the blog's base URL, the archive, the log)."""
    tmp_path = tmp_path_factory.mktemp("faults")
    db, log = tmp_path / "faults.db", tmp_path / "crawl.log"
    with running("data/demo-blog", "--faults") as url:
        process = start_crawl(url, db, log)
        try:
            yield lambda: (url, db, crawled(process, log))
        finally:
            if process.poll() is None:  # its test did not run
                process.kill()
                process.communicate()


def test_robots_txt_answering_503_means_disallow_all(tmp_path):
    with running("data/demo-blog", "--robots-503") as url:
        done = archiver_crawl(url, tmp_path / "r.db", tmp_path / "r.log")
    assert done.returncode == 1, done.stdout + done.stderr
    log = (tmp_path / "r.log").read_text(encoding="utf-8")
    assert "robots.txt answered 503 for 127.0.0.1:" in log
    assert rows(tmp_path / "r.db", "SELECT count(*) FROM pages") == [(0,)]


# A blog whose home page lists posts elsewhere only, and names a next page it does not have.
NO_POST_HOME = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>Nothing here</title>'
    '</head>\n<body><main>\n'
    '<article><h2 class="entry-title"><a href="https://elsewhere.example/2024/05/01/a/">A</a>'
    '</h2></article>\n'
    '<article><h2 class="entry-title"><a href="https://elsewhere.example/2024/05/02/b/">B</a>'
    '</h2></article>\n'
    '<a rel="next" href="https://empty.example/page/2/">Older posts</a>\n'
    '</main></body></html>\n')


def test_a_crawl_that_archived_no_post_failed_and_missing_sources_are_no_errors(tmp_path):
    site = tmp_path / "site"
    (site / "files").mkdir(parents=True)
    (site / "files" / "home.html").write_text(NO_POST_HOME, encoding="utf-8")
    (site / "manifest.json").write_text(json.dumps({"origin": "https://empty.example", "pages": [
        {"path": "/", "status": 200, "content_type": "text/html; charset=UTF-8",
         "file": "files/home.html"}]}))
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    with running(site) as blog:
        done = archiver_crawl(blog, db, log)
    assert (done.returncode, done.stdout) == (
        1, f"{blog}: failed: 1 pages, 0 posts, 0 comments, 0 errors\n")
    lines = [line.split("] ", 1)[1] for line in log.read_text(encoding="utf-8").splitlines()
             if "] " in line]
    assert [line for line in lines if line.startswith(("ERROR", "WARNING"))] == [
        f"ERROR: The crawl failed: no post found at {blog}"]
    assert done.stderr == f"Error: the crawl of {blog} failed: no post found at {blog}\n"
    for path, role in [("feed/", "feed"), ("sitemap.xml", "sitemap"), ("page/2/", "listing")]:
        assert f"INFO: HTTP 404 for {blog}{path} ({role}), archived raw, crawl goes on" in lines
    ((status, stats),) = rows(db, "SELECT status, stats FROM crawls")
    stats = json.loads(stats)
    assert (status, stats["archiver/posts/in_archive"],
            stats["archiver/fetch/optional/http_404"]) == ("failed", 0, 6)
    assert not [key for key in stats if key.startswith("archiver/fetch/failed/")]


def test_a_redirect_to_another_port_of_the_same_host_is_off_the_blog(demo_blog, tmp_path):
    # The blog's one post moved to another server on the same address: the demo blog.
    site = tmp_path / "site"
    (site / "files").mkdir(parents=True)
    (site / "files" / "home.html").write_text(
        NO_POST_HOME.replace("elsewhere.example", "empty.example"), encoding="utf-8")
    moved = demo_blog.url + EXAMPLE
    (site / "manifest.json").write_text(json.dumps({"origin": "https://empty.example", "pages": [
        {"path": "/", "status": 200, "content_type": "text/html; charset=UTF-8",
         "file": "files/home.html"},
        {"path": "/2024/05/01/a/", "status": 301, "content_type": "text/html; charset=UTF-8",
         "file": "files/home.html", "location": moved}]}))
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    with running(site) as blog:
        archiver_crawl(blog, db, log)
    assert (f"Redirect off the blog not followed: {blog}2024/05/01/a/ -> {moved} (post)"
            in log.read_text(encoding="utf-8"))
    assert rows(db, "SELECT count(*) FROM pages WHERE url LIKE ?", demo_blog.url + "%") == [(0,)]
    assert rows(db, "SELECT count(*) FROM posts") == [(0,)]


def test_an_incremental_run_that_found_nothing_new_is_ok(demo_blog, demo_archive_copy, tmp_path):
    db = demo_archive_copy
    done = archiver_crawl(demo_blog.url, db, tmp_path / "again.log")
    ((mode, status, pages, stats),) = rows(db, "SELECT mode, status, pages, stats FROM crawls "
                                               "ORDER BY id DESC LIMIT 1")
    assert (done.returncode, done.stdout) == (
        0, f"{demo_blog.url}: ok: incremental, 7 threads checked, 0 read again, nothing new; "
           f"archive holds 7 posts, 58 comments; {pages} pages, 0 errors\n")
    assert (mode, status, json.loads(stats)["archiver/posts/in_archive"]) == (
        "incremental", "ok", 7)


def test_a_crawl_listens_on_no_port(demo_blog, tmp_path):
    # Scrapy's telnet console and its remote-control server (2.19) would each listen on
    # loopback for the crawl's whole life: once a page is archived, the blog holds back its
    # answers, so the crawl is still running, past the start of both, when it is looked at.
    db = tmp_path / "archive.db"
    with demo_blog.holding(lambda target: pages_archived(db) >= 1):
        process = start_crawl(demo_blog.url, db, tmp_path / "crawl.log",
                              "-s", "DOWNLOAD_TIMEOUT=300")
        try:
            wait_until(lambda: pages_archived(db) >= 1, process, "a page archived")
            ports = listening_ports(process.pid)
            assert process.poll() is None, process.communicate()
        finally:
            process.kill()
            process.communicate()
    assert ports == set()


def test_faults_are_logged_counted_and_the_crawl_goes_on(faults):
    # FAST's download timeout is time enough for every other page on a loaded machine: only
    # the page never sent times out.
    faulty_blog, db, log = faults()
    ((stats,),) = rows(db, "SELECT stats FROM crawls")
    assert {key: value for key, value in json.loads(stats).items()
            if key.startswith("archiver/fetch/failed/")} == {
        "archiver/fetch/failed/http_500": 1,
        "archiver/fetch/failed/timeout": 1,
        "archiver/fetch/failed/offsite_redirect": 1,
        "archiver/fetch/failed/redirect_loop": 2,
        "archiver/fetch/failed/too_many_redirects": 1,
        "archiver/fetch/failed/incomplete_body": 1,
        "archiver/fetch/failed/data_loss": 1,
    }
    assert f"HTTP 500 for {faulty_blog}faults/500/ (post), archived raw, crawl goes on" in log
    assert (f"Redirect off the blog not followed: {faulty_blog}faults/redirect-away/ -> "
            "http://other.invalid/2014/08/12/elsewhere/ (post)") in log
    assert f"Fetching {faulty_blog}faults/slow/ (post) failed" in log
    loop = f"{faulty_blog}faults/redirect-loop/"
    assert f"Redirect loop, not followed: {loop} -> {loop}?back -> {loop} (post)" in log
    loop = f"{faulty_blog}faults/redirect-self/"
    assert f"Redirect loop, not followed: {loop} -> {loop} (post)" in log
    chain = f"{faulty_blog}faults/redirect-chain/"
    chain = " -> ".join([chain, *(f"{chain}?hop={hop}" for hop in range(1, 22))])
    assert f"Too many redirects, not followed: {chain} (post)" in log
    ((status, errors, failed),) = rows(db, "SELECT status, errors, failed_urls FROM crawls")
    failed = sorted(json.loads(failed), key=lambda entry: entry["url"])
    assert (status, errors, failed) == ("partial", 9, [
        {"url": faulty_blog + path, "role": "post", "reason": reason}
        for path, reason in [("faults/500/", "http_500"),
                             ("faults/broken-html/", "truncated"),
                             ("faults/gzip-cut/", "incomplete_body"),
                             ("faults/redirect-away/", "offsite_redirect"),
                             ("faults/redirect-chain/", "too_many_redirects"),
                             ("faults/redirect-loop/", "redirect_loop"),
                             ("faults/redirect-self/", "redirect_loop"),
                             ("faults/short-body/", "data_loss"),
                             ("faults/slow/", "timeout")]])
    # A body cut short, compressed or not, is not read as the whole page.
    assert f"Fetching {faulty_blog}faults/gzip-cut/ (post) failed: gzip body cut short" in log
    assert rows(db, "SELECT count(*) FROM posts WHERE url LIKE '%/faults/gzip-cut/' "
                    "OR url LIKE '%/faults/short-body/'") == [(0,)]
    # Every real post is still there, and the two damaged copies are read as far as they go.
    assert rows(db, "SELECT count(*) FROM posts WHERE url NOT LIKE '%/faults/%'") == [(7,)]
    assert rows(db, "SELECT title, comment_count FROM posts "
                    "WHERE url LIKE '%/faults/latin-1/'") == [
        ("Iraqi Communists Call on World’s Prolétariat to unite against Islamists", 9)]
    assert rows(db, "SELECT comment_count FROM posts "
                    "WHERE url LIKE '%/faults/broken-html/'") == [(4,)]
    assert rows(db, "SELECT substr(url, length(?)), status FROM pages "
                    "WHERE url LIKE '%/faults/%' ORDER BY url", faulty_blog) == [
        ("/faults/500/", 500), ("/faults/broken-html/", 200), ("/faults/latin-1/", 200),
        ("/faults/redirect-away/", 302), ("/faults/redirect-chain/?hop=20", 302),
        ("/faults/redirect-loop/?back", 302), ("/faults/redirect-self/", 302)]
