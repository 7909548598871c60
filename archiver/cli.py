"""The `archiver` command: run the demo, crawl blogs from cron, read one saved page."""

import json
import sys
from dataclasses import asdict
from pathlib import Path

import click

from archiver.extractors import extract
from archiver.page import Page


@click.group()
@click.version_option()
def cli():
    """Keep faithful, offline SQLite archives of blog posts and their comment threads."""


@cli.command(name="extract")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The address the page was saved from (for relative links).")
@click.option("--timezone", help="The blog's zone, e.g. Europe/London, for UTC times.")
def extract_command(page, url, timezone):
    """Print, as JSON, what the extractor reads from one saved page.

    \b
    Example:
        archiver extract saved-post.html --url https://blog.example/2014/08/12/a-post/
    """
    thread = extract(Page.from_file(page, url=url), timezone=timezone)
    json.dump(thread_as_json(thread), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def thread_as_json(thread):
    """A thread in the shape the corpus scorer reads: comments apart from pingbacks."""
    if thread is None:
        return {"url": None, "platform": None, "post": None, "comments": [], "pingbacks": [],
                "more_comment_pages": []}
    post = thread.post
    comments = [c for c in thread.comments if c.type == "comment"]
    pings = [c for c in thread.comments if c.type != "comment"]
    index = {id(c): i for i, c in enumerate(comments)}

    def parent(comment):
        if comment.parent is None:
            return None
        return index.get(id(thread.comments[comment.parent]))

    return {
        "url": post.url,
        "platform": thread.platform,
        "post": {"title": post.title, "author": post.author, "published": post.published,
                 "published_text": post.published_shown, "published_utc": post.published_utc,
                 "categories": post.categories, "tags": post.tags, "body_text": post.body_text,
                 "links": [{"url": link.url, "text": link.text} for link in post.links]},
        "comments": [{
            "id": c.platform_id, "author": c.author, "author_url": c.author_url,
            "published": c.published, "published_text": c.published_shown,
            "published_utc": c.published_utc, "parent": parent(c), "body": " ".join(c.body_text.split()),
            "links": [{"url": link.url, "text": link.text} for link in c.links],
        } for c in comments],
        "pingbacks": [{"id": c.platform_id, "type": c.type, "author": c.author,
                       "author_url": c.author_url, "published": c.published,
                       "body": " ".join(c.body_text.split())} for c in pings],
        "more_comment_pages": thread.more_comment_pages,
    }
