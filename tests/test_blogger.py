"""Blogger: pages of each template generation, its Atom and JSON feeds, and a real crawl of a
Blogger site served on 127.0.0.1 (tests/sites/blogger, see its README)."""

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from archiver.extractors import extract, find_links
from archiver.items import PageLinks
from archiver.page import Page
from archiver.thread_json import thread_as_json
from tests.blogserver import running
from tests.helpers import crawl, rows

SITE = Path(__file__).parent / "sites" / "blogger"
ORIGIN = "https://riverside-notes.blogspot.com"
POST_URL = "https://blog.example/2008/10/reality-check.html"
FETCHED = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
SPRING_FLOOD = "2023/03/spring-flood-on-river.html"
COMMENT_FEED_QUERY = "?alt=json&v=2&orderby=published&reverse=false"


def post_page(comments, head="", data="'pageType': 'item', 'postId': '2031788717478672407'"):
    """A Layouts-era Blogger post page with this comment markup."""
    return f"""<!DOCTYPE html><html dir='ltr'><head>
<meta content='blogger' name='generator'/><link href='{POST_URL}' rel='canonical'/>{head}</head>
<body><div class='widget Blog' data-version='1' id='Blog1'><div class='blog-posts hfeed'>
<h2 class='date-header'><span>Monday, October 27, 2008</span></h2>
<div class='post-outer'><div class='post hentry'>\
<h3 class='post-title entry-title'>reality check</h3>
<div class='post-body entry-content' id='post-body-2031788717478672407'>The post.</div>
<div class='post-footer'>\
<span class='post-author vcard'>Posted by <span class='fn'>Jacqueline</span></span>
<span class='post-timestamp'>\
at <a class='timestamp-link' href='{POST_URL}' rel='bookmark' title='permanent link'>
<abbr class='published' title='2008-10-27T16:13:00+08:00'>4:13 PM</abbr></a></span></div></div>
<div class='comments' id='comments'><a name='comments'></a><h4>2 comments:</h4>{comments}
<div id='backlinks-container'><div id='Blog1_backlinks-container'>\
<dl class='comments-block' id='comments-block'>
<dt class='comment-title'>\
<a href='https://elsewhere.example/a-reply.html' rel='nofollow'>A reply elsewhere</a></dt>
<dd class='comment-body collapseable'>What they wrote about this post.</dd></dl></div></div>
</div></div></div></div>
<script type='text/javascript'>\
_WidgetManager._SetDataContext([{{'name': 'blog', 'data': {{{data}}}}}]);</script>
</body></html>"""


def read(html, url=POST_URL):
    return thread_as_json(extract(Page(url, html, fetched_utc=FETCHED)))


def fields(thread, *names):
    return [tuple(comment[name] for name in names) for comment in thread["comments"]]


def definition(number, author, shown, text, permalink=None, avatar_title=None):
    """A comment as Layouts templates print it: a <dt> with the author, <dd>s with text and time."""
    avatar = ('<div class="avatar-image-container avatar-stock"><span dir="ltr">'
              f'<img src="blank.gif" alt="" title="{avatar_title}"></span></div>'
              ) if avatar_title else ""
    href = permalink or f"{POST_URL}#c{number}"
    return f"""<dt class='comment-author ' id='c{number}'><a name='c{number}'></a>{avatar}
{author}
said...
</dt><dd class='comment-body' id='Blog1_cmt-{number}'><p>{text}</p></dd>
<dd class='comment-footer'><span class='comment-timestamp'>\
<a href='{href}' title='comment permalink'>
{shown}</a></span></dd>"""


def test_layouts_time_of_day_comments_are_dated_by_their_permalinks_instant():
    # The blog shows times of day only; the permalink's instant gives the day, and the shown
    # time the blog's offset (+08:00) for that comment.
    thread = read(post_page("<dl class='avatar-comment-indent' id='comments-block'>" + definition(
        "6942704748522229309", "Anonymous", "6:32 PM", "First!",
        permalink=f"{POST_URL}?showComment=1225103520000#c6942704748522229309",
        avatar_title="Anonymous")
        + definition("7328801247026039816",
                     "<a href='https://www.blogger.com/profile/055' rel='nofollow'>Jacqueline</a>",
                     "2:13 AM", "Thanks.",
                     permalink=f"{POST_URL}?showComment=1225131180000#c7328801247026039816")
        + "</dl>"))
    assert fields(thread, "id", "author", "author_url", "published", "published_utc",
                  "published_text", "body") == [
        ("6942704748522229309", "Anonymous", None, "2008-10-27T18:32:00+08:00",
         "2008-10-27T10:32:00Z", "6:32 PM", "First!"),
        ("7328801247026039816", "Jacqueline", "https://www.blogger.com/profile/055",
         "2008-10-28T02:13:00+08:00", "2008-10-27T18:13:00Z", "2:13 AM", "Thanks."),
    ]
    assert thread["post"]["published_text"] == "Monday, October 27, 2008 4:13 PM"
    assert thread["post"]["published"] == "2008-10-27T16:13:00+08:00"


def test_classic_template_comments_and_said_in_the_blogs_language():
    # Pre-Layouts templates: `dt.comment-poster`, the time in `dd.comment-timestamp`; an author
    # without link or avatar is the <dt>'s text less Blogger's "said..." in the blog's language.
    thread = read(post_page("""<dl id="comments-block">
<dt class="comment-poster" id="c113"><a name="c113"></a>Anónimo dijo...</dt>
<dd class="comment-body"><p>Muy bueno.</p></dd>
<dd class="comment-timestamp"><a href="#c113" title="comment permalink">10/27/2008 6:32 PM</a></dd>
<dt class="comment-poster" id="c114"><a name="c114"></a>\
<a href="http://ana.example/">Ana</a> dijo...</dt>
<dd class="comment-body"><p>Gracias.</p></dd>
<dd class="comment-timestamp"><a href="#c114" title="comment permalink">10/28/2008 9:05 AM</a></dd>
</dl>"""))
    assert fields(thread, "id", "author", "author_url", "published", "body") == [
        ("113", "Anónimo", None, "2008-10-27T18:32:00", "Muy bueno."),
        ("114", "Ana", "http://ana.example/", "2008-10-28T09:05:00", "Gracias."),
    ]


def test_2017_themes_without_threading_list_comment_blocks():
    block = """<div class='comment' id='c{number}'><div class='avatar-image-container'>
<img class='author-avatar' height='35' src='a.png' width='35'/></div><div class='comment-block'>
<div class='comment-author'>{author} said...</div><div class='comment-body'>{text}</div>
<div class='comment-footer'><span class='comment-timestamp'>
<a href='{url}?showComment={ms}#c{number}' title='comment permalink'>{shown}</a></span></div></div>\
</div>"""
    comments = block.format(
        number=501, author="<a href='https://mo.example/' rel='nofollow'>Mo</a>",
        text="Nice river.",
        url=POST_URL, ms=1499007600000, shown="July 2, 2017 at 11:00 AM") + block.format(
        number=502, author="Kim Lee", text="Agreed.", url=POST_URL, ms=1499011200000,
        shown="July 2, 2017 at 12:00 PM")
    thread = read(post_page("<div id='Blog1_comments-block-wrapper'><div id='comments-block'>"
                            + comments + "</div></div>"))
    assert fields(thread, "id", "author", "author_url", "published", "body") == [
        ("501", "Mo", "https://mo.example/", "2017-07-02T11:00:00-04:00", "Nice river."),
        ("502", "Kim Lee", None, "2017-07-02T12:00:00-04:00", "Agreed."),
    ]


def test_a_listing_names_its_posts_older_posts_and_posts_feed_but_no_thread():
    html = post_page("", head="<link rel='alternate' type='application/atom+xml' title='Atom' "
                              "href='https://blog.example/feeds/posts/default'/>",
                     data="'pageType': 'index'").replace(
        "<h3 class='post-title entry-title'>reality check</h3>",
        f"<h3 class='post-title entry-title'><a href='{POST_URL}'>reality check</a></h3>").replace(
        "<div class='comments'", "<a class='blog-pager-older-link' "
                                 "href='https://blog.example/search?"
                                 "updated-max=2008-10-27T16:13:00%2B08:00&amp;max-results=7'>Older "
                                 "Posts</a>"
                                 "<div class='comments'")
    page = Page("https://blog.example/", html)
    assert extract(page) is None
    links = find_links(page)
    assert (links.posts, links.listings, links.feeds) == (
        [POST_URL],
        ["https://blog.example/search?updated-max=2008-10-27T16:13:00%2B08:00&max-results=7",
         "https://blog.example/feeds/posts/default?alt=json&max-results=500"],
        [])


def test_a_post_names_its_comment_feed_as_a_thread_source():
    feed = "https://blog.example/feeds/2031788717478672407/comments/default"
    page = Page(POST_URL, post_page("", head="<link rel='alternate' type='application/atom+xml' "
                                             f"href='{feed}'/>"))
    assert find_links(page).feeds == [feed + COMMENT_FEED_QUERY + "&max-results=500"]


def site_file(name):
    return (SITE / "files" / name).read_bytes()


def test_atom_and_json_comment_feeds_read_alike():
    """The same comments as Atom and as `alt=json`: ids, zoned times, the `related` parent."""
    url = f"{ORIGIN}/feeds/1857300052613779001/comments/default"
    atom_feed = (SITE / "atom" / "spring-flood-on-river.comments.xml").read_bytes()
    atom = extract(Page.from_bytes(url, atom_feed, "application/atom+xml; charset=UTF-8"))
    first_page = extract(Page.from_bytes(url + COMMENT_FEED_QUERY + "&max-results=500",
                                         site_file("spring-flood-on-river.comments-1.json"),
                                         "application/json"))
    assert (atom.source, atom.platform, atom.post.url, atom.post.platform_id) == (
        "feed", "blogger", f"{ORIGIN}/{SPRING_FLOOD}", "1857300052613779001")
    rows = [(c.platform_id, c.parent_platform_id, c.parent, c.depth, c.author, c.author_url,
             c.published, c.published_utc, c.published_shown, c.body_text) for c in atom.comments]
    assert rows == [
        ("4471920339185560001", None, None, 1, "Ann Marsh",
         "https://www.blogger.com/profile/11830000000000000001",
         "2023-03-11T09:15:27.120000-05:00", "2023-03-11T14:15:27Z", "March 11, 2023 at 9:15 AM",
         "We had water in the cellar by Thursday. The pumps ran all night."),
        ("8023116675544330002", None, None, 1, "Anonymous", None,
         "2023-03-12T20:40:11.904000-04:00", "2023-03-13T00:40:11Z", "March 12, 2023 at 8:40 PM",
         "Is the footbridge at the mill open again?"),
        ("2290011873364120003", "4471920339185560001", 0, 2, "River Keeper",
         "https://www.blogger.com/profile/04412345678901234567", "2023-03-13T08:05:03.015000-04:00",
         "2023-03-13T12:05:03Z", "March 13, 2023 at 8:05 AM",
         "Ann, the council is lending pumps from the depot on Mill Lane."),
        ("5517820093211440004", None, None, 1, "Tom Weir",
         "https://www.blogger.com/profile/11830000000000000004",
         "2023-03-14T17:52:40.500000-04:00", "2023-03-14T21:52:40Z", "March 14, 2023 at 5:52 PM",
         "This comment has been removed by the author."),
        ("7748201936650210005", "8023116675544330002", 1, 2, "River Keeper",
         "https://www.blogger.com/profile/04412345678901234567", "2023-03-15T07:02:11.207000-04:00",
         "2023-03-15T11:02:11Z", "March 15, 2023 at 7:02 AM", "It reopened on Tuesday."),
    ]
    assert thread_as_json(first_page)["comments"] == thread_as_json(atom)["comments"][:2]


def test_a_reply_on_a_later_feed_page_names_its_parent_by_id():
    feed = f"{ORIGIN}/feeds/1857300052613779001/comments/default{COMMENT_FEED_QUERY}"
    page = Page.from_bytes(feed + "&start-index=3&max-results=500",
                           site_file("spring-flood-on-river.comments-2.json"),
                           "application/json; charset=UTF-8")
    thread = extract(page)
    assert [(c.platform_id, c.parent_platform_id, c.parent, c.depth) for c in thread.comments] == [
        ("2290011873364120003", "4471920339185560001", None, 2),
        ("5517820093211440004", None, None, 1)]
    # Blogger names the next page on www.blogger.com: it is asked of the blog's own host.
    assert find_links(page).feeds == [feed + "&start-index=5&max-results=500"]


def test_a_posts_feed_lists_posts_their_updates_comment_counts_and_next_page_and_is_no_thread():
    page = Page.from_bytes(f"{ORIGIN}/feeds/posts/default?alt=json&max-results=500",
                           site_file("posts-feed-1.json"), "application/json; charset=UTF-8")
    assert extract(page) is None
    assert find_links(page) == PageLinks(
        posts=[f"{ORIGIN}/{SPRING_FLOOD}", f"{ORIGIN}/2022/11/last-swallows.html"],
        listings=[f"{ORIGIN}/feeds/posts/default?alt=json&start-index=3&max-results=500"],
        modified={f"{ORIGIN}/{SPRING_FLOOD}": "2023-03-10T18:30:00.000-05:00",
                  f"{ORIGIN}/2022/11/last-swallows.html": "2022-11-05T10:00:00.000-04:00"},
        comment_counts={f"{ORIGIN}/{SPRING_FLOOD}": 5, f"{ORIGIN}/2022/11/last-swallows.html": 2})


def test_the_atom_posts_feed_says_when_each_post_was_updated_not_published():
    page = Page.from_bytes(f"{ORIGIN}/feeds/posts/default",
                           (SITE / "atom" / "posts.xml").read_bytes(),
                           "application/atom+xml; charset=UTF-8")
    assert extract(page) is None
    assert find_links(page) == PageLinks(
        posts=[f"{ORIGIN}/{SPRING_FLOOD}", f"{ORIGIN}/2022/11/last-swallows.html",
               f"{ORIGIN}/2022/10/mist-at-dawn.html"],
        modified={f"{ORIGIN}/{SPRING_FLOOD}": "2023-04-02T08:41:17.318-04:00",
                  f"{ORIGIN}/2022/11/last-swallows.html": "2022-11-05T10:00:00.000-04:00",
                  f"{ORIGIN}/2022/10/mist-at-dawn.html": "2022-10-02T07:15:00.000-04:00"},
        comment_counts={f"{ORIGIN}/{SPRING_FLOOD}": 5, f"{ORIGIN}/2022/11/last-swallows.html": 2,
                        f"{ORIGIN}/2022/10/mist-at-dawn.html": 0})


@pytest.mark.parametrize("name, url, counts", [
    ("home.html", f"{ORIGIN}/",
     {f"{ORIGIN}/{SPRING_FLOOD}": 5, f"{ORIGIN}/2022/11/last-swallows.html": 2}),
    ("older-posts.html", f"{ORIGIN}/search?updated-max=2022-11-05T10:00:00-04:00&max-results=2",
     {f"{ORIGIN}/2022/10/mist-at-dawn.html": 0}),
])
def test_a_listing_gives_each_post_the_count_of_its_comment_link(name, url, counts):
    links = find_links(Page.from_bytes(url, site_file(name)))
    assert (links.posts, links.comment_counts, links.modified) == (list(counts), counts, {})


def test_a_layouts_listing_counts_the_comments_its_form_links_name():
    html = post_page("", data="'pageType': 'index'").replace(
        "<h3 class='post-title entry-title'>reality check</h3>",
        f"<h3 class='post-title entry-title'><a href='{POST_URL}'>reality check</a></h3>").replace(
        "<div class='comments'",
        f"<span class='post-comment-link'><a class='comment-link' href='{POST_URL}#comment-form' "
        "onclick=''>12 comments:</a></span><div class='comments'")
    assert find_links(Page("https://blog.example/", html)).comment_counts == {POST_URL: 12}


@pytest.fixture(scope="module")
def blog():
    """The Blogger snapshot on a free loopback port; yields its base URL."""
    with running(SITE) as url:
        yield url


@pytest.fixture(scope="module")
def archive(blog, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("blogger")
    db = tmp_path / "archive.db"
    crawl(blog, db, tmp_path)
    return db


def test_crawl_archives_every_post_from_listings_and_posts_feed(blog, archive):
    assert rows(archive, "SELECT substr(url, length(?) + 1), platform, platform_id, title, author, "
                         "published_shown, published_utc, categories, comment_count, "
                         "comment_count_shown, source "
                         "FROM posts ORDER BY published_utc", blog) == [
        ("2022/10/mist-at-dawn.html", "blogger", "3301577400213956003", "Mist at dawn",
         "River Keeper",
         "October 2, 2022", "2022-10-02T11:15:00Z", None, 0, 0, "html"),
        ("2022/11/last-swallows.html", "blogger", "6630211849570018002", "The last swallows",
         "River Keeper",
         "Saturday, November 5, 2022 10:00 AM", "2022-11-05T14:00:00Z", '["Birds"]', 2, 2, "html"),
        (SPRING_FLOOD, "blogger", "1857300052613779001", "Spring flood on the river",
         "River Keeper",
         "March 10, 2023", "2023-03-10T23:30:00Z", '["Floods", "River"]', 5, 5, "html"),
    ]


def test_crawl_merges_page_and_feed_rows_of_each_comment(blog, archive):
    """HTML and feed name each comment by the same id: one row each, replies under their
    parents, UTC times across the change to daylight saving time on 12 March 2023."""
    assert rows(archive, "SELECT substr(p.url, length(?) + 1), c.position, c.platform_id, "
                         "parent.platform_id, "
                         "c.depth, c.author, c.author_url, c.published_shown, c.published_utc, "
                         "c.source "
                         "FROM comments c JOIN posts p ON p.id = c.post_id "
                         "LEFT JOIN comments parent ON parent.id = c.parent_id "
                         "ORDER BY p.url, c.position", blog) == [
        ("2022/11/last-swallows.html", 1, "5501298836620170011", None, 1, "Marta Quill",
         "https://www.blogger.com/profile/11830000000000000011", "November 6, 2022 at 9:22 AM",
         "2022-11-06T14:22:05Z", "html"),
        ("2022/11/last-swallows.html", 2, "9120048812735560012", None, 1, "Anonymous", None,
         "November 7, 2022 at 6:03 PM", "2022-11-07T23:03:44Z", "html"),
        (SPRING_FLOOD, 1, "4471920339185560001", None, 1, "Ann Marsh",
         "https://www.blogger.com/profile/11830000000000000001", "March 11, 2023 at 9:15 AM",
         "2023-03-11T14:15:27Z", "html"),
        (SPRING_FLOOD, 2, "2290011873364120003", "4471920339185560001", 2, "River Keeper",
         "https://www.blogger.com/profile/04412345678901234567", "March 13, 2023 at 8:05 AM",
         "2023-03-13T12:05:03Z", "html"),
        (SPRING_FLOOD, 3, "8023116675544330002", None, 1, "Anonymous", None,
         "March 12, 2023 at 8:40 PM", "2023-03-13T00:40:11Z", "html"),
        (SPRING_FLOOD, 4, "7748201936650210005", "8023116675544330002", 2, "River Keeper",
         "https://www.blogger.com/profile/04412345678901234567", "March 15, 2023 at 7:02 AM",
         "2023-03-15T11:02:11Z", "html"),
        (SPRING_FLOOD, 5, "5517820093211440004", None, 1, "Tom Weir",
         "https://www.blogger.com/profile/11830000000000000004", "March 14, 2023 at 5:52 PM",
         "2023-03-14T21:52:40Z", "html"),
    ]


def test_crawl_follows_comment_feeds_page_by_page_and_the_posts_feed(blog, archive):
    feed = "feeds/1857300052613779001/comments/default" + COMMENT_FEED_QUERY
    fetched = rows(archive, "SELECT role, substr(url, length(?) + 1), status FROM pages "
                            "WHERE url LIKE '%/feeds/%' ORDER BY url", blog)
    assert fetched == [
        ("comments", feed + "&max-results=500", 200),
        ("comments", feed + "&start-index=3&max-results=500", 200),
        ("comments", feed + "&start-index=5&max-results=500", 200),
        ("comments",
         "feeds/3301577400213956003/comments/default" + COMMENT_FEED_QUERY + "&max-results=500",
         200),
        ("comments",
         "feeds/6630211849570018002/comments/default" + COMMENT_FEED_QUERY + "&max-results=500",
         200),
        ("listing", "feeds/posts/default?alt=json&max-results=500", 200),
        ("listing", "feeds/posts/default?alt=json&start-index=3&max-results=500", 200),
    ]
    stats = json.loads(rows(archive, "SELECT stats FROM crawls")[0][0])
    assert "archiver/extract/error" not in stats


def test_comments_paged_without_threading_name_their_other_pages():
    paging = (f"<div class='paging-control-container'><a class='paging-control' "
              f"href='{POST_URL}?commentPage=1'>"
              f"Oldest</a><a class='paging-control' href='{POST_URL}?commentPage=2'>Older</a>"
              "<span class='comment-range-text'>401 - 450 of 450</span></div>")
    html = post_page("<dl class='avatar-comment-indent' id='comments-block'>"
                     + definition("113", "Ana", "October 27, 2008 6:32 PM", "Hola.")
                     + "</dl>" + paging)
    newest, second = Page(POST_URL, html), Page(f"{POST_URL}?commentPage=2", html)
    assert (find_links(newest).comment_page, find_links(newest).thread_pages) == (
        None, [f"{POST_URL}?commentPage=1", f"{POST_URL}?commentPage=2"])
    assert (find_links(second).comment_page, find_links(second).thread_pages) == (
        2, [f"{POST_URL}?commentPage=1"])
    assert (extract(second).comment_page, extract(second).post.url) == (2, POST_URL)


def test_a_second_run_reads_the_posts_feed_for_counts_and_no_unchanged_thread(blog, archive,
                                                                              tmp_path):
    db = tmp_path / "again.db"
    with sqlite3.connect(archive) as source, sqlite3.connect(db) as target:
        source.backup(target)
    crawl(blog, db, tmp_path)
    assert rows(db, "SELECT role, substr(url, length(?) + 1) FROM pages WHERE crawl_id = 2 "
                    "AND role IN ('listing', 'post', 'comments') ORDER BY url", blog) == [
        ("listing", ""),
        ("listing", "feeds/posts/default?alt=json&max-results=500"),
        ("listing", "feeds/posts/default?alt=json&start-index=3&max-results=500"),
        ("listing", "search?updated-max=2022-11-05T10:00:00-04:00&max-results=2"),
    ]
    stats = json.loads(rows(db, "SELECT stats FROM crawls WHERE id = 2")[0][0])
    assert (stats["archiver/posts/unchanged"],
            stats.get("archiver/posts/signalled_changed")) == (6, 0)
