"""The API fuzzed against its own OpenAPI document with schemathesis, through WSGI (no server).

For every operation the document lists, schema-valid (positive) and schema-violating (negative)
requests are generated and sent with the bearer token. Every answer must be one the document
describes: no 5xx, a documented status code, a documented content type, a body that conforms to
the documented schema, and every 4xx the one JSON error body ``{"code", "description"}``.

Not checked: that every schema-valid request is accepted (schemathesis' positive_data_acceptance).
Much of what makes a parameter valid cannot be said in OpenAPI 3.0: a bbox's south edge below its
north edge, a datetime that names a real day, a sortby over sortable properties, a feature whose
Point lies on the Earth. Those are refused with 400 and covered by tests/webapp/test_hostile_input.py.

Bounded and reproducible: ``derandomize`` makes the examples the same on every run, and a few dozen
examples per operation and mode keep the file well under a minute.
"""

from __future__ import annotations

import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from geo.openapi import openapi_document
from tests.conftest import TOKEN

# the operations, read from the document itself so that a new endpoint is fuzzed without a change here
OPERATIONS = [(path, method.upper()) for path, ops in openapi_document("").get("paths").items() for method in ops]
MAX_EXAMPLES = 50


@schemathesis.check
def json_error_body(ctx, response, case) -> bool | None:
    """Every 4xx answer is ``{"code": str, "description": str}`` as application/json."""
    if not 400 <= response.status_code < 500:
        return None
    media = (response.headers.get("content-type") or [""])[0].split(";")[0].strip()
    assert media == "application/json", f"a {response.status_code} answered {media!r}, not the JSON error body"
    body = json.loads(response.content)
    assert isinstance(body, dict) and set(body) == {"code", "description"}, f"not the error body: {body!r}"
    assert isinstance(body["code"], str) and isinstance(body["description"], str) and body["description"]
    return True


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=["valid", "invalid"])
@pytest.mark.parametrize("path, method", OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_the_api_answers_as_its_openapi_document_says(app, path, method, mode):
    schema = schemathesis.openapi.from_wsgi("/openapi?f=json", app)
    operation = schema[path][method]

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"},
                               additional_checks=[json_error_body], excluded_checks=[positive_data_acceptance])

    check()
