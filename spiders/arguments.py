"""The `blog` spider's arguments (`-a NAME=VALUE`), checked before anything is fetched."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlsplit

from archiver.urls import address_error

# The arguments the spider takes, as `-a NAME=VALUE`.
ARGUMENTS = ("url", "max_posts", "since", "full", "refresh_days")


@dataclass(frozen=True)
class Arguments:
    """What to archive: a blog from its home, or one post (`start_url` below the root), with
    the limits and options of the run."""

    start_url: str
    max_posts: int | None = None
    since: date | None = None
    full: bool = False
    refresh_days: int | None = None
    given: dict[str, str] = field(default_factory=dict)  # as given, for the run's row in crawls

    @classmethod
    def parse(cls, url: str | None = None, max_posts: str | None = None,
              since: str | None = None, full: str | None = None,
              refresh_days: str | None = None) -> Arguments:
        """The arguments as `scrapy crawl blog -a …` gives them (strings); ValueError, saying
        what each takes, for any that is wrong."""
        if not url:
            raise ValueError("give the blog to archive: "
                             "scrapy crawl blog -a url=https://blog.example/")
        problem = address_error(url)
        if problem:
            raise ValueError(f"-a url= takes a blog's address, not {url!r}: {problem}")
        given = {"url": url, "max_posts": max_posts, "since": since, "full": full,
                 "refresh_days": refresh_days}
        return cls(start_url=url if urlsplit(url).path else url + "/",
                   max_posts=_positive_int("max_posts", max_posts), since=_date("since", since),
                   full=_flag("full", full),
                   refresh_days=_positive_int("refresh_days", refresh_days),
                   given={name: value for name, value in given.items() if value})

    @property
    def site(self) -> str:
        """The blog's host, as the archive names it."""
        return urlsplit(self.start_url).netloc

    @property
    def base(self) -> str:
        """The blog's home."""
        parts = urlsplit(self.start_url)
        return f"{parts.scheme}://{parts.netloc}/"

    @property
    def single_post(self) -> bool:
        """Whether the start URL is below the home: one post and its thread."""
        return urlsplit(self.start_url).path not in ("", "/")


def _positive_int(name, value):
    if value is None:
        return None
    if not str(value).isdigit() or int(value) < 1:
        raise ValueError(f"-a {name}= takes a whole number of at least 1, not {value!r}")
    return int(value)


def _flag(name, value):
    if value in (None, "", "0", "false", "no"):
        return False
    if value in ("1", "true", "yes"):
        return True
    raise ValueError(f"-a {name}= takes 1 or 0, not {value!r}")


def _date(name, value):
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"-a {name}= takes a date like 2024-01-31, not {value!r}") from None
