"""What a cron run needs around its crawls: a blogs file, the archive's lock, a log file per run.

A blogs file (TOML) lists the blogs to keep current and their options:

    db = "data/archive.db"                  # the archive; relative to the file's folder
    settings = {DOWNLOAD_DELAY = 2}         # Scrapy settings for every blog

    [[blog]]
    url = "https://blog.example/"
    max_posts = 50                          # spider arguments, as with scrapy crawl -a
    since = 2024-01-01
    full = true                             # read every post again, not only what may have changed
    refresh_days = 30                       # read a quiet thread again at least this often
    settings = {CONCURRENT_REQUESTS_PER_DOMAIN = 1}   # Scrapy settings for this blog alone
"""

from __future__ import annotations

import fcntl
import functools
import itertools
import json
import os
import re
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from scrapy.settings import Settings

from archiver.dates import utc_iso
from archiver.runner import Blog, project_settings
from archiver.urls import address_error

BLOG_KEYS = ("url", "max_posts", "since", "full", "refresh_days", "settings")
TOP_KEYS = ("db", "settings", "blog")
URL = re.compile(r"https?://[^/]+")
SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]*")
# Settings each run sets itself, and what to use instead.
RUN_SETTINGS = {
    "ARCHIVE_DB": "give the archive as db = \"…\" at the top of the file, or --db",
    "LOG_FILE": "each run logs to the logs folder next to the archive, or to --log-file",
}
# Settings Scrapy reads once per process, not per crawl: a blog cannot have its own.
PROCESS_SETTINGS = ("TWISTED_REACTOR", "TWISTED_REACTOR_ENABLED", "ASYNCIO_EVENT_LOOP",
                    "DNS_RESOLVER", "TWISTED_DNS_RESOLVER", "DNSCACHE_ENABLED", "DNSCACHE_SIZE",
                    "DNS_TIMEOUT", "REACTOR_THREADPOOL_MAXSIZE")


class ConfigError(ValueError):
    """A blogs file, or a blog, that cannot be crawled as given: says where and why."""


class ArchiveBusy(Exception):
    """Another run holds the archive's lock; the message names that run when it can."""


@dataclass(frozen=True)
class BlogsFile:
    """What a blogs file says: the archive (None: not given), settings for every blog, the blogs."""

    db: Path | None
    settings: dict[str, Any]
    blogs: list[Blog]

    def blogs_to_crawl(self, options: Mapping[str, Any],
                       overrides: Mapping[str, Any]) -> list[Blog]:
        """The blogs as a run crawls them. `options` are spider arguments given for every blog
        (None: not given), over each blog's own. A blog's Scrapy settings are the file's, then
        its own, then `overrides` (the command line's), each over the one before."""
        given = {name: value for name, value in options.items() if value is not None}
        return [replace(blog, **given, settings={**self.settings, **blog.settings, **overrides})
                for blog in self.blogs]

    def process_settings(self, overrides: Mapping[str, Any], db_path: str | Path,
                         log_file: str | None = None) -> dict[str, Any]:
        """The Scrapy settings of a run's process: the file's, then `overrides`, then the archive
        the run writes to and its one log file (None: a new one for each blog's crawl)."""
        settings = {**self.settings, **overrides, "ARCHIVE_DB": str(db_path)}
        if log_file:
            settings["LOG_FILE"] = log_file
        return settings


def blogs_from_urls(urls: Iterable[str]) -> BlogsFile:
    """The blogs given by their addresses alone, each once, as a blogs file listing only them
    would give them; raises ConfigError for one that is no blog's address."""
    return BlogsFile(db=None, settings={},
                     blogs=[Blog(blog_url(url)) for url in dict.fromkeys(urls)])


def read_blogs_file(path: str | Path) -> BlogsFile:
    """The blogs file at `path`, checked whole before anything is crawled; raises ConfigError."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise ConfigError(f"{path}: {error.strerror}") from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: not a TOML file: {error}") from None
    where = str(path)
    _only_known_keys(data, TOP_KEYS, where)
    db = data.get("db")
    if db is not None and (not isinstance(db, str) or not db):
        raise ConfigError(f"{where}: db must be the archive's path, not {_toml(db)}")
    settings = scrapy_settings(data.get("settings", {}), f"{where}: settings")
    tables = data.get("blog")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise ConfigError(f"{where}: list the blogs as [[blog]] tables, each with its url")
    blogs = [_blog(table, f"{where}: blog {number}") for number, table in enumerate(tables, 1)]
    urls = [blog.url for blog in blogs]
    for number, url in enumerate(urls, 1):
        if url in urls[:number - 1]:
            raise ConfigError(f"{where}: blog {number}: {url} is listed twice")
    return BlogsFile(db=path.parent / db if db else None, settings=settings, blogs=blogs)


def _blog(table: dict[str, Any], where: str) -> Blog:
    _only_known_keys(table, BLOG_KEYS, where)
    if "url" not in table:
        raise ConfigError(f"{where}: url is missing")
    try:
        url = blog_url(table["url"])
    except ConfigError as error:
        raise ConfigError(f"{where}: {error}") from None
    where = f"{where} ({url})"
    return Blog(url=url,
                max_posts=_whole_number(table, "max_posts", 1, where),
                since=_date(table, "since", where),
                full=_boolean(table, "full", where),
                refresh_days=_whole_number(table, "refresh_days", 1, where),
                settings=scrapy_settings(table.get("settings", {}), f"{where}: settings",
                                         per_blog=True))


def blog_url(value: object) -> str:
    """`value` if it is a blog's address (http or https, with a host); raises ConfigError."""
    if not isinstance(value, str) or not URL.match(value):
        raise ConfigError(f"url must be a blog's address (http:// or https://), not {_toml(value)}")
    problem = address_error(value)
    if problem:
        raise ConfigError(f"url must be a blog's address, not {_toml(value)}: {problem}")
    return value


def scrapy_settings(table: object, where: str, per_blog: bool = False) -> dict[str, Any]:
    """`table` if it holds only Scrapy or archiver settings a run may be given; raises
    ConfigError."""
    if not isinstance(table, dict):
        raise ConfigError(f"{where}: must be a table of Scrapy settings, "
                          "such as {DOWNLOAD_DELAY = 2}")
    for name in table:
        if name in RUN_SETTINGS:
            raise ConfigError(f"{where}: {name} is set by the run: {RUN_SETTINGS[name]}")
        if not SETTING_NAME.fullmatch(name) or name not in _known_settings():
            raise ConfigError(f"{where}: {name} is not a Scrapy or archiver setting")
        if per_blog and name in PROCESS_SETTINGS:
            raise ConfigError(f"{where}: {name} applies to the whole process: set it in the "
                              "top-level settings")
        _check_value(name, table[name], where)
    return dict(table)


def _check_value(name: str, value: object, where: str) -> None:
    """Raise ConfigError if Scrapy could not read `value` as the kind of value the setting
    `name` has by default, as it would only once the crawl had started."""
    default = _known_settings()[name]
    # Scrapy writes some settings read as numbers with a fraction (DOWNLOAD_DELAY = 0) as
    # whole numbers: a whole number's setting takes any number here.
    kinds = {bool: ("getbool", "true or false"), int: ("getfloat", "a number"),
             float: ("getfloat", "a number"), dict: ("getdict", "a table (a JSON object)"),
             list: ("getlist", "a list")}
    if type(default) not in kinds:
        return
    read, kind = kinds[type(default)]
    try:
        getattr(Settings({name: value}), read)(name)
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {name} must be {kind}, not {_toml(value)}") from None


@functools.cache
def _known_settings() -> Settings:
    return project_settings()


def _only_known_keys(table: dict[str, Any], keys: tuple[str, ...], where: str) -> None:
    for key in table:
        if key not in keys:
            raise ConfigError(f"{where}: unknown key {key!r} (known: {', '.join(keys)})")


def _whole_number(table: dict[str, Any], key: str, least: int, where: str) -> int | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < least:
        raise ConfigError(f"{where}: {key} must be a whole number of at least {least}, "
                          f"not {_toml(value)}")
    return value


def _date(table: dict[str, Any], key: str, where: str) -> str | None:
    value = table.get(key)
    if value is None:
        return None
    try:
        # TOML has dates of its own (since = 2024-01-01); a string must spell one.
        if isinstance(value, date) and not isinstance(value, datetime):
            return value.isoformat()
        return date.fromisoformat(value).isoformat()
    except (TypeError, ValueError):
        raise ConfigError(f"{where}: {key} must be a date like 2024-01-31, "
                          f"not {_toml(value)}") from None


def _boolean(table: dict[str, Any], key: str, where: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false, not {_toml(value)}")
    return value


def _toml(value: object) -> str:
    """`value` as it would be written in TOML, near enough for an error message."""
    return json.dumps(value, default=str, ensure_ascii=False)


class ArchiveLock:
    """The lock of one run on an archive, taken when made: `with ArchiveLock(db): …`; raises
    ArchiveBusy when another run holds it.

    An flock on a file next to the database: the kernel drops it when its holder's descriptor
    closes, even when the holder is killed with SIGKILL, so a dead run never leaves a stale
    lock behind, as a PID file would. The file names its holder for the message a second run
    gives; it is never deleted, since another run may already have it open, and deleting it
    would let two runs each lock a file of their own.
    """

    def __init__(self, db_path: str | Path) -> None:
        path = Path(f"{db_path}.lock")
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").partition("\n")[0]
            os.close(fd)
            raise ArchiveBusy(f"{db_path} is being archived by another run"
                              + (f" ({holder})" if holder else "") + ": try again later") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"pid {os.getpid()}, started {utc_iso(_utc_now())}\n".encode(), 0)
        self.fd = fd

    def __enter__(self) -> ArchiveLock:
        return self

    def __exit__(self, *exc_info: object) -> None:
        os.close(self.fd)


def run_log_path(db_path: str | Path, url: str) -> Path:
    """A new log file for a run of the blog at `url` on the archive at `db_path`.

    In the `logs` folder next to the archive, named so that runs sort by time and say their
    blog: data/logs/2026-11-25T031500Z-blog.example.log. The file is created, so that two runs
    started in the same second each get one of their own.
    """
    folder = Path(db_path).parent / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    blog = re.sub(r"[^A-Za-z0-9.-]+", "_", url.split("://", 1)[-1]).strip("_")[:80]
    stem = f"{_utc_now():%Y-%m-%dT%H%M%SZ}-{blog}"
    names = (f"{stem}.log" if number == 1 else f"{stem}-{number}.log"
             for number in itertools.count(1))
    while True:
        path = folder / next(names)
        try:
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644))
        except FileExistsError:
            continue
        return path


def _utc_now() -> datetime:
    return datetime.now(UTC)
