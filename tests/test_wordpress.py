"""How the WordPress extractor reads comment threads, on small pages in WordPress's own markup."""

import pytest

from archiver.cli import thread_as_json
from archiver.extractors import extract
from archiver.page import Page

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
