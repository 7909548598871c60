"""Threads for analysis: `archiver export` of the demo blog's archive as CSV, JSON Lines and
Parquet, read back with the csv module, json and pyarrow; and a crawl's feed exports, which hold
the same rows as items."""

import csv
import io
import json
import shutil
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from archiver.items import CommentItem
from archiver.progress import Progress
from tests.helpers import (
    EXAMPLE,
    EXAMPLE_THREAD,
    EXAMPLE_TITLE,
    POSTS,
    ROOT,
    archiver,
    archiver_output,
    crawl,
    rows,
)

# What EXAMPLE_THREAD leaves out of the example thread's rows, by position: the author's URL,
# the permalink after the post's URL, and the time as the blog's zone (London, in summer) has it.
EXAMPLE_DETAILS = {
    1: (None, "#comment-1", "2014-08-12T14:15:00+01:00"),
    2: ("https://tendance.example.org/", "#comment-2", "2014-08-12T15:55:00+01:00"),
    3: ("http://anotherleftblog.wordpress.com/2014/08/12/iraq-the-left-and-the-islamic-state/",
        "comment-page-1/#comment-3", "2014-08-12T15:59:00+01:00"),
    4: (None, "#comment-4", "2014-08-12T23:22:00+01:00"),
    5: ("https://workerssolidaritynotes.example.net/2014/08/13/iraqi-communist-party-appeal/",
        "comment-page-1/#comment-5", "2014-08-13T08:31:00+01:00"),
    6: ("https://shiraz.example.net/", "#comment-6", "2014-08-13T13:47:00+01:00"),
    7: ("https://tendance.example.org/", "#comment-8", "2014-08-13T17:02:00+01:00"),
    8: ("https://shiraz.example.net/", "#comment-9", "2014-08-13T18:30:00+01:00"),
    9: (None, "#comment-7", "2014-08-13T15:23:00+01:00"),
}
BODIES = ("SELECT c.body_text, c.body_html FROM comments c JOIN posts p ON p.id = c.post_id "
          "WHERE p.url = ? ORDER BY c.position")


def example_comments(blog, db):
    """The example thread's rows as `archiver export` gives them, from the archive at `db` of
    the blog at `blog`; the bodies are the archive's."""
    post, site = blog + EXAMPLE, urlsplit(blog).netloc
    thread_view = f"/archive/-/thread/{site}/{EXAMPLE}"
    found = []
    for (position, key, parent, depth, kind, author, shown, utc), (text, html) in zip(
            EXAMPLE_THREAD, rows(db, BODIES, post), strict=True):
        author_url, permalink, local = EXAMPLE_DETAILS[position]
        found.append({
            "site": site, "post_url": post, "post_title": EXAMPLE_TITLE,
            "post_author": "Andrew Coates", "post_published_utc": "2014-08-12T11:44:00Z",
            "comment_key": key, "parent_key": parent, "platform_id": key,
            "parent_platform_id": parent, "position": position, "depth": depth, "type": kind,
            "author": author, "author_url": author_url, "permalink": post + permalink,
            "published_utc": utc, "published_shown": shown, "published_local": local,
            "body_text": text, "body_html": html, "removed_utc": None,
            "thread_view": f"{thread_view}#comment-{key}"})
    return found


def example_post(blog, db):
    """The example post's row as `archiver export --per post` gives it."""
    post = blog + EXAMPLE
    ((text, html),) = rows(db, "SELECT body_text, body_html FROM posts WHERE url = ?", post)
    return {
        "site": urlsplit(blog).netloc, "url": post, "title": EXAMPLE_TITLE,
        "author": "Andrew Coates", "platform_id": "1", "published_utc": "2014-08-12T11:44:00Z",
        "published_shown": "August 12, 2014", "published_local": "2014-08-12T12:44:00+01:00",
        "categories": '["Iraq", "Left"]',
        "tags": '["Communism", "Iraq", "ISIS", "Islamism", "Solidarity"]', "language": "en",
        "comment_count": 9, "comment_count_shown": 9, "pingback_count": 2,
        "removed_comment_count": 0, "body_text": text, "body_html": html, "removed_utc": None,
        "thread_view": f"/archive/-/thread/{urlsplit(blog).netloc}/{EXAMPLE}"}


def as_csv(row):
    """A row as the csv module reads it back: every value text, none empty."""
    return {name: "" if value is None else str(value) for name, value in row.items()}


def of_example(found, column="post_url"):
    return [row for row in found if row[column].endswith(EXAMPLE)]


def test_comments_as_csv_are_one_row_a_comment_with_its_post(demo_blog, demo_archive, tmp_path):
    output = tmp_path / "comments.csv"
    assert archiver_output("export", "--db", demo_archive, output) == (
        f"58 comments written to {output}\n")
    with output.open(encoding="utf-8", newline="") as file:
        found = list(csv.DictReader(file))
    assert of_example(found) == [as_csv(row)
                                 for row in example_comments(demo_blog.url, demo_archive)]
    assert len(found) == sum(count for _, count in POSTS)


def test_comments_as_json_lines_keep_numbers_and_nulls(demo_blog, demo_archive, tmp_path):
    output = tmp_path / "comments.jsonl"
    archiver_output("export", "--db", demo_archive, output)
    found = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert of_example(found) == example_comments(demo_blog.url, demo_archive)


def test_posts_are_one_row_each_with_their_comment_counts(demo_blog, demo_archive):
    done = archiver("export", "--db", demo_archive, "--per", "post", "--format", "jsonl", "-")
    assert (done.returncode, done.stderr) == (0, "7 posts written to -\n")
    found = [json.loads(line) for line in done.stdout.splitlines()]
    assert [(row["url"][len(demo_blog.url):], row["comment_count"]) for row in found] == POSTS
    assert of_example(found, "url") == [example_post(demo_blog.url, demo_archive)]


def test_stdout_is_csv_and_a_site_chooses_the_blog(demo_blog, demo_archive):
    done = archiver("export", "--db", demo_archive, "--site", urlsplit(demo_blog.url).netloc,
                    "-")
    assert (done.returncode, done.stderr) == (0, "58 comments written to -\n")
    assert len(list(csv.DictReader(io.StringIO(done.stdout, newline="")))) == 58
    other = archiver("export", "--db", demo_archive, "--site", "elsewhere.example", "-")
    assert (other.returncode, other.stdout.splitlines()[1:]) == (0, [])


def test_parquet_holds_the_same_rows(demo_blog, demo_archive, tmp_path):
    parquet = pytest.importorskip("pyarrow.parquet")
    comments, posts = tmp_path / "comments.parquet", tmp_path / "posts.parquet"
    archiver_output("export", "--db", demo_archive, comments)
    archiver_output("export", "--db", demo_archive, "--per", "post", posts)
    assert of_example(parquet.read_table(comments).to_pylist()) == example_comments(
        demo_blog.url, demo_archive)
    assert of_example(parquet.read_table(posts).to_pylist(), "url") == [
        example_post(demo_blog.url, demo_archive)]


def test_parquet_without_pyarrow_says_how_to_install_it(demo_archive, tmp_path):
    # pyarrow made unimportable, as where the extra is not installed.
    hidden = ("import sys; sys.modules['pyarrow'] = None; from archiver.cli import cli; "
              "cli(prog_name='archiver')")
    done = subprocess.run([sys.executable, "-c", hidden, "export", "--db", demo_archive,
                           tmp_path / "comments.parquet"], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", "Error: Parquet needs pyarrow, which is not installed: "
               "pip install 'thread-archiver[parquet]'\n")
    assert list(tmp_path.iterdir()) == []


def test_an_archive_of_an_earlier_version_is_refused_with_the_way_to_upgrade_it(tmp_path):
    db = tmp_path / "v1.db"
    shutil.copy(ROOT / "tests" / "archives" / "v1.db", db)
    done = archiver("export", "--db", db, tmp_path / "comments.csv")
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", f"Error: {db} is an archive of an earlier version: bring it up to date first, "
               f"as any run that writes to it does (archiver reparse --db {db})\n")
    assert not (tmp_path / "comments.csv").exists()


def test_an_output_of_no_known_format_is_a_usage_error(demo_archive, tmp_path):
    done = archiver("export", "--db", demo_archive, tmp_path / "comments.xlsx")
    assert (done.returncode, done.stdout, done.stderr.splitlines()[-1]) == (
        2, "", f"Error: no format for {tmp_path / 'comments.xlsx'}: name it .csv, .jsonl or "
               ".parquet, or pass --format")


def test_a_crawl_s_feeds_hold_its_posts_and_comments_as_the_export_does(demo_blog, tmp_path):
    blog, db = demo_blog.url, tmp_path / "archive.db"
    items, comments, pages = (tmp_path / name
                              for name in ("items.jsonl", "comments.csv", "pages.jsonl"))
    feeds = {str(comments): {"format": "csv", "item_classes": ["archiver.items.CommentItem"]},
             str(pages): {"format": "jsonl", "item_classes": ["archiver.items.PageItem"],
                          "fields": ["url", "role", "status"]}}
    crawl(blog + EXAMPLE, db, tmp_path, "-O", str(items), "-s", f"FEEDS={json.dumps(feeds)}")
    assert [json.loads(line) for line in items.read_text(encoding="utf-8").splitlines()] == [
        example_post(blog, db), *example_comments(blog, db)]
    with comments.open(encoding="utf-8", newline="") as file:
        assert list(csv.DictReader(file)) == [as_csv(row) for row in example_comments(blog, db)]
    # Byte for byte what `archiver export` writes of the archive the crawl made.
    assert archiver_output("export", "--db", db, tmp_path / "export.csv") == (
        f"9 comments written to {tmp_path / 'export.csv'}\n")
    assert (tmp_path / "export.csv").read_bytes() == comments.read_bytes()
    assert sorted((page["role"], page["url"][len(blog):], page["status"]) for page in (
        json.loads(line) for line in pages.read_text(encoding="utf-8").splitlines())) == [
        ("comments", EXAMPLE + "feed/", 200),
        ("comments", "wp-json/wp/v2/comments?post=1&per_page=100&orderby=id&order=asc"
                     "&_fields=id,post,parent,author_name,author_url,date,date_gmt,link,content",
         404),
        ("post", EXAMPLE, 200), ("site", "wp-json/", 200)]


def test_a_crawl_s_progress_ignores_the_post_and_comment_items_of_its_feeds(demo_blog,
                                                                             demo_archive):
    shown = io.StringIO()
    progress = Progress(shown)
    comment = CommentItem(**example_comments(demo_blog.url, demo_archive)[0])
    progress.page_archived(item=comment, response=None, spider=None)
    assert (shown.getvalue(), progress.comments, progress.posts) == ("", 0, set())
