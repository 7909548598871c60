"""The `blog` spider's reading of the WordPress REST API: its index (the blog's name and zone,
and whether it lists wp/v2), its list of posts, and its index of every comment, newest first,
which names the posts whose comments changed (see archiver.freshness)."""

from datetime import timedelta
from functools import cached_property

import scrapy

from archiver import freshness, ingest
from archiver.dates import utc_iso
from archiver.discovery import comment_index
from archiver.extractors import wordpress_rest
from archiver.items import Role
from archiver.page import Page

# How far back of the last run a post's REST `modified_after` looks: WordPress compares it with
# a time it may keep in the blog's zone.
MODIFIED_MARGIN = timedelta(days=1)


class RestApiMixin:
    """Asks and reads the REST API for BlogSpider, whose state it shares."""

    rest_root = None  # the REST API's root, once its index has listed wp/v2
    rest_held = None  # REST addresses waiting for the API's posts to answer
    # The whole read of the comment index under way: {url: (response, page), None while
    # asked, False if failed}
    index = None

    def parse_site(self, response, role):
        """The REST index: the blog's name and zone, and whether it lists wp/v2. Then the rest
        of the blog is discovered."""
        page = self._page(response)
        info = ingest.read_site(page, self.args.site)
        if info is not None:
            self.timezone = info.timezone
            self.logger.info("Site %r, zone %s (from %s)", info.name, info.timezone, response.url)
        self.rest_root = wordpress_rest.api_root(page)
        if self.rest_root is None:
            self.logger.info("No WordPress REST API (wp/v2) listed at %s: comments from the HTML "
                             "pages and feeds alone", response.url)
        yield self._item(response, role, page)
        yield from self._discover()

    def site_unknown(self, failure):
        yield from self.failed(failure)
        self.logger.info("No WordPress REST index at %s: times without a zone on the page stay "
                         "local wall times, comments come from the HTML pages and feeds alone",
                         failure.request.url)
        yield from self._discover()

    def _rest_posts_request(self):
        """The REST API's posts (in an incremental run, those modified since the last run).
        Optional, like the index it comes from. REST addresses wait for it: refused, it stops
        them all."""
        self.rest_held = []
        modified_after = None
        if self.incremental:
            last_run = freshness.parse_utc(self.known.last_run_utc) - MODIFIED_MARGIN
            modified_after = utc_iso(last_run)
        return scrapy.Request(
            wordpress_rest.posts_url(self.rest_root, self.args.since, modified_after),
            callback=self.parse_rest_posts, errback=self.rest_refused,
            cb_kwargs={"role": Role.REST_POSTS})

    def _not_json(self, response, role, page):
        """Whether a REST API address answered with something else (a security plugin's or a
        cache's HTML page): archived, not followed, and the API is asked nothing more."""
        if wordpress_rest.is_api_url(response.url) and not page.is_json:
            self.logger.info("REST API address %s (%s) answered %s, not JSON: the HTML pages "
                             "alone give what it would have", response.url, role, page.content_type)
            self.crawler.stats.inc_value("archiver/fetch/optional/not_json")
            self.rest_root = None
            return True
        return False

    def parse_rest_posts(self, response, role):
        """The REST API's first page of posts: it answers visitors, so the REST addresses held
        meanwhile go (unless it answered with something else than JSON)."""
        held, self.rest_held = self.rest_held, None
        yield from self.parse_index(response, role, all_changed=self.incremental)
        yield from self._thread_sources(held)
        if self.incremental:
            yield from self._discover_listings()
        if self.rest_root:
            self.index = {}
            yield self._index_request(wordpress_rest.comment_index_url(self.rest_root))
        elif self.incremental:
            yield from self._discover_without_rest()

    def rest_refused(self, failure):
        """Errback of the REST API's posts: refused or failed, it is asked nothing more. (One
        post's comments may be refused alone, a password-protected post's: that stops nothing.)"""
        yield from self.failed(failure)
        self.rest_root = self.rest_held = None
        self.logger.info("The REST API did not list the posts: comments from the HTML pages and "
                         "feeds alone")
        if self.incremental:
            yield from self._discover_listings()
            yield from self._discover_without_rest()

    def _index_request(self, url):
        self.index[url] = None
        return scrapy.Request(url, callback=self.parse_comment_index, errback=self.index_failed,
                              cb_kwargs={"role": Role.INDEX})

    def parse_comment_index(self, response, role):
        """A page of the REST API's index of every comment, newest first. An incremental run
        reads its first page, and the rest only when that page or the comment total differ
        from the last whole read, or that read is older than COMMENT_INDEX_DAYS (see
        archiver.freshness). A whole read is held until every page has answered, then stored
        with the posts whose comments differ marked stale, in the same transaction as its first
        page: a run killed in between leaves either the old index or the marks."""
        page = self._page(response)
        if self.index is None or self._not_json(response, role, page):
            self.index = None
            yield self._item(response, role, page)
            return
        first = len(self.index) == 1
        self.index[response.url] = (response, page)
        if first:
            if self.incremental and not self._index_worth_reading(page):
                self.index = None
                return
            for url in comment_index.read(page).listings:
                yield self._index_request(url)
        yield from self._index_done()

    def index_failed(self, failure):
        yield from self.failed(failure)
        if self.index is not None:
            self.index[failure.request.url] = False
            yield from self._index_done()

    def _index_worth_reading(self, first_page):
        stored_first = self.index_before.get(first_page.url)
        reason = freshness.index_reread_reason(
            self.index_entries_before, wordpress_rest.comment_index(first_page),
            first_page.headers.get("x-wp-total"),
            stored_first.headers.get("x-wp-total") if stored_first else None,
            self.known.pages_fetched_utc, self.settings.getfloat("COMMENT_INDEX_DAYS"),
            self.started_utc)
        self.logger.info("Comment index: %s", reason or "its newest page and comment total are "
                         "as the last run left them; the rest is not read")
        self.crawler.stats.inc_value(f"archiver/index/{'read' if reason else 'unchanged'}")
        return bool(reason)

    def _index_done(self):
        if any(value is None for value in self.index.values()):
            return
        held, self.index = self.index, None
        read = [value for value in held.values() if value]
        changed = self._changed_in_index(read, complete=len(read) == len(held))
        stale = [url for url in changed if url in self.known.posts]
        for number, (response, page) in enumerate(read):
            yield self._item(response, Role.INDEX, page, changed_posts=stale if number == 0 else [])
        for url in changed:
            yield from self._post_request(url, changed=True)

    def _changed_in_index(self, read, complete):
        """In an incremental run, the posts (URLs) whose comments the index shows changed."""
        if not self.incremental:
            return []
        now = {}
        for _, page in read:
            now.update(wordpress_rest.comment_index(page))
        posts = freshness.index_changes(self.index_entries_before, now, complete=complete)
        by_id = {known.platform_id: url for url, known in self.known.posts.items()}
        changed = sorted(by_id.get(post) or f"{self.args.base}?p={post}" for post in posts)
        self.crawler.stats.inc_value("archiver/posts/changed_in_index", len(changed))
        return changed

    @cached_property
    def index_before(self):
        """The pages of the comment index the last whole read stored, by URL."""
        return {url: Page.from_bytes(url, body, headers.get("Content-Type"), headers=headers)
                for url, (body, headers) in self.known.pages.items()}

    @cached_property
    def index_entries_before(self):
        """The comment index the last whole read stored: {comment id: (post id, digest)}."""
        before = {}
        for page in self.index_before.values():
            before.update(wordpress_rest.comment_index(page))
        return before
