"""thread-archiver: crawl blogs into a SQLite archive of posts and comment threads."""

__version__ = "0.1.0"
# Where a site owner who sees the crawler in their logs can learn what it is; pyproject.toml's
# [project.urls] Homepage says the same (a test holds them to it).
HOMEPAGE = "https://thread-archiver.example/"
