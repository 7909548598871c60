"""The one-box search page of `archiver serve` (/archive/-/search), on the archive of the
`served` fixture (tests/served_archive.py): hits, snippets, paging, and words taken as words."""

import re
from urllib.parse import urlencode

from tests.helpers import EXAMPLE, OPEN_THREAD

USE_BLOCKQUOTE = "Use &lt;<mark>blockquote</mark>&gt; &amp; “quotes” — it’s easy…"


def search(served, **params):
    """(status, HTML) of the search page asked with `params`."""
    return served.get("/archive/-/search?" + urlencode(params))


def search_hits(page):
    """(link, byline, snippet HTML) of each hit on a search page."""
    return [(link, " ".join(re.sub("<[^>]+>", "", byline).split()), snippet)
            for link, byline, snippet in re.findall(
                r'<p class="hit-title"><a href="([^"]*)">.*?</a></p>\s*'
                r'<p class="hit-byline">(.*?)</p>\s*<p class="hit-snippet">(.*?)</p>', page,
                re.S)]


def test_search_page_finds_comments_by_a_word_with_escaped_highlighted_snippets(served):
    status, page = search(served, q="blockquote")
    assert status == 200
    assert "Found in 0 posts and\n    3 comments; showing 1 to 3" in page
    assert search_hits(page) == [
        (served.thread_url(OPEN_THREAD, "52"),
         "Comment by Marie-Claude Côté, 2015-06-25 11:52",
         "The official statement was long on adjectives and short on facts. Ça fait réfléchir : "
         "où sont passés les syndicats ?\n" + USE_BLOCKQUOTE),
        (served.thread_url(OPEN_THREAD, "19"), "Comment by Anna Kowalska, 2015-03-20 20:57",
         "…" + USE_BLOCKQUOTE),
        (served.thread_url(OPEN_THREAD, "25"), "Comment by Ahmed Y., 2015-03-28 12:35",
         "…" + USE_BLOCKQUOTE),
    ]


def test_search_page_marks_a_comment_removed_from_the_blog(served):
    status, page = search(served, q="union branch")
    assert status == 200
    assert search_hits(page) == [(
        served.thread_url(EXAMPLE, "7"),
        "Comment by Sue R, 2014-08-13 15:23 removed from the blog",
        "I’ve shared this with our <mark>union</mark> <mark>branch</mark>. Solidarity!")]


def test_search_page_finds_a_post_by_a_title_word_and_links_to_its_thread(served):
    status, page = search(served, q="kurdistan")
    assert status == 200
    assert search_hits(page)[0][:2] == (
        served.thread_url("2014/02/09/why-kurdistan-still-matters/"),
        "Post by Jürgen Weiß, 2014-02-09 10:23")


def test_search_page_takes_operators_and_bad_syntax_as_words(served):
    assert len(search_hits(search(served, q="killing")[1])) == 1
    status, page = search(served, q="killing OR nonexistentword")
    assert (status, search_hits(page)) == (200, [])
    assert "No post or comment holds these words." in page
    for q in ['"unbalanced AND (', "NEAR(killing", "*", "^", '"', "-"]:
        status, page = search(served, q=q)
        assert status == 200, (q, page[:2000])
    status, page = search(served, q='"killing children"')
    assert [link for link, _, _ in search_hits(page)] == [served.thread_url(EXAMPLE, "4")]


def test_search_page_shows_fifty_hits_a_page(served):
    status, page = search(served, q="the")
    assert status == 200
    assert "Found in 5 posts and\n    49 comments; showing 1 to 50" in page
    assert len(search_hits(page)) == 50
    assert '<a href="/archive/-/search?q=the&amp;page=2">Next 50 hits</a>' in page
    status, page = search(served, q="the", page="2")
    assert "showing 51 to 54" in page
    assert len(search_hits(page)) == 4
    assert "Next 50 hits" not in page
    for page_number in ("0", "-1", "²", "x", "99999999999999999999999"):
        status, page = search(served, q="the", page=page_number)
        assert (status, len(search_hits(page))) == (200, 50), page_number
    status, page = search(served, q="the", page="999999")
    assert (status, search_hits(page)) == (200, [])
    assert "No more posts or comments hold these words." in page


def test_search_page_escapes_the_words_it_was_given(served):
    status, page = search(served, q='<script>alert("x")</script>')
    assert status == 200
    assert 'value="&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;"' in page
    assert "<script>alert" not in page


def test_search_page_of_an_unknown_database_is_not_found(served):
    assert served.get("/nothing/-/search?q=the")[0] == 404
