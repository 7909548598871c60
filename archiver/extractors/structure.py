"""The structural reader: the comments of a layout no template knows, read from the page's shape.

A comment section is a run of blocks of one kind, each holding one time (or, where no time is
shown, each named a comment by its class). Roles inside a block come from evidence that holds
across themes and languages: machine-readable times, microformats and schema.org properties,
class vocabularies (name, author, user, Autor, auteur…), a name before "says" or "sagt" or
before the time in its line, a short first line. Who answers whom comes from nesting, from a
replies container beside a comment ("children", "replies", Drupal's "indented"), or from a
depth or indent class.

Every platform module's readers come first; this one reads where none knows the page, and is
the second opinion where a platform's templates found no comments on a page that counts some,
or found them without names or without times (archiver.extractors.extract).
"""

import re
from collections import defaultdict
from functools import lru_cache

from archiver import plain_dates
from archiver.extractors.common import (absolute, inner_html, leading_text, text_of, text_without, without,
                                        without_elements)
from archiver.extractors.bylines import SAYS_AFTER_NAME
from archiver.extractors.markup import LEAD, author_of, machine_time, read_byline
from archiver.items import COMMENT, Comment

# What marks a time, most reliable first: machine-readable values, then elements whose class
# or id names a date or time. Elements whose own short text is a date come last (see _text_dates).
MACHINE_TIMES = ("//time[@datetime] | //abbr[@title] | //*[@itemprop='dateCreated' or"
                 " @itemprop='datePublished' or @itemprop='commentTime' or @data-timestamp or"
                 " @data-utime or @data-datetime]")
# Class or id words of an element that holds a time.
TIME_NAMES = ("date", "time", "datum", "fecha")
# Machine times and elements named a time: found in one pass each, unlike text dates.
CHEAP_SIGNAL_KINDS = 2
# How much more blocks that name themselves comments count than blocks of a kind alone.
NAMED_WEIGHT = 2
# A text longer than this is a sentence that mentions a date, not a time shown; or not a name.
TIME_TEXT_LIMIT = 60
NAME_LIMIT = 60
# A block with less text than this outside its links, and more in them, is a teaser of a post.
TEASER_TEXT = 25
# Separators and "at" between a name and the time after it.
BYLINE_EDGE = re.compile(r"^[\s|·—–:,-]+|(?:[\s|·—–:,/-]|\s(?:at|on|am|um|le|el|à)\b)+$", re.IGNORECASE)
# A byline before a text block is short.
HEADER_LIMIT = 200
# What a line holding a name and a time may hold besides: separators, "says", "on".
LINE_REST_LIMIT = 12
WORDS = re.compile(r"[A-Za-z][a-z]+|[A-Z]+(?![a-z])|\d+")
# Class words (split at -, _ and camelCase) for the parts of a comment, in the languages blogs use.
COMMENT_WORDS = {"comment", "comments", "kommentar", "kommentare", "commentaire", "commentaires",
                 "comentario", "comentarios", "commento", "commenti", "reaction", "reactions",
                 "discussion", "reply", "replies", "response", "responses", "thread"}
NAME_WORDS = ({"fn", "nick", "nickname", "name", "username", "nombre", "nom"},
              {"author", "autor", "auteur", "autore", "user", "usuario", "benutzer", "poster",
               "commenter", "commentor", "member", "verfasser"})
TEXT_WORDS = {"text", "content", "message", "body", "entry", "inhalt", "texto", "contenu",
              "testo", "copy", "submitted"}
REPLIES_WORDS = {"children", "child", "replies", "indented", "antworten", "respuestas",
                 "reponses", "sub"}
INDENTED_WORDS = {"indented", "child", "reply", "answer", "antwort", "respuesta"}
DEPTH_CLASS = re.compile(r"(?:depth|level|lvl)[-_]?(\d+)", re.IGNORECASE)
AVATAR_WORDS = {"avatar", "photo", "image", "img", "pic", "gravatar"}
# Containers whose repeated blocks are not a thread: navigation, sidebars, teasers. One named by
# the weak words is furniture unless its name also says comments (`xenforo-comment-widget`,
# `cssShareBarCommentsList`); a container named for comments is where the search for furniture
# stops. Taxonomy classes (`tag-popular`, `category-archive`) describe a post, not a container.
NOT_THREAD = re.compile(r"related|recent|sidebar|^nav|menu|teaser|popular|trending|newsletter|promo|"
                        r"breadcrumb|pagination|archive", re.IGNORECASE)
NOT_THREAD_WEAK = re.compile(r"widget|footer|share|social", re.IGNORECASE)
TAXONOMY_CLASS = re.compile(r"^(tag|category|cat|post|type|format|status|marke|author|postid)-", re.IGNORECASE)
SIGNATURE_NOISE = re.compile(r"^(odd|even|first|last|alt|thread-\w+|depth-\d+|comment-\d+|"
                             r"byuser|bypostauthor|parent|clearfix|\w*-?\d+)$")
# Parts of a comment that are not its text: controls, counters, forms.
META_CHROME = (".//*[self::script or self::style or self::form or self::button or self::noscript"
               " or self::input or self::label or self::select or self::textarea or self::img"
               " or contains(translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg'), 'reply')"
               " or contains(translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg'), 'action')"
               " or contains(translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg'), 'like')"
               " or contains(translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg'), 'vote')"
               " or contains(translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg'), 'rating')"
               " or contains(translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg'), 'report')"
               " or contains(translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg'), 'control')"
               " or contains(translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg'), 'avatar')"
               " or contains(translate(@class, 'REPLYACTIONSFOTEIKMDQUVG', 'replyactionsfoteikmdquvg'), 'hidden')]")
PING_LABEL = re.compile(r"(^|>)\s*(pingback|trackback)\s*:?\s*", re.IGNORECASE)
SHOWN_INSTANT = re.compile(r"[?&]showComment=(1\d{12})\b")
# Links that lead to no author: anchors in the page, reply forms, comment permalinks.
NOT_A_PROFILE = re.compile(r"#|reply|replytocom|/comment/|[?&](?:c|cid|showComment)=", re.IGNORECASE)
LETTER = re.compile(r"[^\W\d_]")
# Elements a name is printed in, and the words of controls printed where a name might be.
NAME_TAGS = ("a", "b", "strong", "cite", "span", "em", "div", "p", "h3", "h4", "h5", "h6", "dt")
CONTROL_WORDS = {"reply", "antworten", "antwort", "répondre", "repondre", "responder", "rispondi",
                 "beantwoorden", "quote", "zitieren", "citer", "citar", "like", "report", "melden",
                 "share", "teilen", "permalink", "edit", "bearbeiten", "modifier", "editar"}


def structural_comments(page, seeds=None):
    """Comments of a layout no template knows, in document order, replies after their parent.
    `seeds`, elements known to lie one in each comment (a forum's post permalinks), stand for
    the times."""
    root = page.selector.root
    order = _DocumentOrder(root)
    if seeds is not None:
        blocks, signals = _blocks(seeds, order), seeds
    else:
        blocks, signals = _dated_blocks(root, page.language, order)
    if not blocks:
        blocks, signals = _named_blocks(root), []
    if not blocks:
        return []
    return _Thread(page, blocks, signals).read()


def _dated_blocks(root, language, order):
    """The comment blocks found by their times, and the times. Each kind of time signal
    proposes blocks, and the most blocks win, those that name themselves comments counting
    double (a recipe card's three times lose to fifty comments; forty `li.comment` beat the
    forty-one permalinks that also hold the post's date; two quotes named comments lose to
    twenty comments). Text dates, the dearest to find, are only looked for when the others
    found no blocks named comments."""
    best, best_key = ([], []), None
    for number, found in enumerate(_signal_groups(root, language)):
        if number == CHEAP_SIGNAL_KINDS and best_key and best_key[1]:
            break
        signals = _adjacent_merged(_outermost(found))
        named = _named_holders(signals, order)
        blocks = named or _blocks(signals, order)
        key = (len(blocks) * (NAMED_WEIGHT if named else 1), bool(named))
        if blocks and (best_key is None or key > best_key):
            best, best_key = (blocks, signals), key
    return best


def _signal_groups(root, language):
    yield _machine_times(root)
    yield _named_times(root)
    yield from _text_dates(root, language)


def _named_holders(signals, order):
    """Each signal's nearest ancestor that names itself a comment (`div.comment` and
    `div.comment-reply` alike), when most signals have one (not the post's own date)."""
    holders = {}
    for signal in signals:
        holder = next((ancestor for ancestor in signal.iterancestors() if _names_a_comment(ancestor)), None)
        if holder is not None:
            holders.setdefault(id(holder), holder)
    holders = order.sorted(holders.values())
    if len(holders) < 2 or len(holders) * 2 < len(signals) or _not_comments(holders):
        return []
    return holders


class _DocumentOrder:
    """Sorts elements of one tree into document order, numbering the tree once, when first
    asked: each kind of time signal proposes blocks to sort."""

    def __init__(self, root):
        self.root = root
        self._index = None

    def sorted(self, elements):
        if self._index is None:
            # Keyed by the elements themselves, which keeps their proxies alive: lxml makes a
            # new proxy (with a new id) for a node whose proxy was let go.
            self._index = {element: number for number, element in enumerate(self.root.iter())}
        return sorted(elements, key=self._index.__getitem__)


def _not_comments(blocks):
    """Whether blocks are posts or teasers rather than comments: one holds a page's heading,
    sits in furniture, or most of them are links and little else."""
    if any(block.xpath(".//h1 | .//h2") or _in_furniture(block) for block in blocks):
        return True
    return sum(map(_teaser, blocks)) * 2 > len(blocks)


def _teaser(block):
    """A block that is mostly a link: the title of a post and little else. Permalinks (to an
    anchor in the page, or around a date) are not titles."""
    links = block.xpath(".//a")
    outside = len(text_without(block, links))
    titles = sum(len(text_of(link)) for link in links
                 if not (link.get("href") or "#").startswith("#") and not plain_dates.date_span(text_of(link)))
    return outside < TEASER_TEXT and titles > outside


def _names_a_comment(element):
    return isinstance(element.tag, str) and _last_word(element) in COMMENT_WORDS - {"thread", "comments"}


def _machine_times(root):
    return [element for element in root.xpath(MACHINE_TIMES) if re.search(r"\d", _time_value(element))]


def _named_times(root):
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body"):
            continue
        names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        if any(word in names for word in TIME_NAMES):
            text = leading_text(element, (), TIME_TEXT_LIMIT + 1)
            if len(text) <= TIME_TEXT_LIMIT and (re.search(r"\d", text) or plain_dates.RELATIVE.search(text)):
                found.append(element)
    return found


def _time_value(element):
    return text_of(element) + (element.get("datetime") or element.get("title") or "")


def _text_dates(root, language):
    """Elements whose own short text shows a date, grouped by their markup (the times of one
    thread look alike; the post's date and a sidebar's look otherwise), the largest group first."""
    found = {}
    for holder in _digit_holders(root):
        element = holder
        while element is not None and id(element) not in found:
            text = leading_text(element, (), TIME_TEXT_LIMIT + 1)
            if len(text) > TIME_TEXT_LIMIT:
                break
            if plain_dates.date_span(text, language):
                found[id(element)] = element
                break
            element = element.getparent()
    found = list(found.values())
    groups = defaultdict(list)
    for element in _innermost(found):
        parent = element.getparent()
        groups[(_signature(element), _signature(parent) if parent is not None else None)].append(element)
    return sorted(groups.values(), key=len, reverse=True)


def _digit_holders(root):
    """The elements whose own text (not their children's) has a digit: where a date shown
    as text starts. Reading only them keeps the walk linear in the page's size."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("script", "style", "title", "option"):
            continue
        if re.search(r"\d", element.text or "") or any(
                re.search(r"\d", child.tail or "") for child in element):
            yield element


def _innermost(elements):
    """Elements with none of the others inside them: the tightest holder of each date."""
    inside = {id(ancestor) for element in elements for ancestor in element.iterancestors()}
    return [element for element in elements if id(element) not in inside]


def _named_blocks(root):
    """Blocks whose class names them a comment ("comment", "xenforo-comment", "Kommentar"),
    when no time marks them: the most numerous such kind that is no container of others."""
    kinds = defaultdict(list)
    for element in root.iter():
        if _names_a_comment(element) and text_of(element) and not _in_furniture(element):
            kinds[_signature(element)].append(element)
    best = []
    for elements in kinds.values():
        singles = _outermost(elements)
        if len(singles) >= 2 and len(singles) > len(best) and not _not_comments(singles):
            best = singles
    return best


def _last_word(element):
    """The last word of an element's first class: "comment" for `xenforo-comment`, "content"
    for `comment-content`."""
    classes = (element.get("class") or "").split()
    words = _words(classes[0]) if classes else []
    return words[-1] if words else ""


def _words(name):
    return [word.lower() for word in WORDS.findall(name or "")]


@lru_cache(maxsize=4096)
def _words_of(names):
    return frozenset(word for name in names.split() for word in _words(name))


def _class_words(element):
    return _words_of(f"{element.get('class') or ''} {element.get('id') or ''}")


def _outermost(elements):
    """Elements not inside another of them (a `span.date` around a `time` is one signal)."""
    kept = {id(element) for element in elements}
    return [element for element in elements
            if not any(id(ancestor) in kept for ancestor in element.iterancestors())]


def _adjacent_merged(signals):
    """Signals that follow each other in one parent (a date and a clock printed apart) as one:
    the first stands for both."""
    merged, previous = [], None
    for signal in signals:
        sibling = signal.getprevious()
        while sibling is not None and not isinstance(sibling.tag, str):
            sibling = sibling.getprevious()
        if previous is not None and sibling is previous and not (previous.tail or "").strip():
            previous = signal
            continue
        merged.append(signal)
        previous = signal
    return merged


def _in_furniture(block):
    """Whether a block sits in navigation, a sidebar, the page header or a widget, below the
    nearest container that names comments."""
    for ancestor in block.iterancestors():
        if ancestor.tag in ("nav", "aside"):
            return True
        if ancestor.tag == "header" and ancestor.getparent() is not None and ancestor.getparent().tag == "body":
            return True
        names = [name for name in (ancestor.get("class") or "").split() if not TAXONOMY_CLASS.match(name)]
        names.append(ancestor.get("id") or "")
        if any(NOT_THREAD.search(name) for name in names):
            return True
        about_comments = any(COMMENT_WORDS & set(_words(name)) for name in names)
        if about_comments:
            return False
        if any(NOT_THREAD_WEAK.search(name) for name in names):
            return True
    return False


def _signature(element):
    """A block's kind: its tag and first class (later classes mark odd, even, first, faded…)."""
    classes = [name for name in (element.get("class") or "").split() if not SIGNATURE_NOISE.match(name)]
    return element.tag, classes[0] if classes else ""


def _blocks(signals, order):
    """The blocks of the kind that holds one signal each: the most of them, or the outermost
    kind with nearly as many; none that are teasers, furniture or the times' own wrappers."""
    nearest = defaultdict(dict)  # kind -> signal -> its nearest ancestor of that kind
    level_of = {}
    for signal in signals:
        seen = set()
        for level, ancestor in enumerate(signal.iterancestors()):
            if ancestor.tag in ("body", "html"):
                break
            signature = _signature(ancestor)
            if signature in seen:
                continue
            seen.add(signature)
            nearest[signature][id(signal)] = (signal, ancestor)
            level_of.setdefault(signature, level)
    kinds = []
    for signature, owner in nearest.items():
        blocks = list({id(block): block for _, block in owner.values()}.values())
        if len(blocks) >= 2 and len(blocks) == len(owner):
            kinds.append((len(blocks), level_of[signature], blocks, owner))
    # The most blocks, or nearly as many of a larger kind: the signals the larger kind leaves
    # out are stray dates (the post's own), and the smaller kind a line inside each comment.
    for count in sorted({kind[0] for kind in kinds}, reverse=True):
        nearly = [kind for kind in kinds if kind[0] >= count - max(1, count // 10)]
        for _, _, blocks, owner in sorted(nearly, key=lambda kind: (kind[1], kind[0]), reverse=True):
            if not _not_comments(blocks) and not _time_wrappers(owner.values()):
                return order.sorted(blocks)
    return []


def _time_wrappers(signals_and_blocks):
    """Whether most blocks hold nothing but their time and perhaps numbers (a permalink around
    it, a teaser's date and comment count): the comments are a larger kind of block, or none."""
    bare = sum(not LETTER.search(text_without(block, [signal])) for signal, block in signals_and_blocks)
    return bare * 2 > len(signals_and_blocks)


class _Thread:
    """Reads one comment from each block and places it in the thread."""

    def __init__(self, page, blocks, signals):
        self.page = page
        self.blocks = blocks
        self.is_block = {id(block) for block in blocks}
        self.signals = signals  # kept alive: `is_signal` holds their ids
        self.is_signal = {id(signal) for signal in signals}

    def read(self):
        comments, index_of = [], {}
        depths = self._depths()
        stack = []  # (depth, index) of the comments a flat, indented reply may answer
        for block in self.blocks:
            comment = self.comment(block)
            parent = self._holder(block)
            if parent is None:
                parent = self._replied_beside(block)
            if parent is not None:
                comment.parent = index_of[id(parent)]
            elif depths:
                while stack and stack[-1][0] >= depths[id(block)]:
                    stack.pop()
                comment.parent = stack[-1][1] if stack else None
            if comment.parent is not None:
                comment.depth = comments[comment.parent].depth + 1
                comment.parent_platform_id = comments[comment.parent].platform_id
            index_of[id(block)] = len(comments)
            if depths:
                stack.append((depths[id(block)], len(comments)))
            comments.append(comment)
        return comments

    def _holder(self, block):
        """The block this one is nested in."""
        return next((ancestor for ancestor in block.iterancestors() if id(ancestor) in self.is_block), None)

    def _replied_beside(self, block):
        """The block whose replies container, right after it, holds this one: `ul.children`
        after a comment's div, Drupal's `div.indented` after a comment."""
        for element in (block, *block.iterancestors()):
            if element.tag in ("body", "html"):
                return None
            if id(element) in self.is_block and element is not block:
                return None
            if not REPLIES_WORDS & _class_words(element) and not (
                    element.tag in ("ul", "ol") and element is not block.getparent()):
                continue
            before = element.getprevious()
            while before is not None and not isinstance(before.tag, str):
                before = before.getprevious()
            if before is None:
                continue
            if id(before) in self.is_block:
                return before
            inside = [node for node in before.iterdescendants() if id(node) in self.is_block]
            if inside:
                return _outermost(inside)[-1]
        return None

    def _depths(self):
        """Each flat block's depth from its classes (`depth-2`, `comment--indented`), when
        the blocks are not nested and some of them say one."""
        if any(self._holder(block) is not None for block in self.blocks):
            return {}
        depths = {}
        for block in self.blocks:
            names = " ".join(filter(None, (block.get("class"), block.getparent().get("class"))))
            match = DEPTH_CLASS.search(names)
            depths[id(block)] = (int(match[1]) if match else
                                 2 if INDENTED_WORDS & _class_words(block) else 1)
        return depths if len(set(depths.values())) > 1 else {}

    def own(self, block):
        """The elements of this block, not of a block nested in it, in document order."""
        mine, pending = [], [child for child in reversed(block) if isinstance(child.tag, str)]
        while pending:
            element = pending.pop()
            if id(element) in self.is_block:
                continue
            mine.append(element)
            pending.extend(child for child in reversed(element) if isinstance(child.tag, str))
        return mine

    def comment(self, block):
        mine = self.own(block)
        times = self._times(block, mine)
        header = [] if times else _header_before(block, self.is_block, self.page.language)
        if header:
            times = _innermost([element for element in header if len(text_of(element)) <= TIME_TEXT_LIMIT
                                and plain_dates.date_span(text_of(element), self.page.language)])[:1]
        kind = _ping_kind(block, times)
        shown = _titled_time(times, self.page.language) or " ".join(text_of(time) for time in times) or None
        if kind is None:
            author, name, link, shown = self._name(block, header, mine, times, shown)
        else:
            author = _ping_link(mine)
            name, link = author_of(author) if author is not None else ("", None)
        body_html = self._body(block, mine, times, author)
        return Comment(
            platform_id=_block_id(block) or (_block_id(header[0]) if header else None),
            author=name, author_url=absolute(self.page.url, link),
            permalink=self._permalink(mine), type=kind or COMMENT,
            published_shown=shown,
            published_machine=machine_time(times) or _permalink_time(mine),
            body_html=PING_LABEL.sub(r"\1", body_html, count=1) if kind else body_html,
        )

    def _name(self, block, header, mine, times, shown):
        """(element, name, link, time shown) of the author, from the strongest evidence there
        is: a marked name, a name printed before the time in its text, a profile link, a
        short first line, a byline around the time, the one short text of a byline block."""
        author = self._author([*header, *mine], times)
        name, link = _name_of(author, times) if author is not None else ("", None)
        if name:
            return author, name, link, shown
        name, rest = _name_before_time(shown, self.page.language) if shown else ("", shown)
        if name:
            return None, name, None, rest
        author = self._linked_name([*header, *mine], times)
        if author is None:
            author = _leading_name(mine, times)
        if author is not None:
            return (author, *author_of(author), shown)
        if times and times[0].getparent() is not block:
            name, link, _ = read_byline(times[0].getparent(), "", shown)
            if name and len(name) <= NAME_LIMIT and name != shown:
                return None, name, link, shown
        author = self._lone_name(block, mine, times)
        return (author, *(author_of(author) if author is not None else ("", None)), shown)

    def _times(self, block, mine):
        """The block's time: its signal, with a clock printed right after it."""
        signal = next((element for element in mine if id(element) in self.is_signal), None)
        if signal is None:
            return []
        times = [signal]
        following = signal.getnext()
        while following is not None and following.tag == signal.tag and \
                following.get("class") == signal.get("class") and not (times[-1].tail or "").strip():
            times.append(following)
            following = following.getnext()
        return times

    def _author(self, mine, times):
        """The name's element: one marked as a name (schema.org, microformats, a class word in
        many languages; its link when it holds more than the name, its text less the time when
        it holds the time too), else a name before "says", else a `cite`, else bold text
        before the time."""
        around_times = _lineage(times)
        in_times = {element for time in times for element in time.iter()}
        usable = [element for element in mine if element not in in_times and text_of(element)
                  and not AVATAR_WORDS & _class_words(element)]
        tiers = ([element for element in usable if element.get("itemprop") in ("author", "creator", "name")],
                 *([element for element in usable if words & _edge_words(element)] for words in NAME_WORDS))
        for marked in tiers:
            named = [name for name in (_name_in(element, times, around_times) for element in marked)
                     if 0 < len(_name_of(name, times)[0]) <= NAME_LIMIT]
            if named:
                return named[0]
        short = [element for element in usable if element not in around_times
                 and len(text_of(element)) <= NAME_LIMIT]
        said = [element for element in short if element.tag in ("strong", "b", "cite", "span")
                and SAYS_AFTER_NAME.match(_text_after(element))]
        cited = [element for element in short if element.tag == "cite"]
        return next(iter(said or cited or _bold_before(short, times)), None)

    def _lone_name(self, block, mine, times):
        """In a byline block of a time and one short text, with the comment's text in the
        block after it (no class saying which is which), the element of that short text."""
        rest = text_without(block, times)
        following = _next_element(block)
        if not LETTER.search(rest) or len(rest) > NAME_LIMIT or following is None \
                or id(following) in self.is_block or len(text_of(following)) <= len(rest):
            return None
        return next((element for element in mine if text_of(element) == rest), None)

    def _linked_name(self, mine, times):
        """The last resort for a name: the first short link with letters that points at no
        comment, no reply form, and sits in no paragraph of the text."""
        around_times = _lineage(times)
        return next((element for element in mine if element.tag == "a" and element not in around_times
                     and not NOT_A_PROFILE.search(element.get("href") or "#")
                     and 0 < len(text_of(element)) <= NAME_LIMIT and LETTER.search(text_of(element))
                     and not element.xpath("ancestor::p | ancestor::blockquote")), None)

    def _permalink(self, mine):
        for element in mine:
            href = element.get("href") if element.tag == "a" else None
            if href and re.search(r"#(?:comment|c|post|reply)?[-_]?\d+$|[?&](?:c|cid|comment|showComment)=\d+", href):
                return absolute(self.page.url, href)
        return None

    def _body(self, block, mine, times, author):
        """The text: the element with the most of it among those whose class says they hold
        it and do not hold the name (one that says comment first, then one without the time,
        which is left out of it); else the block less its name, time and replies; else (a
        block of name, time and perhaps a number) the text block after it."""
        meta = [*times, *([author] if author is not None else [])]
        nested = [element for element in block.iterdescendants() if id(element) in self.is_block]
        inside_meta = {id(element) for part in meta for element in part.iter()}
        above_author = {id(element) for element in author.iterancestors()} if author is not None else set()
        above_times = {id(element) for time in times for element in time.iterancestors()}
        candidates = [element for element in mine if TEXT_WORDS & _class_words(element)
                      and id(element) not in inside_meta and id(element) not in above_author]
        text = max(candidates, default=None, key=lambda element: (
            bool(COMMENT_WORDS & _class_words(element)), id(element) not in above_times,
            len(text_without(element, meta))))
        if text is not None and text_without(text, meta):
            root = without_elements(text, [element for element in (*nested, *meta) if _contains(text, element)])
        else:
            root = without_elements(block, [*nested, *_with_line(meta, block)])
        body = without(root, META_CHROME)
        if not LETTER.search(text_of(body)):  # nothing, or a comment's number
            following = _next_element(block)
            if following is not None and id(following) not in self.is_block and (
                    not following.xpath(".//*[@id]") or (TEXT_WORDS | COMMENT_WORDS) & _class_words(following)):
                texts = [element for element in following.iter() if TEXT_WORDS & _class_words(element)]
                body = without(max(texts, key=lambda element: len(text_of(element)), default=following),
                               META_CHROME)
        return inner_html(body)


def _with_line(meta, block):
    """The name and time, and the line that holds them when it holds little else ("Ann ·
    2 May", "Ann says: 2 May")."""
    parts = list(meta)
    for element in meta:
        line = element.getparent()
        if line is not None and line is not block and len(text_without(line, meta)) <= LINE_REST_LIMIT:
            parts.append(line)
    return _outermost(parts)


def _bold_before(elements, times):
    """Bold text printed before the time, in its line: a name set off by weight alone."""
    if not times:
        return []
    shown = times[0]  # the time, or the link or span around it alone
    while shown.getparent() is not None and text_of(shown.getparent()) == text_of(times[0]):
        shown = shown.getparent()
    line = shown.getparent()
    if line is None:
        return []
    before = set()
    for child in line:
        if child is shown:
            break
        before.add(id(child))
    return [element for element in elements if element.tag in ("strong", "b") and id(element) in before]


def _edge_words(element):
    """The first and last words of each class name: what the name says the element is
    (`author-name`, `commentor-info`), not what it qualifies (Drupal's `field--name-comment-body`)."""
    return _edge_words_of(f"{element.get('class') or ''} {element.get('id') or ''}")


@lru_cache(maxsize=4096)
def _edge_words_of(names):
    edges = set()
    for name in names.split():
        words = _words(name)
        edges.update(words[:1] + words[-1:])
    return frozenset(edges)


def _name_in(element, times, around_times):
    """A name element, or the link in it when it holds more than the link (a title, a count)
    and the link is not around or in the time (`around_times`, the times' lineage)."""
    link = [link for link in element.xpath(".//a[@href][normalize-space()]") if link not in around_times]
    return link[0] if link and len(text_of(link[0])) < len(text_without(element, times)) else element


def _name_of(element, times):
    """(name, link) of a name element, less a time inside it (a theme's `comment-author` that
    holds the permalink and its time)."""
    inside = [time for time in times if _contains(element, time)]
    return author_of(without_elements(element, inside) if inside else element)


def _name_before_time(shown, language):
    """(name, time) from a time shown after its author's name ("Posted by: Kate at February
    20, 2008 12:31 PM", "Heidemarie Heim | Di, 21. April 2020 - 16:40"); ("", shown) when the
    text starts with the time."""
    span = plain_dates.date_span(shown, language)
    if not span or span[0] == 0:
        return "", shown
    name = BYLINE_EDGE.sub("", LEAD.sub("", shown[:span[0]]))
    if not LETTER.search(name) or len(name) > NAME_LIMIT:
        return "", shown
    return name, shown[span[0]:span[1]]


def _header_before(block, is_block, language):
    """The elements of a byline printed before a block that holds only text (a `<dt>` with
    its name and time before the `<dd>`), or []."""
    before = block.getprevious()
    while before is not None and not isinstance(before.tag, str):
        before = before.getprevious()
    if before is None or id(before) in is_block or before.xpath(".//p") or \
            len(leading_text(before, (), HEADER_LIMIT + 1)) > HEADER_LIMIT:
        return []
    if not plain_dates.date_span(text_of(before), language):
        return []
    return [before, *(element for element in before.iterdescendants() if isinstance(element.tag, str))]


def _text_after(element):
    """The text right after an element, across HTML comments (`<b>Ann</b> <!-- -->sagt:`), or
    the next element's when only space is between (`<cite>Ann</cite> <span>says:</span>`)."""
    text, following = element.tail or "", element.getnext()
    while following is not None and not isinstance(following.tag, str):
        text += following.tail or ""
        following = following.getnext()
    return text if text.strip() or following is None else text_of(following)


def _next_element(element):
    following = element.getnext()
    while following is not None and not isinstance(following.tag, str):
        following = following.getnext()
    return following


def _titled_time(times, language):
    """The date a time's title gives where its text is relative ("2 years ago", titled
    "August 12, 2014 2:15 pm"): the machine-readable time of themes that print none."""
    text = " ".join(text_of(time) for time in times)
    if not times or not plain_dates.RELATIVE.search(text) and re.search(r"\d", text):
        return None
    for holder in (element for time in times for element in time.iter()):
        title = " ".join((holder.get("title") or "").split())
        if re.search(r"\d", title) and plain_dates.date_span(title, language):
            return title
    return None


def _ping_kind(block, times):
    """"pingback" or "trackback" for a block that its class or its first words (after its
    time) name one."""
    named = _class_words(block) & {"pingback", "trackback"}
    if named:
        return min(named)
    label = PING_LABEL.match(leading_text(block, times, len("trackback:") + 2))
    return label[2].lower() if label else None


def _ping_link(mine):
    """A pingback's author: the linking page, its first link that is no comment anchor."""
    return next((element for element in mine if element.tag == "a" and element.get("href")
                 and not element.get("href").startswith("#")), None)


def _permalink_time(mine):
    """The instant a permalink carries, where the page shows none: Blogger's
    `?showComment=<milliseconds since 1970>`."""
    for element in mine:
        match = SHOWN_INSTANT.search(element.get("href") or "") if element.tag == "a" else None
        if match:
            return match[1]
    return None


def _leading_name(mine, times):
    """The first short line before the time that reads like a name, not a sentence or a
    control ("Franzi", not "Antworten" or "Hi!"): where nothing marks the name."""
    if not times:
        return None
    for element in mine:
        if element is times[0] or _contains(element, times[0]):
            return None
        text = text_of(element)
        if element.tag in NAME_TAGS and text and len(text) <= NAME_LIMIT and LETTER.search(text) \
                and text == " ".join((element.text or "").split()) and not text.endswith((".", "!", "?", ":")) \
                and text.lower() not in CONTROL_WORDS:
            return element
    return None


def _lineage(elements):
    """The elements, their ancestors and their descendants. A set of the elements themselves,
    not their ids: it keeps their lxml proxies alive, so a node met again is the same object."""
    return {related for element in elements for related in (*element.iter(), *element.iterancestors())}


def _contains(outer, inner):
    return any(ancestor is outer for ancestor in inner.iterancestors())


def _block_id(block):
    for element in (block, *block.iterdescendants()):
        if not isinstance(element.tag, str):
            continue
        for value in (element.get("id"), element.get("name")):
            match = re.search(r"(\d+)$", value or "")
            if match:
                return match[1]
    return None
