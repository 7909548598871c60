"""A WordPress post page of thousands of threaded comments (bench/huge_page.py writes it from
the demo blog's markup) is read whole: every comment, under its parent, at its depth."""

from archiver.extractors import extract
from archiver.page import Page
from bench.huge_page import THREAD_DEPTH, generate

COMMENTS = 3000


def test_every_comment_of_a_page_of_thousands_is_read_under_its_parent(tmp_path):
    written = generate(tmp_path / "post.html", COMMENTS)
    thread = extract(Page.from_file(tmp_path / "post.html", url=written.url))
    assert thread is not None
    read = [(comment.platform_id, comment.parent_platform_id) for comment in thread.comments]
    assert read == list(zip(written.ids, written.parents, strict=True))
    # Each comment's parent by its index among the comments, and a depth one below its parent's.
    for comment in thread.comments:
        parent = thread.comments[comment.parent] if comment.parent is not None else None
        assert parent is None or parent.platform_id == comment.parent_platform_id
        assert comment.depth == (parent.depth + 1 if parent else 1)
    assert max(comment.depth for comment in thread.comments) == THREAD_DEPTH
