"""`archiver serve` on an archive made by real crawls of the demo blog (the `served` fixture of
conftest.py), asked over HTTP: the metadata on Datasette's pages, the facets, and answers
while a crawl writes (its canned queries are in test_canned_queries.py, its search page in
test_search_page.py)."""

import json
import re
import subprocess
import sys
from urllib.parse import urlencode, urlsplit

import markupsafe
import pytest
import yaml

from archiver import storage
from archiver.cli_archives import DATASETTE_FILES
from tests.helpers import EXAMPLE, EXAMPLE_TITLE, ROOT, archiver, copy_archive, readme_columns
from tests.served_archive import OPEN_THREAD_TITLE, POLLED

METADATA = yaml.safe_load((DATASETTE_FILES / "metadata.yml").read_text(encoding="utf-8"))
TABLE_METADATA = METADATA["databases"]["archive"]["tables"]


@pytest.mark.parametrize("table", sorted(storage.TABLES))
def test_every_column_is_described_in_the_metadata_as_in_the_readme(table):
    descriptions = TABLE_METADATA[table]["columns"]
    assert set(descriptions) == set(storage.TABLES[table]["columns"])
    assert descriptions == readme_columns(table)


def test_pages_keep_answering_while_a_crawl_writes_to_the_archive(served):
    answers = served.answers_during_crawl
    assert {status for _, status in answers} == {200}, [
        answer for answer in answers if answer[1] != 200]
    assert {path for path, _ in answers} == set(POLLED)


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


def test_serve_turns_off_facet_suggestions_and_loads_the_project_s_plugin(served):
    assert served.json("/-/settings.json")["suggest_facets"] is False
    plugins = served.json("/-/plugins.json")
    assert {plugin["name"] for plugin in plugins} == {"thread-archiver"}
    assert sorted(hook for plugin in plugins for hook in plugin["hooks"]) == [
        "extra_css_urls", "extra_template_vars", "get_metadata", "prepare_connection",
        "register_magic_parameters", "register_routes", "register_routes", "render_cell",
        "startup"]
    assert [(plugin["static"], plugin["templates"]) for plugin in plugins
            if not plugin["hooks"]] == [(True, True)]


def test_the_database_page_has_a_search_box(served):
    status, page = served.get("/archive")
    assert status == 200
    assert '<form class="archive-search" action="/archive/-/search" method="get">' in page


@pytest.mark.parametrize("table", sorted(storage.TABLES))
def test_table_pages_show_the_metadata_with_the_columns_folded_under_the_description(served,
                                                                                     table):
    status, page = served.get(f"/archive/{table}")
    assert status == 200
    metadata = TABLE_METADATA[table]
    assert re.search(r"<h1>\s*(.*?)\s*</h1>", page)[1] == escaped(metadata["title"])
    description = re.search(r'<div class="metadata-description">\s*(.*?)\s*</div>', page,
                            re.S)[1]
    columns = "".join(f"<dt>{column}</dt><dd>{escaped(meaning)}</dd>"
                      for column, meaning in metadata["columns"].items())
    assert description == (
        f"<p>{escaped(metadata['description'])}</p>"
        '<details class="archive-columns"><summary>What each column holds</summary>'
        f"<p>Data source: {escaped(metadata['source'])}</p>"
        f'<dl class="column-descriptions">{columns}</dl></details>')
    # Datasette's own list of the columns, above the rows, is gone.
    assert page.count('<dl class="column-descriptions">') == 1


def test_a_query_links_a_thread_column_only_to_a_web_address(served):
    """Any SQL may name its columns `thread`, `post` and `permalink`: only a web address in
    them becomes a link, as Datasette links only those."""
    sql = ("select 'javascript:alert(1)//-/thread/x' as thread, 'a post' as post, "
           "'javascript:alert(2)' as permalink union all "
           "select 'http://localhost/archive/-/thread/blog.example/a/#comment-1', 'b post', "
           "'http://blog.example/a/#comment-1'")
    status, page = served.get(f"/archive?{urlencode({'sql': sql})}")
    assert status == 200
    cells = re.findall(r'<td class="col-(\w+)">(.*?)</td>', page, re.S)
    thread = "http://localhost/archive/-/thread/blog.example/a/#comment-1"
    permalink = "http://blog.example/a/#comment-1"
    assert cells == [
        ("thread", "javascript:alert(1)//-/thread/x"), ("post", "a post"),
        ("permalink", "javascript:alert(2)"),
        ("thread", f'<a class="thread-link" href="{thread}" title="{thread}">comment in thread'
                   "</a>"),
        ("post", f'<a href="{thread}" title="its thread view">b post</a>'),
        ("permalink", f'<a href="{permalink}" rel="nofollow noopener noreferrer" '
                      f'title="{permalink}">on the blog</a>')]


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
    thread = served.json("/archive/comments.json", post_id=served.post_id(EXAMPLE),
                         _col="author", _shape="array")
    assert [comment["author"] for comment in thread] == [
        "Jim Monaghan", "Andrew Coates",
        "Iraq, the Left and the Islamic State | Another Left Blog", "Anonymous",
        "Iraqi Communist Party appeal: read it and pass it on | Workers' Solidarity Notes",
        "Jim Denham", "Andrew Coates", "Jim Denham", "Sue R"]


def test_links_pages_and_crawls_have_their_facets(served):
    links = facets(served, "links")
    assert links["domain"][:3] == [("left-archive-notes.blogspot.com", 11),
                                   ("www.stopwar.org.uk", 10), ("de.wikipedia.org", 9)]
    assert links["external"] == [(1, 56), (0, 1)]
    assert facets(served, "pages") == {
        # The demo's snapshot holds no category pages, which a blog without month archives
        # has read as listings: five of its listings answer 404.
        "role": [("post", 10), ("listing", 7), ("sitemap", 4), ("comments", 3), ("feed", 1),
                 ("rest_posts", 1), ("site", 1)],
        "status": [(200, 20), (404, 7)],
    }
    assert facets(served, "crawls") == {
        "site": [(urlsplit(served.blog).netloc, 2)], "status": [("ok", 2)],
        "mode": [("full", 2)]}


def test_plain_datasette_gives_an_archive_under_any_file_name_the_archive_s_pages(served,
                                                                                 tmp_path):
    """Installed, the project is a Datasette plugin: `datasette FILE` alone, with no option,
    has the metadata, canned queries, search box, thread view and stylesheet."""
    copy = tmp_path / "blog-2014.db"
    copy_archive(served.db, copy)
    datasette = [sys.executable, "-m", "datasette", "serve", str(copy)]

    def get(path):
        done = subprocess.run([*datasette, "--get", path], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    commenter = get("/blog-2014/commenter.json?author=Sue+R&_shape=array")
    threads = "http://localhost/blog-2014/-/thread/" + urlsplit(served.blog).netloc
    assert [(row["post"], row["removed_utc"] is not None, row["thread"])
            for row in json.loads(commenter)] == [
        (EXAMPLE_TITLE, True, f"{threads}/{EXAMPLE}#comment-7"),
        ("Why Kurdistan still matters", False,
         f"{threads}/2014/02/09/why-kurdistan-still-matters/#comment-64")]
    assert re.search(r"<h1>\s*(.*?)\s*</h1>", get("/blog-2014/comments"))[1] == "Comments"
    assert ('<form class="archive-search" action="/blog-2014/-/search" method="get">'
            in get("/blog-2014"))
    thread = get(f"/blog-2014/-/thread/{urlsplit(served.blog).netloc}/{EXAMPLE}")
    assert f"<h1>{escaped(EXAMPLE_TITLE)}</h1>" in thread
    assert '<link rel="stylesheet" href="/-/static-plugins/thread-archiver/archive.css">' in thread
    assert ".archived-html" in get("/-/static-plugins/thread-archiver/archive.css")


def test_serve_refuses_a_missing_archive(tmp_path):
    done = archiver("serve", "--db", "data/none.db", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", "Error: no archive at data/none.db: archive a blog into it first, "
               "with archiver crawl URL --db data/none.db\n")
