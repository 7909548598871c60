"""The JSON a thread is printed as by `archiver extract`, and the shape the corpus scorer and
the expected outputs of saved pages (tests/pages/**/*.json) are written in.

Comments and pingbacks are apart; a comment's parent is its index among the comments, and
times are given as the page gives them, as shown, and in UTC.
"""

from __future__ import annotations

from typing import Any

from archiver.items import COMMENT, Comment, Link, Post, Thread


def thread_as_json(thread: Thread | None) -> dict[str, Any]:
    """A thread in the shape the corpus scorer reads: comments apart from pingbacks."""
    if thread is None:
        return {"url": None, "platform": None, "post": None, "comments": [], "pingbacks": [],
                "more_comment_pages": []}
    comments = [c for c in thread.comments if c.type == COMMENT]
    index = {id(comment): number for number, comment in enumerate(comments)}

    def parent(comment: Comment) -> int | None:
        if comment.parent is None:
            return None
        return index.get(id(thread.comments[comment.parent]))

    return {
        "url": thread.post.url,
        "platform": thread.platform,
        "post": _post_json(thread.post),
        "comments": [_comment_json(c, parent(c)) for c in comments],
        "pingbacks": [_pingback_json(c) for c in thread.comments if c.type != COMMENT],
        "more_comment_pages": thread.more_comment_pages,
    }


def _post_json(post: Post) -> dict[str, Any]:
    return {"title": post.title, "author": post.author, "published": post.published,
            "published_text": post.published_shown, "published_utc": post.published_utc,
            "categories": post.categories, "tags": post.tags, "body_text": post.body_text,
            "links": _links_json(post.links)}


def _comment_json(comment: Comment, parent: int | None) -> dict[str, Any]:
    return {"id": comment.platform_id, "author": comment.author,
            "author_url": comment.author_url, "published": comment.published,
            "published_text": comment.published_shown, "published_utc": comment.published_utc,
            "parent": parent, "body": _one_line(comment.body_text),
            "links": _links_json(comment.links)}


def _pingback_json(comment: Comment) -> dict[str, Any]:
    return {"id": comment.platform_id, "type": comment.type, "author": comment.author,
            "author_url": comment.author_url, "published": comment.published,
            "body": _one_line(comment.body_text)}


def _links_json(links: list[Link]) -> list[dict[str, str]]:
    return [{"url": link.url, "text": link.text} for link in links]


def _one_line(text: str) -> str:
    return " ".join(text.split())
