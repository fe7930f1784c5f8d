"""The home institution is set once in the registry: documents, the selection minutes and
the forms' prefill take it from there when the payload leaves it out; batch rows name
institutions by code as single payloads do."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_fill import PORTO, UPT  # the same two institutions

from docgen.documents.batch import validate_rows
from docgen.documents.render import render_document
from docgen.documents.tabular import Row
from docgen.errors import InvalidInput
from docgen.operations.registry import complete_items, complete_payload, prefill_home
from docgen.registry.models import Institution
from docgen.store import registry as store

SAMPLES = Path(__file__).resolve().parents[2] / "samples"


def _sample(name: str) -> dict:
    return json.loads((SAMPLES / f"{name}.json").read_text(encoding="utf-8"))


@pytest.fixture
def registry(session):
    store.create_institution(session, Institution.model_validate(UPT), None, home=True)
    store.create_institution(session, Institution.model_validate(PORTO), None)
    return session


@pytest.mark.parametrize("lang", ["ro", "en"])
def test_a_contract_without_its_university_gets_the_home_one(registry, lang, docx_text):
    data = _sample("financial_contract")
    del data["university"]
    filled = complete_payload(registry, "financial_contract", data)
    assert filled["university"] == {
        "name_ro": UPT["name_ro"],
        "name_en": UPT["name_en"],
        "erasmus_code": "RO TIMISOA01",
        "schac": "upt.ro",
        "country": "RO",
        "city": "Timișoara",
        "address": UPT["address"],
        "legal_representative": {"name": "Prof. dr. ing. Florin Drăgan", "position": "Rector"},
    }
    text = docx_text(render_document("financial_contract", lang, filled))
    assert "Florin Drăgan" in text and "Piața Victoriei nr. 2" in text


def test_the_payloads_own_fields_of_the_home_institution_win(registry):
    data = _sample("financial_contract")
    data["university"] = {"legal_representative": {"name": "Ion Pop", "position": "Prorector"}}
    filled = complete_payload(registry, "financial_contract", data)
    assert filled["university"]["legal_representative"] == {
        "name": "Ion Pop",
        "position": "Prorector",
    }
    assert filled["university"]["erasmus_code"] == "RO TIMISOA01"
    # A university given in full is left alone.
    given = _sample("financial_contract")
    assert complete_payload(registry, "financial_contract", given) == given


def test_the_selection_minutes_take_the_home_institution(registry, docx_text):
    data = _sample("selection_minutes")
    del data["university"]
    filled = complete_payload(registry, "selection_minutes", data)
    assert filled["university"]["name_ro"] == UPT["name_ro"]
    assert UPT["name_ro"] in docx_text(render_document("selection_minutes", "ro", filled))


def test_without_a_home_institution_the_payload_says_what_is_missing(session):
    data = _sample("financial_contract")
    del data["university"]
    assert complete_payload(session, "financial_contract", data) == data


def test_the_forms_prefill_the_home_institution(registry):
    data = {"reference": "X1", "values": {"participant_name": "Ana Pop"}}
    assert prefill_home(registry, "learning_agreement", data)["values"] == {
        "participant_name": "Ana Pop",
        "sending_institution": UPT["name_en"],
    }
    given = {"values": {"sending_institution": "Universitatea X"}}
    assert prefill_home(registry, "certificate_of_attendance", given) == given
    assert prefill_home(registry, "visiting_activity_report", data) == data


def test_batch_rows_name_institutions_by_code(registry):
    first, second = _sample("financial_contract"), _sample("financial_contract")
    for data in (first, second):
        del data["university"]
    first["mobility"]["host"] = {"erasmus_code": "P  PORTO02"}
    second["number"] = "155/2026"
    second["mobility"]["host"] = {"schac": "nowhere.example"}
    rows = [Row(2, "row 2", first), Row(3, "row 3", second)]
    payloads, report = validate_rows(
        "financial_contract",
        rows,
        fill=lambda data: complete_payload(registry, "financial_contract", data),
    )
    assert [p.mobility.host.name_en for p in payloads] == ["University of Porto"]
    assert payloads[0].university.erasmus_code == "RO TIMISOA01"
    assert [str(p) for p in report.problems] == [
        "row 3, column mobility.host.schac: nowhere.example is not an institution of the registry"
    ]
    with pytest.raises(InvalidInput) as exc:
        complete_items(registry, "financial_contract", [first, second])
    assert [p.pointer for p in exc.value.problems] == ["/items/1/mobility/host/schac"]


def test_the_batch_command_fills_rows_from_the_registry(tmp_path):
    import os
    import subprocess
    import sys
    import zipfile

    env = dict(
        os.environ,
        DOCGEN_INSTANCE_DIR=str(tmp_path / "instance"),
        DOCGEN_TEMPLATES_DIR=str(SAMPLES.parent / "templates"),
        PYTHONIOENCODING="utf-8",
    )

    def docgen(*args):
        return subprocess.run(
            [sys.executable, "-m", "docgen", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )

    assert docgen("db", "upgrade").returncode == 0
    script = (
        "import json, sys\n"
        "from docgen.cli.service import app_context\n"
        "from docgen.store.database import db\n"
        "from docgen.store import registry as store\n"
        "from docgen.registry.models import Institution as I\n"
        "upt, porto = json.loads(sys.argv[1]), json.loads(sys.argv[2])\n"
        "with app_context():\n"
        "    store.create_institution(db.session, I.model_validate(upt), None, home=True)\n"
        "    store.create_institution(db.session, I.model_validate(porto), None)\n"
        "    db.session.commit()\n"
    )
    subprocess.run(
        [sys.executable, "-c", script, json.dumps(UPT), json.dumps(PORTO)],
        env=env,
        cwd=tmp_path,
        check=True,
        timeout=120,
    )
    rows = []
    for number, code in (("154/2026", "P PORTO02"), ("155/2026", "E  MADRID05")):
        data = _sample("financial_contract")
        data["number"] = number
        del data["university"]
        data["mobility"]["host"] = {"erasmus_code": code}
        rows.append(data)
    (tmp_path / "rows.json").write_text(json.dumps(rows), encoding="utf-8")
    out = tmp_path / "out.zip"
    done = docgen(
        "batch", "financial_contract", "--lang", "ro", "--data", "rows.json", "-o", str(out)
    )
    assert done.returncode == 1, done.stderr  # one row rendered, one refused
    assert "/1/mobility/host/erasmus_code: E  MADRID05 is not an institution of the registry" in (
        done.stderr
    )
    assert out.is_file(), done.stderr + done.stdout
    with zipfile.ZipFile(out) as archive:
        assert len(archive.namelist()) == 1
    # A contract naming an agreement the registry does not hold is refused by its field.
    single = _sample("financial_contract")
    single["mobility"]["agreement"] = 99999
    (tmp_path / "one.json").write_text(json.dumps(single), encoding="utf-8")
    refused = docgen("render", "financial_contract", "--lang", "ro", "--data", "one.json")
    assert refused.returncode == 2, refused.stderr
    assert "/mobility/agreement: no agreement 99999" in refused.stderr
