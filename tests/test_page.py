"""Page: a fetched document's text and its parsed tree (archiver.page)."""

import pytest

from archiver.page import Page


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
