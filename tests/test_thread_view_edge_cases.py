"""What the thread view and the table pages show of what an archive can hold besides a plain
thread: a post and comments edited and removed, hostile markup, tangled replies. The archive
is written through the storage API and served by a real `datasette` process with the
project's plugins, templates and static files."""

import lxml.html
import pytest

from archiver import storage
from archiver.items import Comment, Link, Post, SiteInfo, Thread
from tests.helpers import html_page, post_id, rows, text
from tests.local_servers import datasette

ZONE = "Europe/London"
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
    '<a rel="nofollow noopener noreferrer">spaced</a> '
    '<a rel="nofollow noopener noreferrer">encoded</a> '
    '<a rel="nofollow noopener noreferrer">data link</a><p>styled</p>'
    '<a href="https://ok.example/" rel="nofollow noopener noreferrer">fine link</a>')
SCRIPTABLE = ["<script", "onerror", "onload", "onclick", "onmouseover", "javascript:",
              "data:text/html", "<iframe", "<style", "<svg", "<img"]
# What the earlier texts of the post and of Ann's comment say.
POST_VERSION = ("version 1, seen 2024-01-01 03:00 UTC to 2024-01-01 03:00 UTC, "
                "replaced 2024-02-01 03:00 UTC Before the edit The first text.")
COMMENT_VERSION = ("version 1, seen 2024-01-01 03:00 UTC to 2024-01-01 03:00 UTC, "
                   "replaced 2024-02-01 03:00 UTC by Ann As first written.")


def save(db, thread, seen=None):
    with storage.transaction(db):
        return storage.save_thread(db, SITE, thread, seen)


def comment(platform_id, author, body, post=HISTORY, **values):
    return Comment(body_html=f"<p>{body}</p>", body_text=body, author=author,
                   platform_id=platform_id, permalink=f"{post}#comment-{platform_id}", **values)


def history_thread(title, body, comments):
    post = Post(url=HISTORY, title=title, author="Ed", platform_id="1",
                published_shown="January 1, 2024", published_local="2024-01-01T09:00:00+00:00",
                published_utc="2024-01-01T09:00:00Z", body_html=f"<p>{body}</p>",
                body_text=body)
    return Thread(platform="wordpress", post=post, comments=comments, comment_page=1)


def save_history(db):
    """A post edited, one of its comments edited and another removed, then the post removed."""
    runs = [storage.Seen(storage.start_crawl(db, SITE, BLOG, {}, utc, mode="full"), utc)
            for utc in RUNS]
    when = {"published_shown": "January 2, 2024 at 10:00 am",
            "published_local": "2024-01-02T10:00:00+00:00",
            "published_utc": "2024-01-02T10:00:00Z"}
    reply = {"parent": 0, "parent_platform_id": "1", "depth": 2}
    save(db, history_thread("Before the edit", "The first text.", [
        comment("1", "Ann", "As first written.", **when),
        comment("2", "Bob", "A reply to Ann.", **reply),
        comment("3", "Cy", "Soon gone.")]), runs[0])
    history = save(db, history_thread("After the edit", "The second text.", [
        comment("1", "Ann", "As edited.", **when),
        comment("2", "Bob", "A reply to Ann.", **reply)]), runs[1])
    with storage.transaction(db):
        storage.close_thread(db, history, runs[1])
    with storage.transaction(db):
        storage.mark_post_removed(db, SITE, HISTORY, runs[2])


def save_hostile(db):
    """A hostile thread, as an import from an older version could hold it."""
    post = Post(url=HOSTILE, title="<script>alert(1)</script>Hostile", body_html=HOSTILE_HTML,
                body_text="hostile", links=[Link("javascript:alert(1)", "js", "", True)])
    save(db, Thread(platform="wordpress", post=post, comments=[
        Comment(body_html=HOSTILE_HTML, body_text="hostile",
                author="<script>alert(2)</script>Mallory", author_url="javascript:alert(1)",
                permalink="data:text/html,<script>alert(1)</script>", platform_id="1"),
        Comment(body_html="<p>Harmless.</p>", body_text="Harmless.", author="Hal",
                author_url=" https://hal.example/ ", platform_id="2")]))


def save_tangled(db):
    """A thread whose replies go round in a cycle, answer a lost comment, or nest twelve deep."""
    chain = [comment(str(20 + level), f"Level {level + 1}", "Deeper.", post=TANGLED,
                     parent=None if level == 0 else level + 2,
                     parent_platform_id=None if level == 0 else str(19 + level))
             for level in range(12)]
    save(db, Thread(platform="wordpress", post=Post(url=TANGLED, title="Tangled"),
                    comment_page=1, comments=[
        comment("10", "Cycle A", "Answers B.", post=TANGLED, parent_platform_id="11"),
        comment("11", "Cycle B", "Answers A.", post=TANGLED, parent_platform_id="10"),
        comment("12", "Orphan", "Answers a lost comment.", post=TANGLED, parent_platform_id="99"),
        *chain]))


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    """An archive of the three threads written through the storage API, served; yields
    (Datasette's base URL, its path)."""
    tmp_path = tmp_path_factory.mktemp("stored")
    db = storage.open_archive(tmp_path / "archive.db")
    storage.save_site(db, SiteInfo(site=SITE, url=BLOG, name="A blog", timezone=ZONE))
    for write in (save_history, save_hostile, save_tangled):
        write(db)
    storage.close_archive(db)
    with datasette(tmp_path / "datasette.log", tmp_path / "archive.db") as base:
        yield base, tmp_path / "archive.db"


def thread_view(stored, url):
    """(HTML text, lxml document) of the thread view of the post at `url`, asked for by its
    id: an address that sends on to the one by the post's key."""
    base, db = stored
    return html_page(f"{base}/archive/-/thread/{post_id(db, url)}")


def comment_item(doc, db, post_url, platform_id):
    ((found,),) = rows(db, "SELECT c.comment_key FROM comments c JOIN posts p ON p.id = c.post_id "
                           "WHERE p.url = ? AND c.platform_id = ?", post_url, platform_id)
    return doc.get_element_by_id(f"comment-{found}")


def badges(item):
    return [text(badge) for badge in item.xpath("./article//*[contains(@class, 'badge')]")]


def comment_body(item):
    return text(item.xpath("./article/div[contains(@class, 'comment-body')]")[0])


def test_an_edited_and_removed_post_is_shown_as_such(stored):
    _, doc = thread_view(stored, HISTORY)
    (post,) = doc.find_class("archived-post")
    assert post.get("class") == "archived-post is-removed is-edited"
    assert text(post.find("div/h1")) == "After the edit"
    assert [text(badge) for badge in post.find_class("badge")] == ["removed", "edited"]
    assert text(post.find_class("removal")[0]) == \
        "removed from the blog; noticed 2024-03-01 03:00 UTC by crawl 3"
    assert post.find_class("removal")[0].find("a").get("href") == "/archive/crawls/3"
    (versions,) = post.find_class("versions")
    assert text(versions.find("summary")) == "1 earlier text of this post"
    assert [text(version) for version in versions.find_class("version")] == [POST_VERSION]
    assert text(post.find_class("post-body")[0]) == "The second text."


def test_edited_and_removed_comments_are_shown_as_such(stored):
    _, db = stored
    _, doc = thread_view(stored, HISTORY)
    ann, bob, cy = (comment_item(doc, db, HISTORY, platform_id) for platform_id in "123")
    assert ann.get("class") == "comment level-1 type-comment is-edited"
    assert badges(ann) == ["edited"]
    assert comment_body(ann) == "As edited."
    (versions,) = ann.xpath("./article/details")
    assert text(versions.find("summary")) == "1 earlier text of this comment"
    assert [text(version) for version in versions.find_class("version")] == [COMMENT_VERSION]
    assert ann.xpath("./ol[@class='replies']/li") == [bob]
    assert bob.get("class") == "comment level-2 type-comment"
    assert bob.find_class("versions") == [] and bob.find_class("removal") == []
    assert cy.get("class") == "comment level-1 type-comment is-removed"
    assert badges(cy) == ["removed"]
    assert text(cy.find_class("removal")[0]) == \
        "removed from the blog; noticed 2024-02-01 03:00 UTC by crawl 2"
    assert comment_body(cy) == "Soon gone."


def test_tangled_replies_are_all_shown_once(stored):
    _, doc = thread_view(stored, TANGLED)

    def tree(items):
        return [(text(item.find_class("author")[0]),
                 next((text(note) for note in item.xpath("./article/p[@class='reply-to']")),
                      None),
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


def scriptable(element):
    """The words of SCRIPTABLE in an element's markup."""
    markup = lxml.html.tostring(element, encoding="unicode")
    return [word for word in SCRIPTABLE if word in markup]


def test_hostile_markup_renders_inert_in_the_thread_view(stored):
    _, db = stored
    html, doc = thread_view(stored, HOSTILE)
    item = comment_item(doc, db, HOSTILE, "1")
    assert scriptable(item) == []
    (body,) = item.xpath("./article/div[contains(@class, 'comment-body')]")
    assert inner_html(body) == HOSTILE_RENDERED
    # A javascript: author URL and a data: permalink are no links; an http(s) one is, trimmed.
    links = item.xpath("./article/*[@class!='comment-body archived-html']//a")
    assert [a.get("href") for a in links] == [
        "/archive/comments?author=%3Cscript%3Ealert%282%29%3C%2Fscript%3EMallory",
        "#" + item.get("id")]
    assert text(item.find_class("author")[0]) == "<script>alert(2)</script>Mallory"
    harmless = comment_item(doc, db, HOSTILE, "2")
    assert harmless.find_class("author")[0].get("href") == "https://hal.example/"
    (post,) = doc.find_class("archived-post")
    assert inner_html(post.find_class("post-body")[0]) == HOSTILE_RENDERED
    assert scriptable(post) == []
    assert "<script>alert(1)</script>Hostile" not in html


def test_hostile_markup_renders_inert_in_the_comments_table_and_row(stored):
    base, db = stored
    ((comment_id,),) = rows(db, "SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id "
                                "WHERE p.url = ? AND c.platform_id = '1'", HOSTILE)
    row_link = f"/archive/comments/{comment_id}"
    body_cell = "td[contains(@class, 'col-body_html')]"
    for path, cells in (("/archive/comments", f"//tr[td/a[@href='{row_link}']]/{body_cell}"),
                        (row_link, f"//{body_cell}")):
        (cell,) = html_page(base + path)[1].xpath(cells)
        assert scriptable(cell) == []
        assert inner_html(cell.find_class("archived-html")[0]) == HOSTILE_RENDERED


def test_sql_aliasing_text_to_body_html_is_never_rendered(stored):
    base, _ = stored
    _, doc = html_page(f"{base}/archive?sql="
                       "select+%27%3Cscript%3Ealert(1)%3C%2Fscript%3E%27+as+body_html")
    (cell,) = doc.xpath("//td[@class='col-body_html']")
    assert (cell.text, list(cell)) == ("<script>alert(1)</script>", [])


def inner_html(element):
    return (element.text or "") + "".join(lxml.html.tostring(child, encoding="unicode")
                                          for child in element)
