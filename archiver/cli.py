"""The `archiver` command: run the demo, crawl blogs from cron, read one saved page.

Each command parses its options and hands them to the module that does the work. What only
some commands need (Scrapy, Datasette, the archive) is imported when they run: `archiver
extract`, which the corpus scorer runs once per page, starts without it.
"""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from archiver.cli_options import (
    DEFAULT_DB,
    BlogsGiven,
    archive_lock,
    blog_options,
    check_archive_opens,
    report_run,
)
from archiver.distributed_commands import enqueue, merge, worker
from archiver.extractors import extract
from archiver.page import Page
from archiver.thread_json import thread_as_json

if TYPE_CHECKING:
    from archiver.items import PageItem

DEMO_PORT = 8437
# The archive's Datasette metadata, plugins, templates and static files, shipped in the package.
DATASETTE_FILES = Path(__file__).resolve().parent / "datasette"


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
          after it, or it did not finish), or the archive could not be opened
      2   usage error, or an error in the blogs file
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
    with archive_lock(archive):
        check_archive_opens(archive)
        runs = run_crawls(blogs, process_settings, log_file=None if log_file else
                          lambda blog: run_log_path(archive, blog.url))
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
def demo(db_path: str, port: int) -> None:
    """Serve the bundled demo blog on 127.0.0.1, archive it, and show what the archive holds."""
    from archiver.demo import DEMO_BLOG, serve
    from archiver.runner import Blog, project_settings, run_crawls

    if not (DEMO_BLOG / "manifest.json").exists():
        raise click.ClickException(f"the demo blog is missing: {DEMO_BLOG}")
    if _port_in_use(port):
        raise click.ClickException(f"port {port} on 127.0.0.1 is in use: pass --port")
    settings = project_settings({"ARCHIVE_DB": db_path, "DOWNLOAD_DELAY": 0,
                                 "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"})
    progress = Progress()
    with serve(DEMO_BLOG, port=port) as url:
        click.echo(f"Demo blog served at {url}; archiving it into {db_path}")
        (run,) = run_crawls([Blog(url)], settings, on_item=progress.update)
    progress.done()
    _print_archive_summary(db_path)
    click.echo(f"\nBrowse it:  archiver serve --db {db_path}")
    sys.exit(run.outcome.exit_code)


class Progress:
    """One self-rewriting line on stderr: pages archived, posts and comments read."""

    def __init__(self) -> None:
        self.pages = self.comments = 0
        self.posts: set[str] = set()

    def update(self, item: PageItem) -> None:
        self.pages += 1
        if item.thread is not None and item.thread.source == "html":
            self.posts.add(item.thread.post.url)
            self.comments += len(item.thread.comments)
        click.echo(f"\r  {self.pages} pages, {len(self.posts)} posts, "
                   f"{self.comments} comments read", nl=False, err=True)

    def done(self) -> None:
        click.echo("", err=True)


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


def _port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@cli.command(name="extract")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The address the page was saved from (for relative links).")
@click.option("--timezone", help="The blog's zone, e.g. Europe/London, for UTC times.")
def extract_command(page: Path, url: str | None, timezone: str | None) -> None:
    """Print, as JSON, what the extractor reads from one saved page.

    \b
    Example:
        archiver extract saved-post.html --url https://blog.example/2014/08/12/a-post/
    """
    thread = extract(Page.from_file(page, url=url), timezone=timezone)
    json.dump(thread_as_json(thread), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


@cli.command()
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="The archive to re-read.")
@click.option("--site", help="Only this blog: its host, as in the sites table.")
def reparse(db_path: str, site: str | None) -> None:
    """Rebuild posts, comments and links from the pages stored in the archive, offline.

    Every stored post and comment page is read again with the current extractor, as the
    crawl read it. Rows are updated in place: none is deleted, and no history is written.
    Exits 75 while another run writes to the archive.

    \b
    Example:
        archiver reparse --db data/archive.db --site blog.example
    """
    from archiver import storage
    from archiver.reparse import reparse as reparse_archive

    with archive_lock(db_path):
        db = storage.open_archive(db_path)
        done = reparse_archive(db, site)
        storage.close_archive(db)
    click.echo(done.summary())


@cli.command(name="serve")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False), help="The archive to browse.")
@click.option("--port", default=8001, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1.")
def serve_command(db_path: str, port: int) -> None:
    """Browse the archive in Datasette on 127.0.0.1, read-only: the thread view, search,
    facets and canned queries.

    Cron may crawl into the archive meanwhile: pages show what each run has committed.

    \b
    Example:
        archiver serve --db data/archive.db --port 8001
    """
    from datasette.cli import cli as datasette

    if not Path(db_path).is_file():
        raise click.ClickException(f"no archive at {db_path}: archive a blog into it first, "
                                   f"with archiver crawl URL --db {db_path}")
    datasette.main(["serve", str(db_path), "--host", "127.0.0.1", "--port", str(port),
                    "--metadata", str(DATASETTE_FILES / "metadata.yml"),
                    "--plugins-dir", str(DATASETTE_FILES / "plugins"),
                    "--template-dir", str(DATASETTE_FILES / "templates"),
                    "--static", f"thread-archiver:{DATASETTE_FILES / 'static'}",
                    # The metadata names the facets worth having; Datasette's suggestions of
                    # others query every column, seconds per table page on a large archive.
                    "--setting", "suggest_facets", "off"], prog_name="datasette")


@cli.command(name="export-warc")
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="The archive to export.")
@click.option("--site", help="Only this blog: its host, as in the sites table.")
def export_warc_command(output: str, db_path: str, site: str | None) -> None:
    """Write the stored responses to OUTPUT as a WARC 1.1 file (gzipped when it ends in .gz).

    \b
    Example:
        archiver export-warc --db data/archive.db blog.warc.gz
    """
    from archiver import storage
    from archiver.warc import export_warc

    db = storage.open_archive(db_path)
    written = export_warc(db, output, site)
    storage.close_archive(db)
    click.echo(f"{written} responses written to {output}")


@cli.command(name="import-warc")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False), help="The archive to write to.")
def import_warc_command(files: tuple[str, ...], db_path: str) -> None:
    """Archive the pages held in WARC files (wget --warc-file, grab-site, export-warc).

    Each file is one run in the crawls table; captures of a post at several times become
    its history. Exits 1 when a file held no page to archive, 75 while another run writes
    to the archive.

    \b
    Example:
        archiver import-warc --db data/archive.db blog-2023.warc.gz blog-2024.warc.gz
    """
    from archiver import storage
    from archiver.warc import NotAWarc, import_warcs

    with archive_lock(db_path):
        db = storage.open_archive(db_path)
        try:
            imported = import_warcs(db, files)
        except NotAWarc as error:
            raise click.ClickException(str(error)) from None
        finally:
            storage.close_archive(db)
    for done in imported:
        click.echo(done.summary())
    sys.exit(max(done.exit_code for done in imported))


for command in (enqueue, worker, merge):
    cli.add_command(command)

if __name__ == "__main__":
    cli()
