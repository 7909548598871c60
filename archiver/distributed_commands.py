"""The `archiver` commands that spread blogs over many workers and machines (see
archiver.distributed): `enqueue` and `worker`; `merge` (archiver.cli_archives) combines the
workers' shards."""

from __future__ import annotations

import sys

import click

from archiver.cli_archives import archive_lock, refuse_unless_archive
from archiver.cli_options import BlogsGiven, blog_options, check_archive_opens, report_run

REDIS_OPTION = click.option("--redis", "redis_url", required=True, metavar="URL",
                            help="The Redis the workers share, e.g. redis://10.0.0.5:6379/0.")


@click.command()
@blog_options
@REDIS_OPTION
def enqueue(given: BlogsGiven, redis_url: str) -> None:
    """Put blogs on the frontier that `archiver worker` processes share. A blog already waiting,
    or being crawled, is not put on again.

    \b
    Examples:
        archiver enqueue --redis redis://10.0.0.5:6379/0 https://blog.example/
        archiver enqueue --redis redis://10.0.0.5:6379/0 --config blogs.toml
    """
    from archiver.distributed import Frontier

    blogs = given.blogs()
    frontier = Frontier(_redis(redis_url))
    added = frontier.enqueue(blogs)
    click.echo(f"{len(added)} blogs enqueued, {len(blogs) - len(added)} already on the "
               f"frontier; {frontier.waiting()} waiting")


@click.command()
@REDIS_OPTION
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False),
              help="This worker's shard: the archive it writes to, one per worker.")
@click.option("--state", "state_path", type=click.Path(exists=True, dir_okay=False),
              help="The archive the shards are merged into, where each crawl reads what is "
                   "already archived of its blog (for incremental runs).  [default: the shard]")
@click.option("--idle-exit", type=click.FloatRange(min=0), metavar="SECONDS",
              help="Stop once no blog has waited for this long.  [default: run until stopped]")
@click.option("--blogs-at-once", type=click.IntRange(min=1), default=4, show_default=True,
              metavar="N",
              help="How many blogs this worker crawls at the same time.")
@click.option("--log-file", type=click.Path(dir_okay=False),
              help="Log here instead of to stderr.")
@click.option("-s", "--set", "overrides", multiple=True, metavar="NAME=VALUE",
              help="Override a Scrapy setting, as with scrapy crawl -s.")
def worker(redis_url: str, db_path: str, state_path: str | None, idle_exit: float | None,
           blogs_at_once: int, log_file: str | None, overrides: tuple[str, ...]) -> None:
    """Crawl blogs from the frontier into a shard of this worker's own, each blog as `archiver
    crawl` would, and print one line per blog. A worker stopped or killed mid-crawl leaves
    its blogs claimed: started again on the same shard, it crawls them again in full first.

    \b
    Exit status: 0 when every blog's crawl was ok or partial, 1 when one failed or Redis
    cannot be reached, 2 on a usage error, 75 when another worker writes to the shard.

    \b
    Example (one worker per shard, as many as the machines' cores and the blogs allow):
        archiver worker --redis redis://10.0.0.5:6379/0 --db shards/$(hostname)-1.db \\
            --state data/archive.db --idle-exit 60
    """
    import redis

    from archiver.cli_options import setting_overrides
    from archiver.distributed import Frontier, Worker, worker_name
    from archiver.runner import project_settings

    settings = {**setting_overrides(overrides), "ARCHIVE_DB": db_path,
                "ARCHIVE_STATE_DB": state_path}
    if log_file:
        settings["LOG_FILE"] = log_file
    if state_path:
        refuse_unless_archive(state_path)
    with archive_lock(db_path):
        check_archive_opens(db_path)
        frontier = Frontier(_redis(redis_url))
        try:
            runs = Worker(frontier, worker_name(db_path), redis_url, project_settings(settings),
                          blogs_at_once=blogs_at_once, idle_exit=idle_exit,
                          on_run=report_run).run()
        except redis.RedisError as error:
            raise click.ClickException(f"lost Redis at {redis_url}: {error}; the blogs this "
                                       "worker claimed stay claimed") from None
    sys.exit(max((run.outcome.exit_code for run in runs), default=0))


def _redis(url: str):  # -> redis.Redis, imported only when a command needs it
    import redis

    from archiver.distributed import connect

    try:
        return connect(url)
    except (redis.RedisError, ValueError) as error:
        raise click.ClickException(f"cannot reach Redis at {url}: {error}") from None
