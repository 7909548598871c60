"""URL rules: a post's own address and its comment pages (archiver.urls)."""

from urllib.parse import urljoin

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archiver.urls import absolute, comment_page_of, post_url_of

BASE = "https://blog.example/2014/08/12/post/"
# What a URL is made of, the parts urljoin normalises (empty `;`, `?`, `#`, dot segments,
# brackets, white space, a scheme's case) included.
URL_PIECES = st.sampled_from(["http://", "https://", "HTTP://", "http:", "//", "/", "..", ".",
                              "?", "#", ";", "@", "[", "]", ":", "=", "&", "%2e", " ", "\t",
                              "a", "b.example", "é", "0"])


@pytest.mark.parametrize("url, page, post", [
    ("https://blog.example/2014/08/12/post/comment-page-3/#comments", 3,
     "https://blog.example/2014/08/12/post/"),
    ("https://blog.example/?p=12&cpage=2", 2, "https://blog.example/?p=12"),
    # Blogger without threaded comments pages them with ?commentPage=N.
    ("https://x.blogspot.com/2011/12/noel.html?commentPage=2", 2,
     "https://x.blogspot.com/2011/12/noel.html"),
    ("https://blog.example/2014/08/12/post/", None, "https://blog.example/2014/08/12/post/"),
])
def test_a_comment_page_names_its_number_and_its_post(url, page, post):
    assert (comment_page_of(url), post_url_of(url)) == (page, post)


@pytest.mark.parametrize("url", [
    # urljoin puts back together a URL of the base's scheme, giving others back as they are.
    *(scheme + rest for scheme in ("https://", "http://") for rest in (
        "a.example/b?", "a.example/b#", "a.example/b?#c", "a.example/b;", "a.example/b;?q",
        "/b", "a.example/b/../c", "a.example", "[::1/", "a.ex\tample/",
        "a.example/b?q=1#comment-5")),
    "HTTPS://a.example/", " https://a.example/b ", "../c", "", "   ",
])
def test_an_address_is_made_absolute_as_urljoin_makes_it(url):
    assert_made_absolute_as_urljoin_makes_it(url)


@settings(derandomize=True, max_examples=2000, database=None)
@given(pieces=st.lists(URL_PIECES, max_size=12))
def test_any_address_is_made_absolute_as_urljoin_makes_it(pieces):
    assert_made_absolute_as_urljoin_makes_it("".join(pieces))


def assert_made_absolute_as_urljoin_makes_it(url):
    try:
        expected = urljoin(BASE, url.strip())
    except ValueError as error:
        expected = repr(error)
    try:
        made = absolute(BASE, url)
    except ValueError as error:
        made = repr(error)
    assert made == (expected if url else None)
