"""CSS cascades run as XPath, skipping what a document cannot match
(archiver.extractors.selectors)."""

import lxml.html
import pytest

from archiver.extractors.elements import text_of
from archiver.extractors.selectors import (
    Chrome,
    _alternatives,
    classes_in,
    css,
    css_elements,
    has_class,
)
from archiver.page import Page

CLASSES_PAGE = ('<html><body><div id="main" class="byline-author comment">'
                '<cite class="fn">Ann</cite>\n<p class="note">one</p></div>'
                '<div class="entry_author x">Bob</div></body></html>')


@pytest.mark.parametrize("query, expected", [
    (".fn", ["Ann"]),
    (".missing, .fn", ["Ann"]),  # only the alternative the document can match runs
    (".missing .fn", []),
    (".comment .fn:not(.missing)", ["Ann"]),
    ("[class*='-author '] cite", ["Ann"]),
    ("[class$='-author'] cite", []),
    ("[class$='_author']", []),
    ("[class*='_author '], [class^='byline']", ["Ann one", "Bob"]),
    ("[class|='byline']", ["Ann one"]),
    ("[class~='x'], p.note", ["one", "Bob"]),
])
def test_css_skips_only_alternatives_the_document_cannot_match(query, expected):
    page = Page("https://blog.example/", CLASSES_PAGE)
    assert [text_of(node) for node in css(page, query)] == expected
    assert [text_of(node) for node in page.css(query)] == expected


def test_queries_in_one_element_skip_classes_only_the_rest_of_the_document_has():
    page = Page("https://blog.example/", CLASSES_PAGE)
    comment = page.selector.root.xpath("//div[contains(@class, 'comment')]")[0]
    classes = classes_in(comment, {})
    assert classes.names == {"byline-author", "comment", "fn", "note"}
    assert not classes.may_match(({"x"}, set()))
    found = css_elements(comment, ".x p, .fn, p", classes)
    assert [text_of(element) for element in found] == ["Ann", "one"]


def test_chrome_tests_only_the_class_parts_a_text_has():
    chrome = Chrome(names=("script",), class_names=("comment-author",),
                    class_parts=("reply", "avatar", "says"))
    comment = lxml.html.fromstring('<div class="comment"><img class="avatar avatar-32">Ann '
                                   '<span class="says">says</span><p>Hi</p>'
                                   '<a class="comment-reply-link">Reply</a></div>')
    assert chrome.xpath(classes_in(comment, {})) == (
        ".//script | .//*[@class and (contains(@class, 'reply') or contains(@class, 'avatar')"
        " or contains(@class, 'says'))]")
    assert chrome.xpath(classes_in(comment.find("p"), {})) == ".//script"


@pytest.mark.parametrize("query", [".comment .fn", "div.comment cite::text",
                                   ".comment.byline-author", "#main .fn", "div#main",
                                   "#main::attr(id)", ".x #main",
                                   "p.note::text", ".comment::attr(class)", "div:not(.x) cite",
                                   "[class~='note']", ".entry_author.x", ".fn, .note"])
def test_class_tests_through_class_attributes_match_what_parsel_matches(query):
    page = Page("https://blog.example/", CLASSES_PAGE)
    assert css(page, query).getall() == page.selector.css(query).getall()


def test_a_first_step_testing_one_class_or_id_goes_through_those_attributes():
    [(xpath, _)] = _alternatives(".comments-area h2", "html")
    assert xpath == (
        "descendant-or-self::*/@class[contains(., 'comments-area') and contains(concat(' ', "
        "normalize-space(.), ' '), ' comments-area ')]/parent::*/descendant::h2")
    [(xpath, _)] = _alternatives("div#comments h4", "html")
    assert xpath == "descendant-or-self::div/@id[. = 'comments']/parent::*/descendant::h4"


@pytest.mark.parametrize("name", ["comment", "byline-author", "x", "entry_author", "author"])
def test_a_class_test_matches_what_the_css_class_selector_matches(name):
    page = Page("https://blog.example/", CLASSES_PAGE)
    assert page.xpath(f"//*[{has_class(name)}]").getall() == page.selector.css(f".{name}").getall()


def test_a_class_test_reads_the_attribute_it_is_given():
    page = Page("https://blog.example/",
                '<a rel="tag category" href="/c/">c</a><a rel="tags">t</a>')
    assert page.xpath(f"//a[{has_class('category', '@rel')}]/@href").getall() == ["/c/"]
