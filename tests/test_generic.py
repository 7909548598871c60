"""Platforms other than WordPress and Blogger, and the generic fallback: a real crawl of a
Drupal site served on 127.0.0.1 into a real SQLite file, and the readers on pages whose
traps they must avoid. Each platform's saved pages and their exact output are checked by
test_extractors.py (tests/pages/<platform>/)."""

from pathlib import Path

import pytest

from archiver.extractors import extract, extractor_for, find_links, generic, structure
from archiver.items import PageLinks
from archiver.page import Page
from tests.blogserver import running
from tests.helpers import crawl, rows

SITE = Path(__file__).parent / "sites" / "generic"
PAGES = Path(__file__).parent / "pages"
POST = "innenpolitik/corona-pandemie-es-kommt-auch-darauf-an-wie-die-menschen-sterben"
# The post's thread as Drupal shows it: the last comment answers the one before it.
THREAD = [
    # position, platform_id, parent, depth, author, published_shown, published_utc
    (1, "214106", None, 1, "Heidemarie Heim", "Di, 21. April 2020 - 16:40",
     "2020-04-21T14:40:07Z"),
    (2, "214111", None, 1, "Heidemarie Heim", "Di, 21. April 2020 - 17:07",
     "2020-04-21T15:07:00Z"),
    (3, "214119", None, 1, "Michaela 29 Diederichs", "Di, 21. April 2020 - 18:01",
     "2020-04-21T16:01:30Z"),
    (4, "214137", None, 1, "Ellen wolff", "Di, 21. April 2020 - 19:08", "2020-04-21T17:08:16Z"),
    (5, "214174", None, 1, "Katharine Schön", "Mi, 22. April 2020 - 08:59",
     "2020-04-22T06:59:53Z"),
    (6, "214181", None, 1, "Ernst-Günther Konrad", "Mi, 22. April 2020 - 09:56",
     "2020-04-22T07:56:31Z"),
    (7, "214244", None, 1, "Horst Kessler", "Mi, 22. April 2020 - 15:44", "2020-04-22T13:44:38Z"),
    (8, "214343", "214244", 2, "Heidemarie Heim", "Do, 23. April 2020 - 14:27",
     "2020-04-23T12:27:36Z"),
]


@pytest.fixture(scope="module")
def site():
    """The Drupal snapshot on a free loopback port; yields its base URL."""
    with running(SITE) as url:
        yield url


def test_a_drupal_site_is_crawled_from_its_front_page_to_the_comments(site, tmp_path):
    db = tmp_path / "archive.db"
    crawl(site, db, tmp_path)
    assert rows(db, "SELECT url, platform, title, comment_count, source FROM posts") == [
        (site + POST, "drupal",
         "Corona-Pandemie - „Es kommt auch darauf an, wie die Menschen sterben“", 8, "html")]
    assert rows(db, "SELECT c.position, c.platform_id, parent.platform_id, c.depth, c.author, "
                    "c.published_shown, c.published_utc FROM comments c "
                    "LEFT JOIN comments parent ON parent.id = c.parent_id "
                    "ORDER BY c.position") == THREAD
    assert rows(db, "SELECT body_text FROM comments WHERE platform_id = '214137'") == [
        ("Danke für diesen schon längst überfälligen Artikel.",)]
    assert rows(db, "SELECT url, role FROM pages WHERE status = 200 ORDER BY url") == [
        (site, "listing"), (site + POST, "post")]


def page(html, url="https://blog.example/2024/05/a-post/"):
    return Page(url, html)


def test_dated_teasers_in_an_aside_are_not_comments():
    """Ghost's "read more" cards each hold a title and a time, like comments would."""
    thread = extract(Page.from_file(PAGES / "ghost" / "casper.field-notes.html"))
    assert (thread.platform, thread.comments) == ("ghost", [])


def test_structural_reader_takes_the_blocks_that_hold_one_time_each_and_nests_replies():
    html = """<html><body><article><h1>Post</h1><p>Text of the post, long enough.</p>
    <time datetime="2024-05-01T08:00:00+02:00">1 May</time></article>
    <ol class="discussion">
     <li class="entry" id="note-7"><span class="who-name">Ann</span>
      <span class="stamp"><time datetime="2024-05-01T09:00:00+02:00">1 May, 9:00</time></span>
      <div class="note-text"><p>First.</p></div>
      <ol><li class="entry" id="note-8"><span class="who-name">Bo</span>
        <time datetime="2024-05-01T10:00:00+02:00">1 May, 10:00</time>
        <div class="note-text"><p>Answer.</p></div></li></ol></li>
     <li class="entry odd" id="note-9"><span class="who-name">Cy</span>
      <time datetime="2024-05-02T11:00:00+02:00">2 May, 11:00</time>
      <div class="note-text"><p>Second.</p></div></li>
    </ol></body></html>"""
    comments = structure.structural_comments(page(html))
    assert [(c.platform_id, c.author, c.published_machine, c.parent, c.depth, c.body_html.strip())
            for c in comments] == [
        ("7", "Ann", "2024-05-01T09:00:00+02:00", None, 1, "<p>First.</p>"),
        ("8", "Bo", "2024-05-01T10:00:00+02:00", 0, 2, "<p>Answer.</p>"),
        ("9", "Cy", "2024-05-02T11:00:00+02:00", None, 1, "<p>Second.</p>"),
    ]


def test_a_sidebar_of_dated_links_is_not_a_thread():
    html = """<html><body><article><h1>Post</h1><p>Text.</p></article>
    <div class="widget recent-posts"><ul>
     <li class="item"><a href="/a/">A</a> <time datetime="2024-04-01">1 April</time></li>
     <li class="item"><a href="/b/">B</a> <time datetime="2024-04-02">2 April</time></li>
    </ul></div></body></html>"""
    assert structure.structural_comments(page(html)) == []


def test_a_forum_fed_comment_section_keeps_its_platform_and_reads_the_forum_posts():
    saved = Page.from_file(PAGES / "forum" / "xenforo.mtbnews.html",
                           url="https://www.mtb-news.de/news/reifen-tubeless-montieren/")
    thread = extract(saved)
    assert extractor_for(saved).PLATFORM == "forum"
    assert thread.platform == "wordpress"
    assert [(c.author, c.published_shown) for c in thread.comments] == [
        ("RockyRider66", "26. Januar 2022 13:05"), ("dasK", "26. Januar 2022 13:11"),
        ("JensDey", "26. Januar 2022 13:14"), ("Haentz", "26. Januar 2022 13:30"),
        ("JensDey", "26. Januar 2022 13:31")]


def test_pages_without_schema_org_comments_never_run_extruct(monkeypatch):
    """extruct costs milliseconds per page; only pages naming a Comment type pay for it."""
    def fail(*args, **kwargs):
        raise AssertionError("extruct ran")

    monkeypatch.setattr(generic.JsonLdExtractor, "extract_items", fail)
    monkeypatch.setattr(generic.LxmlMicrodataExtractor, "extract_items", fail)
    html = """<html><head>
    <script type="application/ld+json">{"@type": "BlogPosting"}</script></head>
    <body><article itemscope itemtype="https://schema.org/BlogPosting"><h1>Post</h1></article>
    </body></html>"""
    assert generic.schema_comments(page(html)) == []


LISTING = """<html><head>{head}</head><body><main>
<article><h2 class="entry-title"><a href="/2024/05/one/">One</a></h2>{one}</article>
<article itemscope itemtype="https://schema.org/BlogPosting">
 <span itemprop="author" itemscope itemtype="https://schema.org/Person">
  <a href="/2024/05/one/">Ann</a></span>
 <h2 class="entry-title"><a href="/2024/04/two/">Two</a></h2>
 <meta itemprop="commentCount" content="12">
 <time itemprop="dateModified" datetime="2024-04-09">9 April</time></article>
<article itemscope itemtype="http://schema.org/Article">
 <link itemprop="mainEntityOfPage" href="/2024/03/three/">
 <h2 class="entry-title"><a href="/2024/03/three/">Three</a></h2>
 <meta itemprop="interactionCount" content="UserComments:4">
 <a href="/2024/03/three/#disqus_thread">0 Comments</a></article>
</main></body></html>"""
ITEM_LIST = """<script type="application/ld+json">
{"@context": "https://schema.org", "@type": "CollectionPage",
 "url": "https://b.example/", "dateModified": "2024-06-01",
 "mainEntity": {"@type": "ItemList", "itemListElement": [
  {"@type": "ListItem", "position": 1,
   "item": {"@type": "BlogPosting", "url": "https://b.example/2024/05/one/",
   "dateModified": "2024-05-03T10:00:00+02:00",
   "interactionStatistic": {"@type": "InteractionCounter",
   "interactionType": "https://schema.org/CommentAction", "userInteractionCount": 7}}}]}}
</script>"""


def test_a_listing_gives_what_schema_org_items_state_of_each_post():
    links = find_links(page(LISTING.format(head=ITEM_LIST, one=""), url="https://b.example/"))
    assert links == PageLinks(
        posts=["https://b.example/2024/05/one/", "https://b.example/2024/04/two/",
               "https://b.example/2024/03/three/"],
        modified={"https://b.example/2024/05/one/": "2024-05-03T10:00:00+02:00",
                  "https://b.example/2024/04/two/": "2024-04-09"},
        comment_counts={"https://b.example/2024/05/one/": 7, "https://b.example/2024/04/two/": 12,
                        "https://b.example/2024/03/three/": 4})


def test_a_listing_counts_from_links_to_comments_only_where_they_show_a_number():
    one = '<a href="/2024/05/one/#comments">3 comments</a>'
    links = find_links(page(LISTING.format(head="", one=one), url="https://b.example/"))
    assert (links.modified, links.comment_counts) == (
        {"https://b.example/2024/04/two/": "2024-04-09"},
        {"https://b.example/2024/05/one/": 3, "https://b.example/2024/04/two/": 12,
         "https://b.example/2024/03/three/": 4})


def test_a_post_names_its_own_feeds_and_passes_over_an_empty_feed_link():
    html = """<html><head>
    <link rel="alternate" type="application/rss+xml" href="">
    <link rel="alternate" type="application/rss+xml" href="/feed/">
    <link rel="alternate" type="application/rss+xml" href="/2024/05/a-post/feed/">
    </head><body><article><h1>A post</h1><p>Text.</p></article></body></html>"""
    assert find_links(page(html)) == PageLinks(feeds=["https://blog.example/2024/05/a-post/feed/"])
