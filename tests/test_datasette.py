"""`archiver serve` on an archive made by real crawls of the demo blog, asked over HTTP: the
metadata on Datasette's pages, the facets, the canned queries and the one-box search.

The blog is a copy of the demo blog, crawled once, then changed (a comment edited, another
deleted) and crawled again in full while `archiver serve` answers: so the archive has a
history, and the server has been read while a crawl wrote to it.
"""

import contextlib
import json
import re
import shutil
import sqlite3
import subprocess
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import markupsafe
import pytest
import yaml

from archiver import storage
from archiver.cli import DATASETTE_FILES
from tests.helpers import DEMO_BLOG, EXAMPLE, ROOT, copy_archive, crawl
from tests.local_servers import archiver_serve

README = (ROOT / "README.md").read_text(encoding="utf-8")
METADATA = yaml.safe_load((DATASETTE_FILES / "metadata.yml").read_text(encoding="utf-8"))
TABLE_METADATA = METADATA["databases"]["archive"]["tables"]
OPEN_THREAD = "2015/03/01/open-thread-anything-goes-comments-paginated/"
EXAMPLE_TITLE = "Iraqi Communists Call on World’s Proletariat to unite against Islamists"
OPEN_THREAD_TITLE = "Open thread: anything goes (comments paginated)"
EDITED = "And where were all these people when the sanctions were killing children? Just asking."
EDITED_NOW = "And where were all these people when the sanctions were killing children? Just asking, again."
REMOVED = "I’ve shared this with our union branch. Solidarity!"
# What the pages ask while a crawl writes to the archive.
POLLED = ["/archive/comments.json?_size=5", "/archive/posts", "/archive/-/search?q=the",
          "/archive/last_crawl.json"]


@dataclass
class Served:
    """`archiver serve` on the archive at `db`, crawled from the blog at `blog`."""

    base: str
    db: Path
    blog: str
    answers_during_crawl: list = field(default_factory=list)

    def get(self, path):
        """(status, body) of a GET of `path`; error statuses are answers too."""
        try:
            with urllib.request.urlopen(self.base + path, timeout=10) as response:
                return response.status, response.read().decode("utf-8")
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode("utf-8")

    def json(self, path, **params):
        status, body = self.get(f"{path}?{urlencode(params)}")
        assert status == 200, body[:2000]
        return json.loads(body)

    def rows(self, sql, *params):
        with contextlib.closing(sqlite3.connect(self.db)) as conn:
            return conn.execute(sql, params).fetchall()

    def post_id(self, path):
        ((post_id,),) = self.rows("SELECT id FROM posts WHERE url = ?", self.blog + path)
        return post_id

    def comment_id(self, path, platform_id):
        ((comment_id,),) = self.rows("SELECT id FROM comments WHERE post_id = ? AND platform_id = ?",
                                     self.post_id(path), platform_id)
        return comment_id

    def thread_url(self, path, platform_id=None):
        url = f"/archive/-/thread/{self.post_id(path)}"
        return url if platform_id is None else f"{url}#comment-{self.comment_id(path, platform_id)}"


@pytest.fixture(scope="module")
def served(demo_blog, demo_archive, tmp_path_factory):
    """A copy of the demo blog's archive crawled again in full from the blog changed, while
    `archiver serve` answers from it."""
    tmp_path = tmp_path_factory.mktemp("datasette")
    blog_files = tmp_path / "blog"
    shutil.copytree(DEMO_BLOG, blog_files)
    edit_and_delete_a_comment(blog_files)
    db = tmp_path / "archive.db"
    copy_archive(demo_archive, db)
    with archiver_serve(db, tmp_path / "serve.log") as base:
        archive = Served(base, db, demo_blog.url)
        with polling(archive), demo_blog.showing(blog_files):
            crawl(demo_blog.url, db, tmp_path, "-a", "full=1")
        yield archive


def edit_and_delete_a_comment(blog_files):
    """On the example thread, as its pages and comment feed show it: comment 4 edited, comment 7
    deleted."""
    for name in ("13.html", "32.html", "27.xml"):
        page = blog_files / "files" / name
        text = page.read_text(encoding="utf-8").replace("Just asking.", "Just asking, again.")
        text = re.sub(r'\s*<li id="comment-7".*?</li><!-- #comment-## -->', "", text, flags=re.S)
        text = re.sub(r"\s*<item>(?:(?!</item>).)*?#comment-7</link>.*?</item>", "", text, flags=re.S)
        page.write_text(text, encoding="utf-8")


@contextlib.contextmanager
def polling(archive):
    """Ask the server for POLLED pages, one after another, until the block ends; their statuses
    (or the error that stood for one) go to `archive.answers_during_crawl`."""
    done = threading.Event()

    def ask():
        while not done.is_set():
            for path in POLLED:
                try:
                    answer = archive.get(path)[0]
                except OSError as error:
                    answer = repr(error)
                archive.answers_during_crawl.append((path, answer))

    asker = threading.Thread(target=ask)
    asker.start()
    try:
        yield
    finally:
        done.set()
        asker.join()


def readme_column_descriptions(table):
    """Each column's meaning in the README's table of `table`, without markdown backticks."""
    section = README.split(f"### {table}\n", 1)[1].split("\n### ", 1)[0].split("\n## ", 1)[0]
    return {name.strip(): meaning.replace("`", "")
            for names, meaning in re.findall(r"^\| ([^|]+) \| (.+) \|$", section, re.M)
            if names != "column"
            for name in names.split(",")}


@pytest.mark.parametrize("table", sorted(storage.TABLES))
def test_every_column_is_described_in_the_metadata_as_in_the_readme(table):
    descriptions = TABLE_METADATA[table]["columns"]
    assert set(descriptions) == set(storage.TABLES[table]["columns"])
    assert descriptions == readme_column_descriptions(table)


def test_pages_keep_answering_while_a_crawl_writes_to_the_archive(served):
    statuses = {status for _, status in served.answers_during_crawl}
    assert statuses == {200}, [answer for answer in served.answers_during_crawl if answer[1] != 200]
    assert {path for path, _ in served.answers_during_crawl} == set(POLLED)


def test_the_index_shows_the_archive_tables_and_hides_internal_ones(served):
    tables = served.json("/archive.json")["tables"]
    assert {table["name"] for table in tables if not table["hidden"]} == set(storage.TABLES)
    assert {table["name"] for table in tables if table["hidden"]} == {
        "_sqlite_migrations",
        *(f"{index}{suffix}" for index in ("posts_fts", "comments_fts")
          for suffix in ("", "_config", "_data", "_docsize", "_idx"))}
    status, index = served.get("/")
    assert status == 200
    assert "<h1>thread-archiver</h1>" in index
    assert "_sqlite_migrations" not in index and "_fts" not in index


def test_serve_turns_off_facet_suggestions_and_loads_the_project_s_plugins(served):
    assert served.json("/-/settings.json")["suggest_facets"] is False
    assert {plugin["name"] for plugin in served.json("/-/plugins.json")} == {
        path.name for path in (DATASETTE_FILES / "plugins").glob("*.py")}


def test_the_database_page_has_a_search_box(served):
    status, page = served.get("/archive")
    assert status == 200
    assert '<form class="archive-search" action="/archive/-/search" method="get">' in page


@pytest.mark.parametrize("table", sorted(storage.TABLES))
def test_table_pages_show_the_metadata(served, table):
    status, page = served.get(f"/archive/{table}")
    assert status == 200
    metadata = TABLE_METADATA[table]
    assert re.search(r"<h1>\s*(.*?)\s*</h1>", page)[1] == escaped(metadata["title"])
    description = re.search(r'<div class="metadata-description">\s*(.*?)\s*</div>', page, re.S)[1]
    assert description == escaped(metadata["description"])
    assert f"Data source: {escaped(metadata['source'])}" in page
    shown = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>",
                       re.search(r'<dl class="column-descriptions">(.*?)</dl>', page, re.S)[1])
    assert shown == [(column, escaped(meaning)) for column, meaning in metadata["columns"].items()]


def escaped(text):
    return str(markupsafe.escape(text))


def facets(served, table):
    """Each default facet of `table`, as (value or label, count) pairs, most frequent first."""
    results = served.json(f"/archive/{table}.json", _size=0)["facet_results"]
    return {name: [(result["label"], result["count"]) for result in facet["results"]]
            for name, facet in results.items()}


def test_posts_have_facets_by_site_author_and_year_and_come_newest_first(served):
    assert facets(served, "posts") == {
        "site": [("Harness Blog", 7)],
        "author": [("Andrew Coates", 4), ("Jürgen Weiß", 1), ("Sam O'Neill", 1)],
        "published_year": [(2014, 2), (2015, 2), (2022, 1), (2023, 1)],
    }
    titles = served.json("/archive/posts.json", _col="title", _shape="array")
    assert [post["title"] for post in titles] == [
        "Whatever happened to the Arab Spring? (Part 2)", "Solidarity ✊ with the Kurds",
        OPEN_THREAD_TITLE, "Review: “the Arab Spring” revisited", EXAMPLE_TITLE,
        "Why Kurdistan still matters", "About this blog"]


def test_comments_have_facets_by_post_author_type_and_year_and_read_in_thread_order(served):
    found = facets(served, "comments")
    assert list(found) == ["post_id", "author", "type", "published_year"]
    assert found["post_id"] == [(OPEN_THREAD_TITLE, 42), (EXAMPLE_TITLE, 9),
                                ("Review: “the Arab Spring” revisited", 5),
                                ("Why Kurdistan still matters", 2)]
    assert found["author"][:4] == [("Andrew Coates", 8), ("Anonymous", 6), ("Jim Denham", 6),
                                   ("Marie-Claude Côté", 4)]
    assert found["type"] == [("comment", 52), ("pingback", 6)]
    assert found["published_year"] == [(2015, 44), (2014, 11)]
    thread = served.json("/archive/comments.json", post_id=served.post_id(EXAMPLE), _col="author",
                         _shape="array")
    assert [comment["author"] for comment in thread] == [
        "Jim Monaghan", "Andrew Coates", "Iraq, the Left and the Islamic State | Another Left Blog",
        "Anonymous", "Iraqi Communist Party appeal: read it and pass it on | Workers' Solidarity Notes",
        "Jim Denham", "Andrew Coates", "Jim Denham", "Sue R"]


def test_links_pages_and_crawls_have_their_facets(served):
    links = facets(served, "links")
    assert links["domain"][:3] == [("left-archive-notes.blogspot.com", 11), ("www.stopwar.org.uk", 10),
                                   ("de.wikipedia.org", 9)]
    assert links["external"] == [(1, 56), (0, 1)]
    assert facets(served, "pages") == {
        # The demo's snapshot holds no category pages, which a blog without month archives
        # has read as listings: five of its listings answer 404.
        "role": [("post", 10), ("listing", 7), ("comments", 6), ("sitemap", 4), ("site", 2), ("feed", 1)],
        "status": [(200, 23), (404, 7)],
    }
    assert facets(served, "crawls") == {
        "site": [(urlsplit(served.blog).netloc, 2)], "status": [("ok", 2)], "mode": [("full", 2)]}


def test_thread_query_lists_a_post_s_comments_in_thread_order_with_edits_and_removals(served):
    ((edited_utc,),) = served.rows("SELECT replaced_utc FROM comment_versions")
    ((removed_utc,),) = served.rows("SELECT removed_utc FROM comments WHERE removed_utc IS NOT NULL")
    thread = served.json("/archive/thread.json", post_id=served.post_id(EXAMPLE), _shape="array")
    assert [(row["position"], row["depth"], row["id"], row["in_reply_to"], row["type"], row["author"],
             row["published_utc"], row["edited_utc"], row["earlier_texts"], row["removed_utc"],
             row["thread"]) for row in thread] == [
        (position, depth, served.comment_id(EXAMPLE, platform_id), in_reply_to, kind, author,
         published_utc, edited_utc if platform_id == "4" else None, 1 if platform_id == "4" else 0,
         removed_utc if platform_id == "7" else None, served.base + served.thread_url(EXAMPLE, platform_id))
        for position, platform_id, depth, in_reply_to, kind, author, published_utc in [
            (1, "1", 1, None, "comment", "Jim Monaghan", "2014-08-12T13:15:00Z"),
            (2, "2", 1, None, "comment", "Andrew Coates", "2014-08-12T14:55:00Z"),
            (3, "3", 1, None, "pingback", "Iraq, the Left and the Islamic State | Another Left Blog",
             "2014-08-12T14:59:00Z"),
            (4, "4", 1, None, "comment", "Anonymous", "2014-08-12T22:22:00Z"),
            (5, "5", 1, None, "pingback",
             "Iraqi Communist Party appeal: read it and pass it on | Workers' Solidarity Notes",
             "2014-08-13T07:31:00Z"),
            (6, "6", 1, None, "comment", "Jim Denham", "2014-08-13T12:47:00Z"),
            (7, "8", 2, "Jim Denham", "comment", "Andrew Coates", "2014-08-13T16:02:00Z"),
            (8, "9", 3, "Andrew Coates", "comment", "Jim Denham", "2014-08-13T17:30:00Z"),
            (9, "7", 1, None, "comment", "Sue R", "2014-08-13T14:23:00Z"),
        ]]
    assert thread[3]["body_text"] == EDITED_NOW


def test_commenter_query_lists_an_author_s_comments_across_the_archive_newest_first(served):
    comments = served.json("/archive/commenter.json", author="Jim Denham", _shape="array")
    assert [(row["published_local"], row["published_utc"], row["post"], row["type"], row["removed_utc"],
             row["thread"]) for row in comments] == [
        (local, utc, title, "comment", None, served.base + served.thread_url(path, platform_id))
        for local, utc, title, path, platform_id in [
            ("2015-05-14T17:10:25+01:00", "2015-05-14T16:10:25Z", OPEN_THREAD_TITLE, OPEN_THREAD, "36"),
            ("2015-05-12T21:37:29+01:00", "2015-05-12T20:37:29Z", OPEN_THREAD_TITLE, OPEN_THREAD, "32"),
            ("2015-04-30T11:39:38+01:00", "2015-04-30T10:39:38Z", OPEN_THREAD_TITLE, OPEN_THREAD, "31"),
            ("2015-03-28T23:40:11+00:00", "2015-03-28T23:40:11Z", OPEN_THREAD_TITLE, OPEN_THREAD, "27"),
            ("2014-08-13T18:30:00+01:00", "2014-08-13T17:30:00Z", EXAMPLE_TITLE, EXAMPLE, "9"),
            ("2014-08-13T13:47:00+01:00", "2014-08-13T12:47:00Z", EXAMPLE_TITLE, EXAMPLE, "6"),
        ]]
    assert comments[4]["body_text"] == "“Silence” is putting it kindly, Andrew."


def test_most_linked_sources_are_grouped_by_domain_with_counts(served):
    sources = served.json("/archive/most_linked_sources.json", _shape="array")
    assert [tuple(row.values()) for row in sources] == [
        # domain, domain_links, domain_threads, url, links, post_bodies, comments, threads
        ("left-archive-notes.blogspot.com", 11, 3,
         "http://left-archive-notes.blogspot.com/2012/11/on-general-strike.html", 11, 1, 10, 3),
        ("www.stopwar.org.uk", 10, 5, "http://www.stopwar.org.uk/news/example-statement", 9, 3, 4, 4),
        ("www.stopwar.org.uk", 10, 5,
         "http://www.stopwar.org.uk/news/iraq-the-case-against-another-intervention", 1, 1, 0, 1),
        ("de.wikipedia.org", 9, 3, "https://de.wikipedia.org/wiki/Gewerkschaft", 9, 1, 8, 3),
        ("www.example.org", 6, 2, "https://www.example.org/reports/2016/annual-report.pdf", 6, 1, 5, 2),
        ("www.theguardian.com", 6, 1, "https://www.theguardian.com/politics/2013/may/14/example-article",
         6, 0, 6, 1),
        ("fr.wikipedia.org", 4, 1, "https://fr.wikipedia.org/wiki/Laïcité", 4, 0, 4, 1),
        ("www.marxists.org", 4, 1, "https://www.marxists.org/archive/example/1920/index.htm", 4, 0, 4, 1),
        ("archive.example.net", 3, 3, "https://archive.example.net/item?id=1234&lang=en", 3, 1, 2, 3),
        ("en.wikipedia.org", 1, 1, "https://en.wikipedia.org/wiki/Iraqi_Communist_Party", 1, 1, 0, 1),
        ("iraqi-left-statements.blogspot.com", 1, 1,
         "http://iraqi-left-statements.blogspot.com/2014/08/appeal-to-workers-of-world.html", 1, 1, 0, 1),
        ("www.internationalviewpoint.org", 1, 1, "http://www.internationalviewpoint.org/spip.php?article3512",
         1, 0, 1, 1),
    ]


def test_most_active_threads_count_the_comments_the_blog_still_shows(served):
    site = urlsplit(served.blog).netloc
    threads = served.json("/archive/most_active_threads.json", _shape="array")
    assert [tuple(row.values()) for row in threads] == [
        # id, site, title, published_local, comments, pingbacks, commenters, latest_comment_utc, thread
        (served.post_id(path), site, title, published_local, comments, pingbacks, commenters, latest,
         served.base + served.thread_url(path))
        for path, title, published_local, comments, pingbacks, commenters, latest in [
            (OPEN_THREAD, OPEN_THREAD_TITLE, "2015-03-01T10:00:00+00:00", 39, 3, 17, "2015-09-10T09:43:52Z"),
            (EXAMPLE, EXAMPLE_TITLE, "2014-08-12T12:44:00+01:00", 6, 2, 4, "2014-08-13T17:30:00Z"),
            ("2015/01/02/review-the-arab-spring-revisited/", "Review: “the Arab Spring” revisited",
             "2015-01-02T16:41:00+00:00", 4, 1, 3, "2015-01-04T22:55:08Z"),
            ("2014/02/09/why-kurdistan-still-matters/", "Why Kurdistan still matters",
             "2014-02-09T10:23:00+00:00", 2, 0, 2, "2014-02-16T18:38:34Z"),
        ]]


def test_last_crawl_query_shows_the_run_and_what_it_found_edited_and_removed(served):
    ((started, site, requests, pages),) = served.rows(
        "SELECT started_utc, site, requests, pages FROM crawls WHERE id = 2")
    ((edited_utc,),) = served.rows("SELECT replaced_utc FROM comment_versions")
    ((removed_utc,),) = served.rows("SELECT removed_utc FROM comments WHERE removed_utc IS NOT NULL")
    post_id = served.post_id(EXAMPLE)
    assert served.json("/archive/last_crawl.json", _shape="array") == [
        {"change": "crawl", "time_utc": started, "post_id": None, "post": None, "comment_id": None,
         "author": None,
         "text": f"run 2 of {site} (full, ok): {requests} requests, {pages} pages; posts: 0 new, "
                 f"0 edited, 0 removed; comments: 0 new, 1 edited, 1 removed",
         "earlier_text": None, "thread": None},
        {"change": "edited comment", "time_utc": edited_utc, "post_id": post_id, "post": EXAMPLE_TITLE,
         "comment_id": served.comment_id(EXAMPLE, "4"), "author": "Anonymous", "text": EDITED_NOW,
         "earlier_text": EDITED, "thread": served.base + served.thread_url(EXAMPLE, "4")},
        {"change": "removed comment", "time_utc": removed_utc, "post_id": post_id, "post": EXAMPLE_TITLE,
         "comment_id": served.comment_id(EXAMPLE, "7"), "author": "Sue R", "text": REMOVED,
         "earlier_text": None, "thread": served.base + served.thread_url(EXAMPLE, "7")},
    ]


def test_search_query_finds_words_and_takes_fts_syntax_as_words(served):
    assert served.json("/archive/search.json", q="sanctions", _shape="array") == [
        {"hit": "comment", "post_id": served.post_id(EXAMPLE), "comment_id": served.comment_id(EXAMPLE, "4"),
         "post": EXAMPLE_TITLE, "author": "Anonymous", "published_utc": "2014-08-12T22:22:00Z",
         "snippet": EDITED_NOW.replace("sanctions", "**sanctions**"),
         "thread": served.base + served.thread_url(EXAMPLE, "4")}]
    for q in ['"unbalanced AND (', "NEAR(", "*", "", '"']:
        assert served.json("/archive/search.json", q=q, _shape="array") == []


def search_hits(page):
    """(link, byline, snippet HTML) of each hit on a search page."""
    return [(link, " ".join(re.sub("<[^>]+>", "", byline).split()), snippet)
            for link, byline, snippet in re.findall(
                r'<p class="hit-title"><a href="([^"]*)">.*?</a></p>\s*'
                r'<p class="hit-byline">(.*?)</p>\s*<p class="hit-snippet">(.*?)</p>', page, re.S)]


def test_search_page_finds_comments_by_a_word_with_escaped_highlighted_snippets(served):
    status, page = served.get("/archive/-/search?q=blockquote")
    assert status == 200
    assert "Found in 0 posts and\n    3 comments; showing 1 to 3" in page
    use_blockquote = "Use &lt;<mark>blockquote</mark>&gt; &amp; “quotes” — it’s easy…"
    assert search_hits(page) == [
        (served.thread_url(OPEN_THREAD, "52"), "Comment by Marie-Claude Côté, 2015-06-25 11:52",
         "The official statement was long on adjectives and short on facts. Ça fait réfléchir : où "
         "sont passés les syndicats ?\n" + use_blockquote),
        (served.thread_url(OPEN_THREAD, "19"), "Comment by Anna Kowalska, 2015-03-20 20:57",
         "…" + use_blockquote),
        (served.thread_url(OPEN_THREAD, "25"), "Comment by Ahmed Y., 2015-03-28 12:35",
         "…" + use_blockquote),
    ]


def test_search_page_marks_a_comment_removed_from_the_blog(served):
    status, page = served.get("/archive/-/search?q=union+branch")
    assert status == 200
    assert search_hits(page) == [(
        served.thread_url(EXAMPLE, "7"), "Comment by Sue R, 2014-08-13 15:23 removed from the blog",
        "I’ve shared this with our <mark>union</mark> <mark>branch</mark>. Solidarity!")]


def test_search_page_finds_a_post_by_a_title_word_and_links_to_its_thread(served):
    status, page = served.get("/archive/-/search?q=kurdistan")
    assert status == 200
    assert search_hits(page)[0][:2] == (served.thread_url("2014/02/09/why-kurdistan-still-matters/"),
                                        "Post by Jürgen Weiß, 2014-02-09 10:23")


def test_search_page_takes_operators_and_bad_syntax_as_words(served):
    assert len(search_hits(served.get("/archive/-/search?q=killing")[1])) == 1
    status, page = served.get("/archive/-/search?" + urlencode({"q": "killing OR nonexistentword"}))
    assert (status, search_hits(page)) == (200, [])
    assert "No post or comment holds these words." in page
    for q in ['"unbalanced AND (', "NEAR(killing", "*", "^", '"', "-"]:
        status, page = served.get("/archive/-/search?" + urlencode({"q": q}))
        assert status == 200, (q, page[:2000])
    status, page = served.get("/archive/-/search?" + urlencode({"q": '"killing children"'}))
    assert [link for link, _, _ in search_hits(page)] == [served.thread_url(EXAMPLE, "4")]


def test_search_page_shows_fifty_hits_a_page(served):
    status, page = served.get("/archive/-/search?q=the")
    assert status == 200
    assert "Found in 5 posts and\n    49 comments; showing 1 to 50" in page
    assert len(search_hits(page)) == 50
    assert '<a href="/archive/-/search?q=the&amp;page=2">Next 50 hits</a>' in page
    status, page = served.get("/archive/-/search?q=the&page=2")
    assert "showing 51 to 54" in page
    assert len(search_hits(page)) == 4
    assert "Next 50 hits" not in page
    for page_number in ("0", "-1", "²", "x", "99999999999999999999999"):
        status, page = served.get("/archive/-/search?" + urlencode({"q": "the", "page": page_number}))
        assert (status, len(search_hits(page))) == (200, 50), page_number
    status, page = served.get("/archive/-/search?q=the&page=999999")
    assert (status, search_hits(page)) == (200, [])
    assert "No more posts or comments hold these words." in page


def test_search_page_escapes_the_words_it_was_given(served):
    status, page = served.get("/archive/-/search?" + urlencode({"q": '<script>alert("x")</script>'}))
    assert status == 200
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in page
    assert "<script>alert" not in page


def test_search_page_of_an_unknown_database_is_not_found(served):
    assert served.get("/nothing/-/search?q=the")[0] == 404


def test_an_archive_under_another_file_name_gets_the_same_metadata_and_queries(served, tmp_path):
    copy = tmp_path / "blog-2014.db"
    with contextlib.closing(sqlite3.connect(served.db)) as source, \
            contextlib.closing(sqlite3.connect(copy)) as target:
        source.backup(target)
    datasette = [sys.executable, "-m", "datasette", "serve", str(copy),
                 "-m", "archiver/datasette/metadata.yml", "--plugins-dir", "archiver/datasette/plugins",
                 "--template-dir", "archiver/datasette/templates",
                 "--static", "thread-archiver:archiver/datasette/static"]
    commenter = subprocess.run([*datasette, "--get", "/blog-2014/commenter.json?author=Sue+R&_shape=array"],
                               cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert commenter.returncode == 0, commenter.stderr
    assert [(row["post"], row["removed_utc"] is not None, row["thread"].split("#")[0])
            for row in json.loads(commenter.stdout)] == [
        (EXAMPLE_TITLE, True, f"http://localhost/blog-2014/-/thread/{served.post_id(EXAMPLE)}"),
        ("Why Kurdistan still matters", False,
         f"http://localhost/blog-2014/-/thread/{served.post_id('2014/02/09/why-kurdistan-still-matters/')}")]
    page = subprocess.run([*datasette, "--get", "/blog-2014/comments"], cwd=ROOT, capture_output=True,
                          text=True, timeout=60)
    assert re.search(r"<h1>\s*(.*?)\s*</h1>", page.stdout)[1] == "Comments"
    assert '<form class="archive-search" action="/blog-2014/-/search" method="get">' in subprocess.run(
        [*datasette, "--get", "/blog-2014"], cwd=ROOT, capture_output=True, text=True, timeout=60).stdout


def test_serve_refuses_a_missing_archive(tmp_path):
    done = subprocess.run([sys.executable, "-m", "archiver.cli", "serve", "--db", "data/none.db"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", "Error: no archive at data/none.db: archive a blog into it first, with archiver crawl "
               "URL --db data/none.db\n")
