"""Real `scrapy crawl` processes against hand-built blogs (tests/sites, see each README) whose
posts only the generalised discovery finds: a pager outside every known class, a static front
page that is a thread and lists posts, listings that stop early before the month archives."""

import json
from pathlib import Path

import pytest

from tests.blogserver import running
from tests.helpers import crawl, rows

SITES_FOLDER = Path(__file__).resolve().parent / "sites"

POSTS = "SELECT substr(url, length(?) + 1), title FROM posts ORDER BY url"
COMMENTS = ("SELECT substr(p.url, length(?) + 1), c.platform_id, c.author FROM comments c "
            "JOIN posts p ON p.id = c.post_id ORDER BY p.url, c.position")
# Each site, and what it shows: a pager outside the known classes leads to the older posts; a
# static front page is read as a thread and as a listing; month archives are read when the
# listings stop early. Its archived.json holds the [path, title] of the posts and the [post
# path, platform id, author] of the comments a whole-blog crawl of it archives.
SITES = ["pager-anywhere", "static-front", "month-archives"]


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """A function of a site giving the rows of posts and comments a whole-blog crawl of it
    archives, and its log: each site crawled once for the module."""
    found = {}

    def of(site):
        if site not in found:
            tmp_path = tmp_path_factory.mktemp(site)
            db = tmp_path / "archive.db"
            with running(SITES_FOLDER / site) as url:
                log = crawl(url, db, tmp_path)
                found[site] = rows(db, POSTS, url), rows(db, COMMENTS, url), log
        return found[site]

    return of


@pytest.mark.parametrize("site", SITES)
def test_every_post_and_comment_of_the_site_is_archived(crawled, site):
    posts, comments, _ = crawled(site)
    expected = json.loads((SITES_FOLDER / site / "archived.json").read_text(encoding="utf-8"))
    assert {"posts": [list(post) for post in posts],
            "comments": [list(comment) for comment in comments]} == expected


def test_month_archives_are_read_when_the_listings_stop_early(crawled):
    _, _, log = crawled("month-archives")
    assert "Reading 3 archive pages: the listings and feeds ended before them" in log
    # The feed's relative addresses are the blog's posts, not pages below the feed.
    assert "/feed/2024/" not in log


@pytest.mark.parametrize("site", ["pager-anywhere", "static-front"])
def test_no_archive_is_read_where_the_listings_reach_every_post(crawled, site):
    _, _, log = crawled(site)
    assert "archive pages" not in log
