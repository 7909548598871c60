"""What platforms' `detect` functions search (archiver.extractors.detection)."""

import pytest

from archiver.extractors.detection import has_markers


@pytest.mark.parametrize("needed, expected", [(1, True), (2, True), (3, False)])
def test_markers_count_up_to_what_is_needed(needed, expected):
    markers = ("/wp-content/", "/wp-includes/", "wp-json", "wp-block-")
    text = "<script src='/wp-includes/x.js'></script> wp-json"
    assert has_markers(text, markers, needed) is expected
