"""Learning agreements from EWP: every example and scenario that is a learning agreement
imports, is completed from the registry and renders in both languages; the rest is
refused with the line and the reason; our export is valid and round-trips."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from docgen.documents.render import render_document
from docgen.errors import InvalidInput
from docgen.operations.registry import fill_from_registry, learning_agreement_payload
from docgen.registry.ewp.la import import_la
from docgen.registry.ewp.la_export import export_la
from docgen.registry.ewp.xml import canonical, parse_xml, validate
from docgen.registry.models import Institution
from docgen.store import registry as store

DATA = Path(__file__).resolve().parents[1] / "data" / "ewp"
EXAMPLE = DATA / "omobility-las-get-response-example.xml"
SCENARIOS = sorted((DATA / "ola-scenarios").glob("Ex*.xml"), key=lambda p: int(p.stem[2:]))
LEARNING_AGREEMENTS = ["Ex1", "Ex4", "Ex7", "Ex9", "Ex11", "Ex14", "Ex17", "Ex19"]
REFUSED = {
    **{
        name: "is not a learning agreement"
        for name in ["Ex2", "Ex3", "Ex5", "Ex8", "Ex10", "Ex12", "Ex13", "Ex15", "Ex18", "Ex20"]
    },
    "Ex6": "line 1: one learning agreement per file, this one has 0",
    "Ex16": "line 2: the learning agreement lists no component",
}

# What the office's registry knows of the partners of these files (the files give only
# SCHAC codes and contacts' names and e-mails). The scenarios' made-up institutions and
# their contacts' positions are test data; their e-mail addresses are not valid ones.
PARTNERS = [
    {
        "schac": "uio.no",
        "name_native": "Universitetet i Oslo",
        "name_ro": "Universitatea din Oslo",
        "name_en": "University of Oslo",
        "country": "NO",
        "city": "Oslo",
        "contacts": [
            {
                "name": "Anders Bardal",
                "role": "departmental_coordinator",
                "position": "Erasmus senior coordinator",
                "email": "anders.bardal@example.com",
            }
        ],
    },
    {
        "schac": "uw.edu.pl",
        "name_ro": "Universitatea din Varșovia",
        "name_en": "University of Warsaw",
        "country": "PL",
        "city": "Warszawa",
        "contacts": [
            {
                "name": "Paweł Tomasz Kowalski",
                "role": "departmental_coordinator",
                "position": "Mobility coordinator",
                "email": "pawel.kowalski@example.com",
            }
        ],
    },
    {
        "schac": "example_a.edu",
        "name_ro": "Universitatea A",
        "name_en": "University A",
        "country": "GR",
        "city": "Atena",
        "contacts": [
            {
                "name": "Adams Baker",
                "role": "departmental_coordinator",
                "position": "Departmental coordinator",
            }
        ],
    },
    {
        "schac": "example_b.edu",
        "name_ro": "Universitatea B",
        "name_en": "University B",
        "country": "PT",
        "city": "Porto",
        "contacts": [
            {
                "name": "Clark Davis",
                "role": "departmental_coordinator",
                "position": "Departmental coordinator",
            }
        ],
    },
]


@pytest.fixture
def registry(session):
    for data in PARTNERS:
        store.create_institution(session, Institution.model_validate(data), None)
    session.flush()
    return session


@pytest.mark.parametrize(
    "path",
    [EXAMPLE, *[DATA / "ola-scenarios" / f"{n}.xml" for n in LEARNING_AGREEMENTS]],
    ids=lambda p: p.stem,
)
@pytest.mark.parametrize("lang", ["ro", "en"])
def test_a_learning_agreement_imports_and_renders(registry, path, lang, docx_text):
    payload = learning_agreement_payload(registry, path.read_bytes())
    text = docx_text(render_document("learning_agreement", lang, payload))
    assert payload["table_a"][0]["title"] in text
    assert payload["table_b"][-1]["title"] in text
    name = "University of Oslo" if lang == "en" else "Universitatea din Oslo"
    if "uio.no" in path.read_text(encoding="utf-8"):
        assert name in text and "Erasmus senior coordinator" in text
    signed = payload["sending_responsible"]
    assert signed["name"] in text
    day = signed["timestamp"][8:10] + ("." if lang == "ro" else "/") + signed["timestamp"][5:7]
    assert day in text  # the signature's date, from its timestamp
    month = "februarie 2019" if lang == "ro" else "February 2019"
    if path == EXAMPLE:
        assert month in text  # the planned month: EWP gives no day
        assert "Elementary Set Theory" in text  # a proposed change, said to be one
        assert ("adăugare propusă" if lang == "ro" else "addition proposed") in text


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_every_scenario_imports_or_is_refused_with_its_reason(path):
    if path.stem in LEARNING_AGREEMENTS:
        payload = import_la(path.read_bytes())
        warnings: list[str] = []
        payload = import_la(path.read_bytes(), warnings)
        assert payload["sending"]["schac"] in {"example_a.edu", "example_b.edu"}
        # The scenarios' addresses at example_a.edu are not e-mail addresses (no _ in a
        # domain): left out, and said so with their line.
        assert warnings and all("is not a valid e-mail address: left out" in w for w in warnings)
        assert warnings[0].startswith("line ")
        return
    with pytest.raises(InvalidInput) as exc:
        import_la(path.read_bytes())
    assert REFUSED[path.stem] in str(exc.value.problems[0])
    assert str(exc.value.problems[0]).startswith("line ")


def test_the_example_keeps_tables_changes_and_signatures():
    payload = import_la(EXAMPLE.read_bytes())
    assert [c["title"] for c in payload["table_a"]] == ["Introductory calculus"]
    assert [c["ects"] for c in payload["table_b"]] == [5, 4]
    assert payload["start"] == "2019-02" and payload["end"] == "2019-06"
    approved, *proposed = payload["changes"]
    assert (approved["component"]["title"], approved["action"], approved["reason"]) == (
        "Algebra",
        "added",
        "extending_mobility",
    )
    assert not approved["proposed"] and all(c["proposed"] for c in proposed)
    assert [c["reason"] for c in proposed] == ["substitutes_deleted", "language_mismatch"]
    assert payload["student_signature"] == {
        "name": "Ivan Petrovich Sidorov",
        "email": "ivan@example.com",
        "timestamp": "2018-11-12T13:13:45+02:00",
    }
    assert payload["receiving_responsible"]["position"] == "Mobility coordinator"


def test_an_unknown_institution_is_an_error_naming_the_field(registry):
    payload = import_la((DATA / "ola-scenarios" / "Ex4.xml").read_bytes())
    payload["receiving"]["schac"] = "nowhere.edu"
    with pytest.raises(InvalidInput) as exc:
        fill_from_registry(registry, payload)
    assert str(exc.value.problems[0]) == (
        "/receiving/schac: nowhere.edu is not an institution of the registry"
    )


SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "learning_agreement.json"


def _ours(session) -> dict:
    """Our sample learning agreement, as EWP needs it: names apart, signing times, and
    both institutions in the registry."""
    payload = json.loads(SAMPLE.read_text(encoding="utf-8"))
    payload["sending"]["contact"].update(given_names="Ștefan", family_name="Țăranu")
    payload["receiving"]["contact"].update(given_names="Milica", family_name="Petrović")
    for who, clock in (
        ("student_signature", "09:30:00+03:00"),
        ("sending_responsible", "12:05:10+03:00"),
        ("receiving_responsible", "08:00:00+02:00"),
    ):
        payload[who]["timestamp"] = f"{payload[who]['date']}T{clock}"
    for side in ("sending", "receiving"):
        given = payload[side]
        contact = {**given["contact"], "role": "departmental_coordinator"}
        contact.pop("given_names"), contact.pop("family_name")
        store.create_institution(
            session,
            Institution.model_validate(
                {k: given[k] for k in ("schac", "name_ro", "name_en", "country", "city")}
                | {"contacts": [contact]}
            ),
            None,
        )
    payload["changes"] = []
    return payload


def test_our_learning_agreement_goes_out_valid_and_comes_back_the_same(session, docx_text):
    payload = _ours(session)
    first = export_la(payload)
    validate(parse_xml(first))
    again = learning_agreement_payload(session, first)
    assert again["sending"]["name_ro"] == "Universitatea Politehnica Timișoara"
    assert again["sending"]["contact"]["position"] == "Coordonator Erasmus+ departamental"
    assert again["receiving_responsible"]["timestamp"] == "2026-06-15T08:00:00+02:00"
    assert canonical(export_la(again)) == canonical(first)
    text = docx_text(render_document("learning_agreement", "ro", again))
    assert "Tehnologii de fabricație" in text and "15.06.2026" in text


def test_what_ewp_needs_and_the_payload_lacks_is_refused(registry):
    payload = _ours(registry)
    broken = copy.deepcopy(payload)
    del broken["sending"]["contact"]["given_names"]
    del broken["student_signature"]["timestamp"]
    with pytest.raises(InvalidInput) as exc:
        export_la(broken)
    assert [p.pointer for p in exc.value.problems] == [
        "/sending/contact",
        "/student_signature/timestamp",
    ]
    # A scenario whose contacts' addresses were left out cannot go back to EWP as it is.
    scenario = learning_agreement_payload(
        registry, (DATA / "ola-scenarios" / "Ex4.xml").read_bytes()
    )
    with pytest.raises(InvalidInput) as exc:
        export_la(scenario)
    assert [p.pointer for p in exc.value.problems] == ["/sending/contact", "/receiving/contact"]
    changed = learning_agreement_payload(
        registry, (DATA / "ola-scenarios" / "Ex9.xml").read_bytes()
    )
    with pytest.raises(InvalidInput) as exc:
        export_la(changed)
    assert "/changes" in [p.pointer for p in exc.value.problems]


def test_the_commands_import_render_and_export(tmp_path, docx_text):
    import os
    import subprocess
    import sys

    env = dict(os.environ, DOCGEN_INSTANCE_DIR=str(tmp_path / "i"), PYTHONIOENCODING="utf-8")
    templates = Path(__file__).resolve().parents[2] / "templates"
    env["DOCGEN_TEMPLATES_DIR"] = str(templates)

    def docgen(*args, check=True):
        return subprocess.run(
            [sys.executable, "-m", "docgen", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=180,
            check=check,
        )

    docgen("db", "upgrade")
    script = (
        "import json, sys\n"
        "from docgen.cli.service import app_context\n"
        "from docgen.store.database import db\n"
        "from docgen.store import registry as store\n"
        "from docgen.registry.models import Institution\n"
        "with app_context():\n"
        "    for data in json.loads(sys.argv[1]):\n"
        "        store.create_institution(db.session, Institution.model_validate(data), None)\n"
        "    db.session.commit()\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, json.dumps(PARTNERS)],
        env=env,
        cwd=tmp_path,
        check=True,
        timeout=180,
    )
    scenario = DATA / "ola-scenarios" / "Ex14.xml"
    imported = docgen("ewp", "import", str(scenario), "-o", str(tmp_path / "la.json"))
    assert "warning: line " in imported.stderr and "left out" in imported.stderr
    payload = json.loads((tmp_path / "la.json").read_text(encoding="utf-8"))
    assert payload["sending"]["name_en"] == "University B"  # example_b.edu, from the registry
    out = tmp_path / "la.docx"
    docgen(
        "render",
        "learning_agreement",
        "--lang",
        "en",
        "--data",
        str(tmp_path / "la.json"),
        "-o",
        str(out),
    )
    assert "Advanced Logics for Computer Scientists" in docx_text(out.read_bytes())
    refused = docgen(
        "ewp",
        "export",
        "learning_agreement",
        "--data",
        str(tmp_path / "la.json"),
        "-o",
        str(tmp_path / "x.xml"),
        check=False,
    )
    assert refused.returncode == 2 and "/sending/contact:" in refused.stderr
    bad = docgen("ewp", "import", str(DATA / "ola-scenarios" / "Ex2.xml"), check=False)
    assert bad.returncode == 2
    assert "line 1: <omobility-las-update-request> is not a learning agreement" in bad.stderr
