"""Query counts per API request do not grow with the page size, the data or the depth of the
page: every list is pinned with 10- and 100-item pages at two data sizes, and on every cursor
page down to the last."""

import datetime

import pytest
from django.db import connection

from commitments.models import AssessmentEvidence, RiskFactor, ScrutinyChannel, Status
from commitments.services import EvidenceLink, progress_update_create
from tests.factories import (
    AssessmentFactory,
    AssessmentReplyFactory,
    CommitmentFactory,
    FocalPointFactory,
    MemberStateFactory,
    OrganisationFactory,
    PreventionStepFactory,
    ResolutionFactory,
)

API = "/api/v1/"
CODES = [f"{a}{b}{c}" for a in "ABC" for b in "ABCDEFGHIJ" for c in "ABCD"][:110]


def _world(secretariat, state_a, size: int):
    """``size`` of every resource, each with its relations filled in."""
    states = [state_a] + [
        MemberStateFactory(code=code, name=f"State {code}") for code in CODES[: size - 1]
    ]
    channel = ScrutinyChannel.objects.create(code="parliament", name="Parliament", level="national")
    risk = RiskFactor.objects.create(number=1, name="Armed conflict", kind="common", crime="all")
    for number in range(2, size + 1):
        RiskFactor.objects.create(number=number, name=f"Factor {number}", kind="specific")
    steps = [PreventionStepFactory(code=f"S{i}") for i in range(size)]
    for step in steps:
        step.channels.add(channel)
        step.risk_factors.add(risk)
    resolutions = [ResolutionFactory() for _ in range(size)]
    for i, resolution in enumerate(resolutions):
        resolution.states.add(states[i % len(states)], states[(i + 1) % len(states)])
    for state in states:
        FocalPointFactory(state=state)
    commitments = [CommitmentFactory(state=states[i % 2], step=steps[i % 3]) for i in range(size)]
    for commitment in commitments:
        commitment.resolutions.add(resolutions[0], resolutions[1])
        commitment.channels.add(channel)
        progress_update_create(
            user=secretariat,
            commitment=commitment,
            reported_on=datetime.date(2024, 2, 1),
            status=Status.LIMITED,
            narrative="Done a bit.",
            links=[EvidenceLink(url="https://example.org/report", title="Report")],
        )
    organisations = [OrganisationFactory() for _ in range(size)]
    for i, commitment in enumerate(commitments):
        assessment = AssessmentFactory(
            commitment=commitment, organisation=organisations[i % len(organisations)]
        )
        AssessmentEvidence.objects.create(
            assessment=assessment, kind="link", title="Shadow report", url="https://e.org/s"
        )
        AssessmentReplyFactory(assessment=assessment)
    return commitments


@pytest.fixture
def many(db, secretariat, state_a):
    """110 of every resource."""
    return _world(secretariat, state_a, 110)


@pytest.fixture(params=[25, 110], ids=["25-rows", "110-rows"])
def sized(request, db, secretariat, state_a):
    """Two data sizes: the pinned counts must hold at both."""
    return _world(secretariat, state_a, request.param)


# Every list request reads: (1) the data versions of the tables it shows (one primary-key
# lookup: no COUNT or MAX over any table); (2) the page's keys alone (a keyset range for a
# cursor page); (3) the page's rows with their joins and annotations; then one query per
# many-to-many relation or prefetch for the whole page. A numbered page also needs the filtered
# count: counted once per data version and filter set, then cached (COUNTED below). The ledger
# head (X-Ledger-Head) rides on the versions' query.
PINNED = {
    # (1) versions, (2) keys, (3) rows; their figures (commitments by status, overdue, focal
    # point, latest change) come from state_figures, cached per data version and day
    "member-states/": 3,
    # (1) versions, (2) keys, (3) rows
    "focal-points/": 3,
    # (1) versions, (2) keys, (3) rows, (4) their States' codes
    "resolutions/": 4,
    # (1) versions, (2) keys, (3) rows, (4) channel codes, (5) risk factor numbers
    "prevention-steps/": 5,
    # (1) versions, (2) keys, (3) rows, (4) their steps' codes
    "risk-factors/": 4,
    # (1) versions, (2) keys, (3) rows joined with State and step, with their channel codes and
    # resolution ids as array columns on PostgreSQL (elsewhere: (4) channels, (5) resolutions)
    "commitments/": 3 if connection.vendor == "postgresql" else 5,
    # (1) versions, (2) keys, (3) rows with their correction, their commitment's State code,
    # their evidence and the translations of their narratives on PostgreSQL (elsewhere:
    # (4) translations, (5) evidence)
    "progress-updates/": 3 if connection.vendor == "postgresql" else 5,
    # (1) versions, (2) keys, (3) rows
    "organisations/": 3,
    # (1) versions, (2) keys, (3) rows with their published correction and latest change,
    # (4) their commitments' State codes and statuses, (5) evidence, (6) replies
    "assessments/": 6,
}
# Cursor pages with no filter of the two big lists (what a mirror follows) take the mirror path
# (tracker/api/mirror.py): (1) versions, (2) the rows after the cursor with everything they show.
MIRRORED = {"commitments/": 2, "progress-updates/": 2} if connection.vendor == "postgresql" else {}
COUNTED = 1  # the first numbered page after a change counts the filtered rows once
# ... and the first request for States after a change reads every State's figures once: (1)
# commitments grouped by State, (2) focal points' latest change, (3) current focal points.
COLD = {"member-states/": COUNTED + 3}


@pytest.mark.parametrize("path", list(PINNED))
def test_list_query_count_does_not_grow_with_page_size_or_data(
    client, sized, django_assert_num_queries, path
):
    with django_assert_num_queries(PINNED[path] + COLD.get(path, COUNTED)):
        small = client.get(API + path + "?page_size=10")
    with django_assert_num_queries(PINNED[path]):
        response = client.get(API + path + "?page_size=100")
    assert small.status_code == response.status_code == 200
    assert len(response.json()["results"]) == min(100, response.json()["count"])
    assert response.json()["count"] >= 25


@pytest.mark.parametrize("path", list(PINNED))
def test_cursor_pages_cost_the_same_at_any_depth(client, sized, django_assert_num_queries, path):
    url, pages = client.get(API + path + "?page_size=10").json()["next"], 1
    while url:
        with django_assert_num_queries(MIRRORED.get(path, PINNED[path])):
            body = client.get(url).json()
        url, pages = body["next"], pages + 1
    assert pages >= 3  # walked to the deepest page


CHANGE_TIME = {
    "commitments/": "updated_at",
    "progress-updates/": "created_at",
    "assessments/": "last_changed",
}


@pytest.mark.parametrize("path", list(CHANGE_TIME))
def test_a_deep_cursor_by_change_time_costs_the_same(client, many, django_assert_num_queries, path):
    field = CHANGE_TIME[path]
    url = client.get(API + path + f"?ordering={field}&page_size=10").json()["next"]
    for _page in range(9):
        url = client.get(url).json()["next"]
    with django_assert_num_queries(PINNED[path]):
        body = client.get(url).json()
    assert len(body["results"]) == 10 and body["count"] is None


def test_the_count_is_read_again_only_after_a_change(client, many, django_assert_num_queries):
    client.get(API + "focal-points/?current=true")
    with django_assert_num_queries(PINNED["focal-points/"]):
        assert client.get(API + "focal-points/?current=true&page=2&page_size=50").status_code
    FocalPointFactory(state=MemberStateFactory(code="ZZZ", name="Zed"))
    with django_assert_num_queries(PINNED["focal-points/"] + COUNTED):
        body = client.get(API + "focal-points/?current=true").json()
    assert body["count"] == 111


def test_commitment_detail_query_count(client, many, django_assert_max_num_queries):
    # (1) versions, (2) the row with State and step, (3) updates with their correction,
    # (4) the State code, (5) their evidence, (6) the translations of their narratives,
    # (7) channel codes, (8) resolution ids, (9) published assessments with their correction,
    # (10) their evidence, (11) their replies
    with django_assert_max_num_queries(11):
        response = client.get(API + f"commitments/{many[0].pk}/")
    assert response.status_code == 200


def test_not_modified_costs_one_query(client, many, django_assert_num_queries):
    etag = client.get(API + "commitments/?page_size=100")["ETag"]
    # (1) the data versions: no row is read, nothing is counted
    with django_assert_num_queries(1):
        response = client.get(API + "commitments/?page_size=100", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
