"""SPIP: articles and their forums, in the generations of the distributed templates.

SPIP 3's `inclure/forum` lists `li.comment-item` with the message in `div.comment-content`
and an ISO-titled `abbr` in `p.comment-meta`; SPIP 1.9 and 2 list `li.forum-fil` with
`div.forum-chapo` ("date, par Name") and `div.forum-texte`. Both nest a message's answers in
a list inside its item; site templates keep these classes or the Crayons plugin's
`forum-texte-ID` / `forum-qui-ID`.
"""

import re

from archiver.extractors.detection import generators, has_markers, head
from archiver.extractors.markup import Platform, PostQueries, Template
from archiver.extractors.selectors import has_class
from archiver.page import Page, per_page

PLATFORM = "spip"

MARKERS = ("spip.php", "spip_logos", "spip_out", "spip_in", "squelettes-dist", "prive/",
           "spip_documents")
ITEM = f"{has_class('comment-item')} or {has_class('forum-fil')}"
TEMPLATES = (
    Template(
        name="spip",
        comments=f"//li[{ITEM}]",
        ids=(".//a[starts-with(@id, 'forum') or starts-with(@id, 'comment')]/@id",
             ".//*[contains(@class, 'forum-texte-')]/@class",
             ".//a[contains(@href, 'id_forum=')]/@href"),
        id_pattern=r"(?:forum|comment|forum-texte-|id_forum=)(\d+)",
        author=(".comment-author .fn", ".comment-author", "[class*='forum-qui-']", ".forum-auteur",
                ".auteur"),
        time=("abbr.dtreviewed", "abbr.published", "abbr.date", ".comment-meta abbr",
              ".forum-chapo abbr", "time", ".comment-date", ".forum-date"),
        byline=(".comment-meta small", ".forum-chapo small", ".comment-meta", ".forum-chapo"),
        body=(".comment-content", ".forum-texte", ".comment-texte"),
        chrome=(".//*[self::script or self::style or self::form or self::noscript"
                " or contains(@class, 'repondre') or contains(@class, 'comment-reply')"
                " or contains(@class, 'forum-chapo') or contains(@class, 'comment-meta')"
                " or contains(@class, 'hyperlien') or contains(@class, 'comment-doc')]"),
    ),
)
POST = PostQueries(
    title=("h1.crayon", "h1.titre", "h1.entry-title", ".cartouche h1", "h1.h1", "article h1", "h1"),
    author=(".cartouche .vcard.author", ".cartouche .auteurs a", ".info-publi .vcard",
            ".vcard.author", ".auteurs a", ".auteurs"),
    time=(".cartouche abbr.published", ".info-publi abbr.published", "abbr.published",
          ".cartouche time", "time[datetime]"),
    body=("div.texte.surlignable", ".crayon.article-texte", ".article-texte", "div.texte",
          ".entry-content", ".texte"),
    exclude=f"ancestor::*[{ITEM} or contains(@class, 'comments') or contains(@class, 'forum')]",
)
LISTING_POSTS = (".liste-articles .entry-title a", ".liste-items .h3 a", ".menu_articles a",
                 ".liste-articles h3 a", ".articles h3 a")
NEXT_PAGES = ("link[rel=next]", ".pagination a.lien_pagination[rel=next]", ".pagination .next a")


def detect(page: Page) -> bool:
    return (any(name.startswith("spip") for name in generators(page))
            or has_markers(head(page), MARKERS, 3))


@per_page
def _is_single(page):
    """An article's page: SPIP names its object in the URL or the body class, and shows its
    forum."""
    classes = page.xpath("//body/@class").get("")
    if re.search(r"\bpage_article\b|\barticle\b", classes):
        return True
    return bool(page.xpath(f"//*[@id='forum' or @id='comments'] | //li[{ITEM}]")) or re.search(
        r"[?&]page=article|/article\d|[?&]id_article=|/article/", page.url) is not None


SPIP = Platform(name=PLATFORM, is_single=_is_single, post=POST, templates=TEMPLATES,
                listing_posts=LISTING_POSTS, next_pages=NEXT_PAGES)
read_thread = SPIP.read_thread
find_links = SPIP.find_links
