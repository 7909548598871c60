"""WARC files: `archiver export-warc` and `import-warc` as real processes, on an archive crawled
from the demo blog served gzip-compressed; the export checked with warcio's own CLI and read
back; imports of WARCs written by wget and, the way grab-site writes them, by warcio."""

import base64
import gzip
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from http import HTTPStatus
from io import BytesIO

import pytest
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from archiver.demo import BlogHandler, Reply, StaticBlog, serve
from archiver.schedule import ArchiveLock
from tests.helpers import (
    DEMO_BLOG,
    EXAMPLE,
    EXAMPLE_THREAD,
    EXAMPLE_TITLE,
    POSTS,
    POSTS_QUERY,
    ROOT,
    THREAD_QUERY,
    archiver,
    archiver_output,
    crawl,
    rows,
)

FEED = EXAMPLE + "feed/"
# What the archive says of the blog, without row ids and the history of the runs that saw it.
CONTENT = {
    "posts": "SELECT site, url, platform, platform_id, title, author, published_shown, "
             "published_local, published_utc, published_relative_to, categories, tags, "
             "body_html, body_text, comment_count, comment_count_shown, language, source "
             "FROM posts ORDER BY url",
    "comments": "SELECT p.url, c.comment_key, c.platform_id, parent.comment_key, "
                "c.parent_platform_id, c.depth, c.position, c.comment_page, c.page_position, "
                "c.type, c.author, c.author_url, c.permalink, c.published_shown, "
                "c.published_local, c.published_utc, c.published_relative_to, c.body_html, "
                "c.body_text, c.source FROM comments c JOIN posts p ON p.id = c.post_id "
                "LEFT JOIN comments parent ON parent.id = c.parent_id "
                "ORDER BY p.url, c.comment_key",
    "links": "SELECT p.url, c.comment_key, l.position, l.url, l.text, l.domain, l.external "
             "FROM links l JOIN posts p ON p.id = l.post_id "
             "LEFT JOIN comments c ON c.id = l.comment_id "
             "ORDER BY p.url, c.comment_key, l.position",
    "pages": "SELECT url, role, status, fetched_utc, size, sha256, encoding FROM pages "
             "ORDER BY url",
}


class CompressingHandler(BlogHandler):
    """The demo blog as many servers send it: every body gzip-compressed, HTML pages in chunks,
    other answers with the Content-Length of the compressed body."""

    protocol_version = "HTTP/1.1"

    def send(self, reply, with_body):
        body = gzip.compress(reply.body)
        chunked = reply.content_type.startswith("text/html")
        self.send_response(reply.status)
        self.send_header("Content-Type", reply.content_type)
        self.send_header("Content-Encoding", "gzip")
        if chunked:
            self.send_header("Transfer-Encoding", "chunked")
        else:
            self.send_header("Content-Length", str(len(body)))
        if reply.location:
            self.send_header("Location", reply.location)
        self.end_headers()
        if with_body:
            self.wfile.write(b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body) if chunked else body)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """An archive of the whole demo blog, crawled from a server that compresses, and the
    address the blog had."""
    tmp_path = tmp_path_factory.mktemp("crawled")
    db = tmp_path / "archive.db"
    with serve(DEMO_BLOG, handler=CompressingHandler) as url:
        crawl(url, db, tmp_path)
    return db, url


@pytest.fixture(scope="module")
def exported(crawled):
    db, _ = crawled
    output = db.parent / "blog.warc.gz"
    (pages,) = rows(db, "SELECT count(*) FROM pages")[0]
    assert archiver_output("export-warc", "--db", db, output) == \
        f"{pages} responses written to {output}\n"
    return output


def warcio(*args):
    return subprocess.run([sys.executable, "-m", "warcio.cli", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def read_warc(path):
    """Every record: type, URL, WARC-Date, status line, HTTP headers, payload and its digest."""
    with open(path, "rb") as stream:
        return [(record.rec_type, record.rec_headers.get_header("WARC-Target-URI"),
                 record.rec_headers.get_header("WARC-Date"),
                 record.http_headers and record.http_headers.statusline,
                 record.http_headers and record.http_headers.headers,
                 record.content_stream().read(),
                 record.rec_headers.get_header("WARC-Payload-Digest"))
                for record in ArchiveIterator(stream)]


def stored_pages(db):
    """(url, status, fetched_utc, headers, body) of every stored page, in fetch order."""
    return [(url, status, fetched, json.loads(headers), gzip.decompress(body))
            for url, status, fetched, headers, body in rows(
                db, "SELECT url, status, fetched_utc, headers, body FROM pages "
                    "ORDER BY fetched_utc, id")]


def sha1(body):
    return "sha1:" + base64.b32encode(hashlib.sha1(body).digest()).decode()


def test_warcio_check_finds_every_digest_right(crawled, exported):
    (pages,) = rows(crawled[0], "SELECT count(*) FROM pages")[0]
    checked = warcio("check", "-v", exported)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("digest pass") == 1 + pages
    assert "fail" not in checked.stdout


def test_export_holds_every_stored_response_with_its_body(crawled, exported):
    db, _ = crawled
    records = read_warc(exported)
    assert records[0][:2] == ("warcinfo", None)
    assert [(kind, url, date, int(status.split()[0]), body, digest)
            for kind, url, date, status, _, body, digest in records[1:]] == [
        ("response", url, fetched, status, body, sha1(body))
        for url, status, fetched, _, body in stored_pages(db)]
    index = warcio("index", "-f", "warc-type,warc-target-uri,http:status", exported)
    assert index.stdout.splitlines()[1:] == [
        json.dumps({"warc-type": "response", "warc-target-uri": url, "http:status": str(status)})
        for url, status, *_ in stored_pages(db)]


def test_export_headers_describe_the_body_as_stored(crawled, exported):
    """Scrapy undid the gzip coding and the chunks, and dropped their headers; the Content-Length
    it kept is the compressed one, kept aside in the WARC."""
    db, url = crawled
    records = {record[1]: record for record in read_warc(exported)}
    stored = {page[0]: page for page in stored_pages(db)}
    _, _, _, headers, body = stored[url + EXAMPLE]
    assert sorted(headers) == ["Content-Type", "Date", "Server"]
    assert records[url + EXAMPLE][3:6] == ("200 OK", [
        ("Content-Type", "text/html; charset=UTF-8"), ("Date", headers["Date"]),
        ("Server", headers["Server"]), ("Content-Length", str(len(body)))], body)
    _, _, _, headers, body = stored[url + FEED]
    assert headers["Content-Length"] == str(len(gzip.compress(body)))
    assert records[url + FEED][3:6] == ("200 OK", [
        ("X-Archive-Orig-Content-Length", headers["Content-Length"]),
        ("Content-Type", "application/rss+xml; charset=UTF-8"), ("Date", headers["Date"]),
        ("Server", headers["Server"]), ("Content-Length", str(len(body)))], body)
    assert records[url + "sitemap_index.xml"][3] == "404 Not Found"


def test_export_of_another_site_holds_no_response(crawled, tmp_path):
    output = tmp_path / "none.warc.gz"
    assert archiver_output("export-warc", "--db", crawled[0], "--site", "blog.example", output) == \
        f"0 responses written to {output}\n"
    assert [record[0] for record in read_warc(output)] == ["warcinfo"]


def test_an_exported_archive_imports_to_the_same_posts_comments_and_pages(crawled, exported,
                                                                          tmp_path):
    db, url = crawled
    imported = tmp_path / "imported.db"
    (pages,) = rows(db, "SELECT count(*) FROM pages WHERE status BETWEEN 200 AND 299")[0]
    # The export records each page's role: every page is archived as the crawl archived it,
    # the answers that were not 2xx too.
    assert archiver_output("import-warc", "--db", imported, exported) == (
        f"blog.warc.gz: ok: {pages} pages, 7 posts, 58 comments; skipped 0 revisits, 0 "
        "non-2xx responses, 0 other responses; 0 failed to extract\n")
    for table, query in CONTENT.items():
        assert rows(imported, query) == rows(db, query), table
    assert rows(imported, THREAD_QUERY, url + EXAMPLE) == EXAMPLE_THREAD


def test_a_file_that_is_no_warc_stops_the_import_before_it_writes(tmp_path):
    notes = tmp_path / "notes.warc"
    notes.write_text("hello\n")
    done = archiver("import-warc", "--db", tmp_path / "a.db", notes)
    assert (done.returncode, done.stdout, done.stderr) == (
        1, "", f"Error: {notes}: Unknown archive format, first line: ['hello']\n")
    assert rows(tmp_path / "a.db", "SELECT count(*) FROM crawls") == [(0,)]


def test_import_writes_nothing_while_another_run_writes_to_the_archive(exported, tmp_path):
    db = tmp_path / "archive.db"
    with ArchiveLock(db):
        done = archiver("import-warc", "--db", db, exported)
    assert (done.returncode, done.stdout) == (75, "")
    assert done.stderr.startswith(
        f"Error: {db} is being archived by another run (pid {os.getpid()}, ")
    assert not db.exists()


@pytest.mark.skipif(shutil.which("wget") is None,
                    reason="wget is not installed (apt-get install wget): "
                           "a WARC wget writes is not tested")
def test_import_of_a_wget_warc(demo_blog, tmp_path):
    db, url = tmp_path / "archive.db", demo_blog.url
    fetched = subprocess.run(["wget", "--quiet", "--recursive", "--level=inf",
                              "--directory-prefix", str(tmp_path / "mirror"),
                              "--warc-file", str(tmp_path / "blog"), url],
                             capture_output=True, text=True, timeout=120)
    # Some pages answered 404: the snapshot has no images.
    assert fetched.returncode == 8, fetched.stderr
    assert archiver_output("import-warc", "--db", db, tmp_path / "blog.warc.gz") == (
        "blog.warc.gz: ok: 21 pages, 6 posts, 58 comments; skipped 0 revisits, 102 non-2xx "
        "responses, 1 other responses; 0 failed to extract\n")
    assert rows(db, THREAD_QUERY, url + EXAMPLE) == EXAMPLE_THREAD
    # wget reads no sitemap, the one place that names the about page.
    assert rows(db, POSTS_QUERY, url) == [post for post in POSTS if post[0] != "about-this-blog/"]
    # No role recorded: the post pages and the comment feeds are known by what they hold.
    assert rows(db, "SELECT role, count(*) FROM pages GROUP BY role ORDER BY role") == [
        ("comments", 4), ("other", 6), ("post", 10), ("site", 1)]
    assert rows(db, "SELECT site, start_url, arguments, status, pages, posts, comments, posts_new, "
                    "comments_new FROM crawls") == [
        (url[len("http://"):-1], "blog.warc.gz", '{"warc": "blog.warc.gz"}', "ok", 21, 6, 58, 6,
         58)]
    assert rows(db, "SELECT name, timezone FROM sites") == [("Harness Blog", "Europe/London")]


ORIGIN = "https://blog.example/"
EDITED = (b"Thanks Jim, I&#8217;ve read it.", b"Thanks Jim, I&#8217;ve read it twice.")
# Comment 2 of the example thread after its first line, which the edit changes.
COMMENT_2_GOES_ON = ("The point is that the ICP are on the ground and know exactly what they "
                     "are facing. That is more than can be said for some of their critics over "
                     "here.")


def on_the_wire(reply):
    """A response as a server that compresses sends it: gzip, in chunks."""
    body = gzip.compress(reply.body)
    head = [f"HTTP/1.1 {reply.status} {HTTPStatus(reply.status).phrase}",
            f"content-type: {reply.content_type}", "Content-Encoding: gzip",
            "Transfer-Encoding: chunked", "Vary: Accept-Encoding", "Server: nginx"]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + b"%x\r\n%s\r\n0\r\n\r\n" % (len(body), body)


def nginx(reply):
    """The headers of `on_the_wire(reply)` as the archive keeps them with the body decoded."""
    return {"Content-Type": reply.content_type, "Server": "nginx", "Vary": "Accept-Encoding"}


def write_grab_site_warc(path, captures):
    """A WARC as grab-site writes one: WARC/1.0, a request and a response record per fetch, the
    payload as it came over the wire. `captures` are (WARC-Date, path, Reply), or (WARC-Date,
    path, (date, body) of an earlier identical response) for a revisit record."""
    with open(path, "wb") as stream:
        writer = WARCWriter(stream, gzip=True)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "warcio"}))
        for date, target, reply in captures:
            url = ORIGIN.rstrip("/") + target
            if isinstance(reply, tuple):
                earlier, body = reply
                headers = StatusAndHeaders("200 OK", [("Content-Type", "text/xml")],
                                           protocol="HTTP/1.1")
                writer.write_record(writer.create_revisit_record(
                    url, sha1(body), url, earlier, http_headers=headers,
                    warc_headers_dict={"WARC-Date": date}))
                continue
            request = (f"GET {target} HTTP/1.1\r\nHost: blog.example\r\n"
                       "Accept-Encoding: gzip\r\n\r\n").encode()
            response = on_the_wire(reply)
            writer.write_request_response_pair(
                writer.create_warc_record(url, "request", payload=BytesIO(request),
                                          length=len(request)),
                writer.create_warc_record(url, "response", payload=BytesIO(response),
                                          length=len(response),
                                          warc_headers_dict={"WARC-Date": date}))


@pytest.fixture(scope="module")
def grab_site(tmp_path_factory):
    """Two runs a day apart, the second seeing comment 2 edited and the feed unchanged, each
    written to a WARC as grab-site writes them, imported latest first: the archive, what the
    import printed, and the replies captured (index, post, edited post, feed)."""
    tmp_path = tmp_path_factory.mktemp("grab-site")
    blog = StaticBlog(DEMO_BLOG)
    index, post, feed = (blog.respond("/" + path, ORIGIN) for path in ("wp-json/", EXAMPLE, FEED))
    # Times shown without their machine-readable values: only the blog's zone makes them UTC.
    post = Reply(post.status, post.content_type, re.sub(rb' datetime="[^"]*"', b"", post.body))
    assert post.body.count(EDITED[0]) == 1
    edited = Reply(post.status, post.content_type, post.body.replace(*EDITED))
    image = Reply(200, "image/png", b"\x89PNG\r\n\x1a\n")
    gone = blog.respond("/2014/08/12/gone/", ORIGIN)
    write_grab_site_warc(tmp_path / "grab-1.warc.gz", [
        ("2024-03-01T10:00:05Z", "/" + EXAMPLE, post),
        ("2024-03-01T10:00:06Z", "/" + FEED, feed),
        ("2024-03-01T10:00:07Z", "/wp-content/uploads/map.png", image),
        ("2024-03-01T10:00:08Z", "/2014/08/12/gone/", gone),
        ("2024-03-01T10:00:09Z", "/wp-json/", index),
    ])
    write_grab_site_warc(tmp_path / "grab-2.warc.gz", [
        ("2024-03-02T10:00:05Z", "/" + EXAMPLE, edited),
        ("2024-03-02T10:00:06Z", "/" + FEED, ("2024-03-01T10:00:06Z", feed.body)),
    ])
    db = tmp_path / "archive.db"
    printed = archiver_output("import-warc", "--db", db, tmp_path / "grab-2.warc.gz",
                              tmp_path / "grab-1.warc.gz")
    return db, printed, (index, post, edited, feed)


def test_grab_site_warcs_given_latest_first_are_imported_in_capture_order(grab_site):
    db, printed, _ = grab_site
    assert printed == (
        "grab-2.warc.gz: ok: 1 pages, 1 posts, 9 comments; skipped 1 revisits, "
        "0 non-2xx responses, 0 other responses; 0 failed to extract\n"
        "grab-1.warc.gz: ok: 3 pages, 1 posts, 9 comments; skipped 0 revisits, "
        "1 non-2xx responses, 1 other responses; 0 failed to extract\n")
    assert rows(db, "SELECT id, site, start_url, arguments, started_utc, finished_utc, status, "
                    "pages, posts, comments, posts_new, comments_new, comments_changed "
                    "FROM crawls ORDER BY id") == [
        (1, "blog.example", "grab-1.warc.gz", '{"warc": "grab-1.warc.gz"}',
         "2024-03-01T10:00:05Z", "2024-03-01T10:00:09Z", "ok", 3, 1, 9, 1, 9, 0),
        (2, "blog.example", "grab-2.warc.gz", '{"warc": "grab-2.warc.gz"}',
         "2024-03-02T10:00:05Z", "2024-03-02T10:00:05Z", "ok", 1, 1, 9, 0, 0, 1)]


def test_grab_site_imports_keep_each_page_as_last_captured(grab_site):
    db, _, (index, _, edited, feed) = grab_site
    pages = ("SELECT substr(url, 22), role, status, fetched_utc, headers, body FROM pages "
             "ORDER BY id")
    stored = [(url, role, status, fetched, json.loads(headers), gzip.decompress(body))
              for url, role, status, fetched, headers, body in rows(db, pages)]
    assert stored == [
        ("wp-json/", "site", 200, "2024-03-01T10:00:09Z", nginx(index), index.body),
        (EXAMPLE, "post", 200, "2024-03-02T10:00:05Z", nginx(edited), edited.body),
        (FEED, "comments", 200, "2024-03-01T10:00:06Z", nginx(feed), feed.body)]
    # The blog's zone comes from its REST index, read before any page, whenever it was captured.
    assert rows(db, "SELECT site, name, timezone FROM sites") == [
        ("blog.example", "Harness Blog", "Europe/London")]


def test_grab_site_imports_make_the_thread_s_history(grab_site):
    db, _, _ = grab_site
    assert rows(db, "SELECT title, published_local, published_utc, comment_count "
                    "FROM posts") == [(EXAMPLE_TITLE, "2014-08-12", None, 9)]
    assert rows(db, THREAD_QUERY, ORIGIN + EXAMPLE) == EXAMPLE_THREAD
    assert rows(db, "SELECT platform_id, first_seen_utc, first_seen_crawl, last_seen_utc, "
                    "last_seen_crawl, edited_utc FROM comments WHERE platform_id IN ('1', '2') "
                    "ORDER BY platform_id") == [
        ("1", "2024-03-01T10:00:05Z", 1, "2024-03-02T10:00:05Z", 2, None),
        ("2", "2024-03-01T10:00:05Z", 1, "2024-03-02T10:00:05Z", 2, "2024-03-02T10:00:05Z")]
    assert rows(db, "SELECT body_text FROM comments WHERE platform_id = '2'") == [(
        "Thanks Jim, I’ve read it twice.\n" + COMMENT_2_GOES_ON,)]
    assert rows(db, "SELECT c.platform_id, v.version, v.author, v.body_text, v.first_seen_utc, "
                    "v.last_seen_utc, v.replaced_utc, v.replaced_by_crawl FROM comment_versions v "
                    "JOIN comments c ON c.id = v.comment_id") == [
        ("2", 1, "Andrew Coates", "Thanks Jim, I’ve read it.\n" + COMMENT_2_GOES_ON,
         "2024-03-01T10:00:05Z", "2024-03-01T10:00:06Z", "2024-03-02T10:00:05Z", 2)]
