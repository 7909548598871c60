"""Extractors: one module per platform behind one small interface, and the one extraction path.

Every platform module exposes the same four names:

    PLATFORM            the platform it reads ("wordpress", …)
    detect(page)        cheap markers: is this page one of ours?
    read_thread(page)   the post and comments on this page, as located (raw HTML, times as
                        shown); None when the page is not a single post or thread
    find_links(page)    what the page points to: posts, listing pages, thread pages, feeds

and, where the platform describes the whole site somewhere, `read_site(page)` -> SiteInfo.

`EXTRACTORS` lists them in priority order (the first whose `detect` is true reads the
page; `generic` always is). `extract` is the only way a thread leaves this package: it
sanitises the HTML, derives text and linked sources and parses the times, for the crawl,
for `archiver extract` and for re-parsing stored pages alike.
"""

from __future__ import annotations

import dataclasses
from types import ModuleType
from urllib.parse import urlsplit

from archiver import clean, dates
from archiver.extractors import (
    blogger,
    disqus,
    drupal,
    feeds,
    forum,
    generic,
    ghost,
    livejournal,
    movabletype,
    pixnet,
    spip,
    wordpress,
    wordpress_rest,
)
from archiver.extractors.shown_count import shown_comment_count
from archiver.extractors.structure import structural_comments
from archiver.items import PageLinks, Thread
from archiver.page import Page, per_page

EXTRACTORS = (disqus, blogger, feeds, wordpress_rest, forum, wordpress, drupal, movabletype, spip,
              pixnet, livejournal, ghost, generic)


@per_page
def extractor_for(page: Page) -> ModuleType:
    """The first extractor module that recognises `page`."""
    return next(module for module in EXTRACTORS if module.detect(page))


def find_links(page: Page) -> PageLinks:
    """What `page` points to. A page that embeds a Disqus thread names it among its thread
    sources, whichever platform the page itself is on."""
    module = extractor_for(page)
    links = module.find_links(page)
    if module is disqus:
        return links
    embedded = [url for url in disqus.embedded_threads(page) if url not in links.feeds]
    return dataclasses.replace(links, feeds=[*links.feeds, *embedded]) if embedded else links


def extract(page: Page, timezone: str | None = None,
            reader: ModuleType | None = None) -> Thread | None:
    """The finished Thread on `page`, or None when it is not a post or thread.

    `timezone` is the blog's zone (IANA name or fixed offset) when known; without it, times
    that carry no offset on the page keep their wall time and get no UTC value. `reader` is the
    platform module to read it with, when that is known already (the parts of one long page,
    which must all be read alike); else the first whose `detect` is true.
    """
    module = reader or extractor_for(page)
    thread = module.read_thread(page)
    if thread is None:
        return None
    if thread.source == "html":
        _read_shown_count(page, thread)
        if module is not generic:
            _second_opinion(page, thread)
    thread.language = thread.language or page.language
    site_host = urlsplit(thread.post.url or page.url).netloc
    records = [thread.post, *thread.comments]
    thread.characters_dropped = sum(map(_drop_unfit_characters, records))
    thread.tag_runs_dropped = page.tag_runs_dropped
    when = {"tz": dates.zone(timezone), "assumed_tz": _offset_of(thread.post.published_machine),
            "language": thread.language, "now": page.fetched_utc,
            "day_first": dates.day_first(record.published_shown for record in records)}
    _finish(thread.post, page, site_host, when)
    # Comments come after their post: its date gives the year to dates shown without one.
    when["after"] = dates.parse_machine(thread.post.published)
    for comment in thread.comments:
        _finish(comment, page, site_host, when)
        comment.author_url = clean.safe_link(comment.author_url)
        comment.permalink = clean.safe_link(comment.permalink)
    return thread


def _read_shown_count(page, thread):
    """The count of comments the page shows, where its platform's reader did not read one."""
    if thread.post.comment_count_shown is None:
        thread.post.comment_count_shown = shown_comment_count(page)


def _second_opinion(page, thread):
    """The structural reader's comments where a platform's reader found none though the page
    counts some, or found them without a name on any or without a time on any (a theme its
    templates do not know): taken when they are the same comments with what was missing, or
    when the platform's held neither names nor times. The generic reader has already asked."""
    found = thread.comments
    if not found:
        if thread.post.comment_count_shown:
            thread.comments = structural_comments(page)
        return
    missing = _missing_everywhere(found)
    if not missing:
        return
    structural = structural_comments(page)
    if structural and (missing == {"author", "time"} or len(structural) == len(found)
                       and missing - _missing_everywhere(structural)):
        thread.comments = structural


def _missing_everywhere(comments):
    """Which of author and time no comment of `comments` has."""
    missing = set()
    if not any(comment.author for comment in comments):
        missing.add("author")
    if not any(comment.published_shown or comment.published_machine for comment in comments):
        missing.add("time")
    return missing


def _drop_unfit_characters(record):
    """Drop from a record's texts the characters XML cannot hold, which a page or an API may
    carry and lxml and SQLite refuse: how many there were."""
    dropped = 0
    for name, value in vars(record).items():
        if isinstance(value, str):
            kept, count = clean.drop_unfit_characters(value)
        elif isinstance(value, list) and all(isinstance(text, str) for text in value):
            kept_each = [clean.drop_unfit_characters(text) for text in value]
            kept, count = [text for text, _ in kept_each], sum(n for _, n in kept_each)
        else:
            continue
        if count:
            setattr(record, name, kept)
            dropped += count
    return dropped


def _finish(record, page, site_host, when):
    """Sanitise, derive text and links, and parse the times of one record; `when` is how."""
    root = clean.parse_fragment(record.body_html)
    record.body_text = clean.html_to_text(root)
    record.links = clean.find_links(root, page.url, site_host)
    record.body_html = clean.sanitize_html(record.body_html, page.url)
    published = dates.parse_published(record.published_shown, record.published_machine, **when)
    record.published_shown = published.shown
    record.published = published.page
    record.published_local = published.local
    record.published_utc = published.utc
    record.published_relative_to = published.relative_to


def _offset_of(machine_time):
    """The fixed offset of a page's own zoned time: the best zone there is when the site's is
    unknown."""
    value = dates.parse_machine(machine_time)
    return getattr(value, "tzinfo", None)
