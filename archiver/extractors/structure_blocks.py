"""Where a page's comments are, to the structural reader: a run of blocks of one kind, each
holding one time, or where no time is shown, each named a comment by its class.

Each kind of time signal proposes blocks (machine-readable times, elements named a time,
elements whose short text is a date), and the most blocks win; blocks in navigation, sidebars
or teasers are furniture, not a thread.
"""

import re
from collections import defaultdict
from collections.abc import Iterable

from lxml.etree import _Element

from archiver.extractors.elements import (
    innermost,
    leading_text,
    outermost,
    previous_element,
    text_of,
    text_without,
)
from archiver.extractors.structure_words import COMMENT_WORDS, LETTER, name_words, names_a_comment
from archiver.plain_dates import RELATIVE, date_span

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
# A text longer than this is a sentence that mentions a date, not a time shown.
TIME_TEXT_LIMIT = 60
# A block with less text than this outside its links, and more in them, is a teaser of a post.
TEASER_TEXT = 25
# Containers whose repeated blocks are not a thread: navigation, sidebars, teasers. One named by
# the weak words is furniture unless its name also says comments (`xenforo-comment-widget`,
# `cssShareBarCommentsList`); a container named for comments is where the search for furniture
# stops. Taxonomy classes (`tag-popular`, `category-archive`) describe a post, not a container.
NOT_THREAD = re.compile(r"related|recent|sidebar|^nav|menu|teaser|popular|trending|newsletter|"
                        r"promo|breadcrumb|pagination|archive", re.IGNORECASE)
NOT_THREAD_WEAK = re.compile(r"widget|footer|share|social", re.IGNORECASE)
TAXONOMY_CLASS = re.compile(r"^(tag|category|cat|post|type|format|status|marke|author|postid)-",
                            re.IGNORECASE)
# A block's kind: its tag and first class (see _signature).
Signature = tuple[str, str]
# Elements whose text no reader sees.
NO_TEXT_SHOWN = ("script", "style", "title", "option")
SIGNATURE_NOISE = re.compile(r"^(odd|even|first|last|alt|thread-\w+|depth-\d+|comment-\d+|"
                             r"byuser|bypostauthor|parent|clearfix|\w*-?\d+)$")


class DocumentOrder:
    """Sorts elements of one tree into document order, numbering the tree once, when first
    asked: each kind of time signal proposes blocks to sort."""

    def __init__(self, root: _Element):
        self.root = root
        self._index: dict[_Element, int] | None = None

    def sorted(self, elements: Iterable[_Element]) -> list[_Element]:
        if self._index is None:
            # Keyed by the elements themselves, which keeps their proxies alive: lxml makes a
            # new proxy (with a new id) for a node whose proxy was let go.
            self._index = {element: number for number, element in enumerate(self.root.iter())}
        return sorted(elements, key=self._index.__getitem__)


def dated_blocks(root: _Element, language: str | None,
                 order: DocumentOrder) -> tuple[list[_Element], list[_Element]]:
    """The comment blocks found by their times, and the times. Each kind of time signal
    proposes blocks, and the most blocks win, those that name themselves comments counting
    double (a recipe card's three times lose to fifty comments; forty `li.comment` beat the
    forty-one permalinks that also hold the post's date; two quotes named comments lose to
    twenty comments). Text dates, the dearest to find, are only looked for when the others
    found no blocks named comments."""
    best: tuple[list[_Element], list[_Element]] = ([], [])
    best_key = None
    for number, found in enumerate(_signal_groups(root, language)):
        if number == CHEAP_SIGNAL_KINDS and best_key and best_key[1]:
            break
        signals = _adjacent_merged(outermost(found))
        named = _named_holders(signals, order)
        blocks = named or signal_blocks(signals, order)
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
        holder = next((ancestor for ancestor in signal.iterancestors()
                       if names_a_comment(ancestor)), None)
        if holder is not None:
            holders.setdefault(id(holder), holder)
    holders = order.sorted(holders.values())
    if len(holders) < 2 or len(holders) * 2 < len(signals) or _not_comments(holders):
        return []
    return holders


def signal_blocks(signals: list[_Element], order: DocumentOrder) -> list[_Element]:
    """The blocks of the kind that holds one signal each: the most of them, or the outermost
    kind with nearly as many; none that are teasers, furniture or the times' own wrappers."""
    # kind -> signal -> its nearest ancestor of that kind
    nearest: defaultdict[Signature, dict] = defaultdict(dict)
    level_of: dict[Signature, int] = {}
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
        outer_first = sorted(nearly, key=lambda kind: (kind[1], kind[0]), reverse=True)
        for _, _, blocks, owner in outer_first:
            if not _not_comments(blocks) and not _time_wrappers(owner.values()):
                return order.sorted(blocks)
    return []


def _time_wrappers(signals_and_blocks):
    """Whether most blocks hold nothing but their time and perhaps numbers (a permalink around
    it, a teaser's date and comment count): the comments are a larger kind of block, or none."""
    bare = sum(not LETTER.search(text_without(block, [signal]))
               for signal, block in signals_and_blocks)
    return bare * 2 > len(signals_and_blocks)


def named_blocks(root: _Element) -> list[_Element]:
    """Blocks whose class names them a comment ("comment", "xenforo-comment", "Kommentar"),
    when no time marks them: the most numerous such kind that is no container of others."""
    kinds: defaultdict[Signature, list[_Element]] = defaultdict(list)
    for element in root.iter():
        if names_a_comment(element) and text_of(element) and not _in_furniture(element):
            kinds[_signature(element)].append(element)
    best: list[_Element] = []
    for elements in kinds.values():
        singles = outermost(elements)
        if len(singles) >= 2 and len(singles) > len(best) and not _not_comments(singles):
            best = singles
    return best


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
                 if not (link.get("href") or "#").startswith("#") and not date_span(text_of(link)))
    return outside < TEASER_TEXT and titles > outside


def _in_furniture(block):
    """Whether a block sits in navigation, a sidebar, the page header or a widget, below the
    nearest container that names comments."""
    for ancestor in block.iterancestors():
        if ancestor.tag in ("nav", "aside"):
            return True
        if ancestor.tag == "header" and getattr(ancestor.getparent(), "tag", None) == "body":
            return True
        names = [name for name in (ancestor.get("class") or "").split()
                 if not TAXONOMY_CLASS.match(name)]
        names.append(ancestor.get("id") or "")
        if any(NOT_THREAD.search(name) for name in names):
            return True
        about_comments = any(COMMENT_WORDS & set(name_words(name)) for name in names)
        if about_comments:
            return False
        if any(NOT_THREAD_WEAK.search(name) for name in names):
            return True
    return False


def _signature(element):
    """A block's kind: its tag and first class (later classes mark odd, even, first, faded…)."""
    classes = [name for name in (element.get("class") or "").split()
               if not SIGNATURE_NOISE.match(name)]
    return element.tag, classes[0] if classes else ""


def _machine_times(root):
    return [element for element in root.xpath(MACHINE_TIMES)
            if re.search(r"\d", _time_value(element))]


def _named_times(root):
    found = []
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in ("html", "body"):
            continue
        names = f"{element.get('class') or ''} {element.get('id') or ''}".lower()
        if any(word in names for word in TIME_NAMES):
            text = leading_text(element, (), TIME_TEXT_LIMIT + 1)
            if len(text) <= TIME_TEXT_LIMIT and (re.search(r"\d", text) or RELATIVE.search(text)):
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
            if date_span(text, language):
                found[id(element)] = element
                break
            element = element.getparent()
    found = list(found.values())
    groups = defaultdict(list)
    for element in innermost(found):
        parent = element.getparent()
        markup = _signature(element), _signature(parent) if parent is not None else None
        groups[markup].append(element)
    return sorted(groups.values(), key=len, reverse=True)


def _digit_holders(root):
    """The elements whose own text (not their children's) has a digit: where a date shown
    as text starts. Reading only them keeps the walk linear in the page's size."""
    for element in root.iter():
        if not isinstance(element.tag, str) or element.tag in NO_TEXT_SHOWN:
            continue
        if re.search(r"\d", element.text or "") or any(
                re.search(r"\d", child.tail or "") for child in element):
            yield element


def _adjacent_merged(signals):
    """Signals that follow each other in one parent (a date and a clock printed apart) as one:
    the first stands for both."""
    merged, previous = [], None
    for signal in signals:
        if previous is not None and previous_element(signal) is previous \
                and not (previous.tail or "").strip():
            previous = signal
            continue
        merged.append(signal)
        previous = signal
    return merged
