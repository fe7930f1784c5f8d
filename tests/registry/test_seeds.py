"""The seeds: every partner and agreement of the report and the call, nothing invented."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import pytest
import yaml

from docgen.operations.registry import import_seeds
from docgen.registry.seeds import CALL, DATA, REPORT, read_report, seed_partners
from docgen.store import registry as store

ROOT = Path(__file__).resolve().parents[2]


def _fold(text: str) -> str:
    """Whitespace collapsed, Romanian diacritics dropped (the call spells CRIŞAN and CRISAN,
    the transcription CRIȘAN); other letters (š, ć, é) kept."""
    text = unicodedata.normalize("NFC", text)
    for marked, plain in zip("şșţțŞȘŢȚăâîĂÂÎ", "ssttSSTTaaiAAI", strict=True):
        text = text.replace(marked, plain)
    return re.sub(r"\s+", " ", text)


def test_the_report_has_89_partner_rows_and_92_agreements():
    rows = read_report((DATA / REPORT).read_text(encoding="utf-8"))
    assert len(rows) == 12 + 40 + 37  # the tables: other agreements, KA131, KA171/KA107
    assert sum(r.count for r in rows) == 92  # Thessaloniki has 3, Mascareignes 2 (KA171)
    kinds = Counter(r.type.value for r in rows for _ in range(r.count))
    assert kinds == {
        "ka131": 39,
        "ka171": 30,
        "ka107": 8,
        "ka103": 3,
        "mou": 4,
        "eea": 4,
        "framework": 3,
        "semp": 1,
    }
    broken = {r.university: (r.country, r.city) for r in rows}
    assert broken["University of Applied Sciences and Arts Western Switzerland"] == (
        "CH",
        "Delemont",
    )
    assert broken["ISLA - Polytechnic Institute of Management and Technology"] == (
        "PT",
        "Vila Nova de Gaia",
    )


def test_every_value_of_the_call_transcription_is_in_the_call():
    call = _fold((DATA / "incoming-mobility-call.txt").read_text(encoding="utf-8"))
    data = yaml.safe_load((DATA / CALL).read_text(encoding="utf-8"))
    texts = [*data["coordinators"].values(), *data["fields"].values()]
    texts += [f"{code} {name}" for code, name in data["fields"].items()]
    for partner in [data["home"], *data["partners"]]:
        texts += [partner.get(k) for k in ("name_native", "name_en", "address", "city")]
        texts += partner.get("faculties", [])
        for contact in partner.get("contacts", []):
            texts += [contact.get(k) for k in ("name", "email", "address")]
            texts += (
                [contact.get("position")] if contact.get("position") != "Contact person" else []
            )
        for item in partner.get("conditions", []):
            if "days_per_mobility" in item:
                texts.append(f"{item['days_per_mobility']} days")
            texts.append(item.get("notes"))
    missing = [t for t in texts if t and _fold(t) not in call]
    assert missing == []


def test_the_seeds_give_81_partners_and_98_agreements_without_codes():
    home, partners = seed_partners()
    assert len(partners) == 81  # 80 distinct in the report, plus Novi Sad from the call
    assert sum(len(p.agreements) for p in partners) == 92 + 6
    assert all(p.institution.erasmus_code is None for p in partners)
    assert home.erasmus_code is None and home.address.startswith("Piata Victoriei")


@pytest.fixture
def seeded(session):
    report = import_seeds(session, None)
    session.commit()
    return report


def _partner(session, name):
    rows, total = store.list_institutions(session, text=name)
    assert total == 1, name
    return rows[0]


def test_import_creates_every_partner_and_agreement_once(session, seeded):
    assert (seeded.institutions_created, seeded.agreements_created) == (82, 98)
    again = import_seeds(session, None)
    assert (again.institutions_created, again.agreements_created) == (0, 0)
    assert (again.institutions_kept, again.agreements_kept) == (81, 98)
    assert store.list_institutions(session)[1] == 82
    assert len(store.list_agreements(session)) == 98
    assert store.home_institution(session).id == seeded.home_id
    assert len(store.list_institutions(session, agreement_type="ka131")[0]) == 37


def test_what_the_seeds_lack_is_missing_not_invented(session, seeded):
    nagoya = _partner(session, "Nagoya Institute")
    model = store.institution_model(nagoya)
    assert (model.country, model.city, model.erasmus_code, model.address) == (
        "JP",
        "Nagoya",
        None,
        None,
    )
    assert {"erasmus_code", "schac", "address", "contacts"} <= set(model.missing)
    types = sorted(a.type for a in store.list_agreements(session, institution_id=nagoya.id))
    assert types == ["framework", "ka171", "mou"]
    thessaloniki = _partner(session, "International Hellenic")
    agreements = store.list_agreements(session, institution_id=thessaloniki.id)
    assert [a.type for a in agreements] == ["ka131"] * 3
    assert all(
        store.agreement_model(a).missing == ["academic_years", "conditions"] for a in agreements
    )


def test_a_partner_of_both_seeds_is_one_record_completed_by_the_call(session, seeded):
    nis = _partner(session, "University of Nis")
    model = store.institution_model(nis)
    assert model.name_en == "University of Niš"
    assert "University of Niș" in model.notes  # the report's spelling is kept
    assert [c.email for c in model.contacts] == ["vesna.lopicic@ni.ac.rs", "civljak@ni.ac.rs"]
    assert model.address is None and "address" in model.missing
    agreements = {
        a.type: store.agreement_model(a)
        for a in store.list_agreements(session, institution_id=nis.id)
    }
    assert set(agreements) == {"ka131", "ka107"}
    ka107 = agreements["ka107"]
    assert ka107.academic_years == ["2015-2016"]
    places = [c for c in ka107.conditions if c.academic_years == ["2015-2016"]]
    phd = next(c for c in places if c.mobility_type == "SMS" and c.eqf == [8])
    assert (phd.mobilities, phd.days_per_mobility) == (1, 132)
    assert phd.subject_areas[0].isced == "0712"
    assert phd.coordinators[0].name == "HERIȘANU Nicolae"
    training = next(c for c in places if c.mobility_type == "STT")
    assert (training.mobilities, training.teaching_days, training.transport_days) == (1, 7, 2)


def test_the_call_funded_days_per_place(session, seeded):
    days = set()
    for row in store.list_agreements(session, agreement_type="ka107"):
        for condition in store.agreement_model(row).conditions:
            if condition.days_per_mobility:
                days.add(condition.days_per_mobility)
    assert days == {152, 122, 116, 139, 132}
    novi_sad = store.institution_model(_partner(session, "Novi Sad"))
    assert (novi_sad.country, novi_sad.city, novi_sad.erasmus_code) == ("RS", "Novi Sad", None)


def test_the_command_imports_the_seeds(tmp_path):
    env = dict(os.environ, DOCGEN_INSTANCE_DIR=str(tmp_path / "instance"), PYTHONIOENCODING="utf-8")

    def docgen(*args):
        return subprocess.run(
            [sys.executable, "-m", "docgen", *args],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )

    docgen("db", "upgrade")
    out = docgen("partners", "import-seeds").stderr
    assert "institutions: 82 created, 0 kept; agreements: 98 created, 0 kept" in out
    assert "82 created" not in docgen("partners", "import-seeds").stderr
    listed = json.loads(docgen("partners", "list", "--country", "MA", "--json").stdout)
    zohr = next(item for item in listed if item["name"] == "Ibn Zohr University")
    assert zohr["erasmus_code"] is None and "erasmus_code" in zohr["missing"]
    assert "home institution: " in docgen("partners", "home", str(zohr["id"])).stderr
    shown = json.loads(docgen("partners", "show", str(zohr["id"])).stdout)
    assert shown["home"] is True and shown["history"][-1]["field"] == "/home"
    assert {a["type"] for a in shown["agreements"]} == {"ka107", "ka171"}
