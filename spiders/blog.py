"""The `blog` spider: decides what to fetch from a blog; the pipelines read and store it.

    scrapy crawl blog -a url=https://blog.example/                  # the whole blog
    scrapy crawl blog -a url=https://blog.example/2014/08/12/post/  # one post and its thread
    scrapy crawl blog -a url=… -a max_posts=20 -a since=2024-01-01
    scrapy crawl blog -a url=… -a full=1                             # read every post again

The first run over a blog reads every post. Later runs over the same archive are incremental:
they read the threads that are new, that the blog signals changed (see archiver.freshness),
that a run left unfinished, or that are due for a refresh, and only the signals otherwise.
"""

import re
from datetime import date, datetime, timedelta, timezone
from functools import cached_property
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider, DownloadTimeoutError, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import TimeoutError as TwistedTimeoutError

from archiver import discovery, freshness, storage
from archiver.dates import utc_iso
from archiver.discovery import archives, comment_index, feeds, listings, sitemaps
from archiver.extractors import find_links, wordpress, wordpress_rest
from archiver.items import GONE, PageItem
from archiver.page import Page
from archiver.urls import comment_page_of, is_trap, post_url_of, strip_fragment

# WordPress's feed of the latest comments on the whole blog: where a blog without the REST
# API signals new comments.
COMMENTS_FEED = "comments/feed/"
INDEX = comment_index.ROLE
# How far back of the last run a post's REST `modified_after` looks: WordPress compares it with
# a time it may keep in the blog's zone.
MODIFIED_MARGIN = timedelta(days=1)
# Discovery pages that may well not exist: their absence is not an error.
OPTIONAL_ROLES = ("site", "sitemap", "feed", "comments", INDEX)


class BlogSpider(scrapy.Spider):
    name = "blog"

    def __init__(self, url=None, max_posts=None, since=None, full=None, refresh_days=None,
                 *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not url or not re.match(r"https?://[^/]+", url):
            raise ValueError("give the blog to archive: scrapy crawl blog -a url=https://blog.example/")
        self.start_url = url if urlsplit(url).path else url + "/"
        parts = urlsplit(self.start_url)
        self.site = parts.netloc
        self.base = f"{parts.scheme}://{parts.netloc}/"
        self.allowed_domains = [parts.hostname]
        self.single_post = parts.path not in ("", "/")
        self.max_posts = _positive_int("max_posts", max_posts)
        self.since = _date("since", since)
        self.full = _flag("full", full)
        self.refresh_days = _positive_int("refresh_days", refresh_days)
        self.arguments = {key: value for key, value in
                          {"url": url, "max_posts": max_posts, "since": since, "full": full,
                           "refresh_days": refresh_days}.items() if value}
        self.timezone = None
        self.rest_root = None  # the REST API's root, once its index has listed wp/v2
        self.rest_held = None  # REST addresses waiting for the API's posts to answer
        self.posts = set()
        self.comment_pages = set()
        self.archives = {}  # archive pages the blog names: True once asked for
        self.thread_sources = set()
        self.known = storage.SiteState()
        self.incremental = False
        # The run's one reading of the clock: what is due is judged against when it started.
        self.started_utc = datetime.now(timezone.utc)
        # The REST comment index being read: {url: (response, page), None while asked, False if failed}
        self.index = None

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.read_archive()
        crawler.signals.connect(spider.read_archive_pages, signal=signals.spider_idle)
        return spider

    def read_archive(self):
        """What the archive holds of this blog decides whether this run is incremental."""
        self.known = storage.site_state(self.settings.get("ARCHIVE_DB"), self.site, roles=(INDEX,))
        self.refresh_days = self.refresh_days or self.settings.getint("REFRESH_DAYS")
        self.incremental = bool(self.known.last_run_utc) and not self.full and not self.single_post
        if self.incremental:
            self.logger.info("Incremental run: %s posts archived, last run started %s; threads "
                             "read again when signalled, unfinished or due (refresh within %s "
                             "days); -a full=1 reads every post", len(self.known.posts),
                             self.known.last_run_utc, self.refresh_days)

    @property
    def mode(self):
        return "incremental" if self.incremental else "full"

    async def start(self):
        yield scrapy.Request(self.base + "wp-json/", callback=self.parse_site,
                             errback=self.site_unknown, cb_kwargs={"role": "site"}, priority=10)

    def parse_site(self, response, role):
        page = self._page(response)
        info = wordpress.read_site(page)
        if info is not None and info.site != self.site:
            info = None
        if info is not None:
            self.timezone = info.timezone
            self.logger.info("Site %r, zone %s (from %s)", info.name, info.timezone, response.url)
        self.rest_root = wordpress_rest.api_root(page)
        if self.rest_root is None:
            self.logger.info("No WordPress REST API (wp/v2) listed at %s: comments from the HTML "
                             "pages and feeds alone", response.url)
        yield self._item(response, role, page, site_info=info)
        yield from self._discover()

    def site_unknown(self, failure):
        yield from self.failed(failure)
        self.logger.info("No WordPress REST index at %s: times without a zone on the page stay "
                         "local wall times, comments come from the HTML pages and feeds alone",
                         failure.request.url)
        yield from self._discover()

    def _discover(self):
        if self.single_post:
            yield self._request(self.start_url, self.parse_start, "post")
            return
        if self.incremental:
            yield from self._read_again()
        if self.rest_root:
            # Optional, like the index it comes from: role "site". REST addresses wait for it:
            # refused, it stops them all.
            self.rest_held = []
            modified_after = None
            if self.incremental:
                last_run = freshness.parse_utc(self.known.last_run_utc) - MODIFIED_MARGIN
                modified_after = utc_iso(last_run)
            yield scrapy.Request(wordpress_rest.posts_url(self.rest_root, self.since, modified_after),
                                 callback=self.parse_rest_posts, errback=self.rest_refused,
                                 cb_kwargs={"role": "site"})
        yield from self._start(listings)
        yield from self._start(feeds)
        # In an incremental run the REST API lists what changed: the rest only repeats it.
        if not (self.incremental and self.rest_root):
            yield from self._discover_without_rest()

    def _discover_without_rest(self):
        """Where posts and their changes are listed when the REST API does not list them: the
        sitemaps and, in an incremental run, the blog's latest comments."""
        yield from self._start(sitemaps)
        if self.incremental:
            yield self._request(self.base + COMMENTS_FEED, self.parse_comments_feed, "feed",
                                conditional=True)

    def _start(self, source):
        for path in source.START:
            yield self._request(self.base + path, self.parse_index, source.ROLE,
                                conditional=source.CONDITIONAL)

    def read_archive_pages(self):
        """When every other request is done, in a first run: the archive pages the blog names,
        read as listings when they show its other listings ended early (archives.due)."""
        if self.incremental or self.single_post or self._max_posts_reached():
            return
        due = [url for url in archives.due(list(self.archives), self.posts) if not self.archives[url]]
        if not due:
            return
        self.logger.info("Reading %s archive pages: the listings and feeds ended before them", len(due))
        self.crawler.stats.inc_value("archiver/archives/read", len(due))
        for url in due:
            self.archives[url] = True
            self.crawler.engine.crawl(self._request(url, self.parse_index, archives.ROLE))
        raise DontCloseSpider

    def _read_again(self):
        """The archived threads to read whatever the signals say: marked stale by a run that
        did not get to read them, never read in full, or due for their refresh."""
        for url, known in self.known.posts.items():
            if known.stale:
                reason = "stale"
            elif freshness.refresh_due(known, url, self.started_utc, self.refresh_days):
                reason = "due" if known.thread_read_utc else "unfinished"
            else:
                continue
            self.crawler.stats.inc_value(f"archiver/posts/read_again/{reason}")
            yield from self._post_request(url, changed=True)

    def parse_start(self, response, role):
        """A start URL below the root: one post and its thread, or a listing to follow, or both."""
        page = self._page(response)
        links = find_links(page)
        if links.posts:
            yield from self._follow_index(response, listings.ROLE, page, listings.read(page))
        else:
            yield from self._follow_thread(response, role, page, links)

    def parse_index(self, response, role, all_changed=False):
        """A page that lists posts: a listing page, a sitemap, a feed or the REST API's posts
        (in an incremental run, those edited or published since the last: `all_changed`)."""
        if self._not_modified(response):
            return
        page = self._page(response)
        if self._not_json(response, role, page):
            yield self._item(response, role, page)
            return
        yield from self._follow_index(response, role, page, discovery.read(page, role), all_changed)

    def parse_comments_feed(self, response, role, number=1):
        """The blog's latest comments (WordPress's /comments/feed/): the posts they are on
        changed. Its next page too while every post on this one changed since the last run:
        more comments came than a page of the feed holds."""
        if self._not_modified(response):
            return
        page = self._page(response)
        links = feeds.read(page)
        yield from self._follow_index(response, role, page, links)
        last_run = freshness.parse_utc(self.known.last_run_utc)
        if links.modified and all(freshness.parse_utc(time) > last_run
                                  for time in links.modified.values()):
            request = self._request(f"{self.base}{COMMENTS_FEED}?paged={number + 1}",
                                    self.parse_comments_feed, role)
            request.cb_kwargs["number"] = number + 1
            yield request

    def _not_modified(self, response):
        """Whether a conditional request answered 304: nothing to archive or follow."""
        if response.status == 304:
            self.crawler.stats.inc_value("archiver/fetch/not_modified")
            return True
        return False

    def parse_post(self, response, role):
        """A post page or one of its comment pages: archive it, follow the rest of its thread."""
        page = self._page(response)
        yield from self._follow_thread(response, role, page, find_links(page))

    def parse_thread_source(self, response, role):
        """Another source of a post's thread (comment feed, platform API): archive it, follow its
        next pages."""
        page = self._page(response)
        yield self._item(response, role, page)
        if not self._not_json(response, role, page):
            yield from self._thread_sources(find_links(page).feeds)

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
            yield from self._discover_without_rest()

    def _index_request(self, url):
        self.index[url] = None
        return scrapy.Request(url, callback=self.parse_comment_index, errback=self.index_failed,
                              cb_kwargs={"role": INDEX})

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
            self.known.pages_fetched_utc, self.settings.getfloat("COMMENT_INDEX_DAYS"), self.started_utc)
        self.logger.info("Comment index: %s", reason or "its newest page and comment total are as "
                         "the last run left them; the rest is not read")
        self.crawler.stats.inc_value(f"archiver/index/{'read' if reason else 'unchanged'}")
        return bool(reason)

    def _index_done(self):
        if any(value is None for value in self.index.values()):
            return
        held, self.index = self.index, None
        read = [value for value in held.values() if value]
        changed = []
        if self.incremental:
            now = {}
            for _, page in read:
                now.update(wordpress_rest.comment_index(page))
            posts = freshness.index_changes(self.index_entries_before, now, complete=len(read) == len(held))
            by_id = {known.platform_id: url for url, known in self.known.posts.items()}
            changed = sorted(by_id.get(post) or f"{self.base}?p={post}" for post in posts)
            self.crawler.stats.inc_value("archiver/posts/changed_in_index", len(changed))
        stale = [url for url in changed if url in self.known.posts]
        for number, (response, page) in enumerate(read):
            yield self._item(response, INDEX, page, changed_posts=stale if number == 0 else [])
        for url in changed:
            yield from self._post_request(url, changed=True)

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

    def _follow_index(self, response, role, page, links, all_changed=False):
        changed = []
        if self.incremental:
            changed = links.posts if all_changed else freshness.changed_posts(links, self.known.posts)
            self.crawler.stats.inc_value("archiver/posts/signalled_changed", len(changed))
        if role == listings.ROLE and listings.is_thread(page):
            # A static front page: a thread of its own besides the posts it lists.
            yield from self._follow_thread(response, "post", page, links)
        else:
            yield self._item(response, role, page,
                             changed_posts=[url for url in changed if url in self.known.posts])
        if role == listings.ROLE:
            self.archives.update((url, False) for url in archives.read(page).listings
                                 if url not in self.archives)
        for url in links.posts:
            yield from self._post_request(url, changed=url in changed)
        # Next listing pages, or the sitemaps a sitemap index lists. In an incremental run, a
        # listing page past the home page leads on only while it shows what may have changed:
        # a post not archived, or comment counts (the home page also leads to the posts feeds
        # it names). Where the REST API says what changed, listings lead nowhere.
        if role == "listing" and self.incremental and (
                self.rest_root or response.url != self.base and not links.comment_counts
                and all(url in self.known.posts for url in links.posts)):
            return
        for url in links.listings:
            request = self._request(url, self.parse_index, role, conditional=role != "listing")
            request.cb_kwargs["all_changed"] = all_changed
            yield request

    def _follow_thread(self, response, role, page, links):
        yield self._item(response, role, page)
        post_url = post_url_of(response.url)
        self.posts.add(post_url)
        # A bare post URL shows one of its comment pages, which the others link to by number.
        self.comment_pages.add((post_url, links.comment_page))
        for url in links.thread_pages:
            if (post_url_of(url), comment_page_of(url)) not in self.comment_pages:
                yield self._request(url, self.parse_post, "post")
        yield from self._thread_sources(links.feeds)

    def _thread_sources(self, urls):
        for url in urls:
            if wordpress_rest.is_api_url(url):
                if self.rest_held is not None:
                    self.rest_held.append(url)
                    continue
                if not self.rest_root:
                    continue
            if url not in self.thread_sources:
                self.thread_sources.add(url)
                yield self._thread_source_request(url)

    def _thread_source_request(self, url):
        """A thread source on the blog, or on a platform origin that THREAD_SOURCE_ORIGINS lets
        threads come from (Disqus), asked of its THREAD_SOURCE_MIRRORS server when it has one.
        The offsite filter keeps every other host out."""
        request = self._request(url, self.parse_thread_source, "comments")
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        if origin not in self.settings.getlist("THREAD_SOURCE_ORIGINS"):
            return request
        mirror = self.settings.getdict("THREAD_SOURCE_MIRRORS").get(origin)
        return request.replace(url=mirror.rstrip("/") + url[len(origin):] if mirror else url,
                               meta={**request.meta, "allow_offsite": True})

    def failed(self, failure):
        """Errback: one log line and one stats key per failed request; HTTP errors are archived."""
        request = failure.request
        role = request.cb_kwargs.get("role", "page")
        optional = role in OPTIONAL_ROLES or role == "listing" and _missing(failure)
        level = self.logger.info if optional else self.logger.error
        if failure.check(HttpError) and failure.value.response.status in GONE \
                and request.url in self.known.posts:
            # An archived post the blog no longer has: the archive marks it removed.
            self.logger.info("HTTP %s for %s: the post is gone from the blog",
                             failure.value.response.status, request.url)
            self.crawler.stats.inc_value(f"archiver/fetch/gone/http_{failure.value.response.status}")
            yield self._item(failure.value.response, role, None)
            return
        if failure.check(HttpError) and request.meta.get("offsite_redirect"):
            outcome = "offsite_redirect"
            level("Redirect off the blog not followed: %s -> %s (%s)", request.url,
                  request.meta["offsite_redirect"], role)
            yield self._item(failure.value.response, role, None)
        elif failure.check(HttpError):
            response = failure.value.response
            outcome = f"http_{response.status}"
            level("HTTP %s for %s (%s), archived raw, crawl goes on", response.status, request.url, role)
            yield self._item(response, role, None)
        elif failure.check(IgnoreRequest):
            outcome = "ignored"
            self.logger.warning("Not fetched: %s (%s)", request.url, failure.getErrorMessage())
        else:
            outcome = "timeout" if failure.check(TwistedTimeoutError, DownloadTimeoutError) else failure.type.__name__
            level("Fetching %s (%s) failed: %s", request.url, role, failure.getErrorMessage())
        kind = "optional" if optional else "failed"
        self.crawler.stats.inc_value(f"archiver/fetch/{kind}/{outcome}")

    def _post_request(self, url, changed=False):
        """A post's page, unless already asked for, off the blog, or (in an incremental run)
        archived and neither signalled changed nor due."""
        url = strip_fragment(url)
        post_url = post_url_of(url)
        if post_url in self.posts or is_trap(url) or urlsplit(url).netloc != self.site:
            return
        if self.incremental and post_url in self.known.posts and not changed:
            self.crawler.stats.inc_value("archiver/posts/unchanged")
            return
        month = archives.post_period(url)
        if self.since and month and month < (self.since.year, self.since.month):
            self.crawler.stats.inc_value("archiver/posts/before_since")
            return
        if self._max_posts_reached():
            self.crawler.stats.inc_value("archiver/posts/over_max_posts")
            return
        self.posts.add(post_url)
        yield self._request(url, self.parse_post, "post")

    def _max_posts_reached(self):
        return self.max_posts is not None and len(self.posts) >= self.max_posts

    def _request(self, url, callback, role, conditional=False):
        """A request; `conditional` ones carry the validators (ETag, Last-Modified) the page
        had when archived, so an unchanged page answers 304 with no body."""
        stored = self.known.validators.get(url) if conditional and self.incremental else None
        headers = freshness.conditional_headers(stored) if stored else None
        if not headers:
            return scrapy.Request(url, callback=callback, errback=self.failed, cb_kwargs={"role": role})
        return scrapy.Request(url, callback=callback, errback=self.failed, cb_kwargs={"role": role},
                              headers=headers, meta={"handle_httpstatus_list": [304]})

    def _page(self, response):
        page = Page.from_response(response, fetched_utc=datetime.now(timezone.utc))
        if page.charset_contradicted:
            self.logger.info("%s declares charset %s, which its bytes are not in: read as %s",
                             page.url, page.declared_encoding, page.encoding)
            self.crawler.stats.inc_value("archiver/pages/charset_contradicted")
        return page

    def _item(self, response, role, page, site_info=None, changed_posts=()):
        headers = {key.decode("latin-1"): b", ".join(values).decode("latin-1")
                   for key, values in response.headers.items()}
        fetched = page.fetched_utc if page is not None else datetime.now(timezone.utc)
        return PageItem(
            url=response.url, status=response.status, headers=headers, body=response.body,
            fetched_utc=utc_iso(fetched), role=role, site=self.site,
            encoding=page.encoding if page is not None else getattr(response, "encoding", None),
            timezone=self.timezone,
            site_info=site_info, changed_posts=list(changed_posts), page=page)


def _missing(failure):
    """Whether a request failed for want of the page (404, 410): a listing page the blog does
    not have, such as a posts feed or a next page, is no error."""
    return failure.check(HttpError) is not None and failure.value.response.status in GONE


def _positive_int(name, value):
    if value is None:
        return None
    if not str(value).isdigit() or int(value) < 1:
        raise ValueError(f"-a {name}= takes a whole number of at least 1, not {value!r}")
    return int(value)


def _flag(name, value):
    if value in (None, "", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValueError(f"-a {name}= takes 1 or 0, not {value!r}")


def _date(name, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"-a {name}= takes a date like 2024-01-31, not {value!r}") from None
