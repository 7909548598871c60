"""Plain `datasette FILE`, with no option, in a real browser (Debian's chromium): installed,
thread-archiver is a Datasette plugin, so the archive's page leads to search, the search to a
comment in its thread view, and a canned query to its threads, as under `archiver serve`."""

from urllib.parse import quote

from tests.browsing import COMMENT, IN_CHROMIUM
from tests.helpers import EXAMPLE, EXAMPLE_THREAD, OPEN_THREAD

pytestmark = IN_CHROMIUM

# A word of one comment's body alone in the demo blog: comment 34 of the open thread.
SEARCHED_WORD = "marxists"


def test_the_archive_s_search_box_leads_to_the_comment_in_its_thread(page, offsite_requests,
                                                                     plain_datasette, demo_blog):
    assert page.goto(plain_datasette.url("")).status == 200
    page.locator("form.archive-search input[name=q]").fill(SEARCHED_WORD)
    page.locator("form.archive-search input[type=submit]").click()
    page.wait_for_url("**/-/search?q=*")
    page.locator("a[href*='/-/thread/']").click()
    page.wait_for_load_state()
    assert page.url.split("#")[0] == plain_datasette.thread_url(demo_blog.url + OPEN_THREAD)
    assert SEARCHED_WORD in page.locator(f"[id='{page.url.split('#')[1]}']").inner_text()
    assert offsite_requests == []


def test_a_canned_query_leads_to_the_thread_it_lists(page, offsite_requests, plain_datasette,
                                                     demo_blog):
    post = quote(demo_blog.url + EXAMPLE, safe="")
    assert page.goto(plain_datasette.url(f"/thread?post={post}")).status == 200
    assert page.locator("table.rows-and-columns tbody tr").count() == len(EXAMPLE_THREAD)
    page.locator("table.rows-and-columns a[href*='/-/thread/']").first.click()
    page.wait_for_load_state()
    assert page.locator(COMMENT).count() == len(EXAMPLE_THREAD)
    assert offsite_requests == []
