"""Real `scrapy crawl` processes against hand-built blogs (tests/sites, see each README) whose
posts only the generalised discovery finds: a pager outside every known class, a static front
page that is a thread and lists posts, listings that stop early before the month archives."""

import pytest

from tests.blogserver import running
from tests.helpers import crawl, rows

POSTS = "SELECT substr(url, length(?) + 1), title FROM posts ORDER BY url"
COMMENTS = ("SELECT substr(p.url, length(?) + 1), c.platform_id, c.author FROM comments c "
            "JOIN posts p ON p.id = c.post_id ORDER BY p.url, c.position")


def crawled(site, tmp_path):
    """The rows of posts and comments a whole-blog crawl of `site` archives, and its log."""
    db = tmp_path / "archive.db"
    with running(f"tests/sites/{site}") as url:
        log = crawl(url, db, tmp_path)
        return rows(db, POSTS, url), rows(db, COMMENTS, url), log


def test_a_pager_outside_the_known_classes_leads_to_the_older_posts(tmp_path):
    posts, comments, _ = crawled("pager-anywhere", tmp_path)
    assert posts == [
        ("2023/10/01/herbst/", "Herbst im Garten"),
        ("2023/12/24/winter/", "Winteranfang"),
        ("2024/02/11/schnee/", "Letzter Schnee"),
        ("2024/04/02/regen/", "Regen im April"),
        ("2024/05/20/fruehling/", "Frühling am See"),
    ]
    assert comments == [
        ("2023/10/01/herbst/", "131", "Anna"),
        ("2023/12/24/winter/", "221", "Emil"),
        ("2024/02/11/schnee/", "311", "Dora"),
        ("2024/04/02/regen/", "421", "Clara"),
        ("2024/05/20/fruehling/", "511", "Anna"),
        ("2024/05/20/fruehling/", "512", "Bernd"),
    ]


def test_a_static_front_page_is_read_as_a_thread_and_as_a_listing(tmp_path):
    posts, comments, _ = crawled("static-front", tmp_path)
    assert posts == [
        ("", "Welcome to plot 17"),
        ("2024/03/15/first-sowing/", "The first sowing"),
        ("2024/05/02/second-harvest/", "The second harvest"),
    ]
    assert comments == [
        ("", "21", "Kit"),
        ("", "22", "Lou"),
        ("2024/03/15/first-sowing/", "71", "Jack"),
        ("2024/03/15/first-sowing/", "72", "Imogen"),
        ("2024/05/02/second-harvest/", "81", "Imogen"),
    ]


def test_month_archives_are_read_when_the_listings_stop_early(tmp_path):
    posts, comments, log = crawled("month-archives", tmp_path)
    assert posts == [
        ("2024/03/04/marzo-temprano/", "Principios de marzo"),
        ("2024/03/28/marzo-tarde/", "Finales de marzo"),
        ("2024/04/18/abril/", "Lluvias de abril"),
        ("2024/05/03/primera/", "La primera de mayo"),
        ("2024/05/20/segunda/", "La segunda de mayo"),
    ]
    assert comments == [
        ("2024/03/04/marzo-temprano/", "341", "Lucía"),
        ("2024/03/28/marzo-tarde/", "381", "Olga"),
        ("2024/04/18/abril/", "441", "Nora"),
        ("2024/04/18/abril/", "442", "Mateo"),
        ("2024/05/03/primera/", "531", "Mateo"),
        ("2024/05/20/segunda/", "541", "Lucía"),
    ]
    assert "Reading 3 archive pages: the listings and feeds ended before them" in log
    # The feed's relative addresses are the blog's posts, not pages below the feed.
    assert "/feed/2024/" not in log


@pytest.mark.parametrize("site", ["pager-anywhere", "static-front"])
def test_no_archive_is_read_where_the_listings_reach_every_post(site, tmp_path):
    _, _, log = crawled(site, tmp_path)
    assert "archive pages" not in log
