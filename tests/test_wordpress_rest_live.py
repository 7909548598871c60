"""The WordPress REST API on a real WordPress: a crawl that reads it archives exactly what a crawl
of the same site refusing it archives from the HTML alone, both match what WordPress says it
shows, and where neither pages nor feeds show the comments, the REST API alone gives them
exactly.

The site is the session's seeded WordPress (tests/conftest.py), crawled once per mode under the
classic theme: with the REST API on, that is the crawl test_wordpress_live.py checks under
the theme. Run with `pytest -m wordpress`.
"""

import contextlib
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.wordpress_harness import PAGINATED_POST
from tests.wordpress_truth import (
    TRUTH_CHECKS,
    Crawl,
    crawl_wordpress,
    differences,
    load_rows,
    minute,
    truth_utc,
)

pytestmark = pytest.mark.wordpress

THEME = "twentytwentyone"
# The REST API's routes refused to visitors, as plugins that restrict it do, through the
# filter WordPress runs before every route: 401. Its index stays open, so that both crawls know
# the blog's zone (feed times of pingbacks are zoned by it); with the index refused as well,
# tests/test_wordpress_rest.py shows the crawl asks the API nothing.
REST_REFUSED = """<?php
add_filter( 'rest_authentication_errors', function ( $result ) {
	if ( $result || '' === trim( $GLOBALS['wp']->query_vars['rest_route'], '/' ) ) {
		return $result;
	}
	return new WP_Error( 'rest_forbidden', 'Sorry, you are not allowed to do that.',
		array( 'status' => 401 ) );
} );
"""
# Comments shown nowhere but through the REST API, as with a theme that loads them from it with
# JavaScript and comment feeds turned off: no comment list on the pages, empty comment feeds.
COMMENTS_ONLY_IN_REST = """<?php
add_filter( 'comments_array', '__return_empty_array' );
add_filter( 'comment_feed_where', function ( $where ) { return $where . ' AND 1 = 0'; } );
"""
# A post's comments through the REST API (the blog's whole comment index is another role).
REST_COMMENTS = "%/wp-json/wp/v2/comments?post=%"


@contextlib.contextmanager
def mu_plugin(site, name, code):
    """A must-use plugin in the site while the block runs."""
    path = Path(site.env["WP_STATE"]) / "www" / "wp-content" / "mu-plugins" / name
    path.write_text(code, encoding="utf-8")
    try:
        yield
    finally:
        path.unlink()


@pytest.fixture(scope="module")
def rest_archive(wordpress_crawl):
    """The site crawled as it is: REST API on."""
    return wordpress_crawl(THEME)


@pytest.fixture(scope="module")
def html_archive(wordpress, rest_archive, tmp_path_factory):
    """The site crawled with its REST API refused: the HTML pages and feeds alone."""
    folder = tmp_path_factory.mktemp("html-only")
    wordpress.run("theme", THEME)
    with mu_plugin(wordpress, "rest-refused.php", REST_REFUSED):
        crawl_wordpress(wordpress.base, folder / "archive.db", folder / "crawl.log")
    return Crawl(THEME, rest_archive.truth, folder / "archive.db")


@pytest.fixture(scope="module", params=("rest", "html"))
def archive(request):
    return request.getfixturevalue(f"{request.param}_archive")


@pytest.mark.parametrize("check", TRUTH_CHECKS, ids=lambda check: check.__name__)
def test_the_archive_holds_what_wordpress_shows(archive, check):
    check(archive)


def posts_rows(db):
    return {row.pop("url"): row for row in load_rows(
        db, "SELECT url, platform_id, title, author, published_utc, body_text, comment_count "
            "FROM posts")}


def comments_rows(db):
    """Comments by (post URL, comment id), on the columns both sources give; not `source`."""
    return {(row.pop("post_url"), row.pop("platform_id")): row for row in load_rows(
        db, "SELECT posts.url AS post_url, comments.platform_id, parent.platform_id AS parent, "
            "comments.author, comments.author_url, comments.type, comments.published_utc, "
            "comments.body_text FROM comments JOIN posts ON posts.id = comments.post_id "
            "LEFT JOIN comments AS parent ON parent.id = comments.parent_id")}


def test_rest_and_html_only_crawls_archive_the_same_rows(rest_archive, html_archive):
    assert differences(posts_rows(rest_archive.db), posts_rows(html_archive.db)) == {}
    assert differences(comments_rows(rest_archive.db), comments_rows(html_archive.db)) == {}
    # The first crawl read every thread (the posts and the one page) through the REST API too;
    # the HTML pages showed every comment, so the rows are "html". The second, refused the
    # posts, asked the API nothing more.
    threads = len(rest_archive.truth["posts"]) + 1
    assert load_rows(rest_archive.db, "SELECT count(*) AS n, min(status) AS lowest, "
                                      "max(status) AS highest FROM pages WHERE url LIKE ?",
                     REST_COMMENTS) == [
        {"n": threads, "lowest": 200, "highest": 200}]
    assert load_rows(rest_archive.db, "SELECT DISTINCT source FROM comments") == [
        {"source": "html"}]
    assert load_rows(html_archive.db, "SELECT substr(url, ?) AS url, status FROM pages "
                                      "WHERE url LIKE '%/wp-json/wp/v2/%'",
                     len(html_archive.truth["site"]["home"]) + 1) == [
        {"url": "/wp-json/wp/v2/posts?per_page=100&_fields=id,link,date_gmt", "status": 401}]


def test_comments_only_the_rest_api_shows_are_archived_exactly(wordpress, rest_archive, tmp_path):
    truth = rest_archive.truth
    post = next(post for post in truth["posts"] if post["id"] == PAGINATED_POST)
    db = tmp_path / "archive.db"
    wordpress.run("theme", THEME)
    with mu_plugin(wordpress, "comments-only-in-rest.php", COMMENTS_ONLY_IN_REST):
        # crawl_wordpress() puts the "/" back.
        crawl_wordpress(post["url"].rstrip("/"), db, tmp_path / "crawl.log")
    zone = ZoneInfo(truth["site"]["timezone"])
    # Pingbacks and trackbacks are not among them: the API lists them to logged-in users only.
    # REST gives a commenter's name as stored, the empty one too, which pages show as "Anonymous".
    expected = {str(c["id"]): (str(c["parent_id"]) if c["parent_id"] else None, c["depth"],
                               c["type"], c["author_raw"], c["author_url"] or None,
                               truth_utc(c, zone), " ".join(c["content_text"].split()), "rest")
                for c in truth["comments"] if c["post_id"] == post["id"] and c["type"] == "comment"}
    got = {row["platform_id"]: (row["parent"], row["depth"], row["type"], row["author"],
                                row["author_url"], minute(row["published_utc"]),
                                " ".join(row["body_text"].split()), row["source"])
           for row in load_rows(
               db, "SELECT comments.*, parent.platform_id AS parent FROM comments "
                   "LEFT JOIN comments AS parent ON parent.id = comments.parent_id")}
    assert differences(got, expected) == {}
