"""The crawl benchmark's generated blog is one the archiver reads whole: every generated post
found and every comment of its pages archived, once."""

import re
import shutil

import pytest

from bench.blog_generator import generate
from tests.helpers import crawl, rows
from tests.local_servers import free_port, nginx

# Eight posts: one whole group of the six templates and part of a second.
POSTS = 8
COMMENT = re.compile(r'<li id="comment-([0-9]+)"')


@pytest.fixture(scope="module")
def generated_blog(tmp_path_factory):
    if not shutil.which("nginx"):
        pytest.skip("nginx is needed: apt-get install nginx")
    folder = tmp_path_factory.mktemp("generated-blog")
    port = free_port()
    blog = generate(folder / "blog", f"http://127.0.0.1:{port}", POSTS)
    with nginx(folder / "blog", folder / "nginx", port=port) as base:
        crawl(f"{base}/", folder / "archive.db", folder)
    return blog, folder


def shown_comments(blog, folder):
    """(post URL, comment id) for every comment the generated pages of each post show."""
    shown = set()
    for url in blog.post_urls:
        post_folder = folder / "blog" / url[len(blog.base) + 1:]
        for page in post_folder.rglob("index.html"):
            if page.parent.name != "feed":
                shown |= {(url, number) for number in COMMENT.findall(page.read_text())}
    return shown


def test_every_generated_post_is_archived(generated_blog):
    blog, folder = generated_blog
    archived = {url for (url,) in rows(folder / "archive.db", "SELECT url FROM posts")}
    assert archived - {f"{blog.base}/about-this-blog/"} == set(blog.post_urls)


def test_every_comment_of_the_generated_pages_is_archived_once(generated_blog):
    blog, folder = generated_blog
    archived = rows(folder / "archive.db",
                    "SELECT posts.url, comments.platform_id FROM comments "
                    "JOIN posts ON posts.id = comments.post_id")
    expected = shown_comments(blog, folder)
    assert len(expected) > 100
    assert sorted(archived) == sorted(expected)
