"""Save a small WordPress site as a static snapshot that archiver.demo can serve.

    python tests/snapshot_site.py http://127.0.0.1:8082 data/demo-blog

Crawls the site breadth first (same host only), from the home page, robots.txt, the REST
index and the sitemaps, and keeps what a blog crawler reads: listing pages, posts and
their comment pages, the site, comment and per-post comment feeds, the REST index, the
sitemaps (and /sitemap.xml, which WordPress redirects) and robots.txt. Each body is saved
byte for byte under OUT_DIR/files/, and OUT_DIR/manifest.json records the origin and, per
path, the status, Content-Type, file and (for redirects) Location. Redirects are not followed
blindly: their target is queued like any other link.
"""

import json
import re
import sys
import urllib.error
import urllib.request
from collections import deque
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit, urlunsplit

SEEDS = ("/", "/robots.txt", "/wp-json/", "/wp-sitemap.xml", "/sitemap.xml")
FOLLOWED_RELS = {"alternate", "next", "canonical"}
SKIPPED_PATH = re.compile(
    r"/(wp-admin|wp-login|wp-includes|wp-content|xmlrpc|author|category|tag|embed|trackback)"
    r"(?:[/.]|$)"
    r"|^/wp-json/.|^/\d{4}/(\d{2}/){0,2}(page/\d+/)?$")
FEED_PATH = re.compile(r"/feed/?$")
KEPT_FEEDS = re.compile(r"^/(comments/)?feed/$|^/\d{4}/\d{2}/\d{2}/[^/]+/feed/$")
KEPT_QUERY = re.compile(r"^cpage=\d+$")
XML_LINK = re.compile(rb"<(?:loc|link)>\s*([^<\s]+)\s*</")
EXTENSIONS = (("html", "html"), ("json", "json"), ("xml", "xml"), ("rss", "xml"),
              ("atom", "xml"), ("text/plain", "txt"))


class LinkParser(HTMLParser):
    """Collects <a href> and <link rel=alternate|next|canonical href> targets."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        rels = set((attrs.get("rel") or "").lower().split())
        if tag == "a" or tag == "link" and rels & FOLLOWED_RELS:
            if attrs.get("href"):
                self.links.append(attrs["href"])


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Hands 3xx responses back as they are, so they are recorded, not followed."""

    def redirect_request(self, *args, **kwargs):
        return None


def wanted(url, host):
    """True for same-host URLs the snapshot keeps (see the module docstring)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != host:
        return False
    if parts.query and not KEPT_QUERY.match(parts.query):
        return False
    path = unquote(parts.path) or "/"
    if SKIPPED_PATH.search(path):
        return False
    return not FEED_PATH.search(path) or bool(KEPT_FEEDS.match(path))


def links_in(body, content_type, base):
    """Absolute URLs a response points to, without fragments."""
    if "html" in content_type:
        parser = LinkParser()
        parser.feed(body.decode("utf-8", "replace"))
        found = parser.links
    elif re.search(r"xml|rss|atom", content_type):
        found = [unescape(match.decode("utf-8", "replace")) for match in XML_LINK.findall(body)]
    else:
        found = []
    return [normalise(urljoin(base, url.strip())) for url in found]


def normalise(url):
    """`url` without its fragment, and with "/" for an empty path (a feed's channel link)."""
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=parts.path or "/", fragment=""))


def fetch(opener, url):
    """(status, headers, body) of a GET, whatever the status."""
    try:
        with opener.open(url, timeout=60) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def extension(content_type):
    return next((ext for marker, ext in EXTENSIONS if marker in content_type), "bin")


def snapshot(base_url, out_dir):
    """Crawl `base_url` into `out_dir`; returns the manifest written there."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base_url))
    host = urlsplit(origin).netloc
    files = Path(out_dir) / "files"
    files.mkdir(parents=True, exist_ok=True)
    opener = urllib.request.build_opener(NoRedirect)
    queue = deque(origin + seed for seed in SEEDS)
    seen = {unquote(url) for url in queue}
    pages = []
    while queue:
        url = queue.popleft()
        status, headers, body = fetch(opener, url)
        content_type = headers.get("Content-Type", "")
        name = f"files/{len(pages) + 1}.{extension(content_type)}"
        (Path(out_dir) / name).write_bytes(body)
        parts = urlsplit(url)
        entry = {"path": parts.path + (f"?{parts.query}" if parts.query else ""),
                 "status": status, "content_type": content_type, "file": name}
        targets = links_in(body, content_type, url)
        if 300 <= status < 400:
            entry["location"] = normalise(urljoin(url, headers.get("Location", "")))
            targets = [entry["location"]]
        pages.append(entry)
        for target in targets:
            if wanted(target, host) and unquote(target) not in seen:
                seen.add(unquote(target))
                queue.append(target)
    manifest = {"origin": origin, "pages": sorted(pages, key=lambda page: page["path"])}
    text = json.dumps(manifest, indent=1, ensure_ascii=False) + "\n"
    (Path(out_dir) / "manifest.json").write_text(text, encoding="utf-8")
    return manifest


def main(argv):
    if len(argv) != 3:
        sys.exit("usage: python tests/snapshot_site.py BASE_URL OUT_DIR")
    snapshot(argv[1], argv[2])


if __name__ == "__main__":
    main(sys.argv)
