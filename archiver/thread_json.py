"""The JSON a thread is printed as by `archiver extract`, and the shape the corpus scorer and
the expected outputs of saved pages (tests/pages/**/*.json) are written in.

Comments and pingbacks are apart; a comment's parent is its index among the comments, and
times are given as the page gives them, as shown, and in UTC.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO, Any

from archiver.items import COMMENT, Comment, Link, Post, Thread


def thread_as_json(thread: Thread | None) -> dict[str, Any]:
    """A thread in the shape the corpus scorer reads: comments apart from pingbacks."""
    if thread is None:
        return _empty()
    document = _document(thread)
    pingbacks: list[dict[str, Any]] = []
    document["comments"] = list(_apart(thread.comments, pingbacks))
    document["pingbacks"] = pingbacks
    return document


def write_thread_json(thread: Thread | None, out: IO[str],
                      comments: Iterable[Comment] | None = None) -> None:
    """`thread_as_json(thread)` written to `out` as `json.dump(…, ensure_ascii=False,
    indent=1)` writes it, but each comment as it comes from `comments` (the thread's own when
    None; each parent an index among them): a page read in parts never holds them all. What
    follows the comments is written as it is once they are read."""
    if thread is None:
        document, comments = _empty(), ()
    else:
        document = _document(thread)
        comments = thread.comments if comments is None else comments
    pingbacks: list[dict[str, Any]] = []
    out.write("{")
    for number, (key, value) in enumerate(document.items()):
        out.write(f"{',' if number else ''}\n {json.dumps(key)}: ")
        if key == "comments":
            _write_list(out, _apart(comments, pingbacks))
        elif key == "pingbacks":
            _write_list(out, pingbacks)
        else:
            out.write(_dumped(value, 1))
    out.write("\n}\n")


def _empty() -> dict[str, Any]:
    """The document of a page that holds no thread."""
    return {"url": None, "platform": None, "post": None, "comments": [], "pingbacks": [],
            "more_comment_pages": []}


def _document(thread: Thread) -> dict[str, Any]:
    """The thread's document, its comments and pingbacks to come."""
    return {"url": thread.post.url, "platform": thread.platform, "post": _post_json(thread.post),
            "comments": None, "pingbacks": None,
            "more_comment_pages": thread.more_comment_pages}


def _apart(comments: Iterable[Comment],
           pingbacks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The comments proper, each parent renumbered among them; pingbacks put in `pingbacks`."""
    among_comments: dict[int, int] = {}
    for position, comment in enumerate(comments):
        if comment.type != COMMENT:
            pingbacks.append(_pingback_json(comment))
            continue
        among_comments[position] = len(among_comments)
        parent = None if comment.parent is None else among_comments.get(comment.parent)
        yield _comment_json(comment, parent)


def _write_list(out: IO[str], items: Iterable[Any]) -> None:
    """A list one level in, written item by item as json.dump's indent=1 lays it out."""
    out.write("[")
    written = 0
    for item in items:
        out.write(f"{',' if written else ''}\n  {_dumped(item, 2)}")
        written += 1
    out.write("\n ]" if written else "]")


def _dumped(value: Any, depth: int) -> str:
    return json.dumps(value, ensure_ascii=False, indent=1).replace("\n", "\n" + " " * depth)


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
