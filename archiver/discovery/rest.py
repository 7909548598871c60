"""The WordPress REST API's posts (`/wp-json/wp/v2/posts`): every post's address, through the
next pages the API names. Asked only once the REST index lists wp/v2, so no address to start."""

from archiver.extractors import wordpress_rest
from archiver.items import Role

ROLE = Role.REST_POSTS
START = ()
CONDITIONAL = False


def read(page):
    return wordpress_rest.find_links(page)
