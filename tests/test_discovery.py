"""Each discovery source on saved and hand-made pages: what it reads the posts and further
pages of a blog from (the crawls of hand-built blogs are in test_discovery_crawl.py)."""

import json
from pathlib import Path

import pytest

from archiver import discovery
from archiver.discovery import archives, comment_index, feeds, listings, rest, sitemaps
from archiver.items import PageLinks
from archiver.page import Page

TESTS = Path(__file__).resolve().parent
SITE = "https://blog.example"


def html_page(body, url=f"{SITE}/", body_class="home blog"):
    return Page.from_bytes(url, f'<!DOCTYPE html><html><head><meta charset="utf-8"></head>'
                                f'<body class="{body_class}">{body}</body></html>'.encode())


def saved_page(path, url):
    return Page.from_bytes(url, (TESTS / path).read_bytes(), "text/html; charset=UTF-8")


@pytest.mark.parametrize("link", [
    '<a href="/page/2/">Older posts</a>',
    '<a href="/page/2/">« Older Entries</a>',
    '<a href="/page/2/">Ältere Beiträge »</a>',
    '<a href="/page/2/">Articles plus anciens →</a>',
    '<a href="/page/2/">Entradas antiguas</a>',
    '<a href="/page/2/">Página siguiente ›</a>',
    '<a href="/page/2/" aria-label="Nächste Seite">»</a>',
    '<a href="/page/2/" title="Page suivante">›</a>',
    '<span class="zz older"><a href="/page/2/">›</a></span>',
    '<a class="xq-next" rel="next" href="/page/2/">2</a>',
])
def test_a_pager_link_is_known_by_what_it_says_wherever_it_sits(link):
    page = html_page(f'<div class="u7"><div class="k">{link}</div></div>')
    assert listings.next_pages(page) == [f"{SITE}/page/2/"]


@pytest.mark.parametrize("link", [
    '<a href="/2024/05/a-post/">Next post</a>',
    '<a href="/2024/05/a-post/">Article suivant</a>',
    '<a href="/2024/05/a-post/comment-page-2/">Older comments</a>',
    '<a href="/2024/05/a-post/comment-page-2/" class="next">Next</a>',
    '<a href="/">Newer posts</a>',
    '<a href="/wp-login.php?redirect_to=x">Next</a>',
])
def test_links_to_a_post_a_comment_page_or_newer_posts_are_no_pager(link):
    assert listings.next_pages(html_page(link, url=f"{SITE}/page/2/")) == []


def test_the_platforms_reading_is_kept_and_the_pager_added():
    # A WordPress listing page of the harness (Twenty Twenty-One): its pager by its classes.
    page = saved_page("pages/wordpress/comments-popup-link.harness-page-2.html",
                      "http://127.0.0.1:8093/page/2/")
    links = listings.read(page)
    assert "http://127.0.0.1:8093/page/3/" in links.listings
    assert len(links.posts) == 10


def test_a_static_front_page_is_a_thread_that_lists_posts():
    page = saved_page("sites/static-front/files/home.html", "https://plot17.example/")
    assert listings.is_thread(page)
    assert listings.read(page).posts == ["https://plot17.example/2024/05/02/second-harvest/",
                                         "https://plot17.example/2024/03/15/first-sowing/"]


def test_a_listing_is_no_thread():
    page = saved_page("sites/month-archives/files/home.html", "https://cuaderno.example/")
    assert not listings.is_thread(page)
    assert listings.read(page).posts == ["https://cuaderno.example/2024/05/20/segunda/",
                                         "https://cuaderno.example/2024/05/03/primera/"]


def test_archives_are_the_month_year_and_category_pages_a_page_names():
    page = html_page(
        '<ul><li><a href="/2014/08/">August 2014</a></li><li><a href="/2014/">2014</a></li>'
        '<li><a href="/archives/2008_07.html">July 2008</a></li>'
        '<li><a href="/?m=200806">June</a></li>'
        '<li><a href="/date/2008/05/">May</a></li>'
        '<li><a href="/2008/04/index.html">April</a></li></ul>'
        '<a href="/2014/08/12/a-post/">A post</a> '
        '<a href="/topics/left/" rel="category tag">Left</a>'
        '<a href="/category/iraq/">Iraq</a> '
        '<a href="https://elsewhere.example/2014/08/">Elsewhere</a>')
    assert archives.read(page).listings == [f"{SITE}/{path}" for path in (
        "2014/08/", "2014/", "archives/2008_07.html", "?m=200806", "date/2008/05/",
        "2008/04/index.html", "topics/left/", "category/iraq/")]


def test_bloggers_archive_widget_names_every_month_and_year_then_the_labels():
    page = saved_page("pages/blogger/threaded.lafuite.html",
                      "https://lafuite.blogspot.com/2019/05/x.html")
    found = archives.read(page).listings
    assert found[:3] == ["https://lafuite.blogspot.com/2013/index.html",
                         "https://lafuite.blogspot.com/2013/04/index.html",
                         "https://lafuite.blogspot.com/2013/03/index.html"]
    periods = [url for url in found if archives.period(url)]
    assert (len(periods), found[:len(periods)] == periods) == (25, True)
    assert all("/search/label/" in url for url in found[len(periods):])


@pytest.mark.parametrize("url, period", [
    (f"{SITE}/2014/08/", (2014, 8)), (f"{SITE}/2014/", (2014, None)),
    (f"{SITE}/archives/2008_07.html", (2008, 7)), (f"{SITE}/?m=200807", (2008, 7)),
    (f"{SITE}/2014/08/12/", None), (f"{SITE}/2014/08/a-post.html", None),
    (f"{SITE}/?m=200807&cat=3", None), (f"{SITE}/category/x/", None),
])
def test_an_archives_period_is_read_from_its_address(url, period):
    assert archives.period(url) == period


MONTHS = [f"{SITE}/2024/05/", f"{SITE}/2024/04/"]


@pytest.mark.parametrize("found, posts, due", [
    # Every month holds a post found: the listings reached them all.
    (MONTHS, [f"{SITE}/2024/05/20/a/", f"{SITE}/2024/04/01/b/"], []),
    # April holds none: the listings ended early, every period archive is read.
    (MONTHS, [f"{SITE}/2024/05/20/a/"], MONTHS),
    (MONTHS + [f"{SITE}/category/x/"], [f"{SITE}/2024/05/20/a/"], MONTHS),
    # Addresses without dates tell nothing: read them.
    (MONTHS, [f"{SITE}/a-post/"], MONTHS),
    # Categories alone: read.
    ([f"{SITE}/category/x/"], [f"{SITE}/2024/05/20/a/"], [f"{SITE}/category/x/"]),
    ([], [f"{SITE}/2024/05/20/a/"], []),
])
def test_archives_are_due_when_a_period_holds_no_post_found(found, posts, due):
    assert archives.due(found, posts) == due


def test_a_sitemap_index_leads_to_the_post_sitemaps_only():
    index = (f'<?xml version="1.0" encoding="UTF-8"?>'
             f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             f'<sitemap><loc>{SITE}/wp-sitemap-posts-post-1.xml</loc></sitemap>'
             f'<sitemap><loc>{SITE}/wp-sitemap-taxonomies-category-1.xml</loc></sitemap>'
             f'</sitemapindex>')
    page = Page.from_bytes(f"{SITE}/wp-sitemap.xml", index.encode(), "application/xml")
    assert sitemaps.read(page) == PageLinks(listings=[f"{SITE}/wp-sitemap-posts-post-1.xml"])


def test_a_feeds_relative_links_are_the_blogs_posts():
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>B</title><link>{SITE}/</link>'
            '<item><title>A</title><link>2024/05/a-post/</link></item>'
            '<item><title>B</title><link>/2024/04/b-post/</link></item></channel></rss>')
    page = Page.from_bytes(f"{SITE}/feed/", feed.encode(), "application/rss+xml")
    assert feeds.read(page).posts == [f"{SITE}/2024/05/a-post/", f"{SITE}/2024/04/b-post/"]


def test_a_comments_feeds_relative_links_name_no_new_post():
    feed = (f'<?xml version="1.0"?><rss version="2.0"><channel><title>Comments</title>'
            f'<link>{SITE}/</link>'
            '<item><title>On A</title><link>2024/05/a-post/#comment-3</link>'
            '<pubDate>Mon, 20 May 2024 07:00:00 +0000</pubDate></item>'
            '<item><title>On the blog</title><link>#comment-4</link>'
            '<pubDate>Mon, 20 May 2024 08:00:00 +0000</pubDate></item></channel></rss>')
    page = Page.from_bytes(f"{SITE}/comments/feed/", feed.encode(), "application/rss+xml")
    assert feeds.read(page) == PageLinks(
        posts=[f"{SITE}/2024/05/a-post/"],
        modified={f"{SITE}/2024/05/a-post/": "2024-05-20T07:00:00+00:00"})


def test_the_rest_apis_posts_and_their_next_page():
    url = f"{SITE}/wp-json/wp/v2/posts?per_page=100"
    body = json.dumps([
        {"id": 3, "date_gmt": "2024-05-20T07:00:00", "link": f"{SITE}/2024/05/a-post/"},
        {"id": 2, "date_gmt": "2024-04-01T07:00:00", "link": f"{SITE}/b/"}])
    page = Page.from_bytes(url, body.encode(), "application/json",
                           headers={"Link": f'<{url}&page=2>; rel="next"'})
    assert rest.read(page) == PageLinks(posts=[f"{SITE}/2024/05/a-post/", f"{SITE}/b/"],
                                        listings=[f"{url}&page=2"])


def test_the_comment_indexs_other_pages_come_from_its_page_count():
    url = f"{SITE}/wp-json/wp/v2/comments?per_page=100&order=desc"
    page = Page.from_bytes(url, b"[]", "application/json", headers={"X-WP-TotalPages": "3"})
    assert comment_index.read(page).listings == [f"{url}&page=2", f"{url}&page=3"]


def test_every_source_is_registered_and_pages_are_read_by_their_role():
    assert discovery.start_requests(f"{SITE}/") == [
        (f"{SITE}/", listings), (f"{SITE}/wp-sitemap.xml", sitemaps),
        (f"{SITE}/sitemap.xml", sitemaps), (f"{SITE}/sitemap_index.xml", sitemaps),
        (f"{SITE}/feed/", feeds)]
    page = html_page('<article><h2><a href="/a/">A</a></h2></article>'
                     '<a href="/page/2/">Older posts</a>')
    assert discovery.read(page, "listing").listings == [f"{SITE}/page/2/"]
