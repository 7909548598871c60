"""Archives: the blog's month, year and category pages, which list its posts by period or
subject, read as listings when the other listings and feeds end before the blog does.

A page names its archives in a widget (WordPress's and Blogger's archive lists) or in links
of their shapes: WordPress's `/2014/08/`, `/date/2014/08/` and `?m=201408`, Blogger's
`/2014/08/` and `/2014/`, Movable Type's `/archives/2008_07.html` and `/2008/07/index.html`;
category pages by `rel="category"` or their paths. Whether they are needed is told by the
periods: a month or year archive that no post found so far falls in shows the listings ended
early.
"""

import re
from urllib.parse import parse_qsl, urlsplit

from archiver.extractors.selectors import has_class
from archiver.items import PageLinks, Role
from archiver.urls import absolute, is_trap, unique

ROLE = Role.LISTING
START = ()
CONDITIONAL = False

PERIOD_PATHS = (
    re.compile(r"/(?:date/|archives/)?(?P<year>(?:19|20)\d\d)/(?:(?P<month>0[1-9]|1[0-2])/)?"
               r"(?:index\.html?)?$"),
    re.compile(r"/(?P<year>(?:19|20)\d\d)_(?P<month>0[1-9]|1[0-2])\.html?$"),
)
PERIOD_QUERY = re.compile(r"^(?P<year>(?:19|20)\d\d)(?P<month>0[1-9]|1[0-2])?$")
CATEGORY_PATHS = re.compile(r"/(?:category|categories|categorie|categoria|kategorie|rubrique|"
                            r"search/label)/[^/]+/?$", re.I)
POST_PERIOD = re.compile(r"/((?:19|20)\d\d)/(0[1-9]|1[0-2])/")
LINKS = "//a/@href"
CATEGORY_LINKS = f"//a[{has_class('category', '@rel')}]/@href"


def read(page):
    """The archive pages `page` links to, on the blog's host: `listings` holds its period
    archives, in the page's order, then its category archives."""
    if page.is_json or page.is_xml:
        return PageLinks()
    host = urlsplit(page.url).netloc
    tagged = {absolute(page.url, href) for href in page.xpath(CATEGORY_LINKS).getall()}
    found = [url for url in unique(absolute(page.url, href) for href in page.xpath(LINKS).getall())
             if urlsplit(url).netloc == host and not is_trap(url)]
    periods = [url for url in found if period(url)]
    categories = [url for url in found if url not in periods
                  and (url in tagged or CATEGORY_PATHS.search(urlsplit(url).path))]
    return PageLinks(listings=periods + categories)


def period(url):
    """(year, month or None) of a month or year archive's address, else None."""
    parts = urlsplit(url)
    for pattern in PERIOD_PATHS:
        match = pattern.search(parts.path)
        if match:
            return int(match["year"]), int(match["month"]) if match["month"] else None
    if parts.path in ("", "/"):
        asked = dict(parse_qsl(parts.query))
        match = PERIOD_QUERY.match(asked.get("m", ""))
        if match and len(asked) == 1:
            return int(match["year"]), int(match["month"]) if match["month"] else None
    return None


def post_period(url):
    """(year, month) a post's address names (/2014/08/…), or None."""
    match = POST_PERIOD.search(urlsplit(url).path)
    return (int(match[1]), int(match[2])) if match else None


def due(archives, posts):
    """Which of `archives` to read, given the addresses of the posts found so far: the period
    archives when one of them holds none of those posts (by the year and month their addresses
    name), which shows the listings ended early, or when the posts' addresses name no dates to
    tell by; the category archives when the blog shows no period archives."""
    periods = [url for url in archives if period(url)]
    if not periods:
        return list(archives)
    dated = set(map(post_period, posts)) - {None}
    years = {year for year, _ in dated}
    uncovered = (not dated or any((year, month) not in dated if month else year not in years
                                  for year, month in map(period, periods)))
    return periods if uncovered else []
