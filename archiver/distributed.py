"""Many blogs on many machines: a frontier of blogs in Redis that workers share.

`archiver enqueue` puts blogs on the frontier; each `archiver worker` claims blogs from it, a
few at a time, and crawls each into its own SQLite shard with the `blog` spider, exactly as
`archiver crawl` would; `archiver merge` then combines the shards into one archive.

The frontier is partitioned by blog, as Frontera and Nutch partition theirs by host: one worker
crawls a blog at a time, so its robots.txt, its politeness (delays, AutoThrottle, concurrency per
domain) and what the spider knows of it stay in one process, and a blog never gets more than
its delay allows however many workers run. Within a blog's crawl, scrapy-redis's scheduler
keeps the requests waiting and the fingerprints of those seen in Redis, not in the worker's
memory, so a worker's size does not grow with a blog's frontier.

A claim is an atomic move from the frontier to the worker's own list in Redis, and stays there
until the blog's crawl ends. A worker killed mid-crawl (SIGKILL, a lost machine) thus leaves its
blogs claimed; started again with the same shard, it crawls them again in full first, so the
archive ends as if it had never been stopped. Incremental state comes from the archive the
shards are merged into (`--state`): whichever worker claims a blog next reads what is known of
it there.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import socket
import time
import warnings
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy.exceptions import ScrapyDeprecationWarning

from archiver.runner import SHUTDOWN, Blog, Run, crawl_blog, crawl_settings, run_in_process

if TYPE_CHECKING:
    import redis
    from scrapy.settings import Settings

logger = logging.getLogger(__name__)

# Every key the archiver keeps in Redis starts so: one Redis can serve other programs too.
PREFIX = "thread-archiver"
WAITING = f"{PREFIX}:blogs"
# The URLs of the blogs waiting or being crawled: a blog is enqueued once until its crawl ends.
ENQUEUED = f"{PREFIX}:blogs:enqueued"
# How often an idle worker looks at the frontier again, in seconds.
POLL_SECONDS = 1.0

# scrapy-redis 0.9 still passes `spider=` to the stats collector, which Scrapy 2.19 deprecates:
# one warning per request otherwise, counted as a warning of the crawl.
warnings.filterwarnings("ignore", category=ScrapyDeprecationWarning, module="scrapy_redis")


def connect(url: str) -> redis.Redis:
    """A Redis client for `url` (redis://host:port/db), checked to answer."""
    import redis

    client = redis.Redis.from_url(url, decode_responses=True)
    client.ping()
    return client


def blog_as_json(blog: Blog) -> str:
    return json.dumps(dataclasses.asdict(blog), sort_keys=True)


def blog_from_json(text: str | bytes) -> Blog:
    return Blog(**json.loads(text))


def worker_name(shard: str | Path) -> str:
    """A worker's name on the frontier: its machine and shard. The shard's lock lets one worker
    at a time write it, so a worker started again on the same shard is the same worker, and
    takes over what the stopped one had claimed."""
    return f"{socket.gethostname()}:{Path(shard).resolve()}"


class Frontier:
    """The blogs waiting to be crawled, and those each worker has claimed, in Redis."""

    def __init__(self, client: redis.Redis) -> None:
        self.redis = client

    def enqueue(self, blogs: Iterable[Blog]) -> list[Blog]:
        """Put `blogs` on the frontier, but those already waiting or being crawled; return the
        blogs put on."""
        added = []
        for blog in blogs:
            if self.redis.sadd(ENQUEUED, blog.url):
                self.redis.rpush(WAITING, blog_as_json(blog))
                added.append(blog)
        return added

    def waiting(self) -> int:
        return int(self.redis.llen(WAITING))

    def claim(self, worker: str) -> Blog | None:
        """The next blog waiting, moved onto `worker`'s claims in one step; None if none waits."""
        claimed = self.redis.lmove(WAITING, _claims(worker), "LEFT", "RIGHT")
        return blog_from_json(claimed) if claimed else None

    def claimed(self, worker: str) -> list[Blog]:
        """The blogs `worker` has claimed and not finished."""
        return [blog_from_json(text) for text in self.redis.lrange(_claims(worker), 0, -1)]

    def finished(self, worker: str, blog: Blog) -> None:
        """`blog`'s crawl by `worker` ended: it may be enqueued again."""
        self.redis.lrem(_claims(worker), 1, blog_as_json(blog))
        self.redis.srem(ENQUEUED, blog.url)


def _claims(worker: str) -> str:
    return f"{PREFIX}:claimed:{worker}"


def scheduler_settings(redis_url: str, blog: Blog) -> dict[str, Any]:
    """The settings that queue a blog's requests, and remember those seen, in Redis under keys
    of its own (scrapy-redis's scheduler and duplicate filter). A crawl starts them empty: a
    crawl cut short is crawled again in full, and its requests in flight were lost with it."""
    site = urlsplit(blog.url).netloc.replace("%", "%%")  # the keys are %-formatted
    return {
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "REDIS_URL": redis_url,
        "SCHEDULER_QUEUE_KEY": f"{PREFIX}:requests:{site}",
        "SCHEDULER_DUPEFILTER_KEY": f"{PREFIX}:seen:{site}",
        "SCHEDULER_FLUSH_ON_START": True,
        "SCHEDULER_PERSIST": False,
    }


@dataclasses.dataclass
class Worker:
    """One worker: claims blogs from the frontier, at most `blogs_at_once` at a time, crawls each
    into its shard, and stops once the frontier has been empty and it idle for `idle_exit`
    seconds (never, if None), or when told to stop (SIGINT, SIGTERM)."""

    frontier: Frontier
    name: str
    redis_url: str
    settings: Settings
    blogs_at_once: int = 4
    idle_exit: float | None = None
    on_run: Callable[[Run], None] = lambda run: None
    runs: list[Run] = dataclasses.field(default_factory=list)
    stopping: bool = False

    def run(self) -> list[Run]:
        """Work until done; the runs of every blog crawled."""
        errors: list[BaseException] = []
        run_in_process(self.settings, self._work, errors)
        if errors:
            raise errors[0]
        return self.runs

    async def _work(self, process: Any) -> None:
        crawls: dict[asyncio.Task[Run], Blog] = {}
        for left in self.frontier.claimed(self.name):
            logger.warning("%s was claimed by this worker when it stopped: crawled again in full",
                           left.url)
            crawls[self._start(process, dataclasses.replace(left, full=True))] = left
        idle_since = time.monotonic()
        while not self.stopping:
            while len(crawls) < self.blogs_at_once and (blog := self.frontier.claim(self.name)):
                logger.info("Claimed %s; %s blogs still waiting", blog.url,
                            self.frontier.waiting())
                crawls[self._start(process, blog)] = blog
            if crawls:
                done, _ = await asyncio.wait(crawls, timeout=POLL_SECONDS,
                                             return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    self._ended(crawls.pop(task), task.result())
                idle_since = time.monotonic()
            elif self.idle_exit is not None and time.monotonic() - idle_since >= self.idle_exit:
                logger.info("No blog waiting for %s s: this worker stops", self.idle_exit)
                return
            else:
                await asyncio.sleep(POLL_SECONDS)
        for task, blog in crawls.items():
            self._ended(blog, await task)

    def _start(self, process: Any, blog: Blog) -> asyncio.Task[Run]:
        from scrapy.crawler import Crawler

        blog = dataclasses.replace(blog, settings={**blog.settings,
                                                   **scheduler_settings(self.redis_url, blog)})
        spidercls = process.spider_loader.load("blog")
        crawler = Crawler(spidercls, crawl_settings(self.settings, blog, None))
        return asyncio.ensure_future(crawl_blog(process, crawler, blog, None))

    def _ended(self, claimed: Blog, run: Run) -> None:
        """A crawl ended: reported, and its claim released, unless a signal stopped it, when the
        blog stays claimed for this worker to crawl again when it starts again."""
        self.runs.append(run)
        self.on_run(run)
        if run.finish_reason == SHUTDOWN:
            self.stopping = True
            return
        self.frontier.finished(self.name, claimed)
