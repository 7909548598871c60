"""Page: a fetched document's text and its parsed tree (archiver.page)."""

from archiver.page import Page


def test_a_page_with_lone_surrogates_is_parsed_with_them_replaced():
    page = Page("https://blog.example/", "<html><body><p>a\ud800b</p></body></html>")
    assert page.selector.xpath("//p/text()").get() == "a\ufffd\ufffd\ufffdb"
