"""Disqus: comment threads that blogs embed from disqus.com, read from Disqus's own public data.

A blog page names its Disqus thread by the forum's shortname and the thread's identifier and/or
URL, in whichever form its embed code takes: the universal code's `disqus_config`
(`this.page.identifier`, `this.page.url`), the older `disqus_*` globals, the WordPress plugin's
`embedVars`, Blogger's widget (`disqus_blogger_current_url`), data attributes on
`#disqus_thread`, a count.js link to the page (`data-disqus-identifier`). `embedded_threads`
turns them into the address of the comment embed that Disqus's embed.js loads
(`disqus.com/embed/comments/?f=…&t_i=…&t_u=…`), whose page carries the thread's first posts as
JSON (`#disqus-threadData`); the rest comes from the public API that the embed itself pages
through (`threads/listPostsThreaded`, by cursor, with the embed's public key).

Both are read as threads of source "disqus", with Disqus's post ids, parents and UTC times, from
the response whatever host served it (the path and the shape of the data tell them). A thread
belongs to the post at the embed's `t_u`: the blog's own address for it, where the link Disqus
stored when the thread began may be an older one (http, a former domain). The API takes no
argument it does not know, so its pages cannot carry `t_u`: they name Disqus's stored link
(`related=thread`), the same address whenever the blog has not moved.
"""

import html
import json
import re
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from archiver.items import Comment, PageLinks, Post, Thread
from archiver.page import Page, per_page
from archiver.urls import absolute, strip_fragment

PLATFORM = "disqus"

ORIGIN = "https://disqus.com"
EMBED_PATH = "/embed/comments/"
API_PATH = "/api/3.0/threads/listPostsThreaded"
# The public key Disqus's embed sends with its own API calls: it is in every page that loads it.
EMBED_API_KEY = "E8Uh5l5fHZ6gD8U3KycjAIAk46f68Zw7C6eW8WSjZvCLXebZ7p0r1yrYDrLilk2F"
# The embed's page size: its cursors count pages of this many posts.
PAGE_SIZE = 50
# Oldest first, the order a thread was written in. The embed is asked for it (`s_o`) and the API
# pages continue it: a cursor counts pages of one order.
ORDER = "asc"
THREAD_DATA = "//script[@id='disqus-threadData']/text()"

# Where a blog page names its thread.
SCRIPTS = "//script[not(@src)][contains(., 'disqus')]/text()"
SCRIPT_SOURCES = "//script/@src[contains(., '.disqus.com/')]"
CONTAINER = "//*[@id='disqus_thread']"
CONTAINER_ATTRIBUTES = (("shortname", ("data-disqus-shortname", "data-shortname")),
                        ("identifier", ("data-disqus-identifier", "data-identifier")),
                        ("url", ("data-disqus-url", "data-url")))
COUNT_LINKS = "//*[@data-disqus-identifier]"
# The forum's scripts, named by its shortname: embed.js and Blogger's blogger_item.js load a
# thread, count.js only counts comments (on listings too).
SCRIPT_HOST = re.compile(r"//([a-z0-9][a-z0-9-]*)\.disqus\.com/(embed|blogger_item|count)\.js",
                         re.I)
# Hugo's template joins the shortname into the address: '//' + "name" + '.disqus.com/embed.js'.
JOINED_HOST = re.compile(r"""(["'])([a-z0-9][a-z0-9-]*)\1\s*\+\s*["']\.disqus\.com/"""
                         r"(embed|count)\.js", re.I)
THREAD_SCRIPTS = ("embed", "blogger_item")
ASSIGNED = {"disqus_shortname": "shortname", "disqus_identifier": "identifier", "disqus_url": "url",
            "disqus_blogger_current_url": "url", "page.identifier": "identifier", "page.url": "url"}
ASSIGNMENT = re.compile(r"\b(" + "|".join(re.escape(name) for name in ASSIGNED) + r")\s*=\s*"
                        r"""(?:(["'])((?:\\.|(?!\2)[^\\\n])*)\2|(\d+)\b)""")
EMBED_VARS = re.compile(r"\bembedVars\s*=\s*(?=\{)")
EMBED_VARS_FIELDS = (("shortname", "disqusShortname"), ("identifier", "disqusIdentifier"),
                     ("url", "disqusUrl"))
# The universal code ships its disqus_config commented out, to be filled in.
JS_COMMENTS = re.compile(r"/\*.*?\*/|^\s*//[^\n]*", re.S | re.M)
JS_ESCAPE = re.compile(r"\\(?:u([0-9a-fA-F]{4})|(.))")
SHORTNAME = re.compile(r"[a-z0-9][a-z0-9-]*")

# Disqus sends outbound links through its redirector, with a signature after the target:
# https://disq.us/url?url=https%3A%2F%2Fexample.org%2F%3AKZ5vTqz0Xh3…&cuid=123
REDIRECT = re.compile(r'href="(?:https?:)?//disq\.us/url\?url=([^"&]+)[^"]*"')
REDIRECT_SIGNATURE = re.compile(r":[\w-]{20,}$")
ZONED = re.compile(r"(Z|[+-]\d\d:?\d\d)$")


class Answer(NamedTuple):
    """One page of a thread as Disqus answers it."""

    posts: list
    thread: dict
    cursor: dict | None
    from_embed: bool


def detect(page: Page) -> bool:
    path = urlsplit(page.url).path
    if path.startswith(EMBED_PATH):
        return "disqus-threadData" in page.text
    if path.startswith(API_PATH):
        return isinstance(page.data, dict) and isinstance(page.data.get("response"), list)
    return False


def embedded_threads(page: Page) -> list[str]:
    """The Disqus embed address of the thread a blog page embeds, as a list (empty when none)."""
    config = _embed_config(page)
    if config is None:
        return []
    shortname, identifier, url = config
    query = [("base", "default"), ("f", shortname)]
    if identifier:
        query.append(("t_i", identifier))
    query += [("t_u", url), ("s_o", ORDER)]
    return [f"{ORIGIN}{EMBED_PATH}?{urlencode(query)}"]


@per_page
def _embed_config(page):
    """(shortname, identifier or None, URL) of the thread `page` embeds, or None."""
    if "disqus" not in page.text or page.is_json or page.is_xml:
        return None
    found = {}

    def offer(field, value):
        if isinstance(value, (str, int)) and str(value).strip() and field not in found:
            found[field] = str(value).strip()

    scripts = [JS_COMMENTS.sub("", text) for text in page.xpath(SCRIPTS).getall()]
    embeds = False
    for text in scripts:
        for match in EMBED_VARS.finditer(text):
            embeds = True
            embed_vars = _json_at(text, match.end())
            for field, key in EMBED_VARS_FIELDS:
                offer(field, embed_vars.get(key))
    for text in scripts:
        for match in ASSIGNMENT.finditer(text):
            offer(ASSIGNED[match[1]], match[4] or _js_string(match[3]))
    container = page.xpath(CONTAINER)
    if container:
        embeds = True
        for field, names in CONTAINER_ATTRIBUTES:
            for name in names:
                offer(field, container[0].attrib.get(name))
    for text in [*page.xpath(SCRIPT_SOURCES).getall(), *scripts]:
        for match in SCRIPT_HOST.finditer(text):
            offer("shortname", match[1])
            embeds = embeds or match[2].lower() in THREAD_SCRIPTS
        for match in JOINED_HOST.finditer(text):
            offer("shortname", match[2])
            embeds = embeds or match[3].lower() in THREAD_SCRIPTS
    shortname = found.get("shortname", "").lower()
    if not embeds or not SHORTNAME.fullmatch(shortname):
        return None
    canonical = absolute(page.url, page.xpath("//link[@rel='canonical']/@href").get())
    url = absolute(page.url, found.get("url")) or canonical or page.url
    identifier = found.get("identifier") or _counted_identifier(page, {url, canonical, page.url})
    return shortname, identifier, url


def _json_at(text, start):
    """The JSON object starting at `start` in a script, or {} when it is not plain JSON."""
    try:
        value = json.JSONDecoder().raw_decode(text, start)[0]
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _js_string(body):
    """The value of a JavaScript string literal's body."""
    return JS_ESCAPE.sub(lambda match: chr(int(match[1], 16)) if match[1] else match[2], body)


def _counted_identifier(page, urls):
    """The identifier a count.js link to this very page gives its thread."""
    for node in page.xpath(COUNT_LINKS):
        target = node.attrib.get("data-disqus-url") or node.attrib.get("href")
        if target and strip_fragment(absolute(page.url, target)) in urls:
            return node.attrib["data-disqus-identifier"].strip() or None
    return None


def read_thread(page: Page) -> Thread | None:
    answer = _answer(page)
    if answer is None:
        return None
    post_url = _post_url(page, answer.thread)
    if not post_url:
        return None
    thread = answer.thread
    title = thread.get("clean_title") or html.unescape(thread.get("title") or "")
    post = Post(url=post_url, title=title,
                comment_count_shown=thread.get("posts") if answer.from_embed else None)
    return Thread(platform=PLATFORM, post=post, comments=_comments(answer.posts, post_url),
                  source="disqus")


@per_page
def _answer(page):
    """What Disqus answered on an embed page or an API page, or None."""
    if urlsplit(page.url).path.startswith(EMBED_PATH):
        try:
            data = json.loads(page.xpath(THREAD_DATA).get() or "null")
        except ValueError:
            return None
        answered = isinstance(data, dict) and data.get("code") == 0
        response = data.get("response") if answered else None
        if not isinstance(response, dict) or not isinstance(response.get("thread"), dict):
            return None
        return Answer(response.get("posts") or [], response["thread"], data.get("cursor"),
                      from_embed=True)
    data = page.data
    if not isinstance(data, dict) or data.get("code") != 0 or not data.get("response"):
        return None
    thread = data["response"][0].get("thread")
    return Answer(data["response"], thread if isinstance(thread, dict) else {}, data.get("cursor"),
                  from_embed=False)


def _post_url(page, thread):
    """The post's URL as the blog gave it to the embed (`t_u`), else as Disqus stored it."""
    given = dict(parse_qsl(urlsplit(page.url).query)).get("t_u")
    return given or thread.get("link")


def _comments(posts, post_url):
    """The thread's comments as Disqus shows them.

    Disqus keeps deleted posts so that their replies keep their place, and shows one ("This
    comment was deleted.") only while a reply below it is shown; spam it never shows. So here:
    spam is left out, and a deleted post is kept, without author or text, only when a reply on
    this page hangs below it. One whose replies come on a later page is left out; they keep its
    id as their parent_platform_id.
    """
    shown = {str(post["id"]): post for post in posts if "id" in post and not post.get("isSpam")}
    kept = set()
    for ident, post in shown.items():
        if _deleted(post):
            continue
        while ident in shown and ident not in kept:
            kept.add(ident)
            ident = _parent(shown[ident])
    comments, positions = [], {}
    for ident, post in shown.items():
        if ident not in kept:
            continue
        parent_id = _parent(post)
        parent = positions.get(parent_id)
        depth = post.get("depth")
        if not isinstance(depth, int):
            depth = comments[parent].depth if parent is not None else 0
        positions[ident] = len(comments)
        comments.append(_comment(post, ident, parent_id, parent, depth + 1, post_url))
    return comments


def _comment(post, ident, parent_id, parent, depth, post_url):
    author = post.get("author") if isinstance(post.get("author"), dict) else {}
    deleted = _deleted(post)
    created = post.get("createdAt") or None
    return Comment(
        platform_id=ident,
        parent_platform_id=parent_id,
        parent=parent,
        depth=depth,
        author="" if deleted else _author_name(author),
        author_url=None if deleted else (author.get("profileUrl") or author.get("url") or None),
        permalink=f"{post_url}#comment-{ident}",
        # Disqus gives UTC times without a zone.
        published_machine=created if not created or ZONED.search(created) else created + "Z",
        body_html="" if deleted else REDIRECT.sub(_redirect_target, post.get("message") or ""),
    )


def _deleted(post):
    return bool(post.get("isDeleted") or post.get("isDeletedByAuthor"))


def _parent(post):
    parent = post.get("parent")
    return str(parent) if parent not in (None, "", 0) else None


def _author_name(author):
    """The name Disqus shows: a guest's as typed, else "Guest"."""
    return (author.get("name") or author.get("username")
            or ("Guest" if author.get("isAnonymous") else ""))


def _redirect_target(match):
    target = REDIRECT_SIGNATURE.sub("", unquote(html.unescape(match[1])))
    return f'href="{html.escape(target)}"'


def find_links(page: Page) -> PageLinks:
    """On a Disqus page: the thread's next page, when Disqus says there is one."""
    answer = _answer(page)
    cursor = answer.cursor if answer is not None else None
    if not isinstance(cursor, dict) or not cursor.get("hasNext") or not cursor.get("next"):
        return PageLinks()
    query = dict(parse_qsl(urlsplit(page.url).query))
    if answer.from_embed:
        forum = answer.thread.get("forum") or query.get("f")
        if not answer.thread.get("id") or not forum:
            return PageLinks()
        # The embed's own next-page request, asking for the thread's link as well (see above).
        query = {"limit": str(PAGE_SIZE), "thread": answer.thread["id"], "forum": forum,
                 "order": ORDER, "related": "thread", "api_key": EMBED_API_KEY}
    query["cursor"] = cursor["next"]
    return PageLinks(feeds=[f"{ORIGIN}{API_PATH}?{urlencode(query)}"])
