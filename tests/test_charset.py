"""A page is read as declared unless its bytes contradict the declaration (archiver.charset)."""

import hashlib
import json
import shutil
from pathlib import Path

import pytest
from scrapy.http import HtmlResponse

from archiver.charset import Decoded, decode_page
from archiver.page import Page
from tests.blogserver import running
from tests.helpers import crawl, reparse, rows

TEXT = "<p>Für “Zitate” — schöne Grüße</p>"
UTF8_PAGE = TEXT.encode("utf-8")
CP1252_PAGE = TEXT.encode("cp1252")
LATIN1 = "text/html; charset=iso-8859-1"
UTF8 = "text/html; charset=UTF-8"


def with_meta(charset, body):
    return f'<html><head><meta charset="{charset}"></head><body>'.encode() + body


def text_of(decoded):
    return decoded.text.rpartition("<body>")[2]


@pytest.mark.parametrize("content_type, body, encoding, declared", [
    # UTF-8 bytes declared Latin-1 (windows-1252, as browsers read the label)
    (LATIN1, UTF8_PAGE, "utf-8", "cp1252"),
    ("text/html", with_meta("iso-8859-1", UTF8_PAGE), "utf-8", "cp1252"),
    ("text/html", with_meta("windows-1252", UTF8_PAGE), "utf-8", "cp1252"),
    # windows-1252 bytes declared UTF-8
    (UTF8, CP1252_PAGE, "cp1252", "utf-8"),
    ("text/html", with_meta("utf-8", CP1252_PAGE), "cp1252", "utf-8"),
    # the bytes are what is declared
    (UTF8, UTF8_PAGE, "utf-8", "utf-8"),
    (LATIN1, CP1252_PAGE, "cp1252", "cp1252"),
    (LATIN1, with_meta("utf-8", CP1252_PAGE), "cp1252", "cp1252"),
    # nothing declared
    ("text/html", UTF8_PAGE, "utf-8", None),
    ("text/html", CP1252_PAGE, "cp1252", None),
], ids=["utf8-as-latin1-header", "utf8-as-latin1-meta", "utf8-as-cp1252-meta",
        "cp1252-as-utf8-header", "cp1252-as-utf8-meta", "utf8-right", "latin1-right",
        "latin1-header-over-meta", "utf8-undeclared", "cp1252-undeclared"])
def test_a_page_is_read_as_what_its_bytes_are(content_type, body, encoding, declared):
    decoded = decode_page(body, content_type)
    assert (text_of(decoded), decoded.encoding, decoded.declared) == (TEXT, encoding, declared)


def test_a_false_header_gives_way_to_the_meta_the_bytes_agree_with():
    russian = "<p>Спасибо за комментарий</p>"
    body = with_meta("windows-1251", russian.encode("cp1251"))
    decoded = decode_page(body, UTF8)
    assert (text_of(decoded), decoded.encoding, decoded.declared) == (russian, "cp1251", "utf-8")


@pytest.mark.parametrize("bom, encoding", [
    (b"\xef\xbb\xbf", "utf-8"), (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be")])
def test_a_byte_order_mark_outranks_every_declaration(bom, encoding):
    body = bom + TEXT.encode(encoding)
    assert decode_page(body, LATIN1) == Decoded(TEXT, encoding, encoding)


def test_a_utf8_page_with_a_stray_byte_stays_utf8():
    body = UTF8_PAGE + "<p>Café</p>".encode("cp1252")
    assert decode_page(body, UTF8) == Decoded(TEXT + "<p>Caf\ufffd</p>", "utf-8", "utf-8",
                                              replaced=1)


def test_a_replacement_character_the_bytes_spell_is_none_put_in():
    body = UTF8_PAGE + "<p>Caf\ufffd</p>".encode()
    assert decode_page(body, UTF8) == Decoded(TEXT + "<p>Caf\ufffd</p>", "utf-8", "utf-8")


def test_a_multi_byte_declaration_is_kept():
    japanese = "<p>コメントをありがとう</p>"
    body = japanese.encode("shift_jis")
    assert decode_page(body, "text/html; charset=Shift_JIS") == Decoded(japanese, "cp932", "cp932")


@pytest.mark.parametrize("content_type, body, contradicted", [
    (LATIN1, UTF8_PAGE, True), (UTF8, CP1252_PAGE, True), (UTF8, UTF8_PAGE, False)],
    ids=["utf8-as-latin1", "cp1252-as-utf8", "utf8-right"])
def test_a_crawled_page_is_parsed_from_what_its_bytes_are(content_type, body, contradicted):
    response = HtmlResponse("https://blog.example/", body=body,
                            headers={"Content-Type": content_type})
    page = Page.from_response(response)
    assert (page.css("p::text").get(), page.charset_contradicted) == (
        "Für “Zitate” — schöne Grüße", contradicted)


def test_a_stored_page_is_read_again_as_it_was_read_when_fetched():
    page = Page.from_bytes("https://blog.example/", UTF8_PAGE, LATIN1)
    assert (page.css("p::text").get(), page.encoding, page.declared_encoding) == (
        "Für “Zitate” — schöne Grüße", "utf-8", "cp1252")


SITE = Path(__file__).parent / "sites" / "wrong-charset"
POSTS = "SELECT substr(url, length(?) + 1), title, body_text FROM posts ORDER BY url"
COMMENTS = ("SELECT substr(p.url, length(?) + 1), c.author, c.body_text FROM comments c "
            "JOIN posts p ON p.id = c.post_id ORDER BY p.url, c.position")
FRUEHLING, SOMMER = "2024/05/20/fruehling/", "2024/06/01/sommer/"
ARCHIVED = {
    "posts": [(FRUEHLING, "Frühling am See", "Für die Gäste: Blüten überall."),
              (SOMMER, "Sommer am See", "Das Eis kostet jetzt 2 €.")],
    "comments": [(FRUEHLING, "Jürgen Großmann", "Schöne Grüße aus Köln!"),
                 (FRUEHLING, "Zoë Bähr", "Wo genau ist das – am Südufer?"),
                 (SOMMER, "François Dupré", "„Sehr schön“, sagt er – und zahlt gern."),
                 (SOMMER, "Jürgen Großmann", "Ich finde die Preise übertrieben…")],
}


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    """The wrong-charset blog crawled whole: (archive, base URL, crawl log)."""
    tmp_path = tmp_path_factory.mktemp("wrong-charset")
    db = tmp_path / "archive.db"
    with running(SITE) as url:
        log = crawl(url, db, tmp_path)
    return db, url, log


def archived(db, url):
    return {"posts": rows(db, POSTS, url), "comments": rows(db, COMMENTS, url)}


def test_a_crawl_archives_what_pages_say_whatever_charset_they_declare(crawled):
    db, url, _ = crawled
    assert archived(db, url) == ARCHIVED


def test_a_crawl_logs_and_counts_each_declaration_the_bytes_contradict(crawled):
    db, url, log = crawled
    ((stats,),) = rows(db, "SELECT stats FROM crawls")
    assert json.loads(stats)["archiver/pages/charset_contradicted"] == 2
    for path, declared, read_as in [(FRUEHLING, "cp1252", "utf-8"), (SOMMER, "utf-8", "cp1252")]:
        line = (f"INFO: {url}{path} declares charset {declared}, which its bytes are not in: "
                f"read as {read_as}")
        assert line in log


def test_pages_are_stored_as_received_and_read_again_as_in_the_crawl(crawled, tmp_path):
    db = tmp_path / "archive.db"
    shutil.copy(crawled[0], db)
    url = crawled[1]
    assert rows(db, "SELECT substr(url, length(?) + 1), encoding, sha256 FROM pages "
                    "WHERE url IN (?, ?) ORDER BY url", url, url + FRUEHLING, url + SOMMER) == [
        (FRUEHLING, "utf-8", sha256_of("2024-05-20-fruehling.html")),
        (SOMMER, "cp1252", sha256_of("2024-06-01-sommer.html")),
    ]
    assert reparse(db) == "2 pages read: 2 posts, 4 comments; 0 failed to extract, 0 not a thread\n"
    assert archived(db, url) == ARCHIVED


def sha256_of(name):
    return hashlib.sha256((SITE / "files" / name).read_bytes()).hexdigest()
