"""Saved pages, read the way `archiver extract` reads them, against their hand-checked output.

Each `pages/<platform>/<site-or-theme>.<what>.html` has next to it a `.json` holding the exact
output expected, plus `fetched_from`: the address the page was saved from.
"""

import json
from pathlib import Path

import pytest

from archiver.cli import thread_as_json
from archiver.extractors import extract
from archiver.page import Page

PAGES = sorted(Path(__file__).parent.glob("pages/*/*.html"))


@pytest.mark.parametrize("path", PAGES, ids=lambda path: f"{path.parent.name}/{path.stem}")
def test_page_reads_as_expected(path):
    expected = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    page = Page.from_file(path, url=expected.pop("fetched_from"))
    assert thread_as_json(extract(page)) == expected
