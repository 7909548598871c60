"""The count of comments a post page shows, as a check on what the crawl archived: read from the
page (tests/sites/counts, the demo blog), compared at the end of real crawls, and listed by the
`count_mismatches` canned query of `archiver serve`."""

import json
from pathlib import Path

import pytest

from archiver.extractors import extract
from archiver.extractors.shown_count import shown_comment_count
from archiver.page import Page
from tests.blogserver import running
from tests.helpers import EXAMPLE, OPEN_THREAD, archiver_crawl, archiver_output, get, rows
from tests.local_servers import archiver_serve

SITE = Path(__file__).parent / "sites" / "counts"
READ_SHORT = "2024/05/01/read-short/"


def page(body, head=""):
    return Page("https://blog.example/2024/05/03/a-post/",
                f"<html><head>{head}</head><body><article><h1>A post</h1></article>{body}"
                "</body></html>")


@pytest.mark.parametrize("body, count", [
    ('<div id="comments"><h2 class="comments-title">9 comments</h2></div>', 9),
    ('<section class="comments"><h3>12 thoughts on “A 2014 post”</h3></section>', 12),
    ('<h3 id="comments-title">One Response to “A post”</h3>', 1),
    ('<div class="comments"><h2>Comments (1,234)</h2></div>', 1234),
    ('<div id="comments"><h2>5 Kommentare</h2></div>', 5),
    ('<div id="comments"><h2>12 commentaires</h2></div>', 12),
    ('<div id="comments"><h2>3 comentarios</h2></div>', 3),
    ('<div class="meta">Comments: <span class="comment-count">23</span></div>', 23),
    # A link to the page's own comments, where no heading says.
    ('<div class="meta"><a href="#comments">24 Comments</a></div>', 24),
    ('<div id="comments"><h2 class="comments-title">Leave a comment</h2></div>', None),
    # Other posts' counts, in a sidebar or on links to them, are not this page's.
    ('<aside><h3 class="comments-title">7 comments</h3></aside>', None),
    ('<div id="comments"><a href="https://blog.example/other/#comments">8 comments</a></div>',
     None),
    # Numbers on each comment are positions, not the count.
    ('<ol><li><span class="comment-count">1</span></li>'
     '<li><span class="comment-count">2</span></li></ol>', None),
    # Headings that disagree give no count.
    ('<div id="comments"><h2>4 comments</h2><h3>6 comments</h3></div>', None),
])
def test_the_count_a_page_shows_near_its_comments(body, count):
    assert shown_comment_count(page(body)) == count


# A WordPress theme whose comment markup no template knows: its heading counts two comments.
OWN_THEME = """<!DOCTYPE html>
<html lang="en"><head><meta charset="UTF-8"><title>A theme of its own</title>
<meta name="generator" content="WordPress 6.1">
<link rel="canonical" href="https://blog.example/2024/05/03/own-theme/"></head>
<body class="single single-post">
<article class="post type-post"><h1 class="entry-title">A theme of its own</h1>
<div class="entry-content"><p>A post whose theme prints its comments in markup of its own.</p></div>
</article>
<div id="comments"><h3 id="comments-title">2 Responses to “A theme of its own”</h3>
<div class="talk">
<div class="talk-item" id="talk-11"><span class="who-name">Ann</span>
<time datetime="2024-05-03T10:00:00+00:00">May 3, 2024 at 10:00 am</time>
<div class="talk-text"><p>First.</p></div></div>
<div class="talk-item" id="talk-12"><span class="who-name">Bo</span>
<time datetime="2024-05-03T11:00:00+00:00">May 3, 2024 at 11:00 am</time>
<div class="talk-text"><p>Second.</p></div></div>
</div></div>
</body></html>
"""


def test_a_count_over_comments_the_platform_reader_missed_asks_the_structural_reader(tmp_path):
    saved = tmp_path / "own-theme.html"
    saved.write_text(OWN_THEME, encoding="utf-8")
    url = "https://blog.example/2024/05/03/own-theme/"
    thread = extract(Page.from_file(saved, url=url))
    assert (thread.platform, thread.post.comment_count_shown) == ("wordpress", 2)
    assert [(c.platform_id, c.author, c.published_utc, c.body_text.strip())
            for c in thread.comments] == [("11", "Ann", "2024-05-03T10:00:00Z", "First."),
                                          ("12", "Bo", "2024-05-03T11:00:00Z", "Second.")]
    printed = archiver_output("extract", saved, "--url", url)
    assert [(c["id"], c["author"]) for c in json.loads(printed)["comments"]] == [
        ("11", "Ann"), ("12", "Bo")]


def crawl_stats(db):
    return [json.loads(stats) for (stats,) in rows(db, "SELECT stats FROM crawls ORDER BY id")]


def test_the_demo_blog_s_counts_match_what_the_crawl_archived(demo_blog, demo_archive):
    # WordPress counts pingbacks in its heading: 9 over the example's 7 comments and 2 pingbacks.
    assert rows(demo_archive, "SELECT substr(url, length(?) + 1), comment_count_shown, "
                              "comment_count FROM posts WHERE comment_count_shown IS NOT NULL "
                              "ORDER BY url", demo_blog.url) == [
        ("2014/02/09/why-kurdistan-still-matters/", 2, 2),
        (EXAMPLE, 9, 9),
        ("2015/01/02/review-the-arab-spring-revisited/", 5, 5),
        (OPEN_THREAD, 42, 42),
    ]
    counted = [stats["archiver/comments/count_mismatch"] for stats in crawl_stats(demo_archive)]
    assert counted == [0]


def test_a_thread_read_short_is_logged_counted_and_listed_by_the_canned_query(tmp_path):
    db, log = tmp_path / "archive.db", tmp_path / "crawl.log"
    with running(SITE) as blog:
        done = archiver_crawl(blog, db, log)
    assert (done.returncode, done.stdout) == (
        0, f"{blog}: ok: 3 pages, 2 posts, 5 comments, 0 errors\n")
    ((post_id, thread_read_utc),) = rows(db, "SELECT id, thread_read_utc FROM posts "
                                             "WHERE url = ?", blog + READ_SHORT)
    text = log.read_text(encoding="utf-8")
    # The log lines at warning level, not the stats' count of them.
    assert [line.split("] ", 1)[1] for line in text.splitlines() if "] WARNING: " in line] == [
        f"WARNING: Comment count differs on {blog}{READ_SHORT} (post {post_id}): "
        f"the page shows 5, the archive holds 3 still on the blog"]
    assert crawl_stats(db)[0]["archiver/comments/count_mismatch"] == 1
    with archiver_serve(db, tmp_path / "serve.log") as base:
        status, _, body = get(f"{base}/archive/count_mismatches.json?_shape=array")
    assert (status, json.loads(body)) == (200, [{
        "id": post_id, "site": blog.split("/")[2], "title": "Read short", "shown": 5,
        "archived": 3, "difference": 2, "thread_read_utc": thread_read_utc,
        "thread": f"{base}/archive/-/thread/{blog.split('://')[1]}{READ_SHORT}"}])
