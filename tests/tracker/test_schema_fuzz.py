"""Schema-driven fuzzing of the API, in process: schemathesis generates requests (valid and
invalid) from ``/api/schema/`` and checks every response — no 5xx, and status codes, content
types, headers and bodies exactly as the schema documents them. Writes are sent with a real
token of the commitment's State, so 201 and 400 answers are checked too."""

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from config.wsgi import application
from focalpoints.tokens import api_token_issue
from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# The fuzzer sends hundreds of requests a minute from one address: lift the rates for it.
RATES = {"anon": "100000/minute", "user": "100000/minute"}


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """schemathesis calls the WSGI application directly, whose request signals would close the
    test's database connection mid-transaction (Django's own test client disconnects them
    the same way)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(state_a, focal_point_a):
    FocalPointFactory(state=state_a)
    commitment = CommitmentFactory(state=state_a)
    commitment.resolutions.add(ResolutionFactory())
    ProgressUpdateFactory(commitment=commitment)
    _token, raw = api_token_issue(user=focal_point_a, name="fuzz")
    return raw


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@pytest.mark.django_db
def test_api_conforms_to_its_schema(case, token):
    headers, excluded = None, []
    if case.method == "POST":
        headers = {"Authorization": f"Bearer {token}"}
        # A schema-valid update can still break a business rule the schema cannot express (a
        # date after today or before the pledge, an update of another commitment to correct):
        # those 400s are right, and their bodies are still checked against the schema.
        excluded = [positive_data_acceptance]
    with override_settings(
        REST_FRAMEWORK={**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
    ):
        case.call_and_validate(headers=headers, excluded_checks=excluded)
