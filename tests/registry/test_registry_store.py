"""Registry storage: unique codes, one home institution, search and filters, history."""

from __future__ import annotations

import pytest

from docgen.errors import InvalidInput
from docgen.registry.models import Agreement, Institution
from docgen.store import registry as store

NIS = {"name_en": "University of Niš", "country": "RS", "city": "Niš"}
UPT = {
    "erasmus_code": "RO TIMISOA01",
    "schac": "upt.ro",
    "name_ro": "Universitatea Politehnica Timișoara",
    "country": "RO",
    "city": "Timișoara",
}


def test_codes_find_an_institution_whatever_their_spacing(session):
    row = store.create_institution(session, Institution.model_validate(UPT), None)
    assert store.find_institution(session, "ro   timisoa01").id == row.id
    assert store.find_institution(session, "UPT.RO").id == row.id
    assert store.find_institution(session, "RS NOVISAD02") is None


def test_a_code_belongs_to_one_institution(session):
    store.create_institution(session, Institution.model_validate(UPT), None)
    other = Institution.model_validate({**NIS, "erasmus_code": "RO TIMISOA01"})
    with pytest.raises(InvalidInput) as exc:
        store.create_institution(session, other, None)
    assert exc.value.problems[0].pointer == "/erasmus_code"


def test_there_is_one_home_institution(session):
    upt = store.create_institution(session, Institution.model_validate(UPT), None, home=True)
    nis = store.create_institution(session, Institution.model_validate(NIS), None)
    assert store.home_institution(session).id == upt.id
    store.set_home(session, nis, None)
    assert store.home_institution(session).id == nis.id
    assert not upt.is_home


def test_search_ignores_diacritics_and_filters_combine(session):
    nis = store.create_institution(session, Institution.model_validate(NIS), None)
    store.create_institution(session, Institution.model_validate(UPT), None)
    store.create_agreement(
        session, Agreement.model_validate({"type": "ka131", "partner_id": nis.id}), None
    )
    found, total = store.list_institutions(session, text="nis")
    assert total == 1 and found[0].id == nis.id
    assert store.list_institutions(session, text="timisoara")[1] == 1
    assert store.list_institutions(session, country="ro")[1] == 1
    assert store.list_institutions(session, agreement_type="ka131")[0] == [nis]
    assert store.list_institutions(session, country="RO", agreement_type="ka131")[1] == 0


def test_history_says_who_changed_which_field(session):
    from docgen.store.users import create_user

    user = create_user(session, "ana@upt.ro", "officer", "a long enough password 1")
    row = store.create_institution(session, Institution.model_validate(NIS), None)
    changed = store.update_institution(
        session,
        row,
        Institution.model_validate({**NIS, "address": "Univerzitetski trg 2, 18000 Niš"}),
        user,
    )
    assert changed == 1
    assert store.update_institution(session, row, store.institution_model(row), user) == 0
    changes = store.history(session, "institution", row.id)
    created = ["/city", "/contacts", "/country", "/faculties", "/name_en"]
    assert [c.field for c in changes] == [*created, "/address"]
    last = changes[-1]
    assert last.who == "ana@upt.ro" and last.user_id == user.id
    assert last.old is None and last.new == {"value": "Univerzitetski trg 2, 18000 Niš"}
    assert changes[0].who == "system"


def test_an_agreement_needs_a_partner_in_the_registry(session):
    with pytest.raises(InvalidInput) as exc:
        store.create_agreement(
            session, Agreement.model_validate({"type": "mou", "partner_id": 99}), None
        )
    assert exc.value.problems[0].pointer == "/partner_id"
