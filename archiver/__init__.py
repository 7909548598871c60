"""thread-archiver: crawl blogs into a SQLite archive of posts and comment threads."""

__version__ = "0.1.0"
