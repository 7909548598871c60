import lxml.html
import pytest

from archiver.extractors.common import (Chrome, _alternatives, classes_in, comment_page_of, compiled, css,
                                        css_elements, first_outside, has_markers, leading_text, post_url_of,
                                        text_of, text_without, without_elements)
from archiver.page import Page


@pytest.mark.parametrize("url, page, post", [
    ("https://blog.example/2014/08/12/post/comment-page-3/#comments", 3, "https://blog.example/2014/08/12/post/"),
    ("https://blog.example/?p=12&cpage=2", 2, "https://blog.example/?p=12"),
    # Blogger without threaded comments pages them with ?commentPage=N.
    ("https://x.blogspot.com/2011/12/noel.html?commentPage=2", 2, "https://x.blogspot.com/2011/12/noel.html"),
    ("https://blog.example/2014/08/12/post/", None, "https://blog.example/2014/08/12/post/"),
])
def test_a_comment_page_names_its_number_and_its_post(url, page, post):
    assert (comment_page_of(url), post_url_of(url)) == (page, post)


CLASSES_PAGE = """<html><body><div id="main" class="byline-author comment"><cite class="fn">Ann</cite>
<p class="note">one</p></div><div class="entry_author x">Bob</div></body></html>"""


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
    assert [text_of(element) for element in css_elements(comment, ".x p, .fn, p", classes)] == ["Ann", "one"]


def test_chrome_tests_only_the_class_parts_a_text_has():
    chrome = Chrome(names=("script",), class_names=("comment-author",), class_parts=("reply", "avatar", "says"))
    comment = lxml.html.fromstring('<div class="comment"><img class="avatar avatar-32">Ann <span class="says">'
                                   'says</span><p>Hi</p><a class="comment-reply-link">Reply</a></div>')
    assert chrome.xpath(classes_in(comment, {})) == (
        ".//script | .//*[@class and (contains(@class, 'reply') or contains(@class, 'avatar')"
        " or contains(@class, 'says'))]")
    assert chrome.xpath(classes_in(comment.find("p"), {})) == ".//script"


def test_leaving_out_elements_keeps_their_tails_and_copies_only_when_one_is_inside():
    element = lxml.html.fromstring("<div>a<b>x<i>y</i></b>tail<span>s</span>end<em>e</em></div>")
    bold, italic, span = element.find("b"), element.find("b/i"), element.find("span")
    kept = without_elements(element, [italic, span, bold, span])
    assert lxml.html.tostring(kept, encoding="unicode") == "<div>atailend<em>e</em></div>"
    assert lxml.html.tostring(element, encoding="unicode") == (
        "<div>a<b>x<i>y</i></b>tail<span>s</span>end<em>e</em></div>")
    assert without_elements(element, [lxml.html.fromstring("<p>elsewhere</p>")]) is element


def test_the_leading_text_is_that_of_the_element_less_what_is_left_out():
    element = lxml.html.fromstring("<div> <!-- note --> Ping<ul class='children'><li>Reply</li></ul>back:"
                                   " <b>from</b> elsewhere</div>")
    replies = [element.find("ul")]
    assert text_of(without_elements(element, replies)) == "Pingback: from elsewhere"
    assert leading_text(element, replies, 9) == "Pingback:"
    assert leading_text(element, replies, 100) == "Pingback: from elsewhere"
    assert leading_text(element, [], 12) == "PingReplybac"


def test_a_page_with_lone_surrogates_is_parsed_with_them_replaced():
    page = Page("https://blog.example/", "<html><body><p>a\ud800b</p></body></html>")
    assert page.selector.xpath("//p/text()").get() == "a\ufffd\ufffd\ufffdb"


@pytest.mark.parametrize("needed, expected", [(1, True), (2, True), (3, False)])
def test_markers_count_up_to_what_is_needed(needed, expected):
    assert has_markers("<script src='/wp-includes/x.js'></script> wp-json", ("/wp-content/", "/wp-includes/",
                                                                             "wp-json", "wp-block-"), needed) is expected


def test_text_and_first_link_around_left_out_elements_are_those_of_the_copy_without_them():
    author = lxml.html.fromstring('<div><a href="/u/ann"><img class="avatar" src="a.png"></a> '
                                  '<a href="https://ann.example/">Ann</a> <span class="says">says</span>:</div>')
    chrome = [author.find("a"), author.find("span")]
    kept = without_elements(author, chrome)
    assert text_without(author, chrome) == text_of(kept) == "Ann :"
    links = compiled("descendant-or-self::a[@href]")
    assert first_outside(links(author), chrome, author).get("href") == links(kept)[0].get("href")
    assert first_outside(links(author), [author.find("a[2]"), *chrome], author) is None


@pytest.mark.parametrize("query", [".comment .fn", "div.comment cite::text", ".comment.byline-author",
                                   "#main .fn", "div#main", "#main::attr(id)", ".x #main",
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
