"""Feeds: the blog's posts feed (RSS, Atom, Blogger's JSON) lists its newest posts, with when
each changed and how many comments it has; the site's comments feed names the posts its
newest comments are on. An entry's relative link is read against the feed's own link, the
blog or post it is the feed of: never against the feed's address, which is no post."""

from archiver.extractors import find_links
from archiver.items import Role

ROLE = Role.FEED
START = ("feed/",)
CONDITIONAL = True


def read(page):
    links = find_links(page)
    links.posts = [url for url in links.posts if url != page.url]
    return links
