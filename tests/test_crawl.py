"""Real `scrapy crawl` processes against the demo blog served on 127.0.0.1, real SQLite files."""

import json
import sqlite3
import subprocess
import sys

import pytest

from tests.blogserver import ROOT, running

EXAMPLE = "2014/08/12/iraqi-communists-call-on-worlds-proletariat-to-unite-against-islamists/"
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8", "-s", "DOWNLOAD_TIMEOUT=3", "-s", "RETRY_TIMES=0"]
# The example thread as WordPress shows it: replies after their parent, pingbacks typed and
# timed from the post's comment feed (the theme prints no date on them).
EXAMPLE_THREAD = [
    # position, platform_id, parent, depth, type, author, published_shown, published_utc
    (1, "1", None, 1, "comment", "Jim Monaghan", "August 12, 2014 at 2:15 pm", "2014-08-12T13:15:00Z"),
    (2, "2", None, 1, "comment", "Andrew Coates", "August 12, 2014 at 3:55 pm", "2014-08-12T14:55:00Z"),
    (3, "3", None, 1, "pingback", "Iraq, the Left and the Islamic State | Another Left Blog", None,
     "2014-08-12T14:59:00Z"),
    (4, "4", None, 1, "comment", "Anonymous", "August 12, 2014 at 11:22 pm", "2014-08-12T22:22:00Z"),
    (5, "5", None, 1, "pingback",
     "Iraqi Communist Party appeal: read it and pass it on | Workers' Solidarity Notes", None,
     "2014-08-13T07:31:00Z"),
    (6, "6", None, 1, "comment", "Jim Denham", "August 13, 2014 at 1:47 pm", "2014-08-13T12:47:00Z"),
    (7, "8", "6", 2, "comment", "Andrew Coates", "August 13, 2014 at 5:02 pm", "2014-08-13T16:02:00Z"),
    (8, "9", "8", 3, "comment", "Jim Denham", "August 13, 2014 at 6:30 pm", "2014-08-13T17:30:00Z"),
    (9, "7", None, 1, "comment", "Sue R", "August 13, 2014 at 3:23 pm", "2014-08-13T14:23:00Z"),
]


@pytest.fixture(scope="module")
def blog():
    """The demo blog on a free loopback port; yields its base URL."""
    with running() as url:
        yield url


def crawl(url, db, tmp_path, *args):
    log = tmp_path / f"crawl-{len(list(tmp_path.glob('crawl-*.log')))}.log"
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "blog", "-a", f"url={url}",
                           "-s", f"ARCHIVE_DB={db}", "-s", f"LOG_FILE={log}", *FAST, *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    text = log.read_text(encoding="utf-8")
    assert done.returncode == 0, done.stderr[-2000:] + text[-3000:]
    return text


def rows(db, sql, *params):
    with sqlite3.connect(db) as conn:
        conn.row_factory = sqlite3.Row
        return [tuple(row) for row in conn.execute(sql, params)]


def snapshot(db):
    return {table: rows(db, f"SELECT * FROM {table} ORDER BY id") for table in ("posts", "comments", "links")}


@pytest.fixture(scope="module")
def archive(blog, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("whole-blog")
    db = tmp_path / "archive.db"
    crawl(blog, db, tmp_path)
    return db, tmp_path


def test_example_thread_is_archived_exactly(blog, archive):
    db, _ = archive
    assert rows(db, "SELECT c.position, c.platform_id, parent.platform_id, c.depth, c.type, c.author, "
                    "c.published_shown, c.published_utc FROM comments c JOIN posts p ON p.id = c.post_id "
                    "LEFT JOIN comments parent ON parent.id = c.parent_id WHERE p.url = ? "
                    "ORDER BY c.position", blog + EXAMPLE) == EXAMPLE_THREAD
    assert rows(db, "SELECT title, author, published_shown, published_local, published_utc, "
                    "categories, tags, comment_count FROM posts WHERE url = ?", blog + EXAMPLE) == [(
        "Iraqi Communists Call on World’s Proletariat to unite against Islamists", "Andrew Coates",
        "August 12, 2014", "2014-08-12T12:44:00+01:00", "2014-08-12T11:44:00Z",
        '["Iraq", "Left"]', '["Communism", "Iraq", "ISIS", "Islamism", "Solidarity"]', 9)]


def test_every_post_and_comment_page_is_archived(blog, archive):
    db, _ = archive
    counts = rows(db, "SELECT substr(url, length(?) + 1), comment_count FROM posts ORDER BY url", blog)
    assert counts == [
        ("2014/02/09/why-kurdistan-still-matters/", 2),
        (EXAMPLE, 9),
        ("2015/01/02/review-the-arab-spring-revisited/", 5),
        ("2015/03/01/open-thread-anything-goes-comments-paginated/", 42),
        ("2022/08/09/solidarity-%e2%9c%8a-with-the-kurds/", 0),
        ("2023/04/23/whatever-happened-to-the-arab-spring-part-2/", 0),
        ("about-this-blog/", 0),
    ]
    pages = rows(db, "SELECT comment_page, count(*) FROM comments c JOIN posts p ON p.id = c.post_id "
                     "WHERE p.url LIKE '%open-thread%' GROUP BY comment_page ORDER BY comment_page")
    assert [page for page, _ in pages] == [1, 2, 3, 4]


def test_post_links_are_the_linked_sources(blog, archive):
    db, _ = archive
    assert rows(db, "SELECT l.url, l.text, l.domain, l.external FROM links l JOIN posts p ON p.id = l.post_id "
                    "WHERE p.url = ? AND l.comment_id IS NULL ORDER BY l.position", blog + EXAMPLE) == [
        ("http://iraqi-left-statements.blogspot.com/2014/08/appeal-to-workers-of-world.html",
         "English-language blog that carries the party’s statements", "iraqi-left-statements.blogspot.com", 1),
        ("http://www.stopwar.org.uk/news/iraq-the-case-against-another-intervention",
         "the latest article on Iraq from the Stop the War Coalition", "www.stopwar.org.uk", 1),
        ("https://en.wikipedia.org/wiki/Iraqi_Communist_Party", "its Wikipedia page", "en.wikipedia.org", 1),
    ]


def test_a_second_run_reads_no_unchanged_thread_and_leaves_the_same_rows(blog, archive):
    db, tmp_path = archive
    before = snapshot(db)
    crawl(blog, db, tmp_path)
    assert snapshot(db) == before
    assert rows(db, "SELECT mode, status, posts_new, comments_new, comments_removed FROM crawls "
                    "ORDER BY id") == [("full", "ok", 7, 58, 0), ("incremental", "ok", 0, 0, 0)]
    assert rows(db, "SELECT count(*) FROM pages WHERE crawl_id = 2 AND role IN ('post', 'comments')") == [(0,)]


def test_a_post_url_archives_that_post_only_and_feed_exports_still_work(blog, tmp_path):
    db, items = tmp_path / "one.db", tmp_path / "items.jsonl"
    crawl(blog + EXAMPLE, db, tmp_path, "-O", str(items))
    assert rows(db, "SELECT url, comment_count FROM posts") == [(blog + EXAMPLE, 9)]
    exported = [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()]
    # The demo blog's REST index lists wp/v2, but its snapshot holds no REST comments: a 404.
    assert sorted((item["role"], item["url"][len(blog):], item["status"]) for item in exported) == [
        ("comments", EXAMPLE + "feed/", 200),
        ("comments", "wp-json/wp/v2/comments?post=1&per_page=100&orderby=id&order=asc&_fields=id,post,"
                     "parent,author_name,author_url,date,date_gmt,link,content", 404),
        ("post", EXAMPLE, 200), ("site", "wp-json/", 200)]
    post = next(item for item in exported if item["role"] == "post")
    assert [c["author"] for c in post["thread"]["comments"]][:2] == ["Jim Monaghan", "Andrew Coates"]


def test_max_posts_limits_the_posts_archived(blog, tmp_path):
    db = tmp_path / "two.db"
    log = crawl(blog, db, tmp_path, "-a", "max_posts=2")
    assert rows(db, "SELECT count(*) FROM posts") == [(2,)]
    assert "'archiver/posts/over_max_posts'" in log


def test_archiver_crawl_exits_non_zero_when_every_request_fails(tmp_path):
    done = subprocess.run([sys.executable, "-m", "archiver.cli", "crawl", "http://127.0.0.1:9/",
                           "--db", str(tmp_path / "none.db"), "-s", "RETRY_TIMES=0",
                           "--log-file", str(tmp_path / "none.log")],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stdout == "http://127.0.0.1:9/: failed: 0 pages, 0 posts, 0 comments, 2 errors\n"
    assert rows(tmp_path / "none.db", "SELECT status, pages FROM crawls") == [("failed", 0)]


@pytest.fixture
def faulty_blog():
    """The demo blog whose home page also lists the fault pages of tests/blogserver.py."""
    with running("data/demo-blog", "--faults") as url:
        yield url


def test_faults_are_logged_counted_and_the_crawl_goes_on(faulty_blog, tmp_path):
    db = tmp_path / "faults.db"
    # Time enough for every other page on a loaded machine: only the page never sent times out.
    log = crawl(faulty_blog, db, tmp_path, "-s", "DOWNLOAD_TIMEOUT=15")
    (stats,) = rows(db, "SELECT stats FROM crawls")
    stats = json.loads(stats[0])
    assert {key: value for key, value in stats.items() if key.startswith("archiver/fetch/failed/")} == {
        "archiver/fetch/failed/http_500": 1,
        "archiver/fetch/failed/timeout": 1,
        "archiver/fetch/failed/offsite_redirect": 1,
    }
    assert f"HTTP 500 for {faulty_blog}faults/500/ (post), archived raw, crawl goes on" in log
    assert (f"Redirect off the blog not followed: {faulty_blog}faults/redirect-away/ -> "
            "http://other.invalid/2014/08/12/elsewhere/ (post)") in log
    assert f"Fetching {faulty_blog}faults/slow/ (post) failed" in log
    assert rows(db, "SELECT status, errors FROM crawls") == [("partial", 3)]
    # Every real post is still there, and the two damaged copies are read as far as they go.
    assert rows(db, "SELECT count(*) FROM posts WHERE url NOT LIKE '%/faults/%'") == [(7,)]
    assert rows(db, "SELECT title, comment_count FROM posts WHERE url LIKE '%/faults/latin-1/'") == [
        ("Iraqi Communists Call on World’s Prolétariat to unite against Islamists", 9)]
    assert rows(db, "SELECT comment_count FROM posts WHERE url LIKE '%/faults/broken-html/'") == [(4,)]
    assert rows(db, "SELECT substr(url, length(?)), status FROM pages WHERE url LIKE '%/faults/%' "
                    "ORDER BY url", faulty_blog) == [
        ("/faults/500/", 500), ("/faults/broken-html/", 200), ("/faults/latin-1/", 200),
        ("/faults/redirect-away/", 302)]


def test_robots_txt_answering_503_means_disallow_all(tmp_path):
    with running("data/demo-blog", "--robots-503") as url:
        done = subprocess.run([sys.executable, "-m", "archiver.cli", "crawl", url, "--db", str(tmp_path / "r.db"),
                               "--log-file", str(tmp_path / "r.log"), *FAST], cwd=ROOT,
                              capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "robots.txt answered 503 for 127.0.0.1:" in (tmp_path / "r.log").read_text(encoding="utf-8")
    assert rows(tmp_path / "r.db", "SELECT count(*) FROM pages") == [(0,)]


# A blog whose home page lists posts elsewhere only, and names a next page it does not have.
NO_POST_HOME = """<!DOCTYPE html><html lang="en"><head><meta charset="UTF-8"><title>Nothing here</title></head>
<body><main>
<article><h2 class="entry-title"><a href="https://elsewhere.example/2024/05/01/a/">A</a></h2></article>
<article><h2 class="entry-title"><a href="https://elsewhere.example/2024/05/02/b/">B</a></h2></article>
<a rel="next" href="https://empty.example/page/2/">Older posts</a>
</main></body></html>
"""


def archiver_crawl(url, db, log, *args):
    return subprocess.run([sys.executable, "-m", "archiver.cli", "crawl", url, "--db", str(db),
                           "--log-file", str(log), *FAST, *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def test_a_crawl_that_archived_no_post_failed_and_missing_sources_are_no_errors(tmp_path):
    site = tmp_path / "site"
    (site / "files").mkdir(parents=True)
    (site / "files" / "home.html").write_text(NO_POST_HOME, encoding="utf-8")
    (site / "manifest.json").write_text(json.dumps({"origin": "https://empty.example", "pages": [
        {"path": "/", "status": 200, "content_type": "text/html; charset=UTF-8", "file": "files/home.html"}]}))
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    with running(site) as blog:
        done = archiver_crawl(blog, db, log)
    assert (done.returncode, done.stdout) == (1, f"{blog}: failed: 1 pages, 0 posts, 0 comments, 0 errors\n")
    lines = [line.split("] ", 1)[1] for line in log.read_text(encoding="utf-8").splitlines() if "] " in line]
    assert [line for line in lines if line.startswith(("ERROR", "WARNING"))] == [
        f"ERROR: The archive holds no post of {blog.split('/')[2]} after this run: the crawl failed"]
    for path, role in [("feed/", "feed"), ("sitemap.xml", "sitemap"), ("page/2/", "listing")]:
        assert f"INFO: HTTP 404 for {blog}{path} ({role}), archived raw, crawl goes on" in lines
    ((status, stats),) = rows(db, "SELECT status, stats FROM crawls")
    stats = json.loads(stats)
    assert (status, stats["archiver/posts/in_archive"], stats["archiver/fetch/optional/http_404"]) == (
        "failed", 0, 6)
    assert not [key for key in stats if key.startswith("archiver/fetch/failed/")]


def test_an_incremental_run_that_found_nothing_new_is_ok(blog, archive, tmp_path):
    db = tmp_path / "archive.db"
    with sqlite3.connect(archive[0]) as source, sqlite3.connect(db) as target:
        source.backup(target)
    done = archiver_crawl(blog, db, tmp_path / "again.log")
    ((mode, status, pages, stats),) = rows(db, "SELECT mode, status, pages, stats FROM crawls "
                                               "ORDER BY id DESC LIMIT 1")
    assert (done.returncode, done.stdout.split("; log")[0]) == (
        0, f"{blog}: ok: {pages} pages, 0 posts, 0 comments, 0 errors\n")
    assert (mode, status, json.loads(stats)["archiver/posts/in_archive"]) == ("incremental", "ok", 7)
