"""URL rules: a post's own address and its comment pages (archiver.urls)."""

import pytest

from archiver.urls import comment_page_of, post_url_of


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
