"""Text and parts of elements: an element less some descendants, read without copying it where
possible (archiver.extractors.elements)."""

import lxml.html

from archiver.extractors.elements import (
    first_outside,
    leading_text,
    text_of,
    text_without,
    without_elements,
)
from archiver.extractors.selectors import compiled


def test_leaving_out_elements_keeps_their_tails_and_copies_only_when_one_is_inside():
    element = lxml.html.fromstring("<div>a<b>x<i>y</i></b>tail<span>s</span>end<em>e</em></div>")
    bold, italic, span = element.find("b"), element.find("b/i"), element.find("span")
    kept = without_elements(element, [italic, span, bold, span])
    assert lxml.html.tostring(kept, encoding="unicode") == "<div>atailend<em>e</em></div>"
    assert lxml.html.tostring(element, encoding="unicode") == (
        "<div>a<b>x<i>y</i></b>tail<span>s</span>end<em>e</em></div>")
    assert without_elements(element, [lxml.html.fromstring("<p>elsewhere</p>")]) is element


def test_the_leading_text_is_that_of_the_element_less_what_is_left_out():
    element = lxml.html.fromstring("<div> <!-- note --> Ping<ul class='children'><li>Reply</li>"
                                   "</ul>back: <b>from</b> elsewhere</div>")
    replies = [element.find("ul")]
    assert text_of(without_elements(element, replies)) == "Pingback: from elsewhere"
    assert leading_text(element, replies, 9) == "Pingback:"
    assert leading_text(element, replies, 100) == "Pingback: from elsewhere"
    assert leading_text(element, [], 12) == "PingReplybac"


def test_text_and_first_link_around_left_out_elements_are_those_of_the_copy_without_them():
    author = lxml.html.fromstring('<div><a href="/u/ann"><img class="avatar" src="a.png"></a> '
                                  '<a href="https://ann.example/">Ann</a> '
                                  '<span class="says">says</span>:</div>')
    chrome = [author.find("a"), author.find("span")]
    kept = without_elements(author, chrome)
    assert text_without(author, chrome) == text_of(kept) == "Ann :"
    links = compiled("descendant-or-self::a[@href]")
    assert first_outside(links(author), chrome, author).get("href") == links(kept)[0].get("href")
    assert first_outside(links(author), [author.find("a[2]"), *chrome], author) is None
