"""robots.txt rules matched as RFC 9309 (2.2.2) asks, by the parser the crawl's settings name."""

import pytest
from scrapy.utils.misc import load_object

from archiver.runner import project_settings

ROBOTS_TXT = b"""User-agent: *
Disallow: /search%3Fq
Disallow: /shop?cart
Disallow: /a%26b
Disallow: /%7Euser/
Disallow: /caf%C3%A9/
Allow: /
Sitemap: https://blog.example/sitemap.xml?a%3Fb
"""


@pytest.fixture(scope="module")
def robots():
    parser = load_object(project_settings()["ROBOTSTXT_PARSER"])
    return parser.from_crawler(None, ROBOTS_TXT)


@pytest.mark.parametrize("path, allowed", [
    # A reserved character's escape stays as it is: "%3F" is no "?", "%26" no "&".
    ("/search?q=1", True),
    ("/search%3Fq=1", False),
    ("/search%3fq=1", False),
    ("/shop?cart=2", False),
    ("/shop%3Fcart=2", True),
    ("/a&b", True),
    ("/a%26b", False),
    # An unreserved character's escape is that character; other octets stay escaped.
    ("/~user/x", False),
    ("/%7Euser/x", False),
    ("/café/", False),
    ("/caf%C3%A9/", False),
    ("/other/", True),
])
def test_percent_escapes_of_reserved_characters_are_kept_as_they_are(robots, path, allowed):
    assert robots.allowed(f"https://blog.example{path}", "thread-archiver") is allowed
