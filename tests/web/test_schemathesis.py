"""Schemathesis against the OpenAPI document: no generated request may cause a server error.

Examples per operation are bounded so the whole run stays well under a minute.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.web.open_api_fixture import build_archive, make_app

EXAMPLES_PER_OPERATION = 6


@pytest.fixture(scope="module")
def api_schema(tmp_path_factory: pytest.TempPathFactory) -> schemathesis.BaseSchema:
    archive = build_archive(tmp_path_factory.mktemp("schemathesis"))
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", make_app(archive))
    # Ours: the JSON API, the archive-API drop-in, OAI-PMH and IIIF (not the HTML pages).
    return schema.include(path_regex=r"^/(api/v1|srv|oai|iiif|transcripts|translations|media)")


schema = schemathesis.pytest.from_fixture("api_schema")


@pytest.mark.slow
@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_no_request_causes_a_server_error(case: schemathesis.Case) -> None:
    case.call_and_validate(checks=[not_a_server_error])
