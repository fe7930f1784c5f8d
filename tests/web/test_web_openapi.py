"""The OpenAPI document, its offline page, and schemathesis: no 500 for generated requests."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings

from docgen.documents.kinds import KINDS

EXAMPLES = 25


@pytest.fixture
def backend():
    """SQLite only here: the API's behaviour on PostgreSQL is covered by the other tests."""
    return "sqlite"


def test_document_describes_every_route_from_the_models(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"].startswith("3.")
    paths = doc["paths"]
    for path in (
        "/documents",
        "/documents/batch",
        "/grants/quote",
        "/selection/rank",
        "/uploads",
        "/records",
        "/records/{record_id}",
        "/uploads/{sha256}",
        "/forms",
        "/forms/{form_id}.pdf",
        "/forms/{form_id}/prefill",
        "/kinds",
    ):
        assert path in paths, path
    body = paths["/documents"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert len(body["oneOf"]) == len(KINDS)
    schemas = doc["components"]["schemas"]
    assert {"FinancialContract", "QuoteRequest", "SelectionInput", "Problem"} <= set(schemas)
    assert paths["/records/{record_id}"]["patch"]["security"] == [{"apiKey": ["records:write"]}]


def test_docs_page_works_offline(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.data.decode()
    assert "/documents" in html and "problem-invalid-input" in html
    assert "<script" not in html and "https://" not in html


def test_no_generated_request_gets_a_server_error(app, admin):
    """Every operation, a bounded number of generated requests each (schemathesis + hypothesis).

    The app runs with TESTING on: an unexpected exception propagates here with its traceback
    instead of becoming a 500, so a failure shows where it happened.
    """
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 16
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            derandomize=True,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        def check(case):
            response = case.call(headers=admin)
            assert response.status_code < 500, (case.method, case.path, response.text[:300])

        check()
