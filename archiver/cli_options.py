"""What several `archiver` commands parse and share: blogs and settings from the command line,
the archive's lock, and a crawl's one-line report."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

if TYPE_CHECKING:
    from archiver.runner import Blog, Run
    from archiver.schedule import BlogsFile

class BlogsFileParam(click.ParamType):
    """A blogs file (TOML), read and checked whole with the command line, before any crawl."""

    name = "FILE"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> BlogsFile:
        from archiver.schedule import ConfigError, read_blogs_file

        try:
            return read_blogs_file(value)
        except ConfigError as error:
            self.fail(str(error), param, ctx)


@dataclass(frozen=True)
class BlogsGiven:
    """The blogs a command line names (as URLs or in a blogs file), the spider arguments given
    for all of them, and its Scrapy settings."""

    listed: BlogsFile
    options: dict[str, Any]
    settings: dict[str, str]

    def blogs(self) -> list[Blog]:
        return self.listed.blogs_to_crawl(self.options, self.settings)


def blog_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options that name blogs and how to crawl them, shared by `crawl` and `enqueue`,
    handed to `command` as one BlogsGiven, `given`."""
    @click.argument("urls", nargs=-1)
    @click.option("--config", "blogs_file", type=BlogsFileParam(),
                  help="A blogs file (TOML) listing the blogs to crawl, each with its options.")
    @click.option("--max-posts", type=click.IntRange(min=1), metavar="N",
                  help="Archive at most this many posts per blog.")
    @click.option("--since", type=click.DateTime(["%Y-%m-%d"]), metavar="YYYY-MM-DD",
                  help="Only posts published on or after this date.")
    @click.option("--full", is_flag=True,
                  help="Read every post again, not only what may have changed since the last "
                       "run.")
    @click.option("--refresh-days", type=click.IntRange(min=1), metavar="N",
                  help="Read a thread nothing signalled changed again at least every N days "
                       "(sooner after recent comments).  [default: REFRESH_DAYS, 30]")
    @click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
                  help="Override a Scrapy setting, as with scrapy crawl -s.")
    @functools.wraps(command)
    def with_blogs(urls: tuple[str, ...], blogs_file: BlogsFile | None,
                   max_posts: int | None, since: datetime | None, full: bool,
                   refresh_days: int | None, overrides: tuple[str, ...], **kwargs: Any) -> None:
        if bool(urls) == bool(blogs_file):
            raise click.UsageError("give the blogs to crawl either as URLs or as --config FILE")
        options = {"max_posts": max_posts, "since": since and since.date().isoformat(),
                   "full": full or None, "refresh_days": refresh_days}
        given = BlogsGiven(blogs_file or blogs_from_urls(urls), options,
                           setting_overrides(overrides))
        command(given=given, **kwargs)
    return with_blogs


def setting_overrides(pairs: tuple[str, ...]) -> dict[str, str]:
    """The Scrapy settings `-s NAME=VALUE` gives, but for those a crawl has options of its own,
    each checked as a blogs file's are."""
    from archiver.schedule import ConfigError, scrapy_settings

    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        settings[name] = value
    for name, option in (("ARCHIVE_DB", "--db"), ("LOG_FILE", "--log-file")):
        if name in settings:
            raise click.BadParameter(f"give {name} as {option}", param_hint="-s")
    try:
        return scrapy_settings(settings, "-s")
    except ConfigError as error:
        raise click.BadParameter(str(error).removeprefix("-s: "), param_hint="-s") from None


def blogs_from_urls(urls: tuple[str, ...]) -> BlogsFile:
    from archiver.schedule import ConfigError, blogs_from_urls

    try:
        return blogs_from_urls(urls)
    except ConfigError as error:
        raise click.BadParameter(str(error), param_hint="URLS") from None


def report_run(run: Run) -> None:
    """One line on how a blog's crawl went, and one on stderr on why, if it failed: what
    stopped it, if it raised, else the cause its log gives too."""
    click.echo(f"{run.blog.url}: {run.outcome.summary()}"
               + (f"; log {run.log_file}" if run.log_file else ""))
    if run.error:
        click.echo(f"Error: the crawl of {run.blog.url} stopped: {run.error}", err=True)
    elif run.outcome.cause:
        click.echo(f"Error: the crawl of {run.blog.url} failed: {run.outcome.cause}", err=True)


def check_archive_opens(db_path: str | Path) -> None:
    """Open, and create or migrate, the archive before any crawl, so that one that cannot be
    written fails the run at once with one clear line."""
    from archiver import storage

    try:
        storage.close_archive(storage.open_archive(db_path))
    except (OSError, sqlite3.Error) as error:
        raise click.ClickException(f"cannot open the archive {db_path}: {error}") from None
