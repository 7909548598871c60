"""Times as blogs show them, turned into the archive's triple: shown, local (with offset), UTC.

Cheapest first: a machine-readable value (`datetime` attribute, feed time), then fixed
formats with strptime, then dateparser restricted to the page's language. Unrestricted
dateparser costs milliseconds per string, so it is only tried for a page of unknown
language, and only on text that has a digit.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser
from dateparser.date import DateDataParser
from dateparser.languages.loader import default_loader

UTC = timezone.utc

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
YEAR_FIRST = re.compile(r"(?<!\d)(\d{4})\s*(?:[-/.]|年)\s*(\d{1,2})\s*(?:[-/.]|月)\s*(\d{1,2})\s*日?(?!\d)")
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](?:\d{4}|\d{2})\b")
HAS_YEAR = re.compile(r"\b(1[89]|20)\d\d\b|'\d\d\b|" + NUMERIC_DATE.pattern)
# How far back a second parse is based to tell a relative time ("2 weeks ago"), which moves
# with its base, from a date shown without its year ("Jun 20th"), which does not.
PROBE_SHIFT = timedelta(days=100, hours=7)
HAS_TIME = re.compile(r"\d{1,2}\s*[:h.]\s*\d{2}(?!\d)|\d\s*(am|pm|a\.m\.|p\.m\.)", re.I)
EPOCH = re.compile(r"1\d{9}(?:\d{3})?")
OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
FRENCH_HOURS = re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})\b")  # "18 h 05", as French blogs write it
# Words that make a shown time relative to when the page was made ("3 hours ago", "il y a
# 2 jours", "vor 5 Minuten", "hace un día", "3天前"): such a time is counted back from the fetch.
RELATIVE = re.compile(
    r"\b(ago|just now|yesterday|today|il y a|hier|aujourd|vor\s+(\d+|einer?|einem)\b|gestern|heute|"
    r"hace|ayer|hoy|fa\b|ieri|oggi|há|ontem|hoje|geleden|gisteren|vandaag|назад|вчера|сегодня)|"
    r"\d\s*(分钟|小时|天|週|周|日|時間|分)前|昨天|今天|昨日|今日", re.I)
# A clock printed after a date: "17.10.2019, 14:14", "29.07.2020 // 12:56", "May 2 at 3 pm".
CLOCK_AFTER = re.compile(r"[\s,|/·–—-]*(?:at|um|à|a las|om|alle|às|-)?\s*\d{1,2}\s*[:h.]\s*\d{2}"
                         r"(?::\d{2})?(?!\d)(?:\s*(?:a\.?\s?m\.?|p\.?\s?m\.?)(?![^\W\d_]))?(?:\s*uhr)?", re.I)
NOISE = re.compile(r"^\s*(on|at|le|am|el|il|op|em|posted|said|says|written|:|\||-|–|—)\s+", re.I)


def utc_iso(moment):
    """An aware datetime as the archive writes every UTC time: '2014-08-12T13:15:00Z'."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass(frozen=True)
class Published:
    """One time, as shown and normalised. Any part may be None."""

    shown: str | None = None
    page: str | None = None  # ISO 8601 as the page gives it: an offset only when the page has one
    local: str | None = None  # the blog's wall time, with its offset when the zone is known
    utc: str | None = None  # ISO 8601 with Z, when the instant is known
    relative_to: str | None = None  # the fetch time (UTC) a relative time was counted back from


@lru_cache(maxsize=64)
def zone(name):
    """A tzinfo for an IANA name ("Europe/London") or a fixed offset ("+01:00"); None if neither."""
    if not name:
        return None
    match = re.fullmatch(r"(?:UTC|GMT)?([+-])(\d{1,2}):?(\d{2})?", name.strip())
    if match:
        sign = -1 if match[1] == "-" else 1
        return timezone(sign * timedelta(hours=int(match[2]), minutes=int(match[3] or 0)))
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        return None


def parse_machine(value):
    """A datetime (aware or naive) or a date from an ISO 8601 or RFC 2822 string; None otherwise."""
    if not value:
        return None
    value = value.strip()
    if EPOCH.fullmatch(value):  # seconds or milliseconds since 1970, as scripts write them
        return datetime.fromtimestamp(int(value[:10]), UTC)
    iso = OFFSET_WITHOUT_COLON.sub(r"\1:\2", value.replace("Z", "+00:00").replace(" ", "T", 1))
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
            return date.fromisoformat(value)
        return datetime.fromisoformat(iso)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None


def parse_shown(text, language=None, now=None, day_first=None, after=None):
    """A naive (or, when the text names a zone, aware) datetime or a date; None if unparseable."""
    text = NOISE.sub("", " ".join((text or "").split())).strip(" ,.|")
    text = FRENCH_HOURS.sub(r"\1:\2", text)
    if not text or not re.search(r"\d", text) and not language:
        return None
    if after is not None and not HAS_YEAR.search(text):
        placed = _placed_plain(text, language, day_first, after)
        if placed is not None:
            return placed
    value = _parse_shown(text, language, now, day_first)
    if value is None or after is None or HAS_YEAR.search(text):
        return value
    probe = _parse_shown(text, language, (now or datetime.now()) - PROBE_SHIFT, day_first)
    return _placed_after(value, after, probe)


def date_span(text, language=None):
    """Where a date, with its weekday before it and the clock time after it, sits in a short
    text: (start, end) of `text`, or None. "17.10.2019, 14:14 Zitieren #" -> the span of "17.10.2019, 14:14";
    a relative time ("vor 8 Stunden", "Hace 28 minutos") is the whole text."""
    lowered = text.lower()
    for shape in _date_shapes(language):
        match = shape.search(lowered)
        if match and re.search(r"\d", match[0]):
            clock = CLOCK_AFTER.match(lowered, match.end())
            weekday = _span_words(language)["weekday_before"].search(lowered[:match.start()])
            return weekday.start() if weekday else match.start(), clock.end() if clock else match.end()
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


def day_first(texts):
    """Whether a page's numeric dates put the day first, when one shows it ("14/04/2020")."""
    for text in texts:
        for first, second in NUMERIC_DATE.findall(text or ""):
            if int(first) > 12 >= int(second):
                return True
            if int(second) > 12 >= int(first):
                return False
    return None


def _placed_after(value, after, probe):
    """A year-less date put in the first year on or after `after` (a day early, for zones)."""
    if probe is None or _day_and_time(probe) != _day_and_time(value):
        return value  # a relative time: it belongs to when the page was made, not to the post
    earliest = (after.date() if isinstance(after, datetime) else after) - timedelta(days=1)
    try:
        placed = value.replace(year=earliest.year)
        if _date_of(placed) < earliest:
            placed = placed.replace(year=earliest.year + 1)
    except ValueError:  # 29 February in a year without one
        return value
    return placed


def _placed_plain(text, language, day_first, after):
    """A plain date shown without its year ("Jun 20th at 2:41 am"), in the first year on or
    after `after` (a day early, for zones)."""
    earliest = (after.date() if isinstance(after, datetime) else after) - timedelta(days=1)
    for year in (earliest.year, earliest.year + 1):
        placed = parse_plain(text, language, day_first, year=year)
        if placed is None or _date_of(placed) >= earliest:
            return placed
    return None


def _day_and_time(value):
    """What a date shown without its year fixes: month, day and time of day."""
    return value.month, value.day, getattr(value, "hour", 0), getattr(value, "minute", 0)


def _date_of(value):
    """The calendar date of a datetime or date."""
    return value.date() if isinstance(value, datetime) else value


@lru_cache(maxsize=4096)
def _parse_shown(text, language, now, day_first):
    value = parse_plain(text, language, day_first)
    if value is not None:
        return value
    if _time_of_day_only(text, language):  # "6:32 PM": dateparser would say it was today
        return None
    has_time = bool(HAS_TIME.search(text))
    settings = {"PREFER_DATES_FROM": "past"}
    if now is not None:
        settings["RELATIVE_BASE"] = now
    if day_first is not None:
        settings["DATE_ORDER"] = "DMY" if day_first else "MDY"
    if language is None and len(text) > 60:
        return None
    try:
        parsed = dateparser.parse(text, languages=dateparser_languages(language), settings=settings)
    except (ValueError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if has_time or parsed.tzinfo else parsed.date()


def parse_plain(text, language=None, day_first=None, year=None):
    """A date (and clock time) in one of the plain shapes blogs print, or None.

    "23. Juni 2016 um 17:21 Uhr", "25 de julio de 2010, 6:24", "August 3, 2019 at 4:11 am",
    "14/04/2020 at 3:00 pm", "2013/12/28 10:28": a day, a month (a number, or a name in the
    page's language or English) and a year, a clock time, and nothing else but filler
    words. Month and weekday names come from dateparser's locale data, so this reads the
    languages dateparser reads at a fraction of its cost; anything else (relative times, a
    missing year, stray words) is left to dateparser. A day and month named without a year
    take `year` when it is given.
    """
    words = _words(language)
    rest = f" {text.lower()} "
    clock = None
    match = CLOCK.search(rest)
    if match:
        hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
        meridiem = (match[4] or "").replace(".", "").replace(" ", "")
        if meridiem and not 1 <= hour <= 12:
            return None
        if meridiem in ("pm", "下午") and hour != 12:
            hour += 12
        elif meridiem in ("am", "上午") and hour == 12:
            hour = 0
        clock = (hour, minute, second)
        rest = rest[:match.start()] + " " + rest[match.end():]
    day_month_year, rest = _date_fields(rest, words, day_first, year)
    if day_month_year is None or words["leftover"].sub("", rest).strip():
        return None
    try:
        day = date(day_month_year[2], day_month_year[1], day_month_year[0])
        return datetime.combine(day, datetime.min.time()).replace(
            hour=clock[0], minute=clock[1], second=clock[2]) if clock else day
    except ValueError:
        return None


def _time_of_day_only(text, language):
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


def normalise(value, tz=None, assumed_tz=None):
    """Published fields (page, local, utc) for a datetime or date, given the blog's zone.

    Without the blog's zone, a wall time is taken to be in `assumed_tz` when given (the
    offset of the post's own time), and a time with its own offset keeps it: converting it
    to another fixed offset would move it across a daylight-saving change.
    """
    if value is None:
        return Published()
    if not isinstance(value, datetime):
        return Published(page=value.isoformat(), local=value.isoformat())
    if value.tzinfo is None:
        page = value.isoformat()
        if (tz or assumed_tz) is None:
            return Published(page=page, local=page)
        value = value.replace(tzinfo=tz or assumed_tz)
    else:
        page = value.isoformat()
    local = value.astimezone(tz) if tz is not None else value
    utc = utc_iso(value)
    return Published(page=page, local=local.isoformat(), utc=utc)


def parse_published(shown=None, machine=None, *, tz=None, assumed_tz=None, language=None,
                    now=None, day_first=None, after=None):
    """The Published triple for a time shown as `shown`, with an optional machine value.

    >>> parse_published("August 12, 2014 at 2:15 pm", tz=zone("Europe/London")).utc
    '2014-08-12T13:15:00Z'
    """
    shown = " ".join(shown.split()) if shown else None
    value = parse_machine(machine)
    relative_to = None
    if value is None and shown and now is not None and RELATIVE.search(shown):
        value = parse_relative(shown, language, now, tz)
        relative_to = utc_iso(now) if value is not None else None
    if shown and (value is None or _less_precise(value, shown)):
        naive_now = now.astimezone(tz or UTC).replace(tzinfo=None) if now else None
        found = _parse_shown_part(shown, language, naive_now, day_first, after)
        if found is not None and (value is None or _date_of(found) == value):
            value = found
    result = normalise(value, tz, assumed_tz)
    return Published(shown=shown, page=result.page, local=result.local, utc=result.utc,
                     relative_to=relative_to)


def _less_precise(machine, shown):
    """Whether a machine value is a date alone where the text also shows the time of day: the
    text's time wins when it falls on that date."""
    return not isinstance(machine, datetime) and bool(HAS_TIME.search(shown))


def _parse_shown_part(shown, language, now, day_first, after):
    """The time a text shows, read from the whole text or else from the date within it
    ("17.10.2019, 14:14 Zitieren #", "vom 04.06.2022.")."""
    value = parse_shown(shown, language, now, day_first, after)
    span = date_span(shown, language) if value is None else None
    if span and span != (0, len(shown)):
        value = parse_shown(shown[span[0]:span[1]], language, now, day_first, after)
    return value


def dateparser_languages(language):
    """The languages dateparser tries for a page in `language`: it, and English, which blog
    software prints in whatever the page's language; for a page of unknown language, the
    common ones (left to guess among all of its ~200 locales, dateparser spends up to 6 ms on
    a text that is no date)."""
    if language is None:
        return list(COMMON_LANGUAGES)
    return [language] if language == "en" else [language, "en"]


def parse_relative(text, language, now, tz=None):
    """A time shown relative to when the page was made, counted back from `now` (aware).

    "3 hours ago" is an instant whatever the blog's zone; "yesterday at 3:15 pm" is a wall
    time in the blog's zone (naive when that is unknown); "4 days ago" is only a date.
    """
    base_zone = tz or UTC
    base = now.astimezone(base_zone).replace(tzinfo=None)
    parser = DateDataParser(languages=dateparser_languages(language), settings={
        "RELATIVE_BASE": base, "PREFER_DATES_FROM": "past", "RETURN_TIME_AS_PERIOD": True})
    try:
        found = parser.get_date_data(text)
        if found.date_obj is None:  # "Posted 3 hours ago"
            found = parser.get_date_data(NOISE.sub("", text))
    except (ValueError, OverflowError):
        return None
    parsed = found.date_obj
    if parsed is None or parsed > base:
        return None
    if found.period != "time":
        return parsed.date()
    if HAS_TIME.search(text):
        return parsed.replace(tzinfo=tz) if tz else parsed
    return parsed.replace(tzinfo=base_zone)
