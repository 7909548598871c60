import pytest

from archiver.extractors.bylines import SAYS_AFTER_NAME, without_says


@pytest.mark.parametrize("byline, name", [
    ("Ann says:", "Ann"),
    ("Anonymous said...", "Anonymous"),
    ("Jean a écrit :", "Jean"),
    ("Heidi hat gesagt…", "Heidi"),
    ("Kowalski napisał(a)...", "Kowalski"),
    ("Saying Goodbye", "Saying Goodbye"),
])
def test_the_word_after_a_name_is_cut_in_every_language(byline, name):
    assert without_says(byline) == name


@pytest.mark.parametrize("text, says", [
    (" sagt:", True),
    ("wrote", True),
    ("Saturday, 3 May", False),  # "sa" is a word of its own, not the start of one
    ("dicembre 2020", False),
])
def test_a_name_is_followed_by_a_whole_word_of_saying(text, says):
    assert bool(SAYS_AFTER_NAME.match(text)) is says
