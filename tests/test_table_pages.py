"""An archive's Datasette pages put its rows first, in a real browser (Debian's chromium) at
1280 x 800, under `archiver serve` (the `served` fixture's archive) and under plain
`datasette FILE` with no option: the table pages' rows in the first screen and a few lines
tall, every comment linked to its place in its thread, the canned queries' threads linked by
title, the database page leading with search and the posts, facets and a comment's times
that do not break. Each test leaves a screenshot of its last page, named after it."""

import csv
import io
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from archiver.datasette.plugins.tables import LONG_TEXT
from tests.browsing import ARTEFACTS, COMMENT, IN_CHROMIUM, Archive, header_of
from tests.helpers import EXAMPLE, EXAMPLE_TITLE, OPEN_THREAD

pytestmark = IN_CHROMIUM

TABLES = yaml.safe_load((Path(__file__).parent.parent / "archiver" / "datasette"
                         / "metadata.yml").read_text(encoding="utf-8"))["databases"][
                             "archive"]["tables"]
ROWS = "table.rows-and-columns tbody tr"
# The tallest a row may be: a few lines of its longest text.
ROW_HEIGHT = 200
# Each row's top and height, and each column name's height, as laid out.
LAYOUT = """() => ({
  rows: [...document.querySelectorAll("table.rows-and-columns tbody tr")].map(
    (row) => [row.getBoundingClientRect().top, row.getBoundingClientRect().height]),
  names: [...document.querySelectorAll("table.rows-and-columns th")].map(
    (name) => name.getBoundingClientRect().height),
})"""
# The words of the facets' values that are laid out on more than one line.
BROKEN_FACET_WORDS = """() => {
  const broken = [];
  for (const value of document.querySelectorAll(".facet-info li")) {
    const texts = document.createTreeWalker(value, NodeFilter.SHOW_TEXT);
    for (let text = texts.nextNode(); text; text = texts.nextNode()) {
      for (const word of text.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(text, word.index);
        range.setEnd(text, word.index + word[0].length);
        const lines = new Set([...range.getClientRects()].map((box) => Math.round(box.top)));
        if (lines.size > 1) broken.push(word[0]);
      }
    }
  }
  return broken;
}"""
# The comments of the thread view whose three times are not on one line.
WRAPPED_TIMES = """() => [...document.querySelectorAll(".comment-header .when")].filter(
  (when) => new Set([...when.children].map((time) => time.getBoundingClientRect().top)).size > 1
).length"""
# A comment far down the open thread: its key, position, author, time as shown and in UTC.
FAR_DOWN = ("34", 19, "François Lefèvre", "May 14, 2015 at 10:05 am", "2015-05-14T09:05:16Z")


@pytest.fixture(params=["archiver serve", "plain datasette"])
def archive(request, served):
    """The demo blog's archive served by `archiver serve` (with a history: a second crawl
    found a comment edited and another deleted) or by plain `datasette` with no option."""
    if request.param == "archiver serve":
        return Archive(served.base, served.db)
    return request.getfixturevalue("plain_datasette")


@pytest.mark.parametrize("table", ["posts", "comments", "links", "crawls"])
def test_a_table_page_shows_its_rows_in_the_first_screen_each_a_few_lines_tall(
        page, offsite_requests, archive, table, request):
    assert page.goto(archive.url(f"/{table}")).status == 200
    # The first screen as a reader sees it, beside the whole page the tab leaves.
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTEFACTS / f"{request.node.name}.first-screen.png")
    layout = page.evaluate(LAYOUT)
    ((count,),) = archive.rows(f"SELECT count(*) FROM {table}")
    assert len(layout["rows"]) == count
    first_top = layout["rows"][0][0]
    assert 0 < first_top < page.viewport_size["height"], first_top
    assert max(height for _, height in layout["rows"]) <= ROW_HEIGHT
    # Every column's name on one line: all are as tall as the shortest.
    assert len({round(height) for height in layout["names"]}) == 1, layout["names"]
    folded = page.locator("details.archive-columns")
    assert folded.get_attribute("open") is None
    assert not page.locator("dl.column-descriptions").is_visible()
    assert folded.locator("dt").all_text_contents() == list(TABLES[table]["columns"])
    assert offsite_requests == []


def test_every_post_title_and_comment_position_links_to_its_thread(page, archive, demo_blog):
    assert page.goto(archive.url("/posts")).status == 200
    titles = page.locator(f"{ROWS} td.col-title a")
    assert {title.inner_text(): title.get_attribute("href") for title in titles.all()} == {
        title: urlsplit(archive.thread_url(url)).path
        for title, url in archive.rows("SELECT title, url FROM posts")}
    example = archive.post_id(demo_blog.url + EXAMPLE)
    assert page.goto(archive.url(f"/posts/{example}")).status == 200
    assert page.locator(".archive-thread-link a").get_attribute("href") == urlsplit(
        archive.thread_url(demo_blog.url + EXAMPLE)).path
    assert page.goto(archive.url("/comments")).status == 200
    places = page.evaluate("""() => [...document.querySelectorAll(
        "table.rows-and-columns tbody tr")].map((row) => [
            row.querySelector("td.type-pk").innerText,
            row.querySelector("td.col-position a").getAttribute("href")])""")
    assert dict(places) == {
        str(comment_id): urlsplit(archive.thread_url(url)).path + f"#comment-{key}"
        for comment_id, url, key in archive.rows(
            "SELECT c.id, p.url, c.comment_key FROM comments c JOIN posts p ON p.id = c.post_id")}


@pytest.mark.parametrize("start", ["comments table", "the comment's row"])
def test_a_comment_s_position_leads_to_that_comment_in_its_thread(page, offsite_requests,
                                                                  archive, demo_blog, start):
    key, position, *header = FAR_DOWN
    ((comment_id,),) = archive.rows(
        "SELECT c.id FROM comments c JOIN posts p ON p.id = c.post_id "
        "WHERE p.url = ? AND c.platform_id = ?", demo_blog.url + OPEN_THREAD, key)
    if start == "comments table":
        assert page.goto(archive.url("/comments")).status == 200
        link = page.locator(f"{ROWS}:has(td.type-pk a:text-is('{comment_id}')) td.col-position a")
        assert link.inner_text() == str(position)
    else:
        assert page.goto(archive.url(f"/comments/{comment_id}")).status == 200
        link = page.locator(".archive-thread-link a")
        assert link.inner_text() == "This comment in its thread"
        assert page.locator(f"{ROWS} td.col-position a").get_attribute("href") == (
            link.get_attribute("href"))
    link.click()
    page.wait_for_url(f"**#comment-{key}")
    assert page.url.split("#")[0] == archive.thread_url(demo_blog.url + OPEN_THREAD)
    comment = page.locator(f"[id='comment-{key}']")
    assert header_of(comment) == tuple(header)
    assert comment.locator(".comment-links a").first.inner_text() == f"#{position}"
    assert 0 <= comment.bounding_box()["y"] < page.viewport_size["height"]
    assert offsite_requests == []


def test_a_canned_query_links_its_threads_by_title_and_gives_their_addresses_in_csv(
        page, offsite_requests, archive, demo_blog):
    assert page.goto(archive.url("/commenter?author=Sue+R")).status == 200
    assert not page.locator("#sql-editor, pre.wrapped-sql").count()
    host = urlsplit(demo_blog.url).netloc
    threads = [f"{archive.base}/{archive.database}/-/thread/{host}/{path}#comment-{key}"
               for path, key in [(EXAMPLE, "7"),
                                 ("2014/02/09/why-kurdistan-still-matters/", "64")]]
    titles = [EXAMPLE_TITLE, "Why Kurdistan still matters"]
    cells = page.evaluate("""() => [...document.querySelectorAll(
        "table.rows-and-columns tbody tr")].map((row) => [
            row.querySelector("td.col-post a").innerText,
            row.querySelector("td.col-post a").href,
            row.querySelector("td.col-thread").innerText,
            row.querySelector("td.col-thread a").href])""")
    assert cells == [[title, thread, "comment in thread", thread]
                     for title, thread in zip(titles, threads, strict=True)]
    found = page.request.get(archive.url("/commenter.csv?author=Sue+R"))
    exported = list(csv.DictReader(io.StringIO(found.text())))
    assert [(row["post"], row["thread"]) for row in exported] == list(
        zip(titles, threads, strict=True))
    assert offsite_requests == []


def test_the_last_crawl_shows_its_texts_a_few_lines_tall(page, offsite_requests, archive):
    assert page.goto(archive.url("/last_crawl")).status == 200
    changes = page.request.get(archive.url("/last_crawl.json?_shape=array")).json()
    assert page.locator(f"{ROWS} td.col-change").all_inner_texts() == [
        change["change"] for change in changes]
    layout = page.evaluate(LAYOUT)
    assert max(height for _, height in layout["rows"]) <= ROW_HEIGHT
    # Each text too long for a line or two is folded to a few.
    assert page.locator(".archive-long-text").count() == sum(
        len(change[column] or "") > LONG_TEXT for change in changes
        for column in ("text", "earlier_text"))
    assert offsite_requests == []


def test_the_database_page_leads_with_search_and_the_posts(page, offsite_requests, archive):
    assert page.goto(archive.url("")).status == 200
    search = page.locator("form.archive-search")
    sql = page.locator("form.sql")
    assert search.bounding_box()["y"] < sql.bounding_box()["y"]
    assert page.locator(".archive-browse a").first.get_attribute("href") == (
        f"/{archive.database}/posts")
    assert page.locator(".db-table h3 a").all_inner_texts()[:4] == [
        "posts", "comments", "links", "crawls"]
    assert page.locator("#sql-editor").input_value() == "select * from posts"
    assert offsite_requests == []


def test_the_index_page_has_the_search_box_it_speaks_of(page, offsite_requests, archive,
                                                       demo_blog):
    assert page.goto(f"{archive.base}/").status == 200
    assert "from the box below" in page.locator(".metadata-description").inner_text()
    page.locator("form.archive-search input[name=q]").fill("marxists")
    page.locator("form.archive-search input[type=submit]").click()
    page.wait_for_url("**/-/search?q=marxists")
    assert page.locator("a[href*='/-/thread/']").get_attribute("href").endswith(
        f"{urlsplit(demo_blog.url).netloc}/{OPEN_THREAD}#comment-34")
    assert offsite_requests == []


@pytest.mark.parametrize("table", ["comments", "links"])
def test_facet_values_break_between_words(page, archive, table):
    assert page.goto(archive.url(f"/{table}")).status == 200
    assert page.locator(".facet-info li").count() > 0
    assert page.evaluate(BROKEN_FACET_WORDS) == []


def test_a_comment_s_three_times_stay_on_one_line(page, archive, demo_blog):
    assert page.goto(archive.thread_url(demo_blog.url + OPEN_THREAD)).status == 200
    assert page.locator(COMMENT).count() == 42
    ((all_three,),) = archive.rows(
        "SELECT count(*) FROM comments c JOIN posts p ON p.id = c.post_id WHERE p.url = ? "
        "AND c.published_shown IS NOT NULL AND c.published_local IS NOT NULL "
        "AND c.published_utc IS NOT NULL",
        demo_blog.url + OPEN_THREAD)
    assert page.locator(".comment-header .when:has(.shown):has(.local):has(time)").count() == (
        all_three)
    assert page.evaluate(WRAPPED_TIMES) == 0
