from datetime import UTC, date, datetime

import pytest

from archiver.dates import Published, parse_published, zone
from archiver.plain_dates import CLOCK, clock_time, date_span, parse_plain

LONDON = "Europe/London"


@pytest.mark.parametrize("shown, machine, tz, language, expected", [
    # The example thread: a WordPress.com theme shows wall time only; the zone comes from the site.
    ("August 12, 2014 at 2:15 pm", None, LONDON, "en",
     Published("August 12, 2014 at 2:15 pm", "2014-08-12T14:15:00", "2014-08-12T14:15:00+01:00",
               "2014-08-12T13:15:00Z")),
    # Winter: the same zone, another offset.
    ("January 5, 2015 at 9:05 am", None, LONDON, "en",
     Published("January 5, 2015 at 9:05 am", "2015-01-05T09:05:00", "2015-01-05T09:05:00+00:00",
               "2015-01-05T09:05:00Z")),
    # A datetime attribute wins over the text and keeps its offset as the page's value.
    ("August 12, 2014", "2014-08-12T14:15:00+01:00", LONDON, "en",
     Published("August 12, 2014", "2014-08-12T14:15:00+01:00", "2014-08-12T14:15:00+01:00",
               "2014-08-12T13:15:00Z")),
    # A feed's RFC 2822 time, converted to the blog's wall time.
    (None, "Wed, 13 Aug 2014 17:30:00 +0000", LONDON, None,
     Published(None, "2014-08-13T17:30:00+00:00", "2014-08-13T18:30:00+01:00",
               "2014-08-13T17:30:00Z")),
    # Other languages go through dateparser restricted to the page's language.
    ("12. August 2014 um 14:15 Uhr", None, "Europe/Berlin", "de",
     Published("12. August 2014 um 14:15 Uhr", "2014-08-12T14:15:00", "2014-08-12T14:15:00+02:00",
               "2014-08-12T12:15:00Z")),
    ("12 janvier 2015 à 18 h 05", None, "Europe/Paris", "fr",
     Published("12 janvier 2015 à 18 h 05", "2015-01-12T18:05:00", "2015-01-12T18:05:00+01:00",
               "2015-01-12T17:05:00Z")),
    # A date alone has no instant: no UTC value is made up.
    ("August 12, 2014", None, LONDON, "en",
     Published("August 12, 2014", "2014-08-12", "2014-08-12", None)),
    # Without the blog's zone, the wall time is kept and UTC stays unknown.
    ("August 12, 2014 at 2:15 pm", None, None, "en",
     Published("August 12, 2014 at 2:15 pm", "2014-08-12T14:15:00", "2014-08-12T14:15:00", None)),
    # A fixed offset, as WordPress's gmt_offset gives when no zone name is set.
    ("August 12, 2014 at 2:15 pm", None, "+05:30", "en",
     Published("August 12, 2014 at 2:15 pm", "2014-08-12T14:15:00", "2014-08-12T14:15:00+05:30",
               "2014-08-12T08:45:00Z")),
    # Epoch milliseconds in a datetime attribute (a script's front end) are a machine time.
    ("23.05.2019 - 09:05", "1558595674000", None, "de",
     Published("23.05.2019 - 09:05", "2019-05-23T07:14:34+00:00", "2019-05-23T07:14:34+00:00",
               "2019-05-23T07:14:34Z")),
    # A datetime attribute with the date alone yields to the clock the text shows on that day.
    ("29.07.2020 // 12:56", "2020-07-29", None, "de",
     Published("29.07.2020 // 12:56", "2020-07-29T12:56:00", "2020-07-29T12:56:00", None)),
    # A date inside a longer text (a link's words after it, a word before it) is read.
    ("17.10.2019, 14:14 Zitieren #", None, None, "de",
     Published("17.10.2019, 14:14 Zitieren #", "2019-10-17T14:14:00", "2019-10-17T14:14:00", None)),
    ("vom 04.06.2022.", None, None, "de",
     Published("vom 04.06.2022.", "2022-06-04", "2022-06-04", None)),
    # Not a date at all.
    ("Reply", None, LONDON, "en", Published("Reply", None, None, None)),
    (None, None, LONDON, "en", Published()),
])
def test_parse_published(shown, machine, tz, language, expected):
    assert parse_published(shown, machine, tz=zone(tz), language=language) == expected


FETCHED = datetime(2024, 3, 10, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize("shown, tz, language, page, utc", [
    # Days and weeks back name a date only: no minute is made up.
    ("vor 3 Tagen", "Europe/Berlin", "de", "2024-03-07", None),
    ("2 weeks ago", LONDON, "en", "2024-02-25", None),
    ("3天前", None, "zh", "2024-03-07", None),
    # Hours and minutes back are an instant, known in UTC even without the blog's zone.
    ("3 hours ago", None, "en", "2024-03-10T09:00:00+00:00", "2024-03-10T09:00:00Z"),
    ("Posted 3 hours ago", None, "en", "2024-03-10T09:00:00+00:00", "2024-03-10T09:00:00Z"),
    ("il y a 2 heures", "Europe/Paris", "fr", "2024-03-10T11:00:00+01:00", "2024-03-10T10:00:00Z"),
    ("hace 5 minutos", None, "es", "2024-03-10T11:55:00+00:00", "2024-03-10T11:55:00Z"),
    # A clock time on a relative day is a wall time in the blog's zone.
    ("yesterday at 3:15 pm", "America/New_York", "en", "2024-03-09T15:15:00-05:00",
     "2024-03-09T20:15:00Z"),
])
def test_relative_times_count_back_from_the_fetch_and_say_so(shown, tz, language, page, utc):
    result = parse_published(shown, tz=zone(tz), language=language, now=FETCHED)
    assert (result.page, result.utc, result.relative_to) == (page, utc, "2024-03-10T12:00:00Z")


def test_absolute_times_are_not_marked_relative():
    result = parse_published("August 12, 2014 at 2:15 pm", tz=zone(LONDON), language="en",
                             now=FETCHED)
    assert result.relative_to is None


@pytest.mark.parametrize("name, offset_minutes", [("+01:00", 60), ("-0330", -210), ("UTC+2", 120)])
def test_zone_accepts_fixed_offsets(name, offset_minutes):
    assert zone(name).utcoffset(None).total_seconds() == offset_minutes * 60


def test_zone_of_nonsense_is_none():
    assert zone("Mars/Olympus_Mons") is None


@pytest.mark.parametrize("shown, language, day_first, expected", [
    ("23. Juni 2016 um 17:21 Uhr", "de", None, "2016-06-23T17:21:00"),
    ("Di, 21. April 2020 - 16:40", "de", None, "2020-04-21T16:40:00"),
    ("23.06.2016 um 16:14 Uhr", "de", None, "2016-06-23T16:14:00"),
    ("Juli 30, 2013 um 2:33 pm", "de", None, "2013-07-30T14:33:00"),
    ("25 de julio de 2010, 6:24", "es", None, "2010-07-25T06:24:00"),
    ("Le 7 décembre 2019 à 13:45", "fr", None, "2019-12-07T13:45:00"),
    ("26 décembre 2011 à 13 h 47", "fr", None, "2011-12-26T13:47:00"),
    ("August 3, 2019 at 4:11 am", "en", None, "2019-08-03T04:11:00"),
    ("March 10, 2017 at 12:20 AM", "en", None, "2017-03-10T00:20:00"),
    ("Thursday, May 30, 2019", "en", None, "2019-05-30"),
    ("14/04/2020 at 3:00 pm", "en", True, "2020-04-14T15:00:00"),
    ("09/25/2013 at 01:20 PM", "en", False, "2013-09-25T13:20:00"),
    ("於 2013/12/28 10:28", "zh", None, "2013-12-28T10:28:00"),
    ("2014年8月12日 14:15", "zh", None, "2014-08-12T14:15:00"),
])
def test_plain_dates_in_many_languages_parse_without_dateparser(shown, language, day_first,
                                                                expected):
    assert parse_plain(shown, language, day_first).isoformat() == expected


@pytest.mark.parametrize("shown, language", [
    ("Jun 20th at 2:41 am", "en"),  # no year: placed by the post's date, through dateparser
    ("3 hours ago", "en"),
    ("August 3, 2019 at 4:11 am by the sea", "en"),  # stray words: not a plain date
    ("31/02/2020", "en"),
])
def test_what_is_not_plain_is_left_to_dateparser(shown, language):
    assert parse_plain(shown, language) is None


@pytest.mark.parametrize("shown, post_date, expected", [
    ("Jun 20th at 2:41 am", date(2019, 6, 19), "2019-06-20T02:41:00"),
    # Shown in January under a December post: the next year.
    ("Jan 3rd at 9:15 pm", date(2019, 12, 28), "2020-01-03T21:15:00"),
    ("5. März um 10:00", date(2019, 12, 28), "2020-03-05T10:00:00"),
])
def test_a_date_without_its_year_falls_on_or_after_its_post(shown, post_date, expected):
    language = "de" if "März" in shown else "en"
    assert parse_published(shown, language=language, after=post_date).page == expected


def test_a_clock_time_without_a_date_gives_no_date():
    assert parse_published("6:32 PM", language="en", now=FETCHED) == Published("6:32 PM")


def test_without_the_blogs_zone_a_zoned_time_keeps_its_own_offset():
    # The post's offset (+01:00, summer) is only assumed for wall times shown without one; a
    # comment's own zoned time from after the change back to winter time keeps +00:00.
    summer = zone("+01:00")
    assert parse_published(None, "2014-11-02T10:00:00+00:00", assumed_tz=summer) == Published(
        None, "2014-11-02T10:00:00+00:00", "2014-11-02T10:00:00+00:00", "2014-11-02T10:00:00Z")
    assert parse_published("November 2, 2014 at 10:00 am", assumed_tz=summer,
                           language="en") == Published(
        "November 2, 2014 at 10:00 am", "2014-11-02T10:00:00", "2014-11-02T10:00:00+01:00",
        "2014-11-02T09:00:00Z")


def test_a_page_of_unknown_language_is_read_in_the_common_languages():
    assert parse_published("12. März 2014 um 10:00").page == "2014-03-12T10:00:00"
    assert parse_published("il y a 2 heures", now=FETCHED).utc == "2024-03-10T10:00:00Z"


@pytest.mark.parametrize("text, language, span", [
    ("Oct. 9, 2010 - 7:28 AM EST", "en", "Oct. 9, 2010 - 7:28 AM"),
    ("1. November 2023 um 11:54 Uhr", "de", "1. November 2023 um 11:54 Uhr"),
    ("Tobsen · April 19, 2019", None, "April 19, 2019"),
    ("23.09.20 | 18:19", "de", "23.09.20 | 18:19"),
    ("Hace 28 minutos", "es", "Hace 28 minutos"),
    ("Reply #1", "en", None),
    ("May I say", "en", None),
])
def test_date_span_finds_the_date_shown_in_a_short_text(text, language, span):
    found = date_span(text, language)
    assert (text[found[0]:found[1]] if found else None) == span


@pytest.mark.parametrize("text, expected", [
    ("6:32 PM", (18, 32, 0)),
    ("12:05 a.m.", (0, 5, 0)),
    ("12:40 pm", (12, 40, 0)),
    ("13 h 47", (13, 47, 0)),
    ("10:28:05", (10, 28, 5)),
    ("13:05 pm", None),  # no afternoon hour on a 12-hour clock
    ("25:10", None),
])
def test_one_rule_reads_a_clock_on_24_hours(text, expected):
    assert clock_time(CLOCK.search(f" {text.lower()} ")) == expected
