"""The links of a post body or comment as the archive keeps them: one row a link, in order,
written only where they differ from the stored ones."""

from __future__ import annotations

from typing import Any

from sqlite_utils import Database

from archiver.items import Link
from archiver.storage.writes import Batch

# A link as stored: url, text, domain, external.
Stored = tuple[Any, Any, Any, Any]
# The stored links of one post: {comment id (None: the post body): {position: link}}.
PostLinks = dict[int | None, dict[int, Stored]]

UPDATE = ("UPDATE links SET url = ?, text = ?, domain = ?, external = ? "
          "WHERE post_id = ? AND comment_id IS ? AND position = ?")
INSERT = ("INSERT INTO links (url, text, domain, external, post_id, comment_id, position) "
          "VALUES (?, ?, ?, ?, ?, ?, ?)")
DELETE = "DELETE FROM links WHERE post_id = ? AND comment_id IS ? AND position >= ?"


def read_links(db: Database, post_id: int) -> PostLinks:
    """Every stored link of a post, its body's and its comments', in one query."""
    found: PostLinks = {}
    for comment_id, position, *link in db.execute(
            "SELECT comment_id, position, url, text, domain, external FROM links "
            "WHERE post_id = ?", [post_id]):
        found.setdefault(comment_id, {})[position] = tuple(link)
    return found


def write_links(batch: Batch, stored: PostLinks, post_id: int, comment_id: int | None,
                links: list[Link]) -> None:
    """Add to `batch` what makes the stored links of one post body or comment exactly `links`,
    keeping the ids of the rows that stay (nothing when they are already so); `stored` is kept
    up to date with it."""
    held = stored.setdefault(comment_id, {})
    for position, link in enumerate(links):
        values = (link.url, link.text, link.domain, int(link.external))
        if position not in held:
            batch.add(INSERT, (*values, post_id, comment_id, position))
        elif held[position] != values:
            batch.add(UPDATE, (*values, post_id, comment_id, position))
        held[position] = values
    if any(position >= len(links) for position in held):
        batch.add(DELETE, (post_id, comment_id, len(links)))
        for position in [position for position in held if position >= len(links)]:
            del held[position]
