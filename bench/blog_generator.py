"""A static WordPress-shaped blog of N posts, written as files for nginx, from the real markup
of the demo blog (data/demo-blog): its six posts, their comment pages and comment feeds are the
templates, copied over and over.

Post i is a copy of template post i % 6, in group i // 6: every page of group g has the six
template posts' addresses turned into those of group g's copies (slug + "-g"), their titles
marked " #g", and post and comment ids moved up by 100 * g, so that links between posts,
threads and replies hold within each copy. Listing pages show 10 posts each with a link to the
next; the sitemap, the posts feed and the listings name every post.
"""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

DEMO_BLOG = Path(__file__).resolve().parent.parent / "data" / "demo-blog"
TEMPLATE_POSTS_SITEMAP = "/wp-sitemap-posts-post-1.xml"
# Ids above the template's highest (71) so that groups never share one.
ID_STEP = 100
POSTS_PER_LISTING = 10
# WordPress's own limit of addresses per sitemap page.
POSTS_PER_SITEMAP = 2000
COMMENT_ID = re.compile(rb"(comment-|replytocom=|data-commentid=\")([0-9]+)")
POST_ID = re.compile(rb"(postid-|post-|\?p=|comment_post_ID' value='|data-postid=\")([0-9]+)")
ARTICLE = re.compile(rb"<article id=\"post-([0-9]+)\".*?</article><!-- #post-\$\{ID\} -->\n",
                     re.S)
ITEM = re.compile(rb"\t*<item>.*?</item>\n", re.S)
NAV_LINKS = re.compile(rb"<div class=\"nav-links\">.*?</div>", re.S)


@dataclasses.dataclass(frozen=True)
class GeneratedBlog:
    """What was written: the base URL it links to, and every post's and file's count."""

    base: str
    post_urls: list[str]
    files: int


class Templates:
    """The demo blog's recorded bodies by path, and its six posts in sitemap order."""

    def __init__(self, root: Path = DEMO_BLOG) -> None:
        manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
        self.origin = manifest["origin"].rstrip("/")
        self.bodies = {page["path"]: (root / page["file"]).read_bytes()
                       for page in manifest["pages"] if page["status"] == 200}
        sitemap = self.bodies[TEMPLATE_POSTS_SITEMAP].decode()
        self.posts = [urlsplit(url).path for url in re.findall(r"<loc>(.*?)</loc>", sitemap)]
        self.titles = [re.search(rb"<h1 class=\"entry-title\">(.*?)</h1>", self.bodies[path])[1]
                       for path in self.posts]
        self.ids = [int(re.search(rb"postid-([0-9]+)", self.bodies[path])[1])
                    for path in self.posts]

    def post_files(self, template: int) -> dict[str, bytes]:
        """The template post's pages and feed, by path: its page, comment pages and feed."""
        path = self.posts[template]
        return {key: body for key, body in self.bodies.items() if key.startswith(path)}


class GroupRewriter:
    """Rewrites a template body for group `group` of a blog of `posts` posts at `base`."""

    def __init__(self, templates: Templates, group: int, posts: int, base: str) -> None:
        count = len(templates.posts)
        self.offset = ID_STEP * group
        replacements: dict[bytes, bytes] = {}
        for index, path in enumerate(templates.posts):
            # A template post the last group has no copy of links to group 0's copy.
            target = group if group * count + index < posts else 0
            new = copy_path(path, target)
            for old_form, new_form in ((path, new), (unquote(path), unquote(new))):
                replacements[old_form.encode()] = new_form.encode()
            title = templates.titles[index]
            replacements[b">" + title + b"<"] = b">" + title + f" #{target}<".encode()
        netloc = urlsplit(templates.origin).netloc.encode()
        replacements[netloc] = urlsplit(base).netloc.encode()
        self.forms = replacements
        self.pattern = re.compile(b"|".join(re.escape(key) for key in
                                            sorted(replacements, key=len, reverse=True)))

    def __call__(self, body: bytes) -> bytes:
        body = COMMENT_ID.sub(self._move_id, body)
        body = POST_ID.sub(self._move_id, body)
        return self.pattern.sub(lambda match: self.forms[match[0]], body)

    def _move_id(self, match: re.Match[bytes]) -> bytes:
        return match[1] + str(int(match[2]) + self.offset).encode()


def copy_path(path: str, group: int) -> str:
    """The address of group `group`'s copy of the template post at `path`."""
    return f"{path.rstrip('/')}-{group}/"


def generate(folder: Path, base: str, posts: int, templates: Templates | None = None
             ) -> GeneratedBlog:
    """Write a blog of `posts` posts, linking to `base`, into `folder`, as nginx serves it."""
    templates = templates or Templates()
    count = len(templates.posts)
    rewriters = [GroupRewriter(templates, group, posts, base)
                 for group in range((posts + count - 1) // count)]
    written = 0
    post_urls = []
    for number in range(posts):
        group, template = divmod(number, count)
        for path, body in templates.post_files(template).items():
            written += write(folder, copy_path(templates.posts[template], group)
                             + path[len(templates.posts[template]):], rewriters[group](body))
        post_urls.append(base + copy_path(templates.posts[template], group))
    first = rewriters[0]
    for path in ("/robots.txt", "/comments/feed/", "/about-this-blog/"):
        written += write(folder, path, first(templates.bodies[path]))
    written += write_listings(folder, base, templates, rewriters, posts)
    written += write_feed(folder, templates, rewriters, posts)
    written += write_sitemaps(folder, base, post_urls)
    return GeneratedBlog(base, post_urls, written)


def write(folder: Path, path: str, body: bytes) -> int:
    """Write one body where nginx serves `path` from (a folder's index.html); returns 1."""
    target = folder / unquote(path).lstrip("/")
    if path.endswith("/"):
        target = target / "index.html"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)
    return 1


def write_listings(folder: Path, base: str, templates: Templates,
                   rewriters: list[GroupRewriter], posts: int) -> int:
    """The home page and its /page/N/ pages, POSTS_PER_LISTING posts each, newest first."""
    home = templates.bodies["/"]
    articles = {int(match[1]): match[0] for path in ("/", "/page/2/")
                for match in ARTICLE.finditer(templates.bodies[path])}
    spans = [match.span() for match in ARTICLE.finditer(home)]
    head, tail = home[:spans[0][0]], home[spans[-1][1]:]
    count = len(templates.posts)
    pages = (posts + POSTS_PER_LISTING - 1) // POSTS_PER_LISTING
    for page in range(1, pages + 1):
        numbers = range((page - 1) * POSTS_PER_LISTING, min(page * POSTS_PER_LISTING, posts))
        shown = b"".join(rewriters[number // count](articles[templates.ids[number % count]])
                         for number in numbers)
        # The links hold no backslash, so they serve as the replacement as they are.
        body = rewriters[0](head) + shown + NAV_LINKS.sub(
            listing_links(base, page, pages), rewriters[0](tail), count=1)
        write(folder, "/" if page == 1 else f"/page/{page}/", body)
    return pages


def listing_links(base: str, page: int, pages: int) -> bytes:
    """A listing's pagination, as Twenty Twenty-One writes it: this page, newer and older."""
    links = [f'<span aria-current="page" class="page-numbers current">Page {page}</span>']
    if page > 1:
        newer = f"{base}/" if page == 2 else f"{base}/page/{page - 1}/"
        links.insert(0, f'<a class="prev page-numbers" href="{newer}">Newer posts</a>')
    if page < pages:
        links.append(f'<a class="next page-numbers" href="{base}/page/{page + 1}/">'
                     "Older posts</a>")
    return ('<div class="nav-links">' + "\n".join(links) + "</div>").encode()


def write_feed(folder: Path, templates: Templates, rewriters: list[GroupRewriter],
               posts: int) -> int:
    """The posts feed, naming every post."""
    feed = templates.bodies["/feed/"]
    items = {}
    for match in ITEM.finditer(feed):
        link = re.search(rb"<link>(.*?)</link>", match[0])[1].decode()
        items[urlsplit(link).path] = match[0]
    spans = [match.span() for match in ITEM.finditer(feed)]
    count = len(templates.posts)
    shown = b"".join(rewriters[number // count](items[templates.posts[number % count]])
                     for number in range(posts))
    body = rewriters[0](feed[:spans[0][0]]) + shown + rewriters[0](feed[spans[-1][1]:])
    return write(folder, "/feed/", body)


def write_sitemaps(folder: Path, base: str, post_urls: list[str]) -> int:
    """The sitemap index and its pages of post addresses."""
    header = '<?xml version="1.0" encoding="UTF-8"?>\n'
    pages = [post_urls[start:start + POSTS_PER_SITEMAP]
             for start in range(0, len(post_urls), POSTS_PER_SITEMAP)]
    index = "".join(f"<sitemap><loc>{base}/wp-sitemap-posts-post-{number}.xml</loc></sitemap>"
                    for number in range(1, len(pages) + 1))
    write(folder, "/wp-sitemap.xml", (header + '<sitemapindex xmlns="http://www.sitemaps.org/'
                                      f'schemas/sitemap/0.9">{index}</sitemapindex>').encode())
    for number, urls in enumerate(pages, 1):
        listed = "".join(f"<url><loc>{url}</loc></url>" for url in urls)
        write(folder, f"/wp-sitemap-posts-post-{number}.xml",
              (header + '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
               f"{listed}</urlset>").encode())
    return 1 + len(pages)
