"""The `blog` spider: decides what to fetch from a blog; the pipelines read and store it.

    scrapy crawl blog -a url=https://blog.example/                  # the whole blog
    scrapy crawl blog -a url=https://blog.example/2014/08/12/post/  # one post and its thread
    scrapy crawl blog -a url=… -a max_posts=20 -a since=2024-01-01
    scrapy crawl blog -a url=… -a full=1                             # read every post again

The first run over a blog reads every post. Later runs over the same archive are incremental:
they read the threads that are new, that the blog signals changed (see archiver.freshness),
that a run left unfinished, or that are due for a refresh, and only the signals otherwise.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider

from archiver import discovery, freshness, outcome, storage
from archiver.dates import utc_iso
from archiver.discovery import archives, feeds, listings, sitemaps
from archiver.extractors import find_links, wordpress_rest
from archiver.failed_urls import url_failed
from archiver.items import PageItem, Role
from archiver.page import Page
from archiver.urls import comment_page_of, is_trap, post_url_of, strip_fragment
from spiders.arguments import Arguments
from spiders.comment_feeds import CommentFeeds, CommentFeedsMixin
from spiders.failures import failed_fetch
from spiders.rest_api import RestApiMixin

# WordPress's feed of the latest comments on the whole blog: where a blog without the REST
# API signals new comments.
COMMENTS_FEED = "comments/feed/"


class BlogSpider(RestApiMixin, CommentFeedsMixin, scrapy.Spider):
    """Archives one blog, or one post of it (see the module's docstring); what it asks of the
    WordPress REST API is in RestApiMixin."""

    name = "blog"

    def __init__(self, url=None, max_posts=None, since=None, full=None, refresh_days=None,
                 *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.args = Arguments.parse(url, max_posts, since, full, refresh_days)
        self.allowed_domains = [urlsplit(self.args.start_url).hostname]
        self.timezone = None
        self.posts = set()
        self.comment_pages = set()
        self.archives = {}  # archive pages the blog names: True once asked for
        self.thread_sources = set()
        self.comment_feeds = CommentFeeds()
        self.known = storage.SiteState()
        self.incremental = False
        self.refresh_days = self.args.refresh_days
        # The run's one reading of the clock: what is due is judged against when it started.
        self.started_utc = datetime.now(UTC)

    @classmethod
    def from_crawler(cls, crawler, *args, **kwargs):
        """The spider, with what the archive holds of its blog read, and the run's options
        handed to the pipelines as settings (ARCHIVE_SINCE, ARCHIVE_RUN)."""
        spider = super().from_crawler(crawler, *args, **kwargs)
        spider.read_archive()
        since = spider.args.since
        crawler.settings.set("ARCHIVE_SINCE", since.isoformat() if since else None,
                             priority="spider")
        crawler.settings.set("ARCHIVE_RUN", {
            "site": spider.args.site, "start_url": spider.args.start_url,
            "arguments": spider.args.given,
            "mode": "incremental" if spider.incremental else "full"}, priority="spider")
        crawler.signals.connect(spider.count_mode, signal=signals.spider_opened)
        crawler.signals.connect(spider.read_archive_pages, signal=signals.spider_idle)
        crawler.signals.connect(spider.page_read, signal=signals.item_scraped)
        crawler.signals.connect(spider.ask_held_feeds, signal=signals.spider_idle)
        return spider

    def count_mode(self):
        """The run's mode in its stats, for its summary; in an incremental run, every archived
        thread of the blog, each of which it reads again or judges unchanged."""
        self.crawler.stats.set_value(outcome.MODE, "incremental" if self.incremental else "full")
        if self.incremental:
            self.crawler.stats.set_value(outcome.CHECKED, len(self.known.posts))

    def read_archive(self):
        """What the archive holds of this blog decides whether this run is incremental. It is
        only read here: the pipeline that writes creates or migrates it. A worker writing a
        shard reads it from the archive the shards are merged into (ARCHIVE_STATE_DB)."""
        self.refresh_days = self.refresh_days or self.settings.getint("REFRESH_DAYS")
        db = storage.open_read_only(self.settings.get("ARCHIVE_STATE_DB")
                                    or self.settings.get("ARCHIVE_DB"))
        if db is None:
            return
        try:
            if storage.pending_migrations(db):
                self.logger.info("The archive is of an earlier version: this run reads every "
                                 "post, and the archive is brought up to date as it is written")
            else:
                self.known = storage.read_site_state(db, self.args.site, roles=(Role.INDEX,))
        finally:
            db.close()
        self.incremental = (bool(self.known.last_run_utc) and not self.args.full
                            and not self.args.single_post)
        if self.incremental:
            self.logger.info("Incremental run: %s posts archived, last run started %s; threads "
                             "read again when signalled, unfinished or due (refresh within %s "
                             "days); -a full=1 reads every post", len(self.known.posts),
                             self.known.last_run_utc, self.refresh_days)

    async def start(self):
        yield scrapy.Request(self.args.base + "wp-json/", callback=self.parse_site,
                             errback=self.site_unknown, cb_kwargs={"role": Role.SITE},
                             priority=10)

    def _discover(self):
        if self.args.single_post:
            yield self._request(self.args.start_url, self.parse_start, Role.POST)
            return
        if self.incremental:
            yield from self._read_again()
        if self.rest_root:
            yield self._rest_posts_request()
            # In an incremental run the REST API lists what changed, and whether it answers
            # decides how far the listings lead: they wait for it (RestApiMixin).
            if self.incremental:
                return
        yield from self._discover_listings()
        yield from self._discover_without_rest()

    def _discover_listings(self):
        yield from self._start(listings)
        yield from self._start(feeds)

    def _discover_without_rest(self):
        """Where posts and their changes are listed when the REST API does not list them: the
        sitemaps and, in an incremental run, the blog's latest comments."""
        yield from self._start(sitemaps)
        if self.incremental:
            yield self._request(self.args.base + COMMENTS_FEED, self.parse_comments_feed,
                                Role.FEED, conditional=True)

    def _start(self, source):
        for path in source.START:
            yield self._request(self.args.base + path, self.parse_index, source.ROLE,
                                conditional=source.CONDITIONAL)

    def read_archive_pages(self):
        """When every other request is done, in a first run: the archive pages the blog names,
        read as listings when they show its other listings ended early (archives.due)."""
        if self.incremental or self.args.single_post or self._max_posts_reached():
            return
        due = [url for url in archives.due(list(self.archives), self.posts)
               if not self.archives[url]]
        if not due:
            return
        self.logger.info("Reading %s archive pages: the listings and feeds ended before them",
                         len(due))
        self.crawler.stats.inc_value("archiver/archives/read", len(due))
        for url in due:
            self.archives[url] = True
            self.crawler.engine.crawl(self._request(url, self.parse_index, archives.ROLE))
        raise DontCloseSpider

    def _read_again(self):
        """The archived threads to read whatever the signals say: marked stale by a run that
        did not get to read them, never read in full, or due for their refresh; and what the
        last run failed to fetch."""
        for url, known in self.known.posts.items():
            if known.stale:
                reason = "stale"
            elif freshness.refresh_due(known, url, self.started_utc, self.refresh_days):
                reason = "due" if known.thread_read_utc else "unfinished"
            else:
                continue
            self.crawler.stats.inc_value(f"archiver/posts/read_again/{reason}")
            yield from self._post_request(url, changed=True)
        yield from self._ask_again_what_failed()

    def _ask_again_what_failed(self):
        """What the last run never got a good answer for: a post's page or comment page by
        reading its thread again, another source of a thread, a listing, feed or sitemap page.
        The rest (the REST API, robots.txt) every run asks anyway."""
        for failed in self.known.failed_urls:
            url, role = failed["url"], failed["role"]
            self.crawler.stats.inc_value(f"archiver/fetch/asked_again/{role}")
            if role == Role.POST:
                yield from self._post_request(post_url_of(url), changed=True)
            elif role == Role.COMMENTS:
                yield from self._thread_sources([url])
            elif role in (Role.LISTING, Role.FEED, Role.SITEMAP):
                yield self._request(url, self.parse_index, Role(role))

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
            request = self._request(f"{self.args.base}{COMMENTS_FEED}?paged={number + 1}",
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

    def _follow_index(self, response, role, page, links, all_changed=False):
        changed = []
        if self.incremental:
            changed = (links.posts if all_changed
                       else freshness.changed_posts(links, self.known.posts))
            self.crawler.stats.inc_value("archiver/posts/signalled_changed", len(changed))
        if role == Role.LISTING and listings.is_thread(page):
            # A static front page: a thread of its own besides the posts it lists.
            yield from self._follow_thread(response, Role.POST, page, links)
        else:
            yield self._item(response, role, page,
                             changed_posts=[url for url in changed if url in self.known.posts])
        if role == Role.LISTING:
            self.archives.update((url, False) for url in archives.read(page).listings
                                 if url not in self.archives)
        for url in links.posts:
            yield from self._post_request(url, changed=url in changed)
        # Next listing pages, or the sitemaps a sitemap index lists. In an incremental run, a
        # listing page past the home page leads on only while it shows what may have changed:
        # a post not archived, or comment counts (the home page also leads to the posts feeds
        # it names). Where the REST API says what changed, listings lead nowhere.
        if role == Role.LISTING and self.incremental and (
                self.rest_root or response.url != self.args.base and not links.comment_counts
                and all(url in self.known.posts for url in links.posts)):
            return
        for url in links.listings:
            request = self._request(url, self.parse_index, role, conditional=role != Role.LISTING)
            request.cb_kwargs["all_changed"] = all_changed
            yield request

    def _follow_thread(self, response, role, page, links):
        post_url = post_url_of(response.url)
        sources = self._hold_comment_feeds(post_url, page, links.feeds)
        yield self._item(response, role, page)
        self.posts.add(post_url)
        # A bare post URL shows one of its comment pages, which the others link to by number.
        self.comment_pages.add((post_url, links.comment_page))
        for url in links.thread_pages:
            if (post_url_of(url), comment_page_of(url)) not in self.comment_pages:
                yield self._request(url, self.parse_post, Role.POST)
        yield from self._thread_sources(sources)

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
        request = self._request(url, self.parse_thread_source, Role.COMMENTS)
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
        failed = failed_fetch(failure, request, known_post=request.url in self.known.posts,
                              max_size=self.settings.getint("DOWNLOAD_MAXSIZE"))
        self.logger.log(failed.level, failed.message)
        self.crawler.stats.inc_value(failed.stat)
        if failed.listed:
            # The URL as asked, before any redirect: the one the next run asks again.
            asked = request.meta.get("redirect_urls", [request.url])[0]
            self.crawler.signals.send_catch_log(url_failed, url=asked,
                                                role=request.cb_kwargs["role"],
                                                reason=failed.reason, cause=failed.cause)
        if failed.response is not None:
            yield self._item(failed.response, request.cb_kwargs["role"], None)

    def _post_request(self, url, changed=False):
        """A post's page, unless already asked for, off the blog, or (in an incremental run)
        archived and neither signalled changed nor due."""
        url = strip_fragment(url)
        post_url = post_url_of(url)
        if post_url in self.posts or is_trap(url) or urlsplit(url).netloc != self.args.site:
            return
        if self.incremental and post_url in self.known.posts and not changed:
            self.crawler.stats.inc_value("archiver/posts/unchanged")
            return
        month = archives.post_period(url)
        if self.args.since and month and month < (self.args.since.year, self.args.since.month):
            self.crawler.stats.inc_value("archiver/posts/before_since")
            return
        if self._max_posts_reached():
            self.crawler.stats.inc_value("archiver/posts/over_max_posts")
            return
        self.posts.add(post_url)
        yield self._request(url, self.parse_post, Role.POST)

    def _max_posts_reached(self):
        return self.args.max_posts is not None and len(self.posts) >= self.args.max_posts

    def _request(self, url, callback, role, conditional=False):
        """A request; `conditional` ones carry the validators (ETag, Last-Modified) the page
        had when archived, so an unchanged page answers 304 with no body."""
        stored = self.known.validators.get(url) if conditional and self.incremental else None
        headers = freshness.conditional_headers(stored) if stored else None
        request = scrapy.Request(url, callback=callback, errback=self.failed,
                                 cb_kwargs={"role": role})
        if not headers:
            return request
        return request.replace(headers=headers, meta={"handle_httpstatus_list": [304]})

    def _page(self, response):
        # Whole seconds, as the archive keeps the time: a page read again later counts its
        # relative times back from the same moment.
        page = Page.from_response(response, fetched_utc=datetime.now(UTC).replace(microsecond=0))
        if page.charset_contradicted:
            self.logger.info("%s declares charset %s, which its bytes are not in: read as %s",
                             page.url, page.declared_encoding, page.encoding)
            self.crawler.stats.inc_value("archiver/pages/charset_contradicted")
        return page

    def _item(self, response, role, page, changed_posts=()):
        headers = {key.decode("latin-1"): b", ".join(values).decode("latin-1")
                   for key, values in response.headers.items()}
        fetched = page.fetched_utc if page is not None else datetime.now(UTC)
        return PageItem(
            url=response.url, status=response.status, headers=headers, body=response.body,
            fetched_utc=utc_iso(fetched), role=role, site=self.args.site,
            encoding=page.encoding if page is not None else getattr(response, "encoding", None),
            timezone=self.timezone,
            changed_posts=list(changed_posts), page=page)
