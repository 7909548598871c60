"""What a comment's byline prints between the commenter's name and the comment, in the
languages blogs are written in: "Ann says:", "Anonymous said...", "Jean a écrit :"; and the
label a pingback or trackback opens with.

One vocabulary for every reader: WordPress themes, Blogger's templates (which word it in the
blog's language) and the structural reader, which takes a short text followed by one of these
words for a name.
"""

import re

SAYS = ("says", "said", "wrote", "dit", "a dit", "écrit", "a écrit", "sagt", "sagte",
        "hat gesagt", "schreibt", "schrieb", "meint", "dice", "dijo", "escribió", "disse",
        "scrive", "ha scritto", "ha detto", "zegt", "zei", "schreef", "sa", "sagde", "skrev",
        "sanoi", "napisał(a)", "powiedział(a)", "berkata", "mengatakan", "dedi ki", "va dir",
        "a spus")
# Longest first: at the start of a text, "sagt" must not stop at "sa".
_SAYS = "|".join(re.escape(word) for word in sorted(SAYS, key=len, reverse=True))
# The word at the start of the text after a name ("<b>Ann</b> sagt:"), as a whole word.
SAYS_AFTER_NAME = re.compile(rf"^\s*(?:{_SAYS})(?![^\W\d_])\s*:?", re.IGNORECASE)
# The word ending a name's own text ("Ann says:", "Anonymous said..."), with its punctuation.
SAYS_AT_END = re.compile(rf"\s+(?:{_SAYS})\s*(?:\.\.\.|…|:)?\s*$", re.IGNORECASE)

# "Pingback: ", at the start of a text, or of the HTML of a ping (after the tags it opens with).
PING_LABEL = re.compile(r"^\s*(pingback|trackback)\s*:?\s*", re.IGNORECASE)
PING_LABEL_IN_HTML = re.compile(r"(^|>)\s*(pingback|trackback)\s*:?\s*", re.IGNORECASE)


def without_says(name: str) -> str:
    """A name's text less the word after it: "Ann says:" -> "Ann"."""
    return SAYS_AT_END.sub("", name)
