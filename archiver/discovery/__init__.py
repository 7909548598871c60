"""Discovery: where a blog shows its posts, one module per kind of source, behind one small
interface. Sources only read pages; the spider decides what to fetch.

Every source module exposes:

    ROLE          the role its pages are fetched and archived as
    START         addresses, relative to the blog's home, to ask on every blog (may be none:
                  the REST API is asked once its index lists it, archives once a page names them)
    CONDITIONAL   whether a later run asks them with the validators the archived copy had
    read(page)    PageLinks: the posts the page lists, what it says of each, and its next pages
                  (or, for archives, the archive pages it names)

`SOURCES` lists them; `read(page, role)` reads a page with the source of its role.
"""

from archiver.discovery import archives, comment_index, feeds, listings, rest, sitemaps

SOURCES = (listings, archives, sitemaps, feeds, rest, comment_index)


def start_requests(base):
    """(address, source) of every address a crawl of the blog at `base` starts from."""
    return [(base + path, source) for source in SOURCES for path in source.START]


def read(page, role):
    """What the source whose pages are fetched as `role` reads from `page`. Archive pages are
    fetched as listings, and read as listings."""
    return next(source for source in SOURCES if source.ROLE == role).read(page)
