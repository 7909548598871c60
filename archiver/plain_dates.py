"""Dates in the plain shapes blogs print them, found in a text and read without dateparser.

"23. Juni 2016 um 17:21 Uhr", "25 de julio de 2010, 6:24", "August 3, 2019 at 4:11 am",
"14/04/2020 at 3:00 pm", "2013/12/28 10:28": a day, a month (a number, or a name in the
page's language or English), a year and a clock time. Month and weekday names come from
dateparser's locale data, so these shapes are read in every language dateparser reads, at a
fraction of its cost; archiver.dates leaves the rest (relative times, stray words) to it.
"""

import re
from datetime import date, datetime
from functools import lru_cache

from dateparser.languages.loader import default_loader

# Tried for pages that do not say their language: the most common languages of the web.
COMMON_LANGUAGES = ("en", "es", "de", "fr", "ja", "ru", "pt", "it", "zh", "nl", "pl", "tr", "fa",
                    "vi", "id", "ko", "cs", "uk", "ar", "sv")
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august",
          "september", "october", "november", "december")
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# Words around a date that carry nothing ("on", "um", "à", "a las", "Uhr", "于"), besides
# the ones dateparser's locale data skips.
FILLERS = ("at", "on", "um", "am", "uhr", "à", "le", "de", "el", "a las", "om", "alle", "às",
           "o'clock", "于", "於", "posted", "said", "says")
CLOCK = re.compile(r"(?<![\d.])(\d{1,2})\s*[:h]\s*(\d{2})(?::(\d{2}))?(?!\d)\s*"
                   r"(a\.?\s?m\.?|p\.?\s?m\.?|上午|下午)?(?![^\W\d_])", re.I)
NUMERIC_DAY_MONTH_YEAR = re.compile(r"(?<!\d)(\d{1,2})[./-](\d{1,2})[./-](\d{4}|\d{2})(?!\d)")
YEAR_FIRST = re.compile(r"(?<!\d)(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})"
                        r"\s*日?(?!\d)")
# The words a 12-hour clock marks the afternoon and the morning with, once dots and spaces are
# gone ("p.m.", "PM", "下午").
AFTERNOON = ("pm", "下午")
MORNING = ("am", "上午")
# Words that make a shown time relative to when the page was made ("3 hours ago", "il y a
# 2 jours", "vor 5 Minuten", "hace un día", "3天前"): such a time is counted back from the fetch.
RELATIVE = re.compile(
    r"\b(ago|just now|yesterday|today|il y a|hier|aujourd|vor\s+(\d+|einer?|einem)\b|gestern|heute|"
    r"hace|ayer|hoy|fa\b|ieri|oggi|há|ontem|hoje|geleden|gisteren|vandaag|назад|вчера|сегодня)|"
    r"\d\s*(分钟|小时|天|週|周|日|時間|分)前|昨天|今天|昨日|今日", re.I)
# A clock printed after a date: "17.10.2019, 14:14", "29.07.2020 // 12:56", "May 2 at 3 pm".
CLOCK_AFTER = re.compile(r"[\s,|/·–—-]*(?:at|um|à|a las|om|alle|às|-)?\s*\d{1,2}\s*[:h.]\s*\d{2}"
                         r"(?::\d{2})?(?!\d)(?:\s*(?:a\.?\s?m\.?|p\.?\s?m\.?)(?![^\W\d_]))?"
                         r"(?:\s*uhr)?", re.I)


def date_span(text: str, language: str | None = None) -> tuple[int, int] | None:
    """Where a date, with its weekday before it and the clock time after it, sits in a short
    text: (start, end) of `text`, or None. "17.10.2019, 14:14 Zitieren #" -> the span of
    "17.10.2019, 14:14"; a relative time ("vor 8 Stunden", "Hace 28 minutos") is the whole
    text."""
    lowered = text.lower()
    for shape in _date_shapes(language):
        match = shape.search(lowered)
        if match and re.search(r"\d", match[0]):
            clock = CLOCK_AFTER.match(lowered, match.end())
            weekday = _span_words(language)["weekday_before"].search(lowered[:match.start()])
            return (weekday.start() if weekday else match.start(),
                    clock.end() if clock else match.end())
    if RELATIVE.search(text) and (re.search(r"\d", text) or len(text) <= 20):
        return 0, len(text)
    return None


@lru_cache(maxsize=32)
def _date_shapes(language):
    month = _span_words(language)["month"].pattern
    return (YEAR_FIRST, NUMERIC_DAY_MONTH_YEAR,
            re.compile(rf"(?<!\d)\d{{1,2}}(?:\.|st|nd|rd|th|er|º)?\s*(?:de\s+)?{month}\.?,?\s*"
                       rf"(?:de\s+)?(?:\d{{4}}|'\d\d)?"),
            re.compile(rf"{month}\.?\s*\d{{1,2}}(?:st|nd|rd|th)?(?!\d)(?:,?\s*\d{{4}})?"),
            re.compile(rf"{month}\.?\s*\d{{4}}"))


def parse_plain(text: str, language: str | None = None, day_first: bool | None = None,
                year: int | None = None) -> datetime | date | None:
    """A date (and clock time) in one of the plain shapes, with nothing else but filler words;
    None for anything else (relative times, a missing year, stray words). A day and month
    named without a year take `year` when it is given.

    >>> parse_plain("23. Juni 2016 um 17:21 Uhr", "de")
    datetime.datetime(2016, 6, 23, 17, 21)
    """
    words = _words(language)
    rest = f" {text.lower()} "
    clock = None
    match = CLOCK.search(rest)
    if match:
        clock = clock_time(match)
        if clock is None:
            return None
        rest = _cut(rest, match)
    day_month_year, rest = _date_fields(rest, words, day_first, year)
    if day_month_year is None or words["leftover"].sub("", rest).strip():
        return None
    try:
        day = date(day_month_year[2], day_month_year[1], day_month_year[0])
    except ValueError:
        return None
    return datetime.combine(day, datetime.min.time()).replace(
        hour=clock[0], minute=clock[1], second=clock[2]) if clock else day


def clock_time(match: re.Match) -> tuple[int, int, int] | None:
    """(hour, minute, second) on a 24-hour clock of a CLOCK match ("6:32 PM", "13 h 47"); None
    when it is no time of day ("13:05 pm", "25:10").

    >>> clock_time(CLOCK.search("12:05 a.m."))
    (0, 5, 0)
    """
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    meridiem = (match[4] or "").replace(".", "").replace(" ", "")
    if meridiem and not 1 <= hour <= 12:
        return None
    if meridiem in AFTERNOON and hour != 12:
        hour += 12
    elif meridiem in MORNING and hour == 12:
        hour = 0
    return (hour, minute, second) if hour < 24 and minute < 60 and second < 60 else None


def is_time_of_day_only(text: str, language: str | None) -> bool:
    """True for a clock time shown without any date."""
    match = CLOCK.search(f" {text.lower()} ")
    if not match:
        return False
    rest = _cut(f" {text.lower()} ", match)
    return not _words(language)["leftover"].sub("", rest).strip()


def _date_fields(rest, words, day_first, default_year=None):
    """(day, month, year) found in `rest`, and what is left of it; (None, rest) if none."""
    match = YEAR_FIRST.search(rest)
    if match:
        return (int(match[3]), int(match[2]), int(match[1])), _cut(rest, match)
    match = NUMERIC_DAY_MONTH_YEAR.search(rest)
    if match:
        year = int(match[3]) + (2000 if len(match[3]) == 2 else 0)
        first, second = int(match[1]), int(match[2])
        order_dmy = day_first if day_first is not None else words["day_first"]
        day, month = (first, second) if order_dmy else (second, first)
        return (day, month, year), _cut(rest, match)
    match = words["month"].search(rest)
    if not match:
        return None, rest
    month = words["months"][match[1]]
    rest = _cut(rest, match)
    year = re.search(r"(?<!\d)(\d{4})(?!\d)", rest)
    if year:
        rest = _cut(rest, year)
    elif default_year is None:
        return None, rest
    days = list(re.finditer(r"(?<!\d)(\d{1,2})(?:\.|st|nd|rd|th|er|º|°)?(?![\d\w])", rest))
    if len(days) != 1:
        return None, rest
    return (int(days[0][1]), month, int(year[1]) if year else default_year), _cut(rest, days[0])


def _cut(text, match):
    return text[:match.start()] + " " + text[match.end():]


@lru_cache(maxsize=32)
def _words(language):
    """Month names, weekday names and filler words of a language (and English), as regexes."""
    months, skipped, order, weekdays = {}, set(FILLERS), "MDY", set()
    for code in dict.fromkeys(filter(None, (language, "en"))):
        try:
            info = default_loader.get_locale(code).info
        except (KeyError, ValueError):
            continue
        if code == language:
            order = info.get("date_order", order)
        for number, name in enumerate(MONTHS, 1):
            for spelling in info.get(name, []):
                months.setdefault(spelling.lower(), number)
        for name in WEEKDAYS:
            weekdays.update(spelling.lower() for spelling in info.get(name, []))
        skipped.update(weekdays)
        skipped.update(word.lower() for word in info.get("skip", []) if word.strip())
    alternatives = "|".join(re.escape(name) for name in sorted(months, key=len, reverse=True))
    fillers = "|".join(re.escape(word) for word in sorted(skipped, key=len, reverse=True))
    return {
        "months": months,
        "month": re.compile(rf"(?<![^\W\d_])({alternatives})\.?(?![^\W\d_])"),
        "leftover": re.compile(rf"(?<![^\W\d_])({fillers})(?![^\W\d_])|[\s,.;:@|/()\-–—'’]+"),
        "day_first": order.startswith("D"),
        "weekday_before": _weekday_before(weekdays),
        "weekdays": weekdays,
    }


def _weekday_before(weekdays):
    """A weekday name at the end of a text: the one before a date ("Di, 21. April 2020")."""
    names = "|".join(map(re.escape, sorted(weekdays, key=len, reverse=True)))
    return re.compile(rf"(?<![^\W\d_])({names})\.?,?\s*$")


@lru_cache(maxsize=32)
def _span_words(language):
    """Month and weekday names to find a date by: the page's language (and English), or for a
    page that does not say its language, those of the common languages."""
    if language:
        return _words(language)
    every = [_words(code) for code in COMMON_LANGUAGES]
    months = {name for words in every for name in words["months"]}
    weekdays = {name for words in every for name in words["weekdays"]}
    alternatives = "|".join(re.escape(name) for name in sorted(months, key=len, reverse=True))
    return {"month": re.compile(rf"(?<![^\W\d_])({alternatives})\.?(?![^\W\d_])"),
            "weekday_before": _weekday_before(weekdays)}

