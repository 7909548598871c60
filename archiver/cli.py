"""The `archiver` command: run the demo, crawl blogs from cron, read one saved page."""

import json
import socket
import sys
from pathlib import Path

import click

from archiver.extractors import extract
from archiver.page import Page

DEMO_BLOG = Path(__file__).resolve().parent.parent / "data" / "demo-blog"
DEMO_PORT = 8437


@click.group()
@click.version_option()
def cli():
    """Keep faithful, offline SQLite archives of blog posts and their comment threads."""


@cli.command()
@click.argument("urls", nargs=-1, required=True)
@click.option("--db", "db_path", default="data/archive.db", show_default=True,
              type=click.Path(dir_okay=False), help="The archive to write to.")
@click.option("--max-posts", type=click.IntRange(min=1), help="Archive at most this many posts per blog.")
@click.option("--since", help="Only posts published on or after this date (YYYY-MM-DD).")
@click.option("--log-file", type=click.Path(dir_okay=False), help="Write Scrapy's log here.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as with scrapy crawl -s.")
def crawl(urls, db_path, max_posts, since, log_file, overrides):
    """Archive one or more blogs; exit 1 when a run archived nothing.

    Scrapy itself exits 0 even when every request failed: this command judges each run
    from its stats and says so in its exit status, for cron.

    \b
    Example:
        archiver crawl https://blog.example/ --db data/archive.db --log-file crawl.log
    """
    from archiver.runner import project_settings, run_crawls

    settings = {"ARCHIVE_DB": db_path}
    settings.update(_parse_overrides(overrides))
    if log_file:
        settings["LOG_FILE"] = log_file
    spider_args = {key: str(value) for key, value in
                   {"max_posts": max_posts, "since": since}.items() if value is not None}
    outcomes = run_crawls(urls, project_settings(settings), spider_args)
    for url, outcome in outcomes.items():
        click.echo(f"{url}: {outcome.status}: {outcome.pages} pages, {outcome.posts} posts, "
                   f"{outcome.comments} comments, {outcome.errors} errors")
    sys.exit(max(outcome.exit_code for outcome in outcomes.values()))


@cli.command()
@click.option("--db", "db_path", default="data/archive.db", show_default=True,
              type=click.Path(dir_okay=False), help="The archive to write to.")
@click.option("--port", default=DEMO_PORT, show_default=True,
              help="Port for the demo blog on 127.0.0.1 (fixed, so re-runs update the same site).")
def demo(db_path, port):
    """Serve the bundled demo blog on 127.0.0.1, archive it, and show what the archive holds."""
    from archiver.demo import serve
    from archiver.runner import project_settings, run_crawls

    if not (DEMO_BLOG / "manifest.json").exists():
        raise click.ClickException(f"the demo blog is missing: {DEMO_BLOG}")
    if _port_in_use(port):
        raise click.ClickException(f"port {port} on 127.0.0.1 is in use: pass --port")
    settings = project_settings({"ARCHIVE_DB": db_path, "DOWNLOAD_DELAY": 0,
                                 "AUTOTHROTTLE_ENABLED": False, "LOG_LEVEL": "WARNING"})
    progress = Progress()
    with serve(DEMO_BLOG, port=port) as url:
        click.echo(f"Demo blog served at {url}; archiving it into {db_path}")
        outcome = run_crawls([url], settings, on_item=progress.update)[url]
    progress.done()
    _print_archive_summary(db_path)
    click.echo(f"\nBrowse it:  datasette {db_path}")
    sys.exit(outcome.exit_code)


class Progress:
    """One self-rewriting line on stderr: pages archived, posts and comments read."""

    def __init__(self):
        self.pages = self.comments = 0
        self.posts = set()

    def update(self, item):
        self.pages += 1
        if item.thread is not None and item.thread.source == "html":
            self.posts.add(item.thread.post.url)
            self.comments += len(item.thread.comments)
        click.echo(f"\r  {self.pages} pages, {len(self.posts)} posts, {self.comments} comments read",
                   nl=False, err=True)

    def done(self):
        click.echo("", err=True)


def _print_archive_summary(db_path):
    from archiver import storage

    db = storage.open_archive(db_path)
    counts = {table: db.table(table).count for table in ("posts", "comments", "links", "pages", "crawls")}
    types = dict(db.execute("SELECT type, count(*) FROM comments GROUP BY type ORDER BY type").fetchall())
    db.close()
    click.echo(f"Archive {db_path}: {counts['posts']} posts, {counts['comments']} comments "
               f"({', '.join(f'{n} {kind}' for kind, n in types.items())}), {counts['links']} links, "
               f"{counts['pages']} pages, {counts['crawls']} crawls")


def _parse_overrides(pairs):
    settings = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"expected NAME=VALUE, got {pair!r}", param_hint="-s")
        settings[name] = value
    return settings


def _port_in_use(port):
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


@cli.command(name="extract")
@click.argument("page", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--url", help="The address the page was saved from (for relative links).")
@click.option("--timezone", help="The blog's zone, e.g. Europe/London, for UTC times.")
def extract_command(page, url, timezone):
    """Print, as JSON, what the extractor reads from one saved page.

    \b
    Example:
        archiver extract saved-post.html --url https://blog.example/2014/08/12/a-post/
    """
    thread = extract(Page.from_file(page, url=url), timezone=timezone)
    json.dump(thread_as_json(thread), sys.stdout, ensure_ascii=False, indent=1)
    sys.stdout.write("\n")


def thread_as_json(thread):
    """A thread in the shape the corpus scorer reads: comments apart from pingbacks."""
    if thread is None:
        return {"url": None, "platform": None, "post": None, "comments": [], "pingbacks": [],
                "more_comment_pages": []}
    post = thread.post
    comments = [c for c in thread.comments if c.type == "comment"]
    pings = [c for c in thread.comments if c.type != "comment"]
    index = {id(c): i for i, c in enumerate(comments)}

    def parent(comment):
        if comment.parent is None:
            return None
        return index.get(id(thread.comments[comment.parent]))

    return {
        "url": post.url,
        "platform": thread.platform,
        "post": {"title": post.title, "author": post.author, "published": post.published,
                 "published_text": post.published_shown, "published_utc": post.published_utc,
                 "categories": post.categories, "tags": post.tags, "body_text": post.body_text,
                 "links": [{"url": link.url, "text": link.text} for link in post.links]},
        "comments": [{
            "id": c.platform_id, "author": c.author, "author_url": c.author_url,
            "published": c.published, "published_text": c.published_shown,
            "published_utc": c.published_utc, "parent": parent(c), "body": " ".join(c.body_text.split()),
            "links": [{"url": link.url, "text": link.text} for link in c.links],
        } for c in comments],
        "pingbacks": [{"id": c.platform_id, "type": c.type, "author": c.author,
                       "author_url": c.author_url, "published": c.published,
                       "body": " ".join(c.body_text.split())} for c in pings],
        "more_comment_pages": thread.more_comment_pages,
    }


if __name__ == "__main__":
    cli()
