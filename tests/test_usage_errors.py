"""Bad command lines and blogs files: each is a usage error, told in one line (after click's
usage lines, where click prints them), with status 2 and no traceback, before anything is
crawled or written."""

import subprocess
import sys

import pytest

from tests.helpers import DEMO_BLOG, ROOT, archiver

SAVED_PAGE = DEMO_BLOG / "files" / "32.html"


@pytest.mark.parametrize("args, error", [
    (["crawl", "-s", "DOWNLOAD_DELAY=abc", "http://127.0.0.1:9/"],
     'Invalid value for -s: DOWNLOAD_DELAY must be a number, not "abc"'),
    (["crawl", "-s", "AUTOTHROTTLE_ENABLED=maybe", "http://127.0.0.1:9/"],
     'Invalid value for -s: AUTOTHROTTLE_ENABLED must be true or false, not "maybe"'),
    (["crawl", "http://[::1/"],
     'Invalid value for URLS: url must be a blog\'s address, not "http://[::1/": '
     "Invalid IPv6 URL"),
    (["crawl", "http://127.0.0.1:99999/"],
     'Invalid value for URLS: url must be a blog\'s address, not "http://127.0.0.1:99999/": '
     "Port out of range 0-65535"),
    (["extract", SAVED_PAGE, "--timezone", "Mars/Olympus"],
     "Invalid value for '--timezone': 'Mars/Olympus' is no time zone (an IANA name, such as "
     "Europe/London, or an offset, such as +01:00)"),
], ids=["setting-value", "setting-flag", "ipv6-host-open", "port-out-of-range", "timezone"])
def test_a_bad_command_line_is_a_usage_error_in_one_line(tmp_path, args, error):
    done = archiver(*args, cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr.splitlines()[-1]) == (
        2, "", f"Error: {error}")
    assert "Traceback" not in done.stderr
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("settings, where", [
    ("settings = {DOWNLOAD_DELAY = 'abc'}\n[[blog]]\nurl = \"http://127.0.0.1:9/\"\n",
     "blogs.toml: settings"),
    ("[[blog]]\nurl = \"http://127.0.0.1:9/\"\nsettings = {DOWNLOAD_DELAY = 'abc'}\n",
     "blogs.toml: blog 1 (http://127.0.0.1:9/): settings"),
], ids=["top-level", "per-blog"])
def test_a_setting_scrapy_cannot_read_in_a_blogs_file_is_caught_before_crawling(
        tmp_path, settings, where):
    (tmp_path / "blogs.toml").write_text(settings, encoding="utf-8")
    done = archiver("crawl", "--config", "blogs.toml", cwd=tmp_path)
    assert (done.returncode, done.stdout, done.stderr.splitlines()[-1]) == (
        2, "", f"Error: Invalid value for '--config': {where}: DOWNLOAD_DELAY must be a number, "
               'not "abc"')
    assert list(tmp_path.iterdir()) == [tmp_path / "blogs.toml"]


@pytest.mark.parametrize("args, error", [
    (["-a", "url=file:///etc/passwd"], "-a url= takes a blog's address, not "
                                       "'file:///etc/passwd': not an http:// or https:// address"),
    (["-a", "url=http://[::1/"],
     "-a url= takes a blog's address, not 'http://[::1/': Invalid IPv6 URL"),
    (["-a", "url=http://127.0.0.1:9/", "-a", "max_post=3"],
     "the blog spider takes no argument max_post: it takes -a url=, -a max_posts=, -a since=, "
     "-a full=, -a refresh_days="),
    (["-a", "url=http://127.0.0.1:9/", "-s", "DOWNLOAD_DELAYY=0"],
     "-s: DOWNLOAD_DELAYY is not a Scrapy or archiver setting"),
    (["-a", "url=http://127.0.0.1:9/", "-s", "DOWNLOAD_DELAY=abc"],
     '-s: DOWNLOAD_DELAY must be a number, not "abc"'),
], ids=["file-url", "ipv6-host-open", "argument-misspelt", "setting-misspelt", "setting-value"])
def test_scrapy_crawl_refuses_bad_arguments_in_one_line(tmp_path, args, error):
    done = subprocess.run([sys.executable, "-m", "scrapy", "crawl", "blog", *args,
                           "-s", f"ARCHIVE_DB={tmp_path / 'archive.db'}",
                           "-s", f"LOG_FILE={tmp_path / 'crawl.log'}"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert (done.returncode, done.stdout, done.stderr) == (2, "", f"Error: {error}\n")
    assert not (tmp_path / "archive.db").exists()
