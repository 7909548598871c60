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

UTC = timezone.utc

# English forms WordPress, Blogger and friends print with their default settings.
FIXED_FORMATS = (
    "%B %d, %Y at %I:%M %p",
    "%B %d, %Y at %H:%M",
    "%B %d, %Y, %I:%M %p",
    "%B %d, %Y %I:%M %p",
    "%b %d, %Y at %I:%M %p",
    "%d %B %Y at %I:%M %p",
    "%d %B %Y at %H:%M",
    "%d %B, %Y at %I:%M %p",
    "%A, %B %d, %Y at %I:%M %p",
    "%m/%d/%Y %I:%M %p",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%B %d, %Y",
    "%b %d, %Y",
    "%d %B %Y",
    "%A, %B %d, %Y",
    "%Y-%m-%d",
)
NUMERIC_DATE = re.compile(r"\b(\d{1,2})[./-](\d{1,2})[./-](?:\d{4}|\d{2})\b")
HAS_YEAR = re.compile(r"\b(1[89]|20)\d\d\b|'\d\d\b|" + NUMERIC_DATE.pattern)
# How far back a second parse is based to tell a relative time ("2 weeks ago"), which moves
# with its base, from a date shown without its year ("Jun 20th"), which does not.
PROBE_SHIFT = timedelta(days=100, hours=7)
HAS_TIME = re.compile(r"\d{1,2}\s*[:h.]\s*\d{2}(?!\d)|\d\s*(am|pm|a\.m\.|p\.m\.)", re.I)
OFFSET_WITHOUT_COLON = re.compile(r"([+-]\d{2})(\d{2})$")
FRENCH_HOURS = re.compile(r"\b(\d{1,2})\s*h\s*(\d{2})\b")  # "18 h 05", as French blogs write it
# Words that make a shown time relative to when the page was made ("3 hours ago", "il y a
# 2 jours", "vor 5 Minuten", "hace un día", "3天前"): such a time is counted back from the fetch.
RELATIVE = re.compile(
    r"\b(ago|just now|yesterday|today|il y a|hier|aujourd|vor\s+(\d+|einer?|einem)\b|gestern|heute|"
    r"hace|ayer|hoy|fa\b|ieri|oggi|há|ontem|hoje|geleden|gisteren|vandaag|назад|вчера|сегодня)|"
    r"\d\s*(分钟|小时|天|週|周|日|時間|分)前|昨天|今天|昨日|今日", re.I)
NOISE = re.compile(r"^\s*(on|at|le|am|el|il|op|em|posted|said|says|written|:|\||-|–|—)\s+", re.I)


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
    value = _parse_shown(text, language, now, day_first)
    if value is None or after is None or HAS_YEAR.search(text):
        return value
    probe = _parse_shown(text, language, (now or datetime.now()) - PROBE_SHIFT, day_first)
    return _placed_after(value, after, probe)


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


def _day_and_time(value):
    """What a date shown without its year fixes: month, day and time of day."""
    return value.month, value.day, getattr(value, "hour", 0), getattr(value, "minute", 0)


def _date_of(value):
    """The calendar date of a datetime or date."""
    return value.date() if isinstance(value, datetime) else value


@lru_cache(maxsize=4096)
def _parse_shown(text, language, now, day_first):
    has_time = bool(HAS_TIME.search(text))
    if language in (None, "en"):
        for fmt in FIXED_FORMATS:
            if day_first and fmt.startswith("%m/"):
                continue
            try:
                parsed = datetime.strptime(text, fmt)
            except ValueError:
                continue
            return parsed if "%H" in fmt or "%I" in fmt else parsed.date()
    settings = {"PREFER_DATES_FROM": "past"}
    if now is not None:
        settings["RELATIVE_BASE"] = now
    if day_first is not None:
        settings["DATE_ORDER"] = "DMY" if day_first else "MDY"
    languages = [language] if language else None
    if languages and language != "en":
        languages.append("en")
    if languages is None and len(text) > 60:
        return None
    try:
        parsed = dateparser.parse(text, languages=languages, settings=settings)
    except (ValueError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if has_time or parsed.tzinfo else parsed.date()


def normalise(value, tz=None):
    """Published fields (page, local, utc) for a datetime or date, given the blog's zone."""
    if value is None:
        return Published()
    if not isinstance(value, datetime):
        return Published(page=value.isoformat(), local=value.isoformat())
    if value.tzinfo is None:
        page = value.isoformat()
        if tz is None:
            return Published(page=page, local=page)
        value = value.replace(tzinfo=tz)
    else:
        page = value.isoformat()
    local = value.astimezone(tz) if tz is not None else value
    utc = value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return Published(page=page, local=local.isoformat(), utc=utc)


def parse_published(shown=None, machine=None, *, tz=None, language=None, now=None,
                    day_first=None, after=None):
    """The Published triple for a time shown as `shown`, with an optional machine value.

    >>> parse_published("August 12, 2014 at 2:15 pm", tz=zone("Europe/London")).utc
    '2014-08-12T13:15:00Z'
    """
    shown = " ".join(shown.split()) if shown else None
    value = parse_machine(machine)
    relative_to = None
    if value is None and shown and now is not None and RELATIVE.search(shown):
        value = parse_relative(shown, language, now, tz)
        relative_to = now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value is not None else None
    if value is None and shown:
        naive_now = now.astimezone(tz or UTC).replace(tzinfo=None) if now else None
        value = parse_shown(shown, language, naive_now, day_first, after)
    result = normalise(value, tz)
    return Published(shown=shown, page=result.page, local=result.local, utc=result.utc,
                     relative_to=relative_to)


def parse_relative(text, language, now, tz=None):
    """A time shown relative to when the page was made, counted back from `now` (aware).

    "3 hours ago" is an instant whatever the blog's zone; "yesterday at 3:15 pm" is a wall
    time in the blog's zone (naive when that is unknown); "4 days ago" is only a date.
    """
    base_zone = tz or UTC
    base = now.astimezone(base_zone).replace(tzinfo=None)
    languages = [language, "en"] if language and language != "en" else ["en"] if language else None
    parser = DateDataParser(languages=languages, settings={
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
