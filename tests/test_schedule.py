"""How a run merges what the command line, a blogs file and each blog give: options and
Scrapy settings, each over the one before."""

import pytest

from archiver.runner import Blog
from archiver.schedule import BlogsFile, ConfigError, blogs_from_urls, read_blogs_file

BLOGS = """
db = "data/archive.db"
settings = {DOWNLOAD_DELAY = 2, RETRY_TIMES = 1}

[[blog]]
url = "https://one.example/"
max_posts = 5

[[blog]]
url = "https://two.example/"
since = 2015-01-01
settings = {DOWNLOAD_DELAY = 3, LOG_LEVEL = "DEBUG"}
"""
NOT_GIVEN = {"max_posts": None, "since": None, "full": None, "refresh_days": None}


@pytest.fixture
def blogs_file(tmp_path):
    (tmp_path / "blogs.toml").write_text(BLOGS, encoding="utf-8")
    return read_blogs_file(tmp_path / "blogs.toml")


def test_each_blog_has_the_files_settings_then_its_own_then_the_command_lines(blogs_file):
    assert blogs_file.blogs_to_crawl(NOT_GIVEN, {"RETRY_TIMES": "0"}) == [
        Blog("https://one.example/", max_posts=5,
             settings={"DOWNLOAD_DELAY": 2, "RETRY_TIMES": "0"}),
        Blog("https://two.example/", since="2015-01-01",
             settings={"DOWNLOAD_DELAY": 3, "RETRY_TIMES": "0", "LOG_LEVEL": "DEBUG"})]


def test_options_given_on_the_command_line_are_over_every_blogs_own(blogs_file):
    given = {**NOT_GIVEN, "since": "2020-06-01", "full": True}
    assert [(blog.max_posts, blog.since, blog.full)
            for blog in blogs_file.blogs_to_crawl(given, {})] == [
        (5, "2020-06-01", True), (None, "2020-06-01", True)]


def test_the_process_has_the_files_settings_the_command_lines_the_archive_and_a_log_file(
        blogs_file):
    assert blogs_file.process_settings({"RETRY_TIMES": "0"}, "cron/archive.db") == {
        "DOWNLOAD_DELAY": 2, "RETRY_TIMES": "0", "ARCHIVE_DB": "cron/archive.db"}
    assert blogs_file.process_settings({}, "cron/archive.db", "cron/run.log") == {
        "DOWNLOAD_DELAY": 2, "RETRY_TIMES": 1, "ARCHIVE_DB": "cron/archive.db",
        "LOG_FILE": "cron/run.log"}


def test_urls_on_the_command_line_are_a_blogs_file_of_them_alone_each_once():
    assert blogs_from_urls(["https://two.example/", "https://one.example/",
                            "https://two.example/"]) == BlogsFile(
        db=None, settings={}, blogs=[Blog("https://two.example/"), Blog("https://one.example/")])


def test_a_url_that_is_no_blogs_address_is_refused():
    with pytest.raises(ConfigError, match=r"^url must be a blog's address \(http:// or "
                                          r"https://\), not \"blog\.example\"$"):
        blogs_from_urls(["https://one.example/", "blog.example"])
