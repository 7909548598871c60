"""The REST API's index of every comment (`/wp-json/wp/v2/comments`, newest first): which post
each comment is on, to find the threads that changed (see archiver.freshness). Asked only once
the REST index lists wp/v2: `listings` are its other pages, read when a whole read is due."""

from archiver.extractors import wordpress_rest
from archiver.items import PageLinks, Role

ROLE = Role.INDEX
START = ()
CONDITIONAL = False


def read(page):
    return PageLinks(listings=list(wordpress_rest.index_pages(page)))
