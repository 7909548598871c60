"""The WordPress REST API's wp/v2 routes as the test blog server scripts them (tests.blogserver
--rest MODE): the recorded posts and comments collections of tests/demo_rest, filtered, cut and
paged as WordPress does, or the refusals and stand-ins some blogs answer with."""

from __future__ import annotations

import json
import math
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from tests.replies import JSON, ApiReply

REST_ROOT = "/wp-json/"
REST_COLLECTIONS = Path(__file__).resolve().parent / "demo_rest"
REST_PAGE_SIZE = 3


def rest_error(status, code, message):
    body = json.dumps({"code": code, "message": message, "data": {"status": status}})
    return ApiReply(status, JSON, body.encode())


def rest_reply(mode, blog, base_url, target):
    """The scripted answer of the REST API in `mode` to a request for `target`."""
    if mode == "disabled":
        return rest_error(401, "rest_not_logged_in", "You are not currently logged in.")
    if mode == "401":
        return rest_error(401, "rest_forbidden", "Sorry, you are not allowed to do that.")
    if mode == "html":
        return blog.respond("/", base_url)
    return rest_collection(blog, base_url, target)


def rest_collection(blog, base_url, target):
    """A page of the recorded posts or comments, filtered, cut and paged as WordPress does."""
    parts = urlsplit(target)
    name = parts.path[len(REST_ROOT):].strip("/")
    if name not in ("wp/v2/posts", "wp/v2/comments"):
        return rest_error(404, "rest_no_route",
                          "No route was found matching the URL and request method.")
    params = parse_qsl(parts.query)
    asked = dict(params)
    recorded = REST_COLLECTIONS / f"{name.rpartition('/')[2]}.json"
    items = json.loads(recorded.read_text(encoding="utf-8"))
    posts = {value for key, value in params if key == "post" or key.startswith("post[")}
    if posts:
        items = [item for item in items if str(item["post"]) in posts]
    if "after" in asked:
        items = [item for item in items if item["date"] > asked["after"]]
    size = min(int(asked.get("per_page", 10)), REST_PAGE_SIZE)
    number = int(asked.get("page", 1))
    pages = math.ceil(len(items) / size)
    shown = items[(number - 1) * size:number * size]
    if "_fields" in asked:
        fields = asked["_fields"].split(",")
        shown = [{key: item[key] for key in fields if key in item} for item in shown]
    # WordPress names each page with the request's own parameters, `post` as an array.
    kept = [("post[0]" if key == "post" else key, value) for key, value in params if key != "page"]
    address = urljoin(base_url, parts.path)
    links = [f'<{address}?{urlencode([*kept, ("page", n)])}>; rel="{rel}"'
             for rel, n in (("prev", number - 1), ("next", number + 1)) if 1 <= n <= pages]
    headers = (("X-WP-Total", str(len(items))), ("X-WP-TotalPages", str(pages)))
    headers += (("Link", ", ".join(links)),) if links else ()
    body = json.dumps(shown).replace(blog.origin, base_url.rstrip("/"))
    return ApiReply(200, JSON, body.encode(), headers=headers)
