"""A static copy of a real WordPress, crawled whole: `wget --mirror` of the harness's site under
each of its three themes, with no REST API and no sitemaps in the copy, served by nginx on
127.0.0.1 from another origin. `archiver crawl` must find every post and archive every comment
WordPress's truth lists, from the pages and feeds alone. Run with `pytest -m wordpress`."""

import json
import shutil
import subprocess
import sys
from collections import Counter

import pytest

from tests.local_servers import ROOT, nginx
from tests.wordpress_truth import CRAWL_TIMEOUT, differences, load_rows, tail

pytestmark = pytest.mark.wordpress

THEMES = ("twentytwentyone", "twentytwentytwo", "twentytwentythree")
# What the copy leaves out: the REST API and sitemaps (the point of the test), and what no
# reader's copy keeps: logins, reply links, embeds, shortlinks, scripts and styles.
NOT_COPIED = (r"/wp-json|sitemap|/xmlrpc\.php|/wp-login\.php|/wp-admin/|replytocom=|/embed/"
              r"|/wp-includes/|/wp-content/|[?&]s=|/trackback/|[?&]p=[0-9]|oembed")
FAST = ["-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=False",
        "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=8"]


def mirror(origin, folder):
    """`wget --mirror` of the site at `origin` into `folder`, less NOT_COPIED."""
    done = subprocess.run(["wget", "--mirror", "--quiet", "-e", "robots=off",
                           "--no-host-directories", f"--directory-prefix={folder}",
                           f"--reject-regex={NOT_COPIED}", f"{origin}/"],
                          stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=600)
    # 8: some address answered an error (a link to a page WordPress does not serve to visitors).
    assert done.returncode in (0, 8), done.stderr[-2000:]


def archiver_crawl(base, db, log):
    """`archiver crawl` of the whole blog at `base` into `db`, as from cron."""
    done = subprocess.run([sys.executable, "-m", "archiver.cli", "crawl", f"{base}/",
                           "--db", str(db),
                           "--log-file", str(log), *FAST], cwd=ROOT, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=CRAWL_TIMEOUT)
    assert done.returncode == 0, f"{done.stdout}{done.stderr[-2000:]}\n{tail(log)}"


@pytest.fixture(scope="module", params=THEMES)
def crawled_copy(request, wordpress, tmp_path_factory):
    """(truth, archive, origin of the copy): the site under one theme, copied, served and
    crawled."""
    if not (shutil.which("wget") and shutil.which("nginx")):
        pytest.skip("wget and nginx are needed: apt-get install wget nginx")
    folder = tmp_path_factory.mktemp(f"copy-{request.param}")
    wordpress.run("theme", request.param)
    truth = json.loads(wordpress.run("truth"))
    mirror(wordpress.base, folder / "copy")
    with nginx(folder / "copy", folder / "nginx", origin=wordpress.base) as base:
        archiver_crawl(base, folder / "archive.db", folder / "crawl.log")
    return truth, folder / "archive.db", base


def in_copy(url, origin, base):
    return base + url[len(origin):] if url.startswith(origin) else url


def test_every_post_of_the_copy_is_found(crawled_copy, wordpress):
    truth, db, base = crawled_copy
    expected = {in_copy(post["url"], wordpress.base, base) for post in truth["posts"]}
    found = {row["url"] for row in load_rows(db, "SELECT url FROM posts")}
    assert (sorted(expected - found),
            sorted(found - expected - {f"{base}/about-this-blog/"})) == ([], [])


def test_every_comment_of_the_copy_is_archived_once(crawled_copy, wordpress):
    truth, db, base = crawled_copy
    posts = {post["id"]: in_copy(post["url"], wordpress.base, base) for post in truth["posts"]}
    expected = Counter((posts[comment["post_id"]], str(comment["id"]))
                       for comment in truth["comments"])
    got = Counter((row["url"], row["platform_id"]) for row in load_rows(
        db, "SELECT posts.url, comments.platform_id FROM comments "
            "JOIN posts ON posts.id = comments.post_id"))
    assert differences(got, expected) == {}
