"""Threads saved straight into an archive, as the storage tests and the write tests build
them: the test blog, its example thread, and saves with or without a run's sighting."""

from archiver import storage
from archiver.items import PINGBACK, Comment, Link, Post, Thread

SITE = "blog.example"
POST_URL = "https://blog.example/2014/08/12/post/"


def html_thread():
    post = Post(url=POST_URL, title="A post", author="Andrew Coates", platform_id="1",
                published_shown="August 12, 2014", published_local="2014-08-12T12:44:00+01:00",
                published_utc="2014-08-12T11:44:00Z", categories=["Iraq"], tags=["ISIS"],
                body_html="<p>From <a href=\"https://src.example/x\">here</a>.</p>",
                body_text="From here.",
                links=[Link("https://src.example/x", "here", "src.example", True)])
    comments = [
        Comment(body_html="<p>First</p>", body_text="First", author="Jim", platform_id="11",
                published_shown="August 12, 2014 at 2:15 pm",
                published_local="2014-08-12T14:15:00+01:00", published_utc="2014-08-12T13:15:00Z",
                links=[Link("http://stopwar.org.uk/x", "http://stopwar.org.uk/x",
                            "stopwar.org.uk", True)]),
        Comment(body_html="", body_text="", author="Other blog",
                author_url="https://other.example/p", platform_id="12", type=PINGBACK),
        Comment(body_html="<p>Reply</p>", body_text="Reply", author="Sue", platform_id="13",
                parent_platform_id="11", parent=0, depth=2,
                published_local="2014-08-12T15:00:00+01:00", published_utc="2014-08-12T14:00:00Z"),
    ]
    return Thread(platform="wordpress", post=post, comments=comments, comment_page=1,
                  language="en")


def save(db, *threads):
    """Save each thread in a transaction of its own, as a re-read does: no run saw it."""
    sight(db, None, *threads)


def rows(db, table):
    return [dict(row) for row in db.query(f"SELECT * FROM [{table}] ORDER BY id")]


def crawl(db, number):
    """A crawls row, and the sighting of a run that started at hour `number`."""
    crawl_id = storage.start_crawl(db, SITE, "https://blog.example/", {},
                                   f"2026-01-0{number}T03:00:00Z")
    return storage.Seen(crawl_id, f"2026-01-0{number}T03:00:00Z")


def sight(db, seen, *threads):
    """Save each thread in a transaction of its own, as the pages of the run `seen` are."""
    for thread in threads:
        with storage.transaction(db):
            storage.save_thread(db, SITE, thread, seen)
