"""Where a page points, and what a listing says of the posts it lists: the page's own
address, the links a cascade finds, a listing's posts and next pages, and for each post its
comment count (on the link to its comments, or in schema.org items) and when it changed."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from archiver.extractors.elements import text_of, text_without
from archiver.extractors.selectors import compiled, css
from archiver.items import PageLinks
from archiver.page import Page
from archiver.urls import absolute, is_trap, post_url_of, strip_fragment, unique

CANONICAL = ("//link[@rel='canonical']/@href", "//meta[@property='og:url']/@content")


def canonical(page: Page) -> str:
    """The post's own address: the canonical link or og:url, an absolute one first (saved and
    mirrored copies make them relative), else the page's own address."""
    found = [url.strip() for query in CANONICAL for url in page.xpath(query).getall()
             if url.strip()]
    return next((url for url in found if url.startswith(("http://", "https://"))),
                urljoin(page.url, found[0]) if found else page.url)


def hrefs(page: Page, queries: Iterable[str], within: Any = None) -> list[str]:
    """The absolute link targets that any of `queries` finds (in `within`, else the whole page),
    in order, each once."""
    node = page if within is None else within
    return unique(absolute(page.url, href) for query in queries
                  for href in css(node, f"{query}::attr(href)").getall())


def listing_links(page: Page, post_links: Iterable[str], next_pages: Iterable[str]) -> PageLinks:
    """A listing page's posts and next pages, from the platform's queries for each."""
    return PageLinks(posts=[url for url in hrefs(page, post_links) if not is_trap(url)],
                     listings=hrefs(page, next_pages))


# What listings say of each post they list, for incremental runs.
# The text of a link to a post's comments that is not shown: its words for screen readers
# repeat the post's title
# (WordPress: "3 Comments<span class="screen-reader-text"> on 5 > 3?</span>").
UNSHOWN_TEXT = etree.XPath(
    ".//*[@class][contains(@class, 'screen-reader') or contains(@class, 'sr-only')"
    " or contains(@class, 'visually-hidden') or contains(@class, 'assistive-text')]")
# Count links that a script fills in (Disqus): what the page itself says is a placeholder.
SCRIPT_FILLED_COUNT = etree.XPath(
    "descendant-or-self::*[@data-disqus-identifier or @data-disqus-url or @class and"
    " (contains(@class, 'disqus-comment-count') or contains(@class, 'dsq-postid'))]")
# A count as shown: "12", "1,234", "1.234", "1'234", "1 234" (read with whitespace collapsed, so
# also with the no-break or thin space French puts between groups).
COUNT = re.compile(r"\d{1,3}(?:[,.' ]\d{3})+(?!\d)|\d+")
# schema.org items describing posts (BlogPosting, NewsArticle, SocialMediaPosting, …), the
# properties that say when one changed and how many comments it has, and those naming it.
POSTING_TYPE = re.compile(r"(?:Article|Posting)$")
SCHEMA_SIGNALS = ("dateModified", "commentCount", "interactionStatistic", "interactionCount")
SCHEMA_ADDRESSES = ("url", "mainEntityOfPage", "@id")
MICRODATA_SIGNALS = etree.XPath(
    "//*[@itemprop][contains(@itemprop, 'dateModified') or contains(@itemprop, 'commentCount')"
    " or contains(@itemprop, 'interactionCount')]")
MICRODATA_OWNER = etree.XPath("ancestor::*[@itemscope][1]")
JSON_LD = etree.XPath("//script[@type = 'application/ld+json']/text()", smart_strings=False)
COMMENTS_COUNTED = re.compile(r"UserComments:(\d+)")


def comment_counts(page: Page, posts: Sequence[str], counted: Sequence[str],
                   none: Sequence[str] = ()) -> dict[str, int]:
    """How many comments each of `posts`, as `page` lists them, has by the links to its
    comments: the number in the text of a link to `post#F` for F in `counted`, or, for a post
    that has none of those, 0 when it has a link to `post#F` for F in `none`. A post whose
    links state different numbers, or no number, gets none."""
    listed = {post_url_of(url): url for url in posts}
    fragments = (*counted, *none)
    if not listed or not fragments:
        return {}
    tests = " or ".join(f"contains(., '#{fragment}')" for fragment in fragments)
    stated: dict[str, set[int]] = {}
    uncommented: set[str] = set()
    for link in compiled(f"//a/@href[{tests}]/..")(page.selector.root):
        url = absolute(page.url, link.get("href")) or ""  # the query found it holding an href
        post, fragment = listed.get(post_url_of(url)), urlsplit(url).fragment
        if post is None:
            continue
        if fragment in counted and not SCRIPT_FILLED_COUNT(link):
            shown = COUNT.search(text_without(link, UNSHOWN_TEXT(link)))
            numbers = stated.setdefault(post, set())
            if shown:
                numbers.add(int(re.sub(r"\D", "", shown[0])))
        elif fragment in none:
            uncommented.add(post)
    counts: dict[str, int] = {}
    for post in posts:
        shown_numbers = stated.get(post)
        if shown_numbers is None and post in uncommented:
            counts[post] = 0
        elif shown_numbers is not None and len(shown_numbers) == 1:
            counts[post] = min(shown_numbers)
    return counts


def schema_signals(page: Page,
                   posts: Sequence[str]) -> tuple[dict[str, str], dict[str, int]]:
    """(modified, comment counts) of `posts` as the schema.org items describing them on `page`
    state them (JSON-LD or microdata): dateModified, and commentCount or an InteractionCounter
    of comments. Only pages naming one of those properties are searched."""
    if not posts or not any(name in page.text for name in SCHEMA_SIGNALS):
        return {}, {}
    listed = {strip_fragment(url): url for url in posts}
    modified: dict[str, str] = {}
    counts: dict[str, int] = {}
    for item in _json_ld_postings(page):
        post = _first_listed(page, _json_ld_addresses(item), listed)
        if post is None:
            continue
        if isinstance(item.get("dateModified"), str) and item["dateModified"].strip():
            modified.setdefault(post, item["dateModified"].strip())
        count = _json_ld_comment_count(item)
        if count is not None:
            counts.setdefault(post, count)
    for element in MICRODATA_SIGNALS(page.selector.root):
        owner = MICRODATA_OWNER(element)
        if not owner or not POSTING_TYPE.search((owner[0].get("itemtype") or "").strip()):
            continue
        post = _microdata_post(page, owner[0], listed)
        value = (element.get("datetime") or element.get("content") or text_of(element)).strip()
        names = (element.get("itemprop") or "").split()
        if post is None or not value:
            continue
        if "dateModified" in names:
            modified.setdefault(post, value)
        count = (_count_in(value, plain=True) if "commentCount" in names else
                 _count_in(value, plain=False) if "interactionCount" in names else None)
        if count is not None:
            counts.setdefault(post, count)
    return modified, counts


def _json_ld_postings(page: Page) -> Iterator[dict]:
    """Every JSON-LD object on the page whose type is a posting, however nested, in order."""
    for text in JSON_LD(page.selector.root):
        try:
            data = json.loads(text)
        except ValueError:
            continue
        yield from _postings_in(data)


def _postings_in(value: Any) -> Iterator[dict]:
    if isinstance(value, list):
        for item in value:
            yield from _postings_in(item)
    elif isinstance(value, dict):
        types = value.get("@type")
        kinds = types if isinstance(types, list) else [types]
        if any(POSTING_TYPE.search(str(kind)) for kind in kinds):
            yield value
        for child in value.values():
            if isinstance(child, (list, dict)):
                yield from _postings_in(child)


def _json_ld_addresses(item):
    for key in SCHEMA_ADDRESSES:
        value = item.get(key)
        if isinstance(value, dict):
            value = value.get("@id") or value.get("url")
        if isinstance(value, str) and value.strip():
            yield value


def _json_ld_comment_count(item):
    if "commentCount" in item:
        return _count_in(str(item["commentCount"]), plain=True)
    statistics = item.get("interactionStatistic") or []
    for statistic in statistics if isinstance(statistics, list) else [statistics]:
        if not isinstance(statistic, dict):
            continue
        kind = statistic.get("interactionType")
        kind = kind.get("@type") if isinstance(kind, dict) else kind
        if "Comment" in str(kind):
            return _count_in(str(statistic.get("userInteractionCount", "")), plain=True)
    return _count_in(str(item.get("interactionCount", "")), plain=False)


def _count_in(value, plain):
    """A comment count: a plain number when `plain`, else schema.org's old "UserComments:12"."""
    match = re.fullmatch(r"\s*(\d+)\s*", value) if plain else COMMENTS_COUNTED.search(value)
    return int(match[1]) if match else None


def _microdata_post(page, item, listed):
    """Which listed post a microdata item describes: its itemid, its own url or mainEntityOfPage
    property, or else its first own link to a listed post."""
    addresses, links = [item.get("itemid")], []
    for element in item.iterdescendants():
        if MICRODATA_OWNER(element)[0] is not item:  # a property of an item inside (its author)
            continue
        names = (element.get("itemprop") or "").split()
        if "url" in names or "mainEntityOfPage" in names:
            addresses.append(element.get("itemid") or element.get("href") or element.get("content"))
        elif element.tag == "a":
            links.append(element.get("href"))
    return _first_listed(page, [*addresses, *links], listed)


def _first_listed(page, addresses, listed):
    """The listed post that the first of `addresses` naming one names (fragments aside)."""
    for address in addresses:
        url = absolute(page.url, address)
        if url and strip_fragment(url) in listed:
            return listed[strip_fragment(url)]
    return None


