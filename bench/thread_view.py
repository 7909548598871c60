"""Time of the thread view of a 2,000-comment thread, over HTTP: the goal is under a second.

    python bench/thread_view.py [--comments 2000] [--runs 10]

Builds an archive in a temporary folder through the storage API, as two runs of a crawl would
leave it: one post whose comments reply to each other up to a dozen deep, each with a linked
source or two, a twentieth of them edited by the second run (so with an earlier text each) and
a hundredth removed by it; and the stored page that showed them. Then starts a real `datasette`
process on it with the project's plugins, templates and static files, and asks for the thread
view: the first answer (a fresh server: templates compiled, caches cold) and the median of
`--runs` more, each a whole response read to its end.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from archiver import storage
from archiver.items import Comment, Link, PageItem, Post, SiteInfo, Thread

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.local_servers import datasette  # noqa: E402

GOAL_S = 1.0
SITE = "bench.example"
BLOG = f"https://{SITE}/"
POST_URL = BLOG + "2024/01/01/a-long-thread/"
RUNS = [storage.Seen(1, "2024-01-01T03:00:00Z"), storage.Seen(2, "2024-02-01T03:00:00Z")]
WORDS = ("the party appeal workers solidarity against sectarian barbarism union branch left "
         "comrades statement read Iraq Kurds secular struggle history pass on why not").split()


def comment_body(rng, number, edit):
    """A comment of a few sentences with a linked source, some quoting another comment."""
    sentences = [" ".join(rng.choices(WORDS, k=rng.randint(8, 20))).capitalize() + "."
                 for _ in range(rng.randint(2, 6))]
    source = f"https://source{number % 50}.example/articles/{number}"
    quote = f"<blockquote><p>{sentences[0]}</p></blockquote>" if number % 7 == 0 else ""
    text = " ".join(sentences[1:])
    edited = " (edited: a correction)" if edit else ""
    html = f'{quote}<p>{text}{edited} See <a href="{source}">this piece</a>.</p>'
    return html, f"{sentences[0] if quote else ''} {text}{edited} See this piece.".strip(), \
        [Link(source, "this piece", f"source{number % 50}.example", True)]


def thread(rng_seed, count, run):
    """The thread as the page showed it on run 0 or run 1 (edited, some comments gone)."""
    rng = random.Random(rng_seed)
    comments, depth = [], []
    for number in range(count):
        # Two in five start a conversation; the others answer one of the last few comments.
        parent = (None if number == 0 or rng.random() < 0.4
                  else rng.randrange(max(0, number - 8), number))
        if parent is not None and depth[parent] >= 12:
            parent = None
        depth.append(1 if parent is None else depth[parent] + 1)
        html, text, links = comment_body(rng, number, edit=run == 1 and number % 20 == 5)
        minute = number * 7
        day, clock = 1 + minute // 1440, f"{minute % 1440 // 60:02d}:{minute % 60:02d}"
        comments.append(Comment(
            body_html=html, body_text=text, author=f"Commenter {rng.randrange(150)}",
            author_url=f"https://commenter{number % 150}.example/" if number % 3 == 0 else None,
            platform_id=str(number + 1), parent=parent,
            parent_platform_id=None if parent is None else str(parent + 1), depth=depth[-1],
            permalink=f"{POST_URL}#comment-{number + 1}",
            published_shown=f"January {day}, 2024 at {clock}",
            published_local=f"2024-01-{day:02d}T{clock}:00+00:00",
            published_utc=f"2024-01-{day:02d}T{clock}:00Z",
            links=links))
    if run == 1:
        # Comments the blog removed since the first run: leaves, so no reply loses its parent.
        answered = {comment.parent for comment in comments}
        gone = {number for number in range(count) if number % 100 == 50 and number not in answered}
        kept = [number for number in range(count) if number not in gone]
        index = {number: position for position, number in enumerate(kept)}
        comments = [comments[number] for number in kept]
        for comment in comments:
            comment.parent = None if comment.parent is None else index[comment.parent]
    body = "".join(f'<p>Paragraph {n}, citing <a href="https://cited{n}.example/">a source</a>.'
                   '</p>' for n in range(20))
    post = Post(url=POST_URL, title="A long thread", author="Blogger", platform_id="1",
                published_shown="January 1, 2024", published_local="2024-01-01T00:00:00+00:00",
                published_utc="2024-01-01T00:00:00Z", body_html=body, body_text="Paragraphs.",
                links=[Link(f"https://cited{n}.example/", "a source", f"cited{n}.example", True)
                       for n in range(20)])
    return Thread(platform="wordpress", post=post, comments=comments, comment_page=1, language="en")


def build_archive(path, count):
    """The archive at `path`; returns (comments, replies, deepest, edited, removed, links)."""
    db = storage.open_archive(path)
    storage.save_site(db, SiteInfo(site=SITE, url=BLOG, name="Bench blog",
                                   timezone="Europe/London"))
    for run, seen in enumerate(RUNS):
        crawl_id = storage.start_crawl(db, SITE, BLOG, {}, seen.utc, mode="full")
        assert crawl_id == seen.crawl_id
        with storage.transaction(db):
            post_id = storage.save_thread(db, SITE, thread(6, count, run), seen)
            page = PageItem(url=POST_URL, status=200,
                            headers={"Content-Type": "text/html; charset=UTF-8"},
                            body=b"<!DOCTYPE html><title>A long thread</title>",
                            fetched_utc=seen.utc, role="post", site=SITE, encoding="utf-8")
            storage.save_page(db, page, crawl_id=crawl_id, post_id=post_id)
        with storage.transaction(db):
            storage.close_thread(db, post_id, seen)
    figures = db.execute(
        "SELECT count(*), count(parent_id), max(depth), "
        "(SELECT count(DISTINCT comment_id) FROM comment_versions), count(removed_utc), "
        "(SELECT count(*) FROM links) FROM comments").fetchone()
    storage.close_archive(db)
    return figures


def timed_get(url):
    """Seconds to fetch `url` to its last byte, and its body."""
    start = time.perf_counter()
    with urllib.request.urlopen(url, timeout=60) as response:
        body = response.read()
    return time.perf_counter() - start, body


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "archive.db"
        started = time.perf_counter()
        comments, replies, deepest, edited, removed, links = build_archive(db, args.comments)
        print(f"archive: {comments:,} comments ({replies:,} replies, up to {deepest} deep, "
              f"{edited} edited, {removed} removed), {links:,} links; "
              f"built in {time.perf_counter() - started:.1f} s")
        with datasette(Path(folder) / "datasette.log", db) as base:
            url = f"{base}/archive/-/thread/1"
            first, body = timed_get(url)
            shown = body.count(b'<li class="comment level-')
            if shown != comments:
                sys.exit(f"the thread view shows {shown} comments, not {comments}")
            times = [timed_get(url)[0] for _ in range(args.runs)]
    median = statistics.median(times)
    print(f"thread view of {comments:,} comments, {len(body) / 1e6:.1f} MB of HTML: "
          f"first {first:.2f} s, median of {args.runs} {median:.2f} s "
          f"(best {min(times):.2f}, worst {max(times):.2f}); goal: under {GOAL_S:.0f} s")
    return 0 if max(first, median) < GOAL_S else 1


if __name__ == "__main__":
    sys.exit(main())
