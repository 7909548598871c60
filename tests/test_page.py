"""Page: a fetched document's text and its parsed tree (archiver.page)."""

import pytest

from archiver.page import Page, walked_once


def test_a_page_with_lone_surrogates_is_parsed_with_them_replaced():
    page = Page("https://blog.example/", "<html><body><p>a\ud800b</p></body></html>")
    assert page.selector.xpath("//p/text()").get() == "a\ufffd\ufffd\ufffdb"


@pytest.mark.parametrize("body, content_type, broken", [
    (b"<!DOCTYPE html><html><body><p>Caf\xc3\xa9</p></body></html>", "text/html", None),
    (b"<!DOCTYPE html><html><body><p>Caf\xe9 \xe2\x80\x9cq\xe2\x80\x9d</p></body></html>",
     "text/html; charset=utf-8", "undecodable"),
    (b"<!DOCTYPE html><html><body><p>Caf\xc3\xa9</p><p>and th", "text/html", "truncated"),
    # Only a page that opens <html> shows it is cut: a fragment, a feed or JSON does not.
    (b"<p>a fragment</p>", "text/html", None),
    (b'<?xml version="1.0"?><rss><channel><item>', "application/rss+xml", None),
    (b'{"html": "<html>"}', "application/json", None),
])
def test_a_capture_is_broken_when_undecodable_or_cut_short(body, content_type, broken):
    assert Page.from_bytes("https://blog.example/", body, content_type).broken == broken


@pytest.mark.parametrize("query, walked", [
    ("//li[contains(@class, 'comment')]/@id",
     "descendant-or-self::li[contains(@class, 'comment')]/@id"),
    ("//*[@id='comments'] | //h1[@class]", "descendant-or-self::*[@id='comments'] | "
                                           "descendant-or-self::h1[@class]"),
    ("//p[self::p][.//a[1]][@x='1]']", "descendant-or-self::p[self::p][.//a[1]][@x='1]']"),
    # libxml2 walks these once already, or a predicate may count among siblings.
    ("//li/@id", "//li/@id"),
    ("//li[1]/@id", "//li[1]/@id"),
    ("//li[position() < 2]/@id", "//li[position() < 2]/@id"),
    ("//li[count(a) + 1]/@id", "//li[count(a) + 1]/@id"),
    ("(//li)[2]/@id | //p[$n]", "(//li)[2]/@id | //p[$n]"),
])
def test_a_whole_document_query_is_walked_once_where_that_finds_the_same(query, walked):
    page = Page("https://blog.example/", """<html><body><h1 class="t">A</h1><div id="comments">
<ol><li id="c1" class="comment"><ol><li id="c2" class="comment"><p x="1]">r</p></li></ol></li>
<li id="c3" class="comment"><p><a>l</a></p></li></ol></div></body></html>""")
    assert walked_once(query) == walked
    assert page.xpath(query, n=1).getall() == page.selector.xpath(query, n=1).getall()
