"""Scrapy settings for thread-archiver. Override any of them with `-s NAME=value`."""

import os

from archiver import HOMEPAGE, __version__

BOT_NAME = "thread-archiver"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"
# `scrapy crawl` checks the spider's arguments and the archive before it starts a crawl.
COMMANDS_MODULE = "archiver.commands"
# Says who is crawling, and where a site owner can read about it; an operator names themselves
# with -s USER_AGENT=… or a blogs file's settings, so that owners can reach them.
USER_AGENT = (f"thread-archiver/{__version__} (+{HOMEPAGE}; archives blog comment threads; "
              "obeys robots.txt)")

# Politeness: one blog is archived at about a page a second, and slower when it is slow.
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1
AUTOTHROTTLE_MAX_DELAY = 30
# A blog's own word on its pace is kept (archiver.politeness): robots.txt's Crawl-delay as the
# least delay between two of its requests, a 429 or 503's Retry-After before the next. Capped,
# so that a blog cannot stall a run: more than this many seconds is logged and cut down.
CRAWL_DELAY_MAX = 60
RETRY_AFTER_MAX = 300
EXTENSIONS = {
    "scrapy.extensions.throttle.AutoThrottle": None,
    "scrapy.extensions.feedexport.FeedExporter": None,
    "archiver.feed_exports.ThreadFeedExporter": 0,
    "archiver.politeness.FlooredAutoThrottle": 0,
    "archiver.politeness.CrawlDelay": 0,
}
# robots.txt rules matched as RFC 9309 asks: see archiver.middlewares.
ROBOTSTXT_PARSER = "archiver.middlewares.ReservedEscapesRobotParser"
DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "archiver.middlewares.ThreadSourceRobotsTxtMiddleware": 40,
    "archiver.middlewares.StrictRobotsTxtMiddleware": 100,
    "archiver.middlewares.OffsiteRedirectMiddleware": 650,
    "archiver.middlewares.RedirectLoopMiddleware": 660,
    # Before HttpCompressionMiddleware (590) decompresses the body, to see it whole or not.
    "archiver.middlewares.WholeBodyMiddleware": 595,
    # Before RetryMiddleware (550) sees the answer, to hold the retry.
    "archiver.politeness.RetryAfterMiddleware": 560,
}

# A blog page is rarely over a few MiB: anything far bigger is a trap or a bomb.
DOWNLOAD_MAXSIZE = 16 * 1024 * 1024
DOWNLOAD_WARNSIZE = 4 * 1024 * 1024
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2

# Hosts besides the blog that hold its comment threads: the crawl fetches thread sources there
# and nothing else off the blog.
THREAD_SOURCE_ORIGINS = ["https://disqus.com"]
# A server to ask instead of such an origin (a local mirror in tests), as JSON:
# -s 'THREAD_SOURCE_MIRRORS={"https://disqus.com": "http://127.0.0.1:8001"}'
THREAD_SOURCE_MIRRORS: dict[str, str] = {}

# Incremental runs read a thread nothing signalled changed again at least this often (days);
# sooner after its last activity (see archiver.freshness).
REFRESH_DAYS = 30
# …and read the whole WordPress REST comment index at least this often (days), where an edit to
# an old comment on a quiet blog shows (see archiver.freshness).
COMMENT_INDEX_DAYS = 7

# A response yields one page item at most, and requests: Scrapy's default of 100 would start
# a hundred tasks for each response (a tenth of the crawl's CPU on a fast blog).
CONCURRENT_ITEMS = 4

ITEM_PIPELINES = {
    "archiver.pipelines.ExtractPipeline": 300,
    "archiver.pipelines.ArchivePipeline": 800,
}
# Pages are read (extracted) in this many worker processes, on other cores than the one that
# downloads, finds links and writes; 0 reads them all in the crawl's own process, as on a
# machine of one core, where a worker would only add its own parse of each page. One is
# enough while that process's own work outweighs extraction. A crawl reads its first
# EXTRACT_PROCESSES_AFTER pages itself: a short one does not wait for a worker to start.
EXTRACT_PROCESSES = min(1, (os.cpu_count() or 1) - 1)
EXTRACT_PROCESSES_AFTER = 100
ARCHIVE_DB = "data/archive.db"
# Where a run reads what is already archived of its blog, when not in ARCHIVE_DB: the archive
# that `archiver worker` shards are merged into.
ARCHIVE_STATE_DB = None
# Set by the blog spider from its arguments, for the pipelines: the run's `since` (an ISO
# date), and which run it is (site, start_url, arguments, mode) for its row in `crawls`.
ARCHIVE_SINCE = None
ARCHIVE_RUN: dict[str, object] = {}

# `-O comments.jsonl` exports the posts and comments archived (archiver.feed_exports).
FEED_EXPORT_ENCODING = "utf-8"

# Nothing listens during a crawl: Scrapy's telnet console and its remote-control server (on by
# default since 2.19: an HTTP endpoint on loopback that runs the Python sent to it, its token in
# a file in the user's profile) would let any local process drive the crawl.
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "INFO"
