"""What sitemaps and feeds say of the posts they list, in the shapes the common generators
write them (WordPress's own feeds and sitemaps are read in test_extractors and
test_wordpress)."""

from pathlib import Path

from archiver.demo import DEMO_BLOG
from archiver.extractors import extract, find_links
from archiver.items import PageLinks
from archiver.page import Page

SITE = "https://blog.example"

# An SEO plugin's post sitemap (Yoast SEO, Rank Math): the home page first, without a date.
POST_SITEMAP = f"""<?xml version="1.0" encoding="UTF-8"?>\
<?xml-stylesheet type="text/xsl" href="//blog.example/main-sitemap.xsl"?>
<urlset xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" \
xmlns:image="http://www.google.com/schemas/sitemap-image/1.1" \
xsi:schemaLocation="http://www.sitemaps.org/schemas/sitemap/0.9 \
http://www.sitemaps.org/schemas/sitemap/0.9/sitemap.xsd \
http://www.google.com/schemas/sitemap-image/1.1 \
http://www.google.com/schemas/sitemap-image/1.1/sitemap-image.xsd" \
xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
	<url>
		<loc>{SITE}/</loc>
	</url>
	<url>
		<loc>{SITE}/2024/05/a-post/</loc>
		<lastmod>2024-05-03T10:11:12+00:00</lastmod>
		<image:image>
			<image:loc>{SITE}/wp-content/uploads/2024/05/river.jpg</image:loc>
		</image:image>
	</url>
	<url>
		<loc>{SITE}/2023/01/older/</loc>
		<lastmod>2023-01-09</lastmod>
	</url>
</urlset>"""

# RSS 2.0 as feed generators other than WordPress write it: the RSS <comments> element (the
# comments' address), slash:comments, and atom:updated for the last edit.
RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom" \
xmlns:slash="http://purl.org/rss/1.0/modules/slash/">
<channel><title>Blog</title><link>{SITE}/</link>
<item><title>Edited</title><link>{SITE}/2024/05/a-post/</link>
 <comments>{SITE}/2024/05/a-post/#comments</comments>\
<pubDate>Fri, 03 May 2024 08:00:00 +0000</pubDate>
 <atom:updated>2024-05-04T09:30:00Z</atom:updated><slash:comments>6</slash:comments></item>
<item><title>Untouched</title><link>{SITE}/2023/01/older/</link>
 <comments>{SITE}/2023/01/older/#comments</comments>\
<pubDate>Mon, 09 Jan 2023 08:00:00 +0000</pubDate></item>
</channel></rss>"""

# Atom whose entries give their comment count on the replies link alone (thr:count).
ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xmlns:thr="http://purl.org/syndication/thread/1.0">
<title>Blog</title><link href="{SITE}/"/><id>{SITE}/</id><updated>2024-05-04T09:30:00Z</updated>
<entry><title>Edited</title><link href="{SITE}/2024/05/a-post/"/><id>{SITE}/?p=12</id>
 <published>2024-05-03T08:00:00Z</published><updated>2024-05-04T09:30:00Z</updated>
 <link rel="replies" type="text/html" href="{SITE}/2024/05/a-post/#comments" thr:count="6"/></entry>
</feed>"""


def links_of(text, url, content_type="application/xml"):
    return find_links(Page.from_bytes(url, text.encode("utf-8"), content_type))


def test_a_sitemap_gives_each_post_its_lastmod_as_written():
    assert links_of(POST_SITEMAP, f"{SITE}/post-sitemap.xml") == PageLinks(
        posts=[f"{SITE}/", f"{SITE}/2024/05/a-post/", f"{SITE}/2023/01/older/"],
        modified={f"{SITE}/2024/05/a-post/": "2024-05-03T10:11:12+00:00",
                  f"{SITE}/2023/01/older/": "2023-01-09"})


def test_an_rss_feed_dates_only_edits_and_counts_only_numbers():
    assert links_of(RSS, f"{SITE}/feed/", "application/rss+xml") == PageLinks(
        posts=[f"{SITE}/2024/05/a-post/", f"{SITE}/2023/01/older/"],
        modified={f"{SITE}/2024/05/a-post/": "2024-05-04T09:30:00Z"},
        comment_counts={f"{SITE}/2024/05/a-post/": 6})


def test_an_atom_entry_without_thr_total_is_counted_from_its_replies_link():
    assert links_of(ATOM, f"{SITE}/feed/atom/", "application/atom+xml") == PageLinks(
        posts=[f"{SITE}/2024/05/a-post/"],
        modified={f"{SITE}/2024/05/a-post/": "2024-05-04T09:30:00Z"},
        comment_counts={f"{SITE}/2024/05/a-post/": 6})


def test_a_sites_comments_feed_is_no_thread_but_a_post_comments_feed_is():
    pages = Path(__file__).resolve().parent / "pages" / "wordpress"
    for name in ("rss2.harness-comments-feed.xml", "atom.harness-comments-feed.xml"):
        page = Page.from_bytes("http://127.0.0.1:8093/comments/feed/", (pages / name).read_bytes(),
                               "application/rss+xml")
        assert extract(page) is None
    # The demo blog's example post: its comment feed, recorded from the blog at this origin.
    post = ("http://127.0.0.1:8082/2014/08/12/"
            "iraqi-communists-call-on-worlds-proletariat-to-unite-against-islamists/")
    page = Page.from_bytes(post + "feed/", (DEMO_BLOG / "files" / "27.xml").read_bytes(),
                           "application/rss+xml")
    thread = extract(page)
    assert (thread.post.url, thread.source, len(thread.comments)) == (post, "feed", 9)
