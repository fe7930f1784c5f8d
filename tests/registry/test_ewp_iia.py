"""IIAs out and in: valid against the v7 schema, stored, and the same after a round trip."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from lxml import etree

from docgen.errors import InvalidInput
from docgen.operations.registry import export_agreement_iia, import_agreement_iia, import_seeds
from docgen.registry.ewp.xml import IIA_NS, canonical, parse_xml, validate
from docgen.registry.models import Agreement, Institution
from docgen.store import registry as store

DATA = Path(__file__).resolve().parents[1] / "data" / "ewp"
EXAMPLE = (DATA / "iias-get-response-example.xml").read_bytes()


def _add(session, home=False, **data):
    return store.create_institution(session, Institution.model_validate(data), None, home=home)


@pytest.fixture
def warsaw(session):
    """The example's two partners in the registry, Warsaw as the home institution."""
    home = _add(
        session,
        True,
        schac="uw.edu.pl",
        name_en="University of Warsaw",
        country="PL",
        city="Warszawa",
    )
    partner = _add(
        session, schac="hibo.no", name_en="Høgskolen i Bergen", country="NO", city="Bergen"
    )
    return home, partner


def test_the_example_is_stored_with_its_conditions(session, warsaw):
    row = import_agreement_iia(session, EXAMPLE, None)
    model = store.agreement_model(row)
    assert row.institution_id == warsaw[1].id
    assert (model.iia_id, model.reference) == (
        "0f7a5682-faf7-49a7-9cc7-ec486c49a281",
        "983/E+/III14&15",
    )
    assert (model.partner_iia_id, model.partner_iia_code) == ("1954991", "2014/E+/PL/4104B")
    assert model.academic_years[0] == "2014-2015" and model.academic_years[-1] == "2020-2021"
    kinds = [(c.direction.value, c.mobility_type.value) for c in model.conditions]
    assert kinds == [
        ("outgoing", "SMS"),
        ("outgoing", "SMT"),
        ("outgoing", "STA"),
        ("incoming", "STA"),
        ("incoming", "STT"),
    ]
    studies = model.conditions[0]
    assert (studies.mobilities, studies.total_months, studies.eqf) == (2, 5, [7, 8])
    assert [(lang.language, lang.level) for lang in studies.languages] == [
        ("en", "B1"),
        ("no", "B1"),
    ]
    assert model.conditions[3].academic_years == ["2016-2017", "2017-2018"]
    assert store.history(session, "agreement", row.id)[0].field == "/academic_years"


def test_export_import_export_gives_the_same_document(session, warsaw):
    row = import_agreement_iia(session, EXAMPLE, None)
    first = export_agreement_iia(session, row.id)
    validate(parse_xml(first))
    again = import_agreement_iia(session, first, None)
    assert again.id != row.id
    second = export_agreement_iia(session, again.id)
    assert canonical(first) == canonical(second)
    root = parse_xml(first)
    assert root.findtext(f"{{{IIA_NS}}}iia/{{{IIA_NS}}}partner/{{{IIA_NS}}}hei-id") == "uw.edu.pl"
    assert len(root.find(f"{{{IIA_NS}}}iia/{{{IIA_NS}}}cooperation-conditions")) == 5


def test_a_seeded_agreement_goes_out_once_its_codes_are_known(session):
    import_seeds(session, None)
    home = store.home_institution(session)
    store.update_institution(
        session, home, store.institution_model(home).model_copy(update={"schac": "upt.ro"}), None
    )
    nis = store.list_institutions(session, text="University of Nis")[0][0]
    ka107 = store.list_agreements(session, institution_id=nis.id, agreement_type="ka107")[0]
    with pytest.raises(InvalidInput) as exc:
        export_agreement_iia(session, ka107.id)
    assert [p.pointer for p in exc.value.problems] == ["/partner/schac"]
    store.update_institution(
        session, nis, store.institution_model(nis).model_copy(update={"schac": "ni.ac.rs"}), None
    )
    with pytest.raises(InvalidInput) as exc:
        export_agreement_iia(session, ka107.id)
    # The call names no language for staff: EWP needs one, nothing is made up.
    staff = [p.pointer for p in exc.value.problems]
    assert staff and all(p.startswith("/conditions/") and p.endswith("/languages") for p in staff)
    model = store.agreement_model(ka107)
    students = [c for c in model.conditions if c.mobility_type in ("SMS", "SMT")]
    store.update_agreement(session, ka107, model.model_copy(update={"conditions": students}), None)
    xml = export_agreement_iia(session, ka107.id)
    root = parse_xml(xml)
    specs = root.findall(f".//{{{IIA_NS}}}student-studies-mobility-spec")
    assert len(specs) == len(students) == 4
    assert {s.findtext(f"{{{IIA_NS}}}sending-hei-id") for s in specs} == {"ni.ac.rs"}
    days = etree.tostring(root, encoding="unicode")
    assert "HERIȘANU Nicolae" in days and "<iia-id>docgen-" in days


def test_an_unknown_partner_or_a_foreign_agreement_is_refused(session, warsaw):
    other = EXAMPLE.replace(b"<hei-id>hibo.no</hei-id>", b"<hei-id>uib.no</hei-id>")
    with pytest.raises(InvalidInput) as exc:
        import_agreement_iia(session, other, None)
    assert str(exc.value.problems[0]) == (
        "/iia/partner/hei-id: uib.no is not in the registry: add the institution first"
    )
    foreign = EXAMPLE.replace(b"<hei-id>uw.edu.pl</hei-id>", b"<hei-id>uj.edu.pl</hei-id>")
    with pytest.raises(InvalidInput) as exc:
        import_agreement_iia(session, foreign, None)
    message = str(exc.value.problems[0])
    assert message.startswith("line 16: neither partner") and "(uw.edu.pl)" in message
    assert store.list_agreements(session) == []


def test_an_agreement_without_places_cannot_be_exported(session, warsaw):
    model = Agreement.model_validate(
        {
            "type": "ka131",
            "partner_id": warsaw[1].id,
            "academic_years": ["2026-2027"],
            "conditions": [
                {
                    "direction": "outgoing",
                    "mobility_type": "SMS",
                    "languages": [{"language": "en"}],
                },
                {"direction": "outgoing", "mobility_type": "BIP", "mobilities": 1},
            ],
        }
    )
    row = store.create_agreement(session, model, None)
    with pytest.raises(InvalidInput) as exc:
        export_agreement_iia(session, row.id)
    assert [p.pointer for p in exc.value.problems] == [
        "/conditions/1/mobility_type",
        "/conditions/0/mobilities",
    ]


def test_the_commands_import_and_export(tmp_path):
    env = dict(os.environ, DOCGEN_INSTANCE_DIR=str(tmp_path / "instance"), PYTHONIOENCODING="utf-8")

    def docgen(*args, check=True):
        return subprocess.run(
            [sys.executable, "-m", "docgen", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=check,
        )

    docgen("db", "upgrade")
    script = (
        "from docgen.cli.service import app_context\n"
        "from docgen.store.database import db\n"
        "from docgen.store import registry as store\n"
        "from docgen.registry.models import Institution as I\n"
        "with app_context():\n"
        "    store.create_institution(db.session, I(schac='uw.edu.pl', name_en='UW',"
        " country='PL', city='Warszawa'), None, home=True)\n"
        "    store.create_institution(db.session, I(schac='hibo.no', name_en='HVL',"
        " country='NO', city='Bergen'), None)\n"
        "    db.session.commit()\n"
    )
    subprocess.run([sys.executable, "-c", script], env=env, cwd=tmp_path, check=True, timeout=120)
    example = tmp_path / "iia.xml"
    example.write_bytes(EXAMPLE)
    agreement_id = docgen("ewp", "import", str(example)).stdout.strip()
    assert agreement_id.isdigit()
    out = tmp_path / "out.xml"
    docgen("ewp", "export", "agreement", agreement_id, "-o", str(out))
    validate(parse_xml(out.read_bytes()))
    bad = tmp_path / "bad.xml"
    bad.write_bytes(EXAMPLE.replace(b"<in-effect>true", b"<in-effect>maybe"))
    refused = docgen("ewp", "import", str(bad), check=False)
    assert refused.returncode == 2
    assert (
        "line 45: /iias-get-response/iia/in-effect: 'maybe' is not a boolean value"
        in refused.stderr
    )


def _iia(document: bytes) -> etree._Element:
    return parse_xml(document).find(f"{{{IIA_NS}}}iia")


def test_the_iia_hash_is_the_official_one():
    """The EWP example carries the hash the IIAs API's XSLT (v7) gives: ours is the same."""
    from docgen.registry.ewp.iia import iia_hash, text_to_hash

    iia = _iia(EXAMPLE)
    assert iia_hash(iia) == iia.findtext(f"{{{IIA_NS}}}iia-hash")
    assert iia_hash(iia) == "e950faa83a799cf45839e7915db88ed51575babe7845c1219dfde54ce30a61e4"
    text = text_to_hash(iia)
    assert text.startswith(
        "_iia-id_1=0f7a5682-faf7-49a7-9cc7-ec486c49a281__iia-id_2=1954991__cooperation-"
        "conditions.student-studies-mobility-spec.sending-hei-id=uw.edu.pl_"
    )
    assert "contact" not in text  # contacts are no terms of the agreement
    # A contact changed: the same hash; a number of places changed: another one.
    before = iia_hash(iia)
    spec = iia.find(f".//{{{IIA_NS}}}staff-teacher-mobility-spec")
    contact = etree.Element(f"{{{IIA_NS}}}sending-contact")
    etree.SubElement(contact, "{https://example.org/contact}contact-name").text = "Ana Pop"
    spec.find(f"{{{IIA_NS}}}sending-ounit-id").addnext(contact)
    assert iia_hash(iia) == before
    spec.find(f"{{{IIA_NS}}}mobilities-per-year").text = "3"
    assert iia_hash(iia) != before


def test_an_exported_agreement_carries_its_official_hash(session, warsaw):
    from docgen.registry.ewp.iia import iia_hash

    row = import_agreement_iia(session, EXAMPLE, None)
    iia = _iia(export_agreement_iia(session, row.id))
    assert iia.findtext(f"{{{IIA_NS}}}iia-hash") == iia_hash(iia)
