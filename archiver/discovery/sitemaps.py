"""Sitemaps: the addresses of every post, with when each last changed (`lastmod`), and the
sitemaps a sitemap index lists (not those of terms and authors, which list no posts)."""

from archiver.extractors import feeds
from archiver.items import Role

ROLE = Role.SITEMAP
START = ("wp-sitemap.xml", "sitemap.xml", "sitemap_index.xml")
CONDITIONAL = True


def read(page):
    return feeds.find_links(page)
