"""The canned queries `archiver serve` gives Datasette (archiver/datasette/metadata.yml), asked
as JSON of the archive of the `served` fixture (tests/served_archive.py): a thread, a
commenter, the most linked sources, the most active threads, the last crawl and search."""

from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from tests.helpers import EXAMPLE, EXAMPLE_THREAD, EXAMPLE_TITLE, OPEN_THREAD
from tests.served_archive import EDITED, EDITED_NOW, OPEN_THREAD_TITLE, REMOVED

QUERIES = yaml.safe_load((Path(__file__).parent.parent / "archiver" / "datasette"
                          / "metadata.yml").read_text(encoding="utf-8"))["databases"][
                              "archive"]["queries"]
EDITS = "SELECT replaced_utc FROM comment_versions"
REMOVALS = "SELECT removed_utc FROM comments WHERE removed_utc IS NOT NULL"


def test_thread_query_lists_a_post_s_comments_in_thread_order_with_edits_and_removals(served):
    ((edited_utc,),) = served.rows(EDITS)
    ((removed_utc,),) = served.rows(REMOVALS)
    # The post by its place in the thread view, then by its URL: the same rows.
    thread = served.json("/archive/thread.json", post=f"{urlsplit(served.blog).netloc}/{EXAMPLE}",
                         _shape="array")
    assert served.json("/archive/thread.json", post=served.blog + EXAMPLE,
                       _shape="array") == thread
    authors = {platform_id: author for _, platform_id, _, _, _, author, _, _ in EXAMPLE_THREAD}
    assert [(row["position"], row["depth"], row["id"], row["in_reply_to"], row["type"],
             row["author"], row["published_utc"], row["edited_utc"], row["earlier_texts"],
             row["removed_utc"], row["thread"]) for row in thread] == [
        (position, depth, served.comment_id(EXAMPLE, platform_id), authors.get(parent), kind,
         author, published_utc, edited_utc if platform_id == "4" else None,
         1 if platform_id == "4" else 0, removed_utc if platform_id == "7" else None,
         served.base + served.thread_url(EXAMPLE, platform_id))
        for position, platform_id, parent, depth, kind, author, _, published_utc
        in EXAMPLE_THREAD]
    assert thread[3]["body_text"] == EDITED_NOW


def test_commenter_query_lists_an_author_s_comments_across_the_archive_newest_first(served):
    comments = served.json("/archive/commenter.json", author="Jim Denham", _shape="array")
    assert [(row["published_local"], row["published_utc"], row["post"], row["type"],
             row["removed_utc"], row["thread"]) for row in comments] == [
        (local, utc, title, "comment", None, served.base + served.thread_url(path, platform_id))
        for local, utc, title, path, platform_id in [
            ("2015-05-14T17:10:25+01:00", "2015-05-14T16:10:25Z", OPEN_THREAD_TITLE,
             OPEN_THREAD, "36"),
            ("2015-05-12T21:37:29+01:00", "2015-05-12T20:37:29Z", OPEN_THREAD_TITLE,
             OPEN_THREAD, "32"),
            ("2015-04-30T11:39:38+01:00", "2015-04-30T10:39:38Z", OPEN_THREAD_TITLE,
             OPEN_THREAD, "31"),
            ("2015-03-28T23:40:11+00:00", "2015-03-28T23:40:11Z", OPEN_THREAD_TITLE,
             OPEN_THREAD, "27"),
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
        ("www.stopwar.org.uk", 10, 5, "http://www.stopwar.org.uk/news/example-statement",
         9, 3, 4, 4),
        ("www.stopwar.org.uk", 10, 5,
         "http://www.stopwar.org.uk/news/iraq-the-case-against-another-intervention",
         1, 1, 0, 1),
        ("de.wikipedia.org", 9, 3, "https://de.wikipedia.org/wiki/Gewerkschaft", 9, 1, 8, 3),
        ("www.example.org", 6, 2, "https://www.example.org/reports/2016/annual-report.pdf",
         6, 1, 5, 2),
        ("www.theguardian.com", 6, 1,
         "https://www.theguardian.com/politics/2013/may/14/example-article", 6, 0, 6, 1),
        ("fr.wikipedia.org", 4, 1, "https://fr.wikipedia.org/wiki/Laïcité", 4, 0, 4, 1),
        ("www.marxists.org", 4, 1, "https://www.marxists.org/archive/example/1920/index.htm",
         4, 0, 4, 1),
        ("archive.example.net", 3, 3, "https://archive.example.net/item?id=1234&lang=en",
         3, 1, 2, 3),
        ("en.wikipedia.org", 1, 1, "https://en.wikipedia.org/wiki/Iraqi_Communist_Party",
         1, 1, 0, 1),
        ("iraqi-left-statements.blogspot.com", 1, 1,
         "http://iraqi-left-statements.blogspot.com/2014/08/appeal-to-workers-of-world.html",
         1, 1, 0, 1),
        ("www.internationalviewpoint.org", 1, 1,
         "http://www.internationalviewpoint.org/spip.php?article3512", 1, 0, 1, 1),
    ]


def test_most_active_threads_count_the_comments_the_blog_still_shows(served):
    site = urlsplit(served.blog).netloc
    threads = served.json("/archive/most_active_threads.json", _shape="array")
    assert [tuple(row.values()) for row in threads] == [
        # id, site, title, published_local, comments, pingbacks, commenters,
        # latest_comment_utc, thread
        (served.post_id(path), site, title, published_local, comments, pingbacks, commenters,
         latest, served.base + served.thread_url(path))
        for path, title, published_local, comments, pingbacks, commenters, latest in [
            (OPEN_THREAD, OPEN_THREAD_TITLE, "2015-03-01T10:00:00+00:00", 39, 3, 17,
             "2015-09-10T09:43:52Z"),
            (EXAMPLE, EXAMPLE_TITLE, "2014-08-12T12:44:00+01:00", 6, 2, 4,
             "2014-08-13T17:30:00Z"),
            ("2015/01/02/review-the-arab-spring-revisited/",
             "Review: “the Arab Spring” revisited", "2015-01-02T16:41:00+00:00", 4, 1, 3,
             "2015-01-04T22:55:08Z"),
            ("2014/02/09/why-kurdistan-still-matters/", "Why Kurdistan still matters",
             "2014-02-09T10:23:00+00:00", 2, 0, 2, "2014-02-16T18:38:34Z"),
        ]]


def test_last_crawl_query_shows_the_run_and_what_it_found_edited_and_removed(served):
    ((started, site, requests, pages),) = served.rows(
        "SELECT started_utc, site, requests, pages FROM crawls WHERE id = 2")
    ((edited_utc,),) = served.rows(EDITS)
    ((removed_utc,),) = served.rows(REMOVALS)
    post_id = served.post_id(EXAMPLE)
    assert served.json("/archive/last_crawl.json", _shape="array") == [
        {"change": "crawl", "time_utc": started, "post_id": None, "post": None,
         "comment_id": None, "author": None,
         "text": f"run 2 of {site} (full, ok): {requests} requests, {pages} pages; "
                 f"posts: 0 new, 0 edited, 0 removed; comments: 0 new, 1 edited, 1 removed",
         "earlier_text": None, "thread": None},
        {"change": "edited comment", "time_utc": edited_utc, "post_id": post_id,
         "post": EXAMPLE_TITLE, "comment_id": served.comment_id(EXAMPLE, "4"),
         "author": "Anonymous", "text": EDITED_NOW, "earlier_text": EDITED,
         "thread": served.base + served.thread_url(EXAMPLE, "4")},
        {"change": "removed comment", "time_utc": removed_utc, "post_id": post_id,
         "post": EXAMPLE_TITLE, "comment_id": served.comment_id(EXAMPLE, "7"),
         "author": "Sue R", "text": REMOVED, "earlier_text": None,
         "thread": served.base + served.thread_url(EXAMPLE, "7")},
    ]


def test_search_query_finds_words_and_takes_fts_syntax_as_words(served):
    assert served.json("/archive/search.json", q="sanctions", _shape="array") == [
        {"hit": "comment", "post_id": served.post_id(EXAMPLE),
         "comment_id": served.comment_id(EXAMPLE, "4"), "post": EXAMPLE_TITLE,
         "author": "Anonymous", "published_utc": "2014-08-12T22:22:00Z",
         "snippet": EDITED_NOW.replace("sanctions", "**sanctions**"),
         "thread": served.base + served.thread_url(EXAMPLE, "4")}]
    for q in ['"unbalanced AND (', "NEAR(", "*", "", '"']:
        assert served.json("/archive/search.json", q=q, _shape="array") == []


@pytest.mark.parametrize("query", sorted(QUERIES))
def test_a_canned_query_s_page_shows_its_results_with_its_sql_hidden(served, query):
    status, page = served.get(f"/archive/{query}?post=1&author=Sue+R&q=again")
    assert status == 200
    assert '<span class="show-hide-sql">(<a href=' in page
    assert 'id="sql-editor"' not in page and 'id="sql-query"' not in page
