"""The `archiver` commands that work on an archive already made: re-read, merge, browse,
export and import; and what every command that opens an archive shares: its lock, and the
refusal of a file that is no archive of ours.

Registered on the `archiver` group by archiver.cli. As there, what only a command needs is
imported when it runs.
"""

from __future__ import annotations

import socket
import sqlite3
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from sqlite_utils import Database

    from archiver.schedule import ArchiveLock

DEFAULT_DB = "data/archive.db"
# Datasette's own default port.
SERVE_PORT = 8001
# sysexits' EX_TEMPFAIL: another run holds the archive's lock, try again later.
EXIT_LOCKED = 75
# The archive's Datasette plugin (registered through the `datasette` entry points) and metadata.
DATASETTE_FILES = Path(__file__).resolve().parent / "datasette"


class ArchiveLocked(click.ClickException):
    """Another run holds the archive's lock: one line on stderr, and status 75."""

    exit_code = EXIT_LOCKED


def archive_lock(db_path: str | Path) -> ArchiveLock:
    """The archive's lock: one run at a time (a crawl, an import, a re-read) writes to it.
    A file that is no archive of ours is refused first, so that no lock file is left by it."""
    from archiver.schedule import ArchiveBusy, ArchiveLock

    refuse_unless_archive(db_path)
    try:
        return ArchiveLock(db_path)
    except ArchiveBusy as busy:
        raise ArchiveLocked(str(busy)) from None
    except OSError as error:
        raise click.ClickException(f"cannot lock the archive {db_path}: {error}") from None


def refuse_unless_archive(db_path: str | Path) -> None:
    """One line and status 1, the file untouched, unless `db_path` is an archive this code
    knows or nothing yet."""
    from archiver.storage import NotAnArchive, check_archive

    try:
        check_archive(db_path)
    except NotAnArchive as refused:
        raise click.ClickException(str(refused)) from None
    except (OSError, sqlite3.Error) as error:
        raise click.ClickException(f"cannot open the archive {db_path}: {error}") from None


def archive_to_read(db_path: str | Path) -> Database:
    """The archive at `db_path`, opened read-only; one line and status 1 where there is none
    (or another program's file, left untouched)."""
    from archiver import storage

    refuse_unless_archive(db_path)
    db = storage.open_read_only(db_path)
    if db is None or not storage.is_archive(db):
        raise click.ClickException(f"no archive at {db_path}: nothing to export")
    return db


def make_archive_folder(db_path: str | Path) -> None:
    """Make the folder of an archive that has none yet, and say so in one line on stderr: a
    new archive's folder is made as Scrapy makes a feed's, and a misspelt one is seen at once,
    before a first crawl starts over in it."""
    folder = Path(db_path).parent
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True)
        except OSError as error:
            raise click.ClickException(f"cannot make the folder {folder} for the archive "
                                       f"{db_path}: {error.strerror}") from None
        click.echo(f"Made the folder {folder} for the archive {db_path}", err=True)


def refuse_port_in_use(port: int) -> None:
    """One line and status 1 if something already listens on `port` of 127.0.0.1: a server
    would otherwise fail after starting, in several lines of its own."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            raise click.ClickException(f"port {port} on 127.0.0.1 is in use: pass --port")


@click.command()
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


@click.command()
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False),
              help="The archive to merge into, made if there is none.")
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
def merge(db_path: str, shards: tuple[str, ...]) -> None:
    """Combine archives of separate runs into one, without duplicates, keeping their history
    (merging one again changes nothing). Exits 75 while another run writes to the archive.

    \b
    Example:
        archiver merge --db data/archive.db shard-1.db shard-2.db
    """
    from archiver import storage
    from archiver.storage.merge import ShardNotReady, merge_archive, merge_order

    with archive_lock(db_path):
        db = storage.open_archive(db_path)
        try:
            for shard in merge_order(shards):
                click.echo(merge_archive(db, shard).summary())
        except ShardNotReady as error:
            raise click.ClickException(str(error)) from None
        finally:
            storage.close_archive(db)


@click.command(name="serve")
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              type=click.Path(dir_okay=False), help="The archive to browse.")
@click.option("--port", default=SERVE_PORT, show_default=True, type=click.IntRange(0, 65535),
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
    refuse_unless_archive(db_path)
    refuse_port_in_use(port)
    datasette.main(datasette_arguments(db_path, port), prog_name="datasette")


def datasette_arguments(db_path: str | Path, port: int) -> list[str]:
    """The `datasette` command line that serves the archive at `db_path` on 127.0.0.1:`port`,
    as `archiver serve` does."""
    return ["serve", str(db_path), "--host", "127.0.0.1", "--port", str(port),
            "--metadata", str(DATASETTE_FILES / "metadata.yml"),
            # The metadata names the facets worth having; Datasette's suggestions of others
            # query every column, seconds per table page on a large archive.
            "--setting", "suggest_facets", "off"]


@click.command(name="export-warc")
@click.argument("output", type=click.Path(dir_okay=False))
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="The archive to export.")
@click.option("--site", help="Only this blog: its host, as in the sites table.")
def export_warc_command(output: str, db_path: str, site: str | None) -> None:
    """Write the stored responses to OUTPUT as a WARC 1.1 file (gzipped when it ends in .gz).
    The archive is only read: an archive of an earlier version is exported as it is.

    \b
    Example:
        archiver export-warc --db data/archive.db blog.warc.gz
    """
    from archiver.warc import export_warc

    db = archive_to_read(db_path)
    written = export_warc(db, output, site)
    db.close()
    click.echo(f"{written} responses written to {output}")


@click.command(name="export")
@click.argument("output", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--db", "db_path", default=DEFAULT_DB, show_default=True,
              type=click.Path(exists=True, dir_okay=False), help="The archive to export.")
@click.option("--site", help="Only this blog: its host, as in the sites table.")
@click.option("--per", type=click.Choice(["comment", "post"]), default="comment",
              show_default=True, help="One row a comment (with its post's), or one a post.")
@click.option("--format", "file_format", type=click.Choice(["csv", "jsonl", "parquet"]),
              help="By default the one OUTPUT's suffix names; CSV on stdout.")
def export_command(output: str, db_path: str, site: str | None, per: str,
                   file_format: str | None) -> None:
    """Write the archive's threads to OUTPUT (`-`: stdout) for pandas, R or a spreadsheet: one
    row a comment with its post's key, title and time, or one a post with its comment counts,
    as CSV, JSON Lines or Parquet (with `pip install 'thread-archiver[parquet]'`; without it,
    status 1). The archive is only read.

    \b
    Example:
        archiver export --db data/archive.db comments.csv
        archiver export --db data/archive.db --per post --site blog.example posts.parquet
    """
    from archiver import export, storage

    file_format = file_format or export.format_of(output)
    if file_format is None:
        raise click.UsageError(f"no format for {output}: name it .csv, .jsonl or .parquet, "
                               "or pass --format")
    if file_format == "parquet":
        try:
            export.parquet_modules()
        except export.MissingParquet as missing:
            raise click.ClickException(str(missing)) from None
    db = archive_to_read(db_path)
    if storage.pending_migrations(db):
        raise click.ClickException(f"{db_path} is an archive of an earlier version: bring it "
                                   f"up to date first, as any run that writes to it does "
                                   f"(archiver reparse --db {db_path})")
    stream = click.open_file(output, "wb")
    try:
        written = export.export_threads(db, export.database_route(db_path), per, file_format,
                                        stream, site)
    finally:
        stream.close()
        db.close()
    rows = f"{written} {per}" if written == 1 else f"{written} {per}s"
    click.echo(f"{rows} written to {output}", err=output == "-")


@click.command(name="import-warc")
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
