"""Saved pages, read the way `archiver extract` and the spider read them, against their
hand-checked output.

Each `pages/<platform>/<site-or-theme>.<what>.html` has next to it a `.json` holding the exact
thread expected, plus `fetched_from`: the address the page was saved from. A listing, feed or
sitemap `X.html` or `X.xml` has an `X.links.json` holding exactly what `find_links` gives for
it (the posts it lists, with their comment counts and modification times), plus `fetched_from`
and the `content_type` it was served with.

The `*.harness-*` pages come from the WordPress test harness (`seed 30 40`, three comments
added on posts 5 and 21 and post 29 edited afterwards, so that its feeds show several posts'
comments and a modification). Its listing was served with a child theme of Twenty Twenty-One
that prints, as Twenty Sixteen does, WordPress core's `comments_popup_link()` on each post.
"""

import dataclasses
import json
from pathlib import Path

import pytest

from archiver.extractors import extract, find_links
from archiver.page import Page
from archiver.thread_json import thread_as_json

PAGES = sorted(Path(__file__).parent.glob("pages/*/*.html"))
LINKED = sorted(Path(__file__).parent.glob("pages/*/*.links.json"))


@pytest.mark.parametrize("path", PAGES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_page_reads_as_expected(path):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    page = Page.from_file(path, url=expected.pop("fetched_from"))
    assert thread_as_json(extract(page)) == expected


def saved_page(links_path):
    """The saved page an `X.links.json` describes."""
    stem = links_path.name.removesuffix(".links.json")
    [path] = [path for path in links_path.parent.glob(f"{stem}.*")
              if not path.name.endswith(".json")]
    return path


@pytest.mark.parametrize("path", LINKED,
                         ids=lambda path: f"{path.parent.name}/{saved_page(path).name}")
def test_links_read_as_expected(path):
    expected = json.loads(path.read_text(encoding="utf-8"))
    page = Page.from_bytes(expected.pop("fetched_from"), saved_page(path).read_bytes(),
                           content_type=expected.pop("content_type"))
    assert dataclasses.asdict(find_links(page)) == expected
