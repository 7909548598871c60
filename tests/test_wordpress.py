"""How the WordPress extractor reads comment threads and what listings and feeds say of their posts,
on small pages in WordPress's own markup and the demo blog's pages."""

import json
from pathlib import Path

import pytest

from archiver import ingest
from archiver.extractors import extract, find_links, wordpress
from archiver.items import PageItem, PageLinks, Role
from archiver.page import Page
from archiver.thread_json import thread_as_json
from tests.helpers import EXAMPLE

POST_URL = "https://blog.example/2014/08/12/a-post/"


def read(comments, sidebar="", body_class="post-template-default single single-post postid-7"):
    """What `archiver extract` prints for a post page with these comment list items."""
    html = f"""<!DOCTYPE html><html lang="en-US"><head>
<meta name="generator" content="WordPress 6.4"><link rel="canonical" href="{POST_URL}">
</head><body class="{body_class}">
<article id="post-7" class="post-7 post type-post hentry"><h1 class="entry-title">A post</h1>
<time class="entry-date published" datetime="2014-08-12T12:44:00+01:00">August 12, 2014</time>
<div class="entry-content"><p>The post.</p></div></article>
<div id="comments" class="comments-area"><ol class="comment-list">{comments}</ol></div>
<aside id="secondary" class="widget-area">{sidebar}</aside></body></html>"""
    return thread_as_json(extract(Page(POST_URL, html)))


def comment(number, author, text, replies="", shown="August 12, 2014 at 2:15 pm",
            datetime="2014-08-12T14:15:00+01:00"):
    """One comment as WordPress's HTML5 walker prints it, its replies nested in it."""
    children = f'<ol class="children">{replies}</ol>' if replies else ""
    return f"""<li id="comment-{number}" class="comment even depth-1">
<article id="div-comment-{number}" class="comment-body"><footer class="comment-meta">
<div class="comment-author vcard"><b class="fn">{author}</b> <span class="says">says:</span></div>
<div class="comment-metadata"><a href="{POST_URL}#comment-{number}">
<time datetime="{datetime}">{shown}</time></a></div></footer>
<div class="comment-content"><p>{text}</p></div>
<div class="reply"><a class="comment-reply-link" href="?replytocom={number}#respond">Reply</a></div>
</article>{children}</li>"""


def pingback(number, title, url):
    """A pingback as WordPress prints it: the linking page's title, no text."""
    return f"""<li id="comment-{number}" class="pingback even depth-1"><div class="comment-body">
Pingback: <a href="{url}" class="url" rel="ugc external nofollow">{title}</a>
<span class="edit-link"><a class="comment-edit-link" href="/wp-admin/">Edit</a></span></div></li>"""


def wpdiscuz(number, parent, author, text, replies=""):
    """A wpDiscuz 7 comment: replies inside its wrapper, a relative time titled with the date."""
    return f"""<div id="wpd-comm-{number}_{parent}" class="comment wpd-comment">
<div class="wpd-comment-wrap"><div id="comment-{number}" class="wpd-comment-right">
<div class="wpd-comment-header"><div class="wpd-comment-author">{author}</div>
<div class="wpd-comment-date" title="August 12, 2014 2:15 pm">2 years ago</div></div>
<div class="wpd-comment-text"><p>{text}</p></div></div></div>{replies}</div>"""


def field(thread, *names):
    """Those fields of every comment, as tuples (or values, for one field)."""
    rows = [tuple(c[name] for name in names) for c in thread["comments"]]
    return [row[0] for row in rows] if len(names) == 1 else rows


def test_pingbacks_are_typed_and_kept_out_of_comments():
    linking = pingback(2, "A linking post", "https://other.example/p/")
    thread = read(comment(1, "Ann", "First.") + linking + comment(3, "Bob", "Second."))
    assert field(thread, "body") == ["First.", "Second."]
    assert [(p["type"], p["author"], p["author_url"]) for p in thread["pingbacks"]] == [
        ("pingback", "A linking post", "https://other.example/p/")]


def test_pingbacks_and_trackbacks_printed_without_an_id_are_found_by_their_class():
    linking = """<li class="pingback">\
<p>Pingback: <a href="https://other.example/p/">A linking post</a></p></li>
<li class="trackback">\
<div class="comment-body">Trackback: <a href="https://third.example/t/">A third site</a></div>\
</li>"""
    thread = read(comment(1, "Ann", "First.") + linking + comment(3, "Bob", "Second."))
    assert field(thread, "body") == ["First.", "Second."]
    assert [(p["type"], p["author"], p["author_url"]) for p in thread["pingbacks"]] == [
        ("pingback", "A linking post", "https://other.example/p/"),
        ("trackback", "A third site", "https://third.example/t/")]


def test_an_anonymous_comment_keeps_the_author_shown():
    thread = read(comment(1, "Anonymous", "No name given."))
    assert field(thread, "author", "author_url") == [("Anonymous", None)]


def test_replies_point_at_their_parent():
    answer = comment(2, "Bob", "Answer.", replies=comment(3, "Ann", "Thanks."))
    thread = read(comment(1, "Ann", "Question?", replies=answer) + comment(4, "Cid", "Another."))
    assert field(thread, "body", "parent") == [
        ("Question?", None), ("Answer.", 0), ("Thanks.", 1), ("Another.", None)]


def test_replies_listed_after_their_closed_parent_point_at_it():
    # WordPress.com themes close the parent's <li> before its <ul class="children">.
    replies = '<ul class="children">' + comment(2, "Bob", "Answer.") + "</ul>"
    thread = read(comment(1, "Ann", "Question?") + replies + comment(3, "Cid", "Another."))
    assert field(thread, "parent") == [None, 0, None]


@pytest.mark.parametrize("widget_class", ["widget widget_recent_comments", "sidebar\twidget_recent",
                                          "wp-block-latest-comments"])
def test_a_recent_comments_widget_is_not_read_as_comments(widget_class):
    elsewhere = comment(99, "Zed", "On another post.")
    widget = (f'<section id="recent-comments-2" class="{widget_class}">'
              f'<div id="comments"><ol class="commentlist">{elsewhere}</ol></div></section>')
    thread = read(comment(1, "Ann", "On this post."), sidebar=widget)
    assert field(thread, "body") == ["On this post."]


def test_a_body_class_naming_widgets_does_not_hide_the_comments():
    thread = read(comment(1, "Ann", "Seen."), body_class="single postid-7 widget_title_layout1")
    assert field(thread, "body") == ["Seen."]


@pytest.mark.parametrize("shown, datetime", [
    ("August 12, 2014 at 2:15 pm", "2014-08-12T14:15:00+01:00"),
    ("2 weeks ago", "2014-08-12T13:15:00+00:00"),
])
def test_times_from_datetime_attributes_keep_their_offset(shown, datetime):
    thread = read(comment(1, "Ann", "Dated.", shown=shown, datetime=datetime))
    assert field(thread, "published", "published_text") == [(datetime, shown)]


def test_a_date_shown_without_its_year_takes_the_year_of_the_post():
    thread = read(comment(1, "Ann", "Later.", shown="Aug 20th at 2:41 am", datetime="")
                  + comment(2, "Bob", "Next year.", shown="Jan 3rd at 9:00 am", datetime=""))
    assert field(thread, "published") == ["2014-08-20T02:41:00", "2015-01-03T09:00:00"]


def test_numeric_dates_are_read_day_first_when_one_of_them_must_be():
    thread = read(comment(1, "Ann", "Ambiguous.", shown="09/06/2014 at 1:53 pm", datetime="")
                  + comment(2, "Bob", "Day first.", shown="14/06/2014 at 8:15 pm", datetime=""))
    assert field(thread, "published") == ["2014-06-09T13:53:00", "2014-06-14T20:15:00"]


def test_wpdiscuz_replies_nest_in_their_parent_and_take_the_date_from_its_title():
    thread = read(wpdiscuz(1, 0, "Ann", "Question?", replies=wpdiscuz(2, 1, "Bob", "Answer.")))
    assert field(thread, "author", "body", "parent", "published") == [
        ("Ann", "Question?", None, "2014-08-12T14:15:00"),
        ("Bob", "Answer.", 0, "2014-08-12T14:15:00")]


LISTING_URL = "https://blog.example/"
DEMO = Path(__file__).parent.parent / "data" / "demo-blog"
DEMO_ORIGIN = "http://127.0.0.1:8082"


def listing(*entries, sidebar=""):
    """A classic theme's listing of these entries, with a sidebar."""
    return Page(LISTING_URL, f"""<!DOCTYPE html><html lang="en-US"><head>
<meta name="generator" content="WordPress 6.4"></head><body class="home blog">
<main id="main">{"".join(entries)}</main><aside class="widget-area">{sidebar}</aside></body>\
</html>""")


def entry(slug, meta):
    """A post on a listing, with this meta line ({url} stands for the post's address)."""
    url = f"{LISTING_URL}{slug}/"
    return f"""<article class="post type-post hentry"><header class="entry-header">
<h2 class="entry-title"><a href="{url}" rel="bookmark">Post {slug}</a></h2></header>
<footer class="entry-footer">{meta.format(url=url)}</footer></article>"""


@pytest.mark.parametrize("meta, count", [
    # WordPress core's comments_popup_link(): the post's title for screen readers only.
    ('<span class="comments-link"><a href="{url}#comments">3 Comments<span '
     'class="screen-reader-text">'
     ' on 5 &gt; 3? Counting votes</span></a></span>', 3),
    ('<span class="comments-link"><a href="{url}#respond">Leave a comment<span '
     'class="screen-reader-text">'
     ' on Books of 2016</span></a></span>', 0),
    ('<a href="{url}#comments"><span class="screen-reader-text">Comments on Books of 2016: '
     '</span>3</a>', 3),
    # Twenty Eleven: the bare number, "Reply" when there is none.
    ('<span class="comments-link"><a href="{url}#comments">12</a></span>', 12),
    ('<span class="comments-link"><a href="{url}#respond"><span '
     'class="leave-reply">Reply</span></a></span>', 0),
    # Other themes' markup and words.
    ('<span class="comm"><a href="{url}#comments" title="Kommentiere Muffins">51 '
     'Kommentare</a></span>', 51),
    ('<span class="comment_count"><a href="{url}#respond" title="Comentarios" '
     'class="no_comment">+</a></span>', 0),
    ('<li class="entry-comments"><a href="{url}#comments" class="comments-link">1.234 '
     'Kommentare</a></li>', 1234),
    ('<a href="{url}#comments">1,234 Comments</a>', 1234),
    ('<a href="{url}#comments">1\u202f234 commentaires</a>', 1234),
    ('<a href="{url}#comments">Comments (7)</a>', 7),
    # A count next to a reply link that goes to the form.
    ('<a href="{url}#comments">4 Comments</a> <a href="{url}#respond">Leave a reply</a>', 4),
])
def test_a_listing_reads_each_posts_comment_count_from_the_link_to_its_comments(meta, count):
    page = listing(entry("a", meta), entry("b", "<span class='posted-on'>May 1, 2024</span>"))
    links = find_links(page)
    assert (links.posts, links.comment_counts, links.modified) == (
        [f"{LISTING_URL}a/", f"{LISTING_URL}b/"], {f"{LISTING_URL}a/": count}, {})


@pytest.mark.parametrize("meta", [
    '<a href="{url}#comments">One Comment</a>',  # no number shown
    '<a href="{url}#comments">One Comment<span class="screen-reader-text"> on Books of 2016'
    '</span></a>',
    # They disagree.
    '<a href="{url}#comments">3 Comments</a> <a href="{url}#comments">4 Comments</a>',
    '<a href="{url}#comments" data-disqus-identifier="7 https://blog.example/?p=7">0 Comments</a>',
    '<a href="{url}#comments"><span class="dsq-postid" data-dsqidentifier="7">0 Comments</span>'
    '</a>',
    '<a href="{url}#comment-12">12 May 2024</a>',
])
def test_no_count_is_given_where_the_links_do_not_state_one(meta):
    assert find_links(listing(entry("a", meta), entry("b", ""))).comment_counts == {}


def test_only_posts_the_listing_lists_get_counts_and_widgets_do_not_change_them():
    popular = ('<section class="widget widget_popular">'
               '<a href="https://blog.example/elsewhere/#comments">9 Comments</a>'
               '<a href="https://blog.example/a/comment-page-2/#comment-5">Ann on Post a</a>'
               '</section>')
    page = listing(entry("a", '<a href="{url}#comments">2 Comments</a>'), entry("b", ""),
                   sidebar=popular)
    assert find_links(page).comment_counts == {f"{LISTING_URL}a/": 2}


def test_a_listing_takes_modification_times_and_counts_from_schema_org_items():
    page = listing(entry("a", ""), entry("b", "")).text.replace("</head>", """<script \
type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
 {"@type": "CollectionPage", "@id": "https://blog.example/", "dateModified": \
"2024-06-01T00:00:00+00:00"},
 {"@type": "BlogPosting", "@id": "https://blog.example/a/#article",
  "mainEntityOfPage": {"@id": "https://blog.example/a/"}, "dateModified": \
"2024-05-03T08:00:00+00:00", "commentCount": 24}]}</script></head>""")
    links = find_links(Page(LISTING_URL, page))
    assert (links.modified, links.comment_counts) == (
        {f"{LISTING_URL}a/": "2024-05-03T08:00:00+00:00"}, {f"{LISTING_URL}a/": 24})


def demo_page(path):
    """A page of the demo blog (a snapshot of a WordPress 6.1 site), as it was served."""
    manifest = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    saved = next(entry for entry in manifest["pages"] if entry["path"] == path)
    return Page.from_bytes(DEMO_ORIGIN + path, (DEMO / saved["file"]).read_bytes(),
                           saved["content_type"])


def test_the_feed_gives_comment_counts_where_its_items_state_them_but_no_modification_times():
    # RSS 2.0 dates only publication; a post with comments closed and none has no slash:comments.
    links = find_links(demo_page("/feed/"))
    assert (links.posts[0], links.modified, links.comment_counts) == (
        f"{DEMO_ORIGIN}/2023/04/23/whatever-happened-to-the-arab-spring-part-2/", {}, {
            f"{DEMO_ORIGIN}/2022/08/09/solidarity-%e2%9c%8a-with-the-kurds/": 0,
            f"{DEMO_ORIGIN}/2015/03/01/open-thread-anything-goes-comments-paginated/": 42,
            f"{DEMO_ORIGIN}/2015/01/02/review-the-arab-spring-revisited/": 5,
            f"{DEMO_ORIGIN}/2014/08/12/"
            "iraqi-communists-call-on-worlds-proletariat-to-unite-against-islamists/": 9,
            f"{DEMO_ORIGIN}/2014/02/09/why-kurdistan-still-matters/": 2})


def test_the_sites_comments_feed_names_its_posts_changed_at_their_newest_comment():
    post = f"{DEMO_ORIGIN}/2015/03/01/open-thread-anything-goes-comments-paginated/"
    assert find_links(demo_page("/comments/feed/")) == PageLinks(
        posts=[post], modified={post: "2015-09-10T09:43:52+00:00"})


def test_one_posts_comment_feed_names_no_posts():
    path = "/2015/03/01/open-thread-anything-goes-comments-paginated/feed/"
    assert find_links(demo_page(path)) == PageLinks()


def test_the_core_sitemap_lists_posts_without_modification_times():
    links = find_links(demo_page("/wp-sitemap-posts-post-1.xml"))
    assert (len(links.posts), links.modified, links.comment_counts) == (6, {}, {})


def test_characters_xml_cannot_hold_are_dropped_and_the_comments_kept():
    # A comment printed as bare text (no <p>) that starts with a control character, an author
    # with a NUL in the name, a form feed inside a comment.
    comments = (comment(1, "Ann\x00ie", "Fine\x0c point") + comment(2, "Bob", "Agreed")
                ).replace("<p>Agreed</p>", "\x01Agreed, \x1fmostly")
    thread = read(comments)
    assert field(thread, "id", "author", "body") == [
        ("1", "Annie", "Fine point"), ("2", "Bob", "Agreed, mostly")]


def test_characters_dropped_from_a_page_are_counted_with_its_run():
    # The page's parser drops a NUL itself: the \x02 and \x1f reach the extractor.
    control_ended = comment(1, "Ann", "Hi").replace("<p>Hi</p>", "Hi\x00\x1f")
    page = f"""<!DOCTYPE html><html lang="en-US"><head>
<meta name="generator" content="WordPress 6.4"><link rel="canonical" href="{POST_URL}">
</head><body class="single single-post postid-7"><article id="post-7" class="post type-post">
<h1 class="entry-title">A post</h1><div class="entry-content">\x02The post.</div></article>
<div id="comments" class="comments-area"><ol class="comment-list">
{control_ended}</ol></div></body></html>"""
    item = PageItem(url=POST_URL, status=200, headers={"Content-Type": "text/html; charset=utf-8"},
                    body=page.encode("utf-8"), fetched_utc="2014-08-13T00:00:00Z",
                    role=Role.POST, site="blog.example")
    reading = ingest.read(item)
    assert (reading.thread.post.body_text, [c.body_text for c in reading.thread.comments]) == (
        "The post.", ["Hi"])
    assert reading.counts == {"archiver/extract/characters_dropped": 2}


def test_comments_after_a_nesting_deeper_than_the_parser_reads_are_read_and_it_is_counted():
    # libxml2 stops at 2048 levels and drops the rest of the page unsaid.
    deep = "<div>" * 10_000 + "x" + "</div>" * 10_000
    page = f"""<!DOCTYPE html><html lang="en-US"><head>
<meta name="generator" content="WordPress 6.4"><link rel="canonical" href="{POST_URL}">
</head><body class="single single-post postid-7"><article id="post-7" class="post type-post">
<h1 class="entry-title">A post</h1><div class="entry-content">The post.</div></article>
<div id="comments" class="comments-area"><ol class="comment-list">
{comment(1, "Ann", "Before")}{deep}{comment(2, "Bob", "After")}</ol></div></body></html>"""
    item = PageItem(url=POST_URL, status=200, headers={"Content-Type": "text/html; charset=utf-8"},
                    body=page.encode("utf-8"), fetched_utc="2014-08-13T00:00:00Z",
                    role=Role.POST, site="blog.example")
    reading = ingest.read(item)
    assert [(c.author, c.body_text) for c in reading.thread.comments] == [
        ("Ann", "Before"), ("Bob", "After")]
    assert reading.counts == {"archiver/extract/too_deep": 1}


def test_a_comment_section_with_only_the_form_for_a_first_comment_shows_no_comments():
    form_only = ('<html><body class="single"><article><p>Post</p></article><div id="comments" '
                 'class="comments-area"><div id="respond"><h3>Leave a Reply</h3><form>'
                 '<textarea name="comment"></textarea></form></div></div></body></html>')
    closed = '<html><body class="single"><article><p>Post</p></article></body></html>'
    assert wordpress.shows_no_comments(Page(DEMO_ORIGIN + "/2024/01/02/a/", form_only))
    assert wordpress.shows_no_comments(Page(DEMO_ORIGIN + "/2024/01/02/a/", closed))
    assert not wordpress.shows_no_comments(demo_page("/" + EXAMPLE))
