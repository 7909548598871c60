"""`scrapy crawl`, refusing before anything starts what the `blog` spider cannot run with: its
arguments (`-a`), settings (`-s`) Scrapy and the archiver do not know or could not read, and an
ARCHIVE_DB that is no archive of ours. Each is one line on stderr and
the exit status `archiver crawl` gives it (2 for a usage error, 1 for an archive refused), in
place of a traceback from a crawl that has begun."""

from __future__ import annotations

import argparse
import sys

from scrapy.commands import crawl

from archiver import storage
from archiver.schedule import RUN_SETTINGS, ConfigError, scrapy_settings
from spiders.arguments import ARGUMENTS, Arguments

EXIT_USAGE = 2
EXIT_REFUSED = 1


class Command(crawl.Command):
    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if args[:1] == ["blog"]:
            assert self.settings is not None  # set by scrapy.cmdline before any command runs
            refused = _refusal(self.settings["ARCHIVE_DB"], opts.spargs,
                               dict(pair.partition("=")[::2] for pair in opts.set))
            if refused is not None:
                message, self.exitcode = refused
                print(f"Error: {message}", file=sys.stderr)
                return
        super().run(args, opts)


def _refusal(db_path: str, spider_args: dict[str, str],
             settings: dict[str, str]) -> tuple[str, int] | None:
    """What keeps the crawl from starting, and its exit status; None if nothing does."""
    try:
        scrapy_settings({name: value for name, value in settings.items()
                         if name not in RUN_SETTINGS}, "-s")
    except ConfigError as error:
        return str(error), EXIT_USAGE
    unknown = sorted(set(spider_args) - set(ARGUMENTS))
    if unknown:
        return (f"the blog spider takes no argument {', '.join(unknown)}: it takes "
                + ", ".join(f"-a {name}=" for name in ARGUMENTS), EXIT_USAGE)
    try:
        Arguments.parse(**{name: spider_args.get(name) for name in ARGUMENTS})
    except ValueError as error:
        return str(error), EXIT_USAGE
    try:
        storage.check_archive(db_path)
    except storage.NotAnArchive as refused:
        return str(refused), EXIT_REFUSED
    return None
