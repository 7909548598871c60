"""The thread view, the raw copy and safe rendering, served by a real `datasette` process with
the project's plugins, templates and static files, on archives made by a real crawl of the demo
blog and by the storage API (history, hostile markup, tangled replies)."""

import contextlib
import re
import sqlite3
import urllib.error
import urllib.request

import lxml.html
import pytest

from archiver import storage
from archiver.items import Comment, Link, Post, SiteInfo, Thread
from tests.local_servers import datasette
from tests.helpers import EXAMPLE, OPEN_THREAD

ZONE = "Europe/London"
# The example thread as the thread view shows it: each comment's platform id, author, where
# the author's name links, its time as shown, in the blog's time and in UTC, and its replies.
EXAMPLE_CONVERSATION = [
    ("1", "Jim Monaghan", None, "August 12, 2014 at 2:15 pm",
     "2014-08-12 14:15 +01:00 Europe/London", "2014-08-12 13:15 UTC", []),
    ("2", "Andrew Coates", "https://tendance.example.org/", "August 12, 2014 at 3:55 pm",
     "2014-08-12 15:55 +01:00 Europe/London", "2014-08-12 14:55 UTC", []),
    ("3", "Iraq, the Left and the Islamic State | Another Left Blog",
     "http://anotherleftblog.wordpress.com/2014/08/12/iraq-the-left-and-the-islamic-state/", None,
     "2014-08-12 15:59 +01:00 Europe/London", "2014-08-12 14:59 UTC", []),
    ("4", "Anonymous", None, "August 12, 2014 at 11:22 pm",
     "2014-08-12 23:22 +01:00 Europe/London", "2014-08-12 22:22 UTC", []),
    ("5", "Iraqi Communist Party appeal: read it and pass it on | Workers' Solidarity Notes",
     "https://workerssolidaritynotes.example.net/2014/08/13/iraqi-communist-party-appeal/", None,
     "2014-08-13 08:31 +01:00 Europe/London", "2014-08-13 07:31 UTC", []),
    ("6", "Jim Denham", "https://shiraz.example.net/", "August 13, 2014 at 1:47 pm",
     "2014-08-13 13:47 +01:00 Europe/London", "2014-08-13 12:47 UTC", [
         ("8", "Andrew Coates", "https://tendance.example.org/", "August 13, 2014 at 5:02 pm",
          "2014-08-13 17:02 +01:00 Europe/London", "2014-08-13 16:02 UTC", [
              ("9", "Jim Denham", "https://shiraz.example.net/", "August 13, 2014 at 6:30 pm",
               "2014-08-13 18:30 +01:00 Europe/London", "2014-08-13 17:30 UTC", [])])]),
    ("7", "Sue R", None, "August 13, 2014 at 3:23 pm",
     "2014-08-13 15:23 +01:00 Europe/London", "2014-08-13 14:23 UTC", []),
]

SITE = "blog.example"
BLOG = "https://blog.example/"
HISTORY = BLOG + "2024/01/01/edited-then-removed/"
HOSTILE = BLOG + "2024/01/02/hostile/"
TANGLED = BLOG + "2024/01/03/tangled/"
RUNS = ["2024-01-01T03:00:00Z", "2024-02-01T03:00:00Z", "2024-03-01T03:00:00Z"]
# Markup an import from an older version could hold unsanitised, and what is left of it.
HOSTILE_HTML = (
    '<p>Hello <b>there</b></p><script>alert(1)</script><img src=x onerror=alert(1)>'
    '<a href="javascript:alert(1)">js link</a> <a href=" JaVaScRiPt:alert(1)">spaced</a> '
    '<a href="&#106;avascript:alert(1)">encoded</a> '
    '<a href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;">data link</a>'
    '<iframe src="https://evil.example/"></iframe><svg onload=alert(1)><circle r="1"/></svg>'
    '<style>body{display:none}</style><p onclick="alert(1)" style="color:red">styled</p>'
    '<a href="https://ok.example/" onmouseover="alert(1)">fine link</a>')
HOSTILE_RENDERED = (
    '<p>Hello <b>there</b></p><a rel="nofollow noopener noreferrer">js link</a> '
    '<a rel="nofollow noopener noreferrer">spaced</a> <a rel="nofollow noopener noreferrer">encoded</a> '
    '<a rel="nofollow noopener noreferrer">data link</a><p>styled</p>'
    '<a href="https://ok.example/" rel="nofollow noopener noreferrer">fine link</a>')
SCRIPTABLE = ["<script", "onerror", "onload", "onclick", "onmouseover", "javascript:",
              "data:text/html", "<iframe", "<style", "<svg", "<img"]


def get(url):
    """(status, headers, body bytes) of a GET."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def page(url):
    status, _, body = get(url)
    assert status == 200, body[:2000]
    html = body.decode("utf-8")
    return html, lxml.html.fromstring(html)


def rows(db, sql, *params):
    with contextlib.closing(sqlite3.connect(db)) as conn:
        conn.row_factory = sqlite3.Row
        return conn.execute(sql, params).fetchall()


def text(element):
    return " ".join(element.text_content().split())


def conversation(items, ids):
    """The nested comments of a thread view as (platform id, author, author link, as shown, local,
    UTC, replies): the replies read from the list inside each comment."""
    found = []
    for item in items:
        header = item.find_class("comment-header")[0]
        author = header.find_class("author")[0]
        shown = header.find_class("shown")
        found.append((ids[item.get("id")], text(author), author.get("href"),
                      text(shown[0]) if shown else None, text(header.find_class("local")[0]),
                      text(header.find_class("utc")[0]),
                      conversation(item.xpath("./ol[@class='replies']/li"), ids)))
    return found


@pytest.fixture(scope="module")
def demo(demo_blog, demo_archive, tmp_path_factory):
    """The archive of the demo blog, served; yields (Datasette's base URL, the archive's path,
    the blog's base URL)."""
    tmp_path = tmp_path_factory.mktemp("demo")
    # A database that is no archive, served beside it, has no thread view.
    with contextlib.closing(sqlite3.connect(tmp_path / "other.db")) as other:
        other.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
    with datasette(tmp_path / "datasette.log", demo_archive, tmp_path / "other.db") as base:
        yield base, demo_archive, demo_blog.url


def post_id(db, url):
    ((found,),) = rows(db, "SELECT id FROM posts WHERE url = ?", url)
    return found


def test_the_example_thread_shows_its_comments_in_thread_order_nested_as_replies(demo):
    base, db, blog = demo
    thread = post_id(db, blog + EXAMPLE)
    ids = {f"comment-{row['id']}": row["platform_id"]
           for row in rows(db, "SELECT id, platform_id FROM comments WHERE post_id = ?", thread)}
    html, doc = page(f"{base}/archive/-/thread/{thread}")
    (top,) = doc.find_class("comments")
    assert conversation(top.xpath("./li"), ids) == EXAMPLE_CONVERSATION
    assert [ids[item.get("id")] for item in doc.find_class("type-pingback")] == ["3", "5"]
    assert text(doc.get_element_by_id("comments").find("h2")) == "9 comments (2 pingbacks)"
    (reply_time,) = doc.get_element_by_id(next(a for a, p in ids.items() if p == "8")).xpath(
        "./article//time")
    assert reply_time.get("datetime") == "2014-08-13T16:02:00Z"
    # Each comment links its place on the blog, and the author's comments across the archive.
    (first,) = [item for item in doc.find_class("comment") if ids[item.get("id")] == "1"]
    assert [(text(a), a.get("href")) for a in first.xpath(".//p[@class='comment-links']/a")] == [
        ("#1", f"#{first.get('id')}"), ("on the blog", blog + EXAMPLE + "#comment-1"),
        ("archived copy", f"/archive/-/raw/{page_id(db, blog + EXAMPLE)}")]
    (author_comments,) = first.find_class("author-comments")
    assert author_comments.get("href") == "/archive/comments?author=Jim+Monaghan"
    title = page(base + author_comments.get("href"))[1].findtext(".//title")
    assert re.findall(r'([\d,]+) rows? where author = "Jim Monaghan"', title) == ["3"]
    assert html.count('<link rel="stylesheet" href="/thread-archiver/archive.css">') == 1


def page_id(db, url):
    ((found,),) = rows(db, "SELECT id FROM pages WHERE url = ?", url)
    return found


def test_the_post_shows_its_header_body_and_linked_sources(demo):
    base, db, blog = demo
    thread = post_id(db, blog + EXAMPLE)
    _, doc = page(f"{base}/archive/-/thread/{thread}")
    (post,) = doc.find_class("archived-post")
    assert text(post.find("div/h1")) == \
        "Iraqi Communists Call on World’s Proletariat to unite against Islamists"
    (byline,) = post.find_class("byline")
    assert [text(part) for part in byline.xpath(".//*[@class]")] == [
        "Andrew Coates", "August 12, 2014 2014-08-12 12:44 +01:00 Europe/London 2014-08-12 11:44 UTC",
        "August 12, 2014", "2014-08-12 12:44 +01:00 Europe/London", "2014-08-12 11:44 UTC"]
    assert text(post.find_class("terms")[0]) == \
        "in Iraq, Left tagged Communism, Iraq, ISIS, Islamism, Solidarity"
    assert [(text(a), a.get("href")) for a in post.find_class("post-links")[0].findall("a")] == [
        ("original post", blog + EXAMPLE), ("archived copy", f"/archive/-/raw/{page_id(db, blog + EXAMPLE)}"),
        ("row in posts", f"/archive/posts/{thread}")]
    assert text(post.find_class("post-body")[0]).startswith(
        "As the armed columns of the self-proclaimed Islamic State push further into northern Iraq")
    (sources,) = post.find_class("sources")
    assert [(text(a), a.get("href"), text(a.getnext())) for a in sources.xpath(".//li/a")] == [
        ("English-language blog that carries the party’s statements",
         "http://iraqi-left-statements.blogspot.com/2014/08/appeal-to-workers-of-world.html",
         "iraqi-left-statements.blogspot.com"),
        ("the latest article on Iraq from the Stop the War Coalition",
         "http://www.stopwar.org.uk/news/iraq-the-case-against-another-intervention", "www.stopwar.org.uk"),
        ("its Wikipedia page", "https://en.wikipedia.org/wiki/Iraqi_Communist_Party", "en.wikipedia.org"),
    ]


def test_each_comment_links_the_raw_copy_of_the_page_that_showed_it(demo):
    base, db, blog = demo
    thread = post_id(db, blog + OPEN_THREAD)
    _, doc = page(f"{base}/archive/-/thread/{thread}")
    copies = {}
    for link in doc.xpath("//li[contains(@class, 'comment')]/article//a[text()='archived copy']"):
        copies[link.get("href")] = copies.get(link.get("href"), 0) + 1
    # The post's own address shows its latest comment page, the fourth, which is stored under
    # that address alone; every other comment page under its own.
    assert copies == {f"/archive/-/raw/{page_id(db, blog + OPEN_THREAD + suffix)}": count
                      for suffix, count in (("", 10), ("comment-page-1/", 12), ("comment-page-2/", 10),
                                            ("comment-page-3/", 10))}
    for href in copies:
        status, headers, body = get(base + href)
        ((stored,),) = rows(db, "SELECT body FROM pages WHERE id = ?", int(href.rsplit("/", 1)[1]))
        assert (status, headers["Content-Type"], headers["X-Content-Type-Options"],
                headers["Content-Security-Policy"]) == \
            (200, "text/plain; charset=utf-8", "nosniff", "sandbox")
        assert body == storage.read_page_body({"body": stored})


def test_unknown_posts_pages_and_archives_answer_404(demo):
    base, _, _ = demo
    assert [get(base + path)[0] for path in (
        "/archive/-/thread/999999", "/archive/-/raw/999999", "/elsewhere/-/thread/1",
        "/elsewhere/-/raw/1", "/other/-/thread/1", "/other/-/raw/1")] == [404] * 6


def test_post_pages_link_their_thread_view(demo):
    base, db, blog = demo
    thread = post_id(db, blog + EXAMPLE)
    title = "Iraqi Communists Call on World’s Proletariat to unite against Islamists"
    for path in (f"/archive/posts/{thread}", "/archive/posts"):
        _, doc = page(base + path)
        assert [a.get("href") for a in doc.xpath("//td[contains(@class, 'col-title')]/a")
                if text(a) == title] == [f"/archive/-/thread/{thread}"]


def test_the_stylesheet_is_served_and_fetches_nothing(demo):
    base, _, _ = demo
    status, headers, body = get(base + "/thread-archiver/archive.css")
    assert (status, headers["Content-Type"].split(";")[0]) == (200, "text/css")
    css = body.decode("utf-8")
    assert [word for word in ("url(", "@import", "@font-face", "http") if word in css] == []


def save(db, thread, seen=None):
    with storage.transaction(db):
        return storage.save_thread(db, SITE, thread, seen)


def comment(platform_id, author, body, post=HISTORY, **values):
    return Comment(body_html=f"<p>{body}</p>", body_text=body, author=author, platform_id=platform_id,
                   permalink=f"{post}#comment-{platform_id}", **values)


def history_thread(title, body, comments):
    post = Post(url=HISTORY, title=title, author="Ed", platform_id="1", published_shown="January 1, 2024",
                published_local="2024-01-01T09:00:00+00:00", published_utc="2024-01-01T09:00:00Z",
                body_html=f"<p>{body}</p>", body_text=body)
    return Thread(platform="wordpress", post=post, comments=comments, comment_page=1)


def make_stored_archive(path):
    """An archive written through the storage API: a post edited, one of its comments edited and
    another removed, then the post removed; a hostile thread as an import from an older
    version could hold it; and a thread whose replies are tangled."""
    db = storage.open_archive(path)
    storage.save_site(db, SiteInfo(site=SITE, url=BLOG, name="A blog", timezone=ZONE))
    runs = [storage.Seen(storage.start_crawl(db, SITE, BLOG, {}, utc, mode="full"), utc) for utc in RUNS]
    when = {"published_shown": "January 2, 2024 at 10:00 am",
            "published_local": "2024-01-02T10:00:00+00:00", "published_utc": "2024-01-02T10:00:00Z"}
    save(db, history_thread("Before the edit", "The first text.", [
        comment("1", "Ann", "As first written.", **when),
        comment("2", "Bob", "A reply to Ann.", parent=0, parent_platform_id="1", depth=2),
        comment("3", "Cy", "Soon gone.")]), runs[0])
    history = save(db, history_thread("After the edit", "The second text.", [
        comment("1", "Ann", "As edited.", **when),
        comment("2", "Bob", "A reply to Ann.", parent=0, parent_platform_id="1", depth=2)]), runs[1])
    with storage.transaction(db):
        storage.close_thread(db, history, runs[1])
    with storage.transaction(db):
        storage.mark_post_removed(db, SITE, HISTORY, runs[2])

    hostile_post = Post(url=HOSTILE, title="<script>alert(1)</script>Hostile", body_html=HOSTILE_HTML,
                        body_text="hostile", links=[Link("javascript:alert(1)", "js", "", True)])
    save(db, Thread(platform="wordpress", post=hostile_post, comments=[
        Comment(body_html=HOSTILE_HTML, body_text="hostile", author="<script>alert(2)</script>Mallory",
                author_url="javascript:alert(1)", permalink="data:text/html,<script>alert(1)</script>",
                platform_id="1"),
        Comment(body_html="<p>Harmless.</p>", body_text="Harmless.", author="Hal",
                author_url=" https://hal.example/ ", platform_id="2")]))

    chain = [comment(str(20 + level), f"Level {level + 1}", "Deeper.", post=TANGLED,
                     parent=None if level == 0 else level + 2,
                     parent_platform_id=None if level == 0 else str(19 + level)) for level in range(12)]
    save(db, Thread(platform="wordpress", post=Post(url=TANGLED, title="Tangled"), comment_page=1, comments=[
        comment("10", "Cycle A", "Answers B.", post=TANGLED, parent_platform_id="11"),
        comment("11", "Cycle B", "Answers A.", post=TANGLED, parent_platform_id="10"),
        comment("12", "Orphan", "Answers a lost comment.", post=TANGLED, parent_platform_id="99"),
        *chain]))
    storage.close_archive(db)


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """The archive of make_stored_archive, served; yields (Datasette's base URL, its path)."""
    tmp_path = tmp_path_factory.mktemp("stored")
    db = tmp_path / "archive.db"
    make_stored_archive(db)
    with datasette(tmp_path / "datasette.log", db) as base:
        yield base, db


def comment_item(doc, db, post_url, platform_id):
    ((found,),) = rows(db, "SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id "
                           "WHERE p.url = ? AND c.platform_id = ?", post_url, platform_id)
    return doc.get_element_by_id(f"comment-{found}")


def test_edited_and_removed_comments_and_posts_are_shown_as_such(stored):
    base, db = stored
    _, doc = page(f"{base}/archive/-/thread/{post_id(db, HISTORY)}")
    (post,) = doc.find_class("archived-post")
    assert post.get("class") == "archived-post is-removed is-edited"
    assert text(post.find("div/h1")) == "After the edit"
    assert [text(badge) for badge in post.find_class("badge")] == ["removed", "edited"]
    assert text(post.find_class("removal")[0]) == \
        "removed from the blog; noticed 2024-03-01 03:00 UTC by crawl 3"
    assert post.find_class("removal")[0].find("a").get("href") == "/archive/crawls/3"
    (versions,) = post.find_class("versions")
    assert text(versions.find("summary")) == "1 earlier text of this post"
    assert [text(version) for version in versions.find_class("version")] == [
        "version 1, seen 2024-01-01 03:00 UTC to 2024-01-01 03:00 UTC, replaced 2024-02-01 03:00 UTC "
        "Before the edit The first text."]
    assert text(post.find_class("post-body")[0]) == "The second text."

    ann, bob, cy = (comment_item(doc, db, HISTORY, platform_id) for platform_id in "123")
    assert ann.get("class") == "comment level-1 type-comment is-edited"
    assert [text(badge) for badge in ann.xpath("./article//*[contains(@class, 'badge')]")] == ["edited"]
    assert text(ann.xpath("./article/div[contains(@class, 'comment-body')]")[0]) == "As edited."
    (versions,) = ann.xpath("./article/details")
    assert text(versions.find("summary")) == "1 earlier text of this comment"
    assert [text(version) for version in versions.find_class("version")] == [
        "version 1, seen 2024-01-01 03:00 UTC to 2024-01-01 03:00 UTC, replaced 2024-02-01 03:00 UTC "
        "by Ann As first written."]
    assert ann.xpath("./ol[@class='replies']/li") == [bob]
    assert bob.get("class") == "comment level-2 type-comment"
    assert bob.find_class("versions") == [] and bob.find_class("removal") == []
    assert cy.get("class") == "comment level-1 type-comment is-removed"
    assert [text(badge) for badge in cy.xpath("./article//*[contains(@class, 'badge')]")] == ["removed"]
    assert text(cy.find_class("removal")[0]) == \
        "removed from the blog; noticed 2024-02-01 03:00 UTC by crawl 2"
    assert text(cy.xpath("./article/div[contains(@class, 'comment-body')]")[0]) == "Soon gone."


def test_tangled_replies_are_all_shown_once(stored):
    base, db = stored
    _, doc = page(f"{base}/archive/-/thread/{post_id(db, TANGLED)}")

    def tree(items):
        return [(text(item.find_class("author")[0]),
                 next((text(note) for note in item.xpath("./article/p[@class='reply-to']")), None),
                 tree(item.xpath("./ol[@class='replies']/li"))) for item in items]

    def chain(level):
        """Levels `level` to 9 each inside the one above; the tenth holds 10 to 12 in a row."""
        if level == 10:
            return [("Level 10", None, []), ("Level 11", "in reply to Level 10", []),
                    ("Level 12", "in reply to Level 11", [])]
        return [(f"Level {level}", None, chain(level + 1))]

    # A cycle is cut where it closes: B, reached first from A, is shown at the top.
    assert tree(doc.find_class("comments")[0].xpath("./li")) == [
        ("Cycle B", "in reply to Cycle A", [("Cycle A", None, [])]),
        ("Orphan", "in reply to a comment the archive does not hold", []),
        *chain(1)]


def test_hostile_markup_renders_inert(stored):
    base, db = stored
    html, doc = page(f"{base}/archive/-/thread/{post_id(db, HOSTILE)}")
    item = comment_item(doc, db, HOSTILE, "1")
    markup = lxml.html.tostring(item, encoding="unicode")
    assert [word for word in SCRIPTABLE if word in markup] == []
    (body,) = item.xpath("./article/div[contains(@class, 'comment-body')]")
    assert inner_html(body) == HOSTILE_RENDERED
    # A javascript: author URL and a data: permalink are no links; an http(s) one is, trimmed.
    assert [a.get("href") for a in item.xpath("./article/*[@class!='comment-body archived-html']//a")] == [
        "/archive/comments?author=%3Cscript%3Ealert%282%29%3C%2Fscript%3EMallory", "#" + item.get("id")]
    assert text(item.find_class("author")[0]) == "<script>alert(2)</script>Mallory"
    harmless = comment_item(doc, db, HOSTILE, "2")
    assert harmless.find_class("author")[0].get("href") == "https://hal.example/"
    (post,) = doc.find_class("archived-post")
    assert inner_html(post.find_class("post-body")[0]) == HOSTILE_RENDERED
    assert [word for word in SCRIPTABLE if word in lxml.html.tostring(post, encoding="unicode")] == []
    assert "<script>alert(1)</script>Hostile" not in html

    comment_id = int(item.get("id").split("-")[1])
    row_link = f"/archive/comments/{comment_id}"
    body_cell = "td[contains(@class, 'col-body_html')]"
    for path, cells in (("/archive/comments", f"//tr[td/a[@href='{row_link}']]/{body_cell}"),
                        (row_link, f"//{body_cell}")):
        (cell,) = page(base + path)[1].xpath(cells)
        assert [word for word in SCRIPTABLE if word in lxml.html.tostring(cell, encoding="unicode")] == []
        assert inner_html(cell.find_class("archived-html")[0]) == HOSTILE_RENDERED


def test_sql_aliasing_text_to_body_html_is_never_rendered(stored):
    base, _ = stored
    _, doc = page(f"{base}/archive?sql=select+%27%3Cscript%3Ealert(1)%3C%2Fscript%3E%27+as+body_html")
    (cell,) = doc.xpath("//td[@class='col-body_html']")
    assert (cell.text, list(cell)) == ("<script>alert(1)</script>", [])


def inner_html(element):
    return (element.text or "") + "".join(lxml.html.tostring(child, encoding="unicode") for child in element)
