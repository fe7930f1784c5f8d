"""EWP XML in: refused with the line and the reason when it is not what it must be."""

from __future__ import annotations

from pathlib import Path

import pytest

from docgen.errors import InvalidInput, MalformedInput
from docgen.registry.ewp.xml import canonical, parse_xml, validate

DATA = Path(__file__).resolve().parents[1] / "data" / "ewp"
IIA = (DATA / "iias-get-response-example.xml").read_bytes()
LA = (DATA / "omobility-las-get-response-example.xml").read_bytes()


@pytest.mark.parametrize("example", [IIA, LA], ids=["iia", "la"])
def test_the_official_examples_are_valid_offline(example):
    validate(parse_xml(example))


def _refusal(data: bytes, error=InvalidInput) -> str:
    with pytest.raises(error) as exc:
        validate(parse_xml(data))
    return str(exc.value.problems[0])


def test_not_well_formed_names_the_line():
    broken = IIA.replace(b"</in-effect>", b"</in-effekt>")
    message = _refusal(broken, MalformedInput)
    assert message.startswith("line 45: not well-formed XML")


def test_a_value_against_the_schema_names_the_line_and_the_element():
    message = _refusal(IIA.replace(b"<in-effect>true", b"<in-effect>maybe"))
    assert message == "line 45: /iias-get-response/iia/in-effect: 'maybe' is not a boolean value"


def test_a_missing_element_is_invalid():
    message = _refusal(IIA.replace(b"<in-effect>true</in-effect>", b""))
    assert message.startswith("line ") and "in-effect" in message


def test_a_wrong_namespace_is_refused():
    other = IIA.replace(b"stable-v7/endpoints", b"stable-v6/endpoints", 1)
    message = _refusal(other)
    assert message.startswith("line 9: <iias-get-response> in namespace") and "stable-v6" in message


BOMB = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<la>&lol3;</la>
"""
EXTERNAL = b"""<?xml version="1.0"?>

<!DOCTYPE la [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<la>&secret;</la>
"""


def test_entity_expansion_is_refused_before_parsing():
    assert _refusal(BOMB, MalformedInput) == (
        "line 3: entity declarations are refused (entity expansion)"
    )


def test_an_external_entity_is_refused_and_never_read():
    message = _refusal(EXTERNAL, MalformedInput)
    assert message == "line 3: an external entity is refused (it would read a file or a URL)"
    assert "root:" not in message


def test_a_doctype_alone_is_refused():
    data = b'<?xml version="1.0"?>\n<!DOCTYPE la SYSTEM "http://example.com/la.dtd">\n<la/>'
    assert _refusal(data, MalformedInput) == (
        "line 2: a DOCTYPE is refused (EWP documents have none)"
    )


def test_canonical_form_ignores_layout_and_comments():
    compact = b"<a xmlns='urn:x'><b>1</b><!-- note --><c/></a>"
    spread = b'<?xml version="1.0"?>\n<a xmlns="urn:x">\n  <b>1</b>\n  <c></c>\n</a>\n'
    assert canonical(compact) == canonical(spread)
    assert canonical(compact) != canonical(compact.replace(b">1<", b">2<"))
