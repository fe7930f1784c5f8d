"""The converter's settings: a node's list of convert-servers and its token."""

from __future__ import annotations

import pytest

from docgen.config import DEFAULTS
from docgen.convert.app import check_settings, converter_urls


def test_the_defaults_use_this_machines_pool():
    assert converter_urls(DEFAULTS["CONVERTERS"]) == []
    assert check_settings(dict(DEFAULTS)) is None


def test_a_list_of_converters_is_read_from_text_or_a_list():
    assert converter_urls(" http://h1:8100/, http://h2:8100 ,") == [
        "http://h1:8100",
        "http://h2:8100",
    ]
    assert converter_urls(["http://h1:8100"]) == ["http://h1:8100"]


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"CONVERTERS": "http://h1:8100"}, "DOCGEN_CONVERTER_TOKEN"),
        ({"CONVERTERS": "h1:8100", "CONVERTER_TOKEN": "t"}, "DOCGEN_CONVERTERS"),
        ({"CONVERTERS": "https://h1", "CONVERTER_TOKEN": "t"}, "DOCGEN_CONVERTERS"),
        ({"CONVERTER_RETRY": 0}, "DOCGEN_CONVERTER_RETRY"),
        ({"CONVERTER_RETRY": "soon"}, "DOCGEN_CONVERTER_RETRY"),
    ],
)
def test_wrong_converter_settings_are_named(overrides, named):
    problem = check_settings(dict(DEFAULTS, **overrides))
    assert problem is not None and problem.startswith(named + ":"), problem
