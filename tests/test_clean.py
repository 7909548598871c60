import pytest

from archiver.clean import find_links, html_to_text, parse_fragment, safe_link, sanitize_html
from archiver.items import Link

BASE = "https://blog.example/2014/08/12/post/"


@pytest.mark.parametrize("hostile, safe", [
    ('<p>hi<script>alert(1)</script></p>', "<p>hi</p>"),
    ('<img src=x onerror="alert(1)">text', "text"),
    ('<a href="javascript:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'),
    ('<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
     '<a rel="nofollow noopener noreferrer">x</a>'),
    # Other spellings of a script link, however the href is written.
    ('<a HREF="JaVaScRiPt:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'),
    ('<a href=" javascript:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'),
    ('<a href="&#106;avascript:alert(1)">x</a>', '<a rel="nofollow noopener noreferrer">x</a>'),
    ("<a href=vbscript:x>x</a>", '<a rel="nofollow noopener noreferrer">x</a>'),
    # An absolute link next to a script one: each judged on its own.
    ('<a href="https://a.example/x">a</a><a href="javascript:x()">b</a>',
     '<a href="https://a.example/x" rel="nofollow noopener noreferrer">a</a>'
     '<a rel="nofollow noopener noreferrer">b</a>'),
    ('<p onclick="steal()" style="color:red">x</p>', "<p>x</p>"),
    ('<iframe src="https://evil.example/"></iframe><form action="/x"><input name=a></form>ok',
     "ok"),
    ('<style>body{display:none}</style><svg onload=alert(1)><circle/></svg>ok', "ok"),
    ('<a href="/about/" title="About">About</a>',
     '<a href="https://blog.example/about/" title="About" rel="nofollow noopener noreferrer">'
     'About</a>'),
    ('<blockquote cite="/src">q</blockquote>',
     '<blockquote cite="https://blog.example/src">q</blockquote>'),
])
def test_sanitize_html_renders_inert(hostile, safe):
    assert sanitize_html(hostile, BASE) == safe


def test_text_keeps_blocks_on_their_own_lines():
    root = parse_fragment("<p>One  <b>two</b></p><blockquote><p>Quoted\n text</p></blockquote>"
                          "Tail<br>end")
    assert html_to_text(root) == "One two\nQuoted text\nTail\nend"


def test_links_are_anchors_then_bare_urls_each_with_its_domain():
    root = parse_fragment(
        '<p>http://stopwar.org.uk/news/x Are we <a href="/2014/08/01/other/">here</a>. '
        'See <a href="https://fr.wikipedia.org/wiki/La%C3%AFcit%C3%A9">laïcité</a>, '
        '<a href="#comment-2">#2</a> and <a href="mailto:a@b.example">mail</a>.</p>')
    assert find_links(root, BASE, "blog.example") == [
        Link("https://blog.example/2014/08/01/other/", "here", "blog.example", False),
        Link("https://fr.wikipedia.org/wiki/Laïcité", "laïcité", "fr.wikipedia.org", True),
        Link("http://stopwar.org.uk/news/x", "http://stopwar.org.uk/news/x", "stopwar.org.uk",
             True),
    ]


def test_only_web_and_mail_links_are_kept_as_links():
    assert [safe_link(url) for url in (
        "https://a.example/x", "mailto:a@b.example", "javascript:alert(1)", "JavaScript:x",
        "data:text/html,x", "//a.example/x", "/relative", None)] == [
        "https://a.example/x", "mailto:a@b.example", None, None, None, None, None, None]
