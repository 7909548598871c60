"""The `archiver` command: run the demo, crawl blogs from cron, read one saved page. The
commands on an archive already made (re-read, merge, serve, export, import) are in
archiver.cli_archives, those of many workers (enqueue, worker) in archiver.distributed_commands.

Each command parses its options and hands them to the module that does the work. What only
some commands need (Scrapy, Datasette, the archive) is imported when they run: `archiver
extract`, which the corpus scorer runs once per page, starts without it.
"""

from __future__ import annotations

import contextlib
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archiver.cli_archives import (
    DEFAULT_DB,
    SERVE_PORT,
    archive_lock,
    datasette_arguments,
    export_command,
    export_warc_command,
    import_warc_command,
    make_archive_folder,
    merge,
    refuse_port_in_use,
    reparse,
    serve_command,
)
from archiver.cli_options import BlogsGiven, blog_options, check_archive_opens, report_run
from archiver.distributed_commands import enqueue, worker
from archiver.extractors import extract
from archiver.page import Page
from archiver.page_runs import LONG_PAGE_BYTES
from archiver.thread_json import write_thread_json

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

    from archiver.runner import Blog

DEMO_PORT = 8437


@click.group()
@click.version_option()
def cli() -> None:
    """Keep faithful, offline SQLite archives of blog posts and their comment threads."""


@cli.command()
@blog_options
@click.option("--db", "db_path", type=click.Path(dir_okay=False),
              help=f"The archive to write to.  [default: the blogs file's db, else {DEFAULT_DB}]")
@click.option("--log-file", type=click.Path(dir_okay=False),
              help="Log here instead of to a new file per blog in the logs folder next to "
                   "the archive.")
def crawl(given: BlogsGiven, db_path: str | None, log_file: str | None) -> None:
    """Archive blogs given by URL or listed in a blogs file; made to run from cron.

    Blogs are crawled one after another. Options given here apply to every blog, over what
    the blogs file says. Each blog's crawl logs to a new file in the `logs` folder next to the
    archive (data/logs/2026-11-25T031500Z-blog.example.log) and prints one line. Only one run
    at a time writes to an archive: another one exits at once with status 75.

    \b
    Exit status (Scrapy itself exits 0 even when every request failed):
      0   every blog's crawl was ok or partial (some pages failed)
      1   a blog's crawl failed (the archive holds no post of the blog
          after it, or it did not finish), or the archive could not be
          opened or is another program's file or a newer archiver's
      2   usage error (an option, setting or address that cannot be
          taken), or an error in the blogs file
      75  another run is writing to the archive: try again later

    \b
    Examples:
        archiver crawl https://blog.example/ --db data/archive.db
        archiver crawl --config blogs.toml
    """
    from archiver.runner import project_settings, run_crawls
    from archiver.schedule import run_log_path

    blogs = given.blogs()
    archive = db_path or given.listed.db or DEFAULT_DB
    process_settings = project_settings(given.listed.process_settings(given.settings, archive,
                                                                      log_file))
    make_archive_folder(archive)
    with archive_lock(archive):
        check_archive_opens(archive)
        runs = run_crawls(blogs, process_settings, log_file=None if log_file else
                          lambda blog: run_log_path(archive, blog.url),
                          watch=progress_on_terminal())
    for run in runs:
        report_run(run)
    if len(runs) < len(blogs):
        click.echo("Error: the run was stopped; not crawled: "
                   + ", ".join(blog.url for blog in blogs[len(runs):]), err=True)
    sys.exit(max((run.outcome.exit_code for run in runs), default=1))


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False), help="The archive to write to.")
@click.option("--port", default=DEMO_PORT, show_default=True,
              help="Port for the demo blog on 127.0.0.1 (fixed, so re-runs update the same site).")
@click.option("--serve", "keep_serving", is_flag=True,
              help="Then keep the demo blog and Datasette on the archive running until "
                   "interrupted (Ctrl-C), to try crawls and the thread view's links to the blog.")
@click.option("--serve-port", default=SERVE_PORT, show_default=True,
              type=click.IntRange(1, 65535), help="Port for Datasette on 127.0.0.1, with --serve.")
def demo(db_path: str, port: int, keep_serving: bool, serve_port: int) -> None:
    """Serve the bundled demo blog on 127.0.0.1, archive it, and show what the archive holds."""
    from archiver.demo import DEMO_BLOG, serve
    from archiver.runner import Blog, project_settings, run_crawls

    if not (DEMO_BLOG / "manifest.json").exists():
        raise click.ClickException(f"the demo blog is missing: {DEMO_BLOG}")
    refuse_port_in_use(port)
    if keep_serving:
        refuse_port_in_use(serve_port)
    make_archive_folder(db_path)
    settings = project_settings({"ARCHIVE_DB": db_path, "DOWNLOAD_DELAY": 0,
                                 "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"})
    with serve(DEMO_BLOG, port=port) as url:
        click.echo(f"Demo blog served at {url}; archiving it into {db_path}")
        (run,) = run_crawls([Blog(url)], settings, watch=progress_on_terminal())
        _print_archive_summary(db_path)
        if keep_serving and run.outcome.exit_code == 0:
            _serve_until_interrupted(db_path, url, serve_port)
            return
    click.echo(f"\nBrowse it:  archiver serve --db {db_path}")
    sys.exit(run.outcome.exit_code)


def progress_on_terminal() -> Callable[[Blog, Crawler], None] | None:
    """What shows each crawl's progress on stderr, where stderr is a terminal; under cron,
    nothing."""
    from archiver.progress import Progress

    return Progress(sys.stderr).watch if sys.stderr.isatty() else None


class Interrupted(Exception):
    """SIGINT or SIGTERM, which ends `archiver demo --serve`."""


def _interrupted(signum: int, frame: object) -> None:
    raise Interrupted


def _serve_until_interrupted(db_path: str, blog_url: str, port: int) -> None:
    """Datasette on the archive, beside the demo blog, until SIGINT or SIGTERM."""
    from datasette.cli import cli as datasette

    click.echo(f"\nServing until interrupted (Ctrl-C):\n"
               f"  the demo blog  {blog_url}\n"
               f"  the archive    http://127.0.0.1:{port}/\n"
               f"Try:  archiver crawl {blog_url} --db {db_path}")
    # Datasette's server takes the signals while it runs and sends each again once it has
    # stopped: here, to end the demo with status 0.
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, _interrupted)
    with contextlib.suppress(Interrupted):
        datasette.main(datasette_arguments(db_path, port), prog_name="datasette",
                       standalone_mode=False)


def _print_archive_summary(db_path: str) -> None:
    from archiver import storage

    db = storage.open_archive(db_path)
    counts = {table: db.table(table).count
              for table in ("posts", "comments", "links", "pages", "crawls")}
    types = storage.count_comment_types(db)
    db.close()
    click.echo(f"Archive {db_path}: {counts['posts']} posts, {counts['comments']} comments "
               f"({', '.join(f'{n} {kind}' for kind, n in types.items())}), "
               f"{counts['links']} links, {counts['pages']} pages, {counts['crawls']} crawls")


def _zone_name(value: str | None) -> str | None:
    """`value` if it names a time zone (IANA) or a fixed offset; else a usage error."""
    from archiver.dates import zone

    if value is not None and zone(value) is None:
        raise click.BadParameter(f"{value!r} is no time zone (an IANA name, such as "
                                 "Europe/London, or an offset, such as +01:00)")
    return value


@cli.command(name="extract")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The address the page was saved from (for relative links).")
@click.option("--timezone", callback=lambda ctx, param, value: _zone_name(value),
              help="The blog's zone, e.g. Europe/London or +01:00, for UTC times.")
def extract_command(page: Path, url: str | None, timezone: str | None) -> None:
    """Print, as JSON, what the extractor reads from one saved page.

    \b
    Example:
        archiver extract saved-post.html --url https://blog.example/2014/08/12/a-post/
    """
    if page.stat().st_size > LONG_PAGE_BYTES:
        _print_long_page(page, url, timezone)
    else:
        write_thread_json(extract(Page.from_file(page, url=url), timezone=timezone), sys.stdout)


def _print_long_page(page: Path, url: str | None, timezone: str | None) -> None:
    """`archiver extract` of a page read in parts, by a pool of processes (imported here: the
    corpus scorer's run a page does without)."""
    from concurrent.futures.process import BrokenProcessPool

    from archiver.long_pages import extract_long

    try:
        thread, comments = extract_long(page, url, timezone)
        write_thread_json(thread, sys.stdout, comments)
    except BrokenProcessPool as error:  # a worker killed (out of memory, SIGKILL)
        raise click.ClickException(f"a process reading {page} in parts stopped: "
                                   f"{error}") from None


for command in (reparse, merge, serve_command, export_command, export_warc_command,
                import_warc_command, enqueue, worker):
    cli.add_command(command)

if __name__ == "__main__":
    cli()
