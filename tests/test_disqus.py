"""Disqus threads: found on blog pages in each form of the embed code, read from Disqus's embed
data and API pages, and crawled from a local "disqus.com" next to a local blog, with nothing
else fetched off the blog's host."""

import functools
import json
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

from archiver.demo import BlogHandler, Reply, serve
from archiver.extractors import disqus, extract, extractor_for, find_links, generic, wordpress
from archiver.page import Page
from tests.helpers import crawl, rows

SITES = Path(__file__).parent / "sites" / "disqus"
KEY = "E8Uh5l5fHZ6gD8U3KycjAIAk46f68Zw7C6eW8WSjZvCLXebZ7p0r1yrYDrLilk2F"
EMBED = "https://disqus.com/embed/comments/?base=default&"
# The thread each page embeds, as the address of its Disqus comment embed.
EMBEDDED = {
    "universal-code.html": EMBED + "f=kettle-notes"
    "&t_u=https%3A%2F%2Fkettles.example%2F2019%2Fnotes-on-kettles.html&s_o=asc",
    "wordpress-plugin.html": EMBED + "f=greensill"
    "&t_i=212+https%3A%2F%2Fgreensill.example%2F%3Fp%3D212"
    "&t_u=https%3A%2F%2Fgreensill.example%2F2022%2F05%2Frepotting-a-fig%2F&s_o=asc",
    "inline-globals.html": EMBED + "f=coldcommute"
    "&t_i=431+http%3A%2F%2Fcoldcommute.example%2F%3Fp%3D431"
    "&t_u=http%3A%2F%2Fcoldcommute.example%2F2012%2F01%2Fwinter-bikes%2F&s_o=asc",
    "blogger-widget.html": EMBED + "f=carnetderoute"
    "&t_u=https%3A%2F%2Fcarnetderoute.example%2F2013%2F02%2Ftrois-jours-hue.html&s_o=asc",
    "hugo.html": EMBED + "f=crumb-log&t_i=sourdough-3"
    "&t_u=https%3A%2F%2Fcrumb.example%2Fposts%2Fsourdough-week-three%2F&s_o=asc",
    "data-attributes.html": EMBED + "f=slowrail&t_i=ghost-62b1f0c2a8e4"
    "&t_u=https%3A%2F%2Fslowrail.example%2Fnight-trains%2F&s_o=asc",
    "count-js.html": EMBED + "f=nightwing-blog&t_i=moths-2020-06"
    "&t_u=https%3A%2F%2Fnightwing.example%2F2020%2F06%2Fmoths-of-june%2F&s_o=asc",
}
THREAD_EMBED = (EMBED + "f=tea-notes&t_i=tea-with-disqus"
                "&t_u=https%3A%2F%2Fblog.example%2Fposts%2Ftea-with-disqus%2F&s_o=asc")
NEXT_PAGE = ("https://disqus.com/api/3.0/threads/listPostsThreaded?limit=50&thread=8817263541"
             f"&forum=tea-notes&order=asc&related=thread&api_key={KEY}&cursor=1%3A0%3A0")
POST = "https://blog.example/posts/tea-with-disqus/"


def saved(name, url):
    return Page.from_file(SITES / name, url=url)


@pytest.mark.parametrize("name", EMBEDDED)
def test_each_form_of_the_embed_code_names_its_thread(name):
    page = saved(f"pages/{name}", "https://fetched.example/as-saved/")
    assert disqus.embedded_threads(page) == [EMBEDDED[name]]


def test_a_listing_that_only_counts_comments_names_no_thread():
    page = saved("pages/count-js-listing.html", "https://nightwing.example/")
    assert disqus.embedded_threads(page) == []


@pytest.mark.parametrize("name, module",
                         [("wordpress-plugin.html", wordpress), ("hugo.html", generic)])
def test_the_thread_is_a_thread_source_whichever_module_reads_the_page(name, module):
    page = saved(f"pages/{name}", "https://fetched.example/as-saved/")
    assert extractor_for(page) is module
    assert [url for url in find_links(page).feeds
            if url.startswith("https://disqus.com/")] == [EMBEDDED[name]]


def comment_rows(thread):
    return [(c.platform_id, c.parent_platform_id, c.parent, c.depth, c.author, c.author_url,
             c.published, c.published_utc, c.body_text, [link.url for link in c.links])
            for c in thread.comments]


def test_the_embed_page_is_the_thread_first_page():
    page = saved("disqus/embed.html", THREAD_EMBED)
    assert extractor_for(page) is disqus
    thread = extract(page, timezone="Europe/Berlin")
    assert (thread.platform, thread.source, thread.post.url, thread.post.title,
            thread.post.comment_count_shown) == ("disqus", "disqus", POST, "Tea with Disqus", 5)
    # Spam (…05) and a deleted post with no reply (…06) are left out; the deleted …03 stays,
    # empty, because …04 answers it.
    assert comment_rows(thread) == [
        ("5301000001", None, None, 1, "Mara Lind", "https://disqus.com/by/maralind/",
         "2021-03-04T09:15:27+00:00", "2021-03-04T09:15:27Z",
         "Lovely post. I wrote about oolong last year.", ["https://mara.example/oolong/"]),
        ("5301000002", "5301000001", 0, 2, "Tom", None,
         "2021-03-04T10:02:11+00:00", "2021-03-04T10:02:11Z", "Which oolong, Mara?", []),
        ("5301000003", None, None, 1, "", None,
         "2021-03-04T11:30:00+00:00", "2021-03-04T11:30:00Z", "", []),
        ("5301000004", "5301000003", 2, 2, "Ken Ito", "https://disqus.com/by/kenito/",
         "2021-03-04T12:45:03+00:00", "2021-03-04T12:45:03Z",
         "Whatever was said above, the second tea is the best one.", []),
    ]
    assert [c.published_local for c in thread.comments][:1] == ["2021-03-04T10:15:27+01:00"]
    assert [c.permalink for c in thread.comments][:1] == [POST + "#comment-5301000001"]
    assert find_links(page).feeds == [NEXT_PAGE]


def test_an_api_page_continues_the_thread_of_the_link_disqus_stored():
    page = Page.from_bytes(NEXT_PAGE, (SITES / "disqus/page-2.json").read_bytes(),
                           "application/json")
    assert extractor_for(page) is disqus
    thread = extract(page)
    assert (thread.source, thread.post.url, thread.post.comment_count_shown) == (
        "disqus", POST, None)
    assert comment_rows(thread) == [
        ("5301000007", None, None, 1, "Guest", None,
         "2021-03-05T18:40:00+00:00", "2021-03-05T18:40:00Z", "Saving this for the weekend.", []),
        ("5301000008", "5301000001", None, 2, "Jo Park", "https://disqus.com/by/jopark/",
         "2021-03-06T07:05:59+00:00", "2021-03-06T07:05:59Z",
         "Mara, your oolong post is how I found this blog.", []),
    ]
    assert find_links(page).feeds == []


class RecordingHandler(BlogHandler):
    """A snapshot's handler that notes every request target it is asked for."""

    def __init__(self, *args, requests, **kwargs):
        self.requests = requests
        super().__init__(*args, **kwargs)

    def reply(self):
        self.requests.append(self.path)
        return super().reply()


class DisqusMirror(RecordingHandler):
    """Answers as disqus.com does for the blog's thread, with `robots` as its robots.txt. The
    blog runs here, not at the address the answers were recorded with: targets name it as it
    runs (`t_u`), answers as recorded."""

    def __init__(self, *args, blog_url, robots, **kwargs):
        self.blog_url = blog_url
        self.robots = robots
        super().__init__(*args, **kwargs)

    def reply(self):
        self.requests.append(self.path)
        if self.path == "/robots.txt" and self.robots:
            return Reply(200, "text/plain; charset=utf-8", self.robots.encode())
        blog = self.server.blog
        return blog.respond(unquote(self.path).replace(self.blog_url.rstrip("/"), blog.origin),
                            self.blog_url)


def crawl_with_disqus(tmp_path, robots=None):
    """Crawl the post from the local blog, its Disqus thread from the local mirror; return the
    archive, the post's URL, the mirror's and the targets each server was asked for."""
    blog_requests, disqus_requests = [], []
    with serve(SITES / "blog",
               handler=functools.partial(RecordingHandler, requests=blog_requests)) as blog, \
            serve(SITES / "disqus", handler=functools.partial(DisqusMirror,
                                                              requests=disqus_requests,
                                                              blog_url=blog,
                                                              robots=robots)) as mirror:
        db = tmp_path / "archive.db"
        post = blog + "posts/tea-with-disqus/"
        # Named by another host name than the blog's, so that the offsite filter would stop it.
        mirror = mirror.replace("127.0.0.1", "localhost")
        crawl(post, db, tmp_path, "-s",
              "THREAD_SOURCE_MIRRORS=" + json.dumps({"https://disqus.com": mirror}))
    return db, post, mirror, sorted(blog_requests), sorted(disqus_requests)


COMMENT_ROWS = ("SELECT c.platform_id, c.parent_platform_id, parent.platform_id, c.depth, "
                "c.author, c.author_url, c.published_utc, c.body_text, c.source, c.position "
                "FROM comments c JOIN posts p ON p.id = c.post_id "
                "LEFT JOIN comments parent ON parent.id = c.parent_id WHERE p.url = ? "
                "ORDER BY c.position")
FIRST_PAGE_ROWS = [
    ("5301000001", None, None, 1, "Mara Lind", "https://disqus.com/by/maralind/",
     "2021-03-04T09:15:27Z", "Lovely post. I wrote about oolong last year.", "disqus", 1),
    ("5301000002", "5301000001", "5301000001", 2, "Tom", None,
     "2021-03-04T10:02:11Z", "Which oolong, Mara?", "disqus", 2),
    ("5301000003", None, None, 1, "", None, "2021-03-04T11:30:00Z", None, "disqus", 3),
    ("5301000004", "5301000003", "5301000003", 2, "Ken Ito", "https://disqus.com/by/kenito/",
     "2021-03-04T12:45:03Z", "Whatever was said above, the second tea is the best one.", "disqus",
     4),
]
EMBED_TARGET = "/embed/comments/?base=default&f=tea-notes&t_i=tea-with-disqus&t_u={post}&s_o=asc"
NEXT_TARGET = ("/api/3.0/threads/listPostsThreaded?limit=50&thread=8817263541&forum=tea-notes"
               "&order=asc"
               f"&related=thread&api_key={KEY}&cursor=1%3A0%3A0")


def test_a_crawl_archives_the_disqus_thread_of_a_post_and_goes_nowhere_else(tmp_path):
    db, post, mirror, blog_requests, disqus_requests = crawl_with_disqus(tmp_path)
    assert rows(db, COMMENT_ROWS, post) == [
        *FIRST_PAGE_ROWS,
        ("5301000007", None, None, 1, "Guest", None,
         "2021-03-05T18:40:00Z", "Saving this for the weekend.", "disqus", 5),
        # Its parent came on the embed page, the reply on the API's next page.
        ("5301000008", "5301000001", "5301000001", 2, "Jo Park", "https://disqus.com/by/jopark/",
         "2021-03-06T07:05:59Z", "Mara, your oolong post is how I found this blog.", "disqus", 6),
    ]
    assert rows(db, "SELECT url, title, source, comment_count, comment_count_shown FROM posts") == [
        (post, "Tea with Disqus", "html", 6, 5)]
    embed = EMBED_TARGET.format(post=quote(post, safe=""))
    assert rows(db, "SELECT role, url, status, post_id FROM pages ORDER BY role, url") == [
        ("comments", mirror + NEXT_TARGET[1:], 200, 1),
        ("comments", mirror + embed[1:], 200, 1),
        ("post", post, 200, 1),
        ("site", post.replace("posts/tea-with-disqus/", "wp-json/"), 404, None),
    ]
    assert blog_requests == ["/posts/tea-with-disqus/", "/robots.txt", "/wp-json/"]
    assert disqus_requests == [NEXT_TARGET, embed, "/robots.txt"]


def test_the_robots_txt_of_disqus_applies(tmp_path):
    db, post, _, _, disqus_requests = crawl_with_disqus(tmp_path,
                                                        robots="User-agent: *\nDisallow: /api/\n")
    assert rows(db, COMMENT_ROWS, post) == FIRST_PAGE_ROWS
    assert disqus_requests == [EMBED_TARGET.format(post=quote(post, safe="")), "/robots.txt"]
