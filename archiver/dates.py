"""Times as blogs show them, turned into the archive's triple: shown, local (with offset), UTC.

Cheapest first: a machine-readable value (`datetime` attribute, feed time), then the plain
shapes archiver.plain_dates reads, then dateparser restricted to the page's language. Unrestricted
dateparser costs milliseconds per string, so it is only tried for a page of unknown
language, and only on text that has a digit.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import dateparser
from dateparser.date import DateDataParser

from archiver.plain_dates import (
    COMMON_LANGUAGES,
    RELATIVE,
    date_span,
    is_time_of_day_only,
    parse_plain,
)

NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](?:\d{4}|\d{2})\b")
HAS_YEAR = re.compile(r"\b(1[89]|20)\d\d\b|'\d\d\b|" + NUMERIC_DATE.pattern)
# How far back a second parse is based to tell a relative time ("2 weeks ago"), which moves
# with its base, from a date shown without its year ("Jun 20th"), which does not.
PROBE_SHIFT = timedelta(days=100, hours=7)
HAS_TIME = re.compile(r"\d{1,2}\s*[:h.]\s*\d{2}(?!\d)|\d\s*(am|pm|a\.m\.|p\.m\.)", re.I)
EPOCH = re.compile(r"1\d{9}(?:\d{3})?")
OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
FRENCH_HOURS = re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})\b")  # "18 h 05", as French blogs write it
NOISE = re.compile(r"^\s*(on|at|le|am|el|il|op|em|posted|said|says|written|:|\||-|–|—)\s+", re.I)


def utc_iso(moment: datetime) -> str:
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
def zone(name: str | None) -> tzinfo | None:
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


def parse_machine(value: str | None) -> datetime | date | None:
    """A datetime (aware or naive) or a date from an ISO 8601 or RFC 2822 string, or seconds
    or milliseconds since 1970; None otherwise."""
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


def parse_shown(text: str | None, language: str | None = None, now: datetime | None = None,
                day_first: bool | None = None,
                after: datetime | date | None = None) -> datetime | date | None:
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


def day_first(texts: Iterable[str | None]) -> bool | None:
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
    if is_time_of_day_only(text, language):  # "6:32 PM": dateparser would say it was today
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


def normalise(value: datetime | date | None, tz: tzinfo | None = None,
              assumed_tz: tzinfo | None = None) -> Published:
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


def parse_published(shown: str | None = None, machine: str | None = None, *,
                    tz: tzinfo | None = None, assumed_tz: tzinfo | None = None,
                    language: str | None = None, now: datetime | None = None,
                    day_first: bool | None = None,
                    after: datetime | date | None = None) -> Published:
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


def dateparser_languages(language: str | None) -> list[str]:
    """The languages dateparser tries for a page in `language`: it, and English, which blog
    software prints in whatever the page's language; for a page of unknown language, the
    common ones (left to guess among all of its ~200 locales, dateparser spends up to 6 ms on
    a text that is no date)."""
    if language is None:
        return list(COMMON_LANGUAGES)
    return [language] if language == "en" else [language, "en"]


def parse_relative(text: str, language: str | None, now: datetime,
                   tz: tzinfo | None = None) -> datetime | date | None:
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
