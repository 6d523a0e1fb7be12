"""Schema-driven fuzzing of the API, in process: schemathesis generates requests (valid and
invalid) from ``/api/schema/`` and runs every check it has (the equivalent of ``--checks all``)
on every response — no 5xx, and status codes, content types, headers and bodies exactly as the
schema documents them — against a populated database: the reference data, the demonstration
data set (links and uploaded documents, corrections) and a small synthetic scale set, with
throttling off. Writes are sent with a real token of the commitment's State, so 201 and 400
answers are checked too."""

from urllib.parse import parse_qsl, urlsplit

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import override_settings
from hypothesis import HealthCheck, settings
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.specs.openapi.checks import positive_data_acceptance

from commitments import demo
from commitments.models import (
    AssessmentEvidence,
    Commitment,
    Moderation,
    PreventionStep,
    ProgressUpdate,
    Resolution,
)
from commitments.selectors import public_assessments, public_organisations
from config.wsgi import application
from focalpoints.models import FocalPoint, MemberState, Organisation, StateAccess
from focalpoints.tokens import api_token_issue
from tests.factories import (
    AssessmentFactory,
    AssessmentReplyFactory,
    CommitmentFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
    StateAccessFactory,
    UserFactory,
)

schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)

# The fuzzer sends hundreds of requests a minute from one address: throttling off (no rate
# for any scope, so no throttle applies).
RATES: dict = {}
SCALE = 40  # synthetic commitments (about ten updates each) on top of the demonstration data

load_all_checks()
ALL_CHECKS = CHECKS.get_all()


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
def populated(db, settings, tmp_path):
    """Reference data, the demonstration data set and a small scale set."""
    settings.MEDIA_ROOT = str(tmp_path)
    call_command("load_reference_data", verbosity=0)
    demo.seed_demo()
    demo.seed_synthetic(SCALE)
    _scrutiny()


def _scrutiny():
    """Independent assessments of a few commitments (published with evidence, a reply, a
    correction and a dispute; one waiting for moderation), an international and a national
    organisation, and one waiting for approval."""
    national = OrganisationFactory(
        kind=Organisation.Kind.NHRI, country=MemberState.objects.get(code="GHA")
    )
    international = OrganisationFactory()
    OrganisationFactory(pending=True)
    for index, commitment in enumerate(Commitment.objects.order_by("pk")[:12]):
        organisation = international if index % 2 else national
        assessment = AssessmentFactory(
            commitment=commitment,
            organisation=organisation,
            status=["limited", "complete"][index % 2],
        )
        AssessmentEvidence.objects.create(
            assessment=assessment, kind="link", title="Report", url="https://e.org/report"
        )
        if index % 3 == 0:
            AssessmentReplyFactory(assessment=assessment)
        if index == 1:
            AssessmentFactory(commitment=commitment, organisation=organisation, corrects=assessment)
        if index == 2:
            AssessmentFactory(
                commitment=commitment,
                organisation=organisation,
                disputed_at=assessment.published_at,
                dispute_reason="Not supported by the sources given.",
            )
        if index == 3:
            AssessmentFactory(
                commitment=commitment, organisation=organisation, moderation=Moderation.SUBMITTED
            )


@pytest.fixture
def token(populated):
    state = MemberState.objects.get(code="GHA")
    user = UserFactory(username="fuzz_fp")
    StateAccessFactory(user=user, state=state, role=StateAccess.Role.FOCAL_POINT)
    commitment = CommitmentFactory(state=state)
    commitment.resolutions.add(ResolutionFactory())
    ProgressUpdateFactory(commitment=commitment)
    _token, raw = api_token_issue(user=user, name="fuzz")
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
    elif case.query and "cursor" in case.query:
        # A cursor is opaque: the schema can say its alphabet, not which values this list gave
        # (an invented one is a 400 naming `cursor`, checked like every error body).
        excluded = [positive_data_acceptance]
    with override_settings(
        REST_FRAMEWORK={**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
    ):
        case.call_and_validate(headers=headers, checks=ALL_CHECKS, excluded_checks=excluded)


# Every real row, as each format shows it: generated ids rarely hit a row, so the details and the
# whole lists of the populated database are walked explicitly, with every check.
DETAILS = {
    "/api/v1/member-states/{code}/": ("code", lambda: MemberState.objects.values_list("code")),
    "/api/v1/focal-points/{id}/": ("id", lambda: FocalPoint.objects.values_list("pk")),
    "/api/v1/resolutions/{id}/": ("id", lambda: Resolution.objects.values_list("pk")),
    "/api/v1/prevention-steps/{code}/": (
        "code",
        lambda: PreventionStep.objects.values_list("code"),
    ),
    "/api/v1/commitments/{id}/": ("id", lambda: Commitment.objects.values_list("pk")),
    "/api/v1/progress-updates/{id}/": ("id", lambda: ProgressUpdate.objects.values_list("pk")),
    "/api/v1/organisations/{id}/": ("id", lambda: public_organisations().values_list("pk")),
    "/api/v1/assessments/{id}/": ("id", lambda: public_assessments().values_list("pk")),
}
ROWS_PER_DETAIL = 60  # the first rows of each (demo rows: links, documents, corrections) ...


def _sample(rows):
    keys = [row[0] for row in rows.order_by("pk")]
    return keys[:ROWS_PER_DETAIL] + keys[-10:]  # ... and the last (synthetic, scale) rows


@pytest.mark.django_db
def test_every_real_row_and_page_conforms_to_its_schema(populated, token):
    """Rows of every detail in every format; every page of every list (by cursor, to the
    end); every whole list streamed. One test, so the database is populated once."""
    with override_settings(
        REST_FRAMEWORK={**django_settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": RATES}
    ):
        for path, (name, rows) in DETAILS.items():
            operation = schema[path]["GET"]
            for key in _sample(rows()):
                for fmt in ("json", "csv", "jsonl"):
                    case = operation.Case(path_parameters={name: key}, query={"format": fmt})
                    response = case.call_and_validate(checks=ALL_CHECKS)
                    assert response.status_code == 200, (path, key, fmt)
            _walk_list(schema[path.split("{")[0]]["GET"])


def _walk_list(operation):
    query, pages = {"page_size": "100"}, 0
    while query:
        response = operation.Case(query=query).call_and_validate(checks=ALL_CHECKS)
        pages += 1
        next_link = response.json()["next"]
        query = dict(parse_qsl(urlsplit(next_link).query)) if next_link else None
    assert pages >= 1
    for fmt in ("csv", "jsonl"):
        operation.Case(query={"format": fmt}).call_and_validate(checks=ALL_CHECKS)
