"""Feed exports of a crawl (`scrapy crawl blog -O comments.jsonl`, the FEEDS setting) hold what
it archived as a Scrapy user expects: an item a post and an item a comment, the rows `archiver
export` gives of them (archiver.items.PostItem, CommentItem), which ArchivePipeline hands them
once the crawl's threads are complete. The pages the crawl fetched are items too, on their way
through the pipelines; a feed takes them only where its `item_classes` names
archiver.items.PageItem."""

from __future__ import annotations

from scrapy.crawler import Crawler
from scrapy.extensions.feedexport import FeedExporter, ItemFilter

THREAD_ITEMS = ("archiver.items.PostItem", "archiver.items.CommentItem")


class ThreadFeedExporter(FeedExporter):
    """Scrapy's feed exports, where a feed that chooses no items (no `item_classes` and no
    `item_filter` of its own) takes the posts and comments rather than every item."""

    def __init__(self, crawler: Crawler):
        super().__init__(crawler)
        for uri, options in self.feeds.items():
            if not options.get("item_classes") and "item_filter" not in options:
                self.filters[uri] = ItemFilter({**options, "item_classes": THREAD_ITEMS})
