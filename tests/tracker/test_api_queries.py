"""Query counts per API request do not grow with the page size: every list is pinned with
100-item pages (and the same count with 10 items)."""

import datetime

import pytest

from commitments.models import RiskFactor, ScrutinyChannel, Status
from commitments.services import progress_update_create
from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ResolutionFactory,
)

API = "/api/v1/"
CODES = [f"{a}{b}{c}" for a in "ABC" for b in "ABCDEFGHIJ" for c in "ABCD"][:110]


@pytest.fixture
def many(db, secretariat, state_a):
    """110 of every resource, each with its relations filled in."""
    states = [state_a] + [
        MemberStateFactory(code=code, name=f"State {code}") for code in CODES[:109]
    ]
    channel = ScrutinyChannel.objects.create(code="parliament", name="Parliament", level="national")
    risk = RiskFactor.objects.create(number=1, name="Armed conflict", kind="common", crime="all")
    for number in range(2, 111):
        RiskFactor.objects.create(number=number, name=f"Factor {number}", kind="specific")
    steps = [PreventionStepFactory(code=f"S{i}") for i in range(110)]
    for step in steps:
        step.channels.add(channel)
        step.risk_factors.add(risk)
    resolutions = [ResolutionFactory() for _ in range(110)]
    for i, resolution in enumerate(resolutions):
        resolution.states.add(states[i % len(states)], states[(i + 1) % len(states)])
    for state in states:
        FocalPointFactory(state=state)
    commitments = [CommitmentFactory(state=states[i % 2], step=steps[i % 3]) for i in range(110)]
    for commitment in commitments:
        commitment.resolutions.add(resolutions[0], resolutions[1])
        commitment.channels.add(channel)
        progress_update_create(
            user=secretariat,
            commitment=commitment,
            reported_on=datetime.date(2024, 2, 1),
            status=Status.LIMITED,
            narrative="Done a bit.",
            links=[],
        )
    return commitments


# Every list request reads: (1) the validators — the filtered rows' count (reused by the
# paginator) and latest change; (2) the page's keys alone; (3) the page's rows with their joins
# and annotations; then one query per many-to-many relation for the whole page.
PINNED = {
    # (1) validators, (2) keys, (3) rows with their focal point, (4) their commitments
    # counted by status and overdue, grouped by State
    "member-states/": 4,
    # (1) validators, (2) keys, (3) rows
    "focal-points/": 3,
    # (1) validators, (2) keys, (3) rows, (4) their States' codes
    "resolutions/": 4,
    # (1) validators, (2) keys, (3) rows, (4) channel codes, (5) risk factor numbers
    "prevention-steps/": 5,
    # (1) validators, (2) latest change of steps, (3) keys, (4) rows, (5) their steps' codes
    "risk-factors/": 5,
    # (1) validators, (2) latest change of States and steps, (3) keys, (4) rows joined with
    # State and step, (5) channel codes, (6) resolution ids
    "commitments/": 6,
    # (1) count, (2) latest publication, (3) keys, (4) rows with State code and correction,
    # (5) evidence, (6) translations of the narratives
    "progress-updates/": 6,
}


@pytest.mark.parametrize("path", list(PINNED))
def test_list_query_count_does_not_grow_with_page_size(
    client, many, django_assert_max_num_queries, django_assert_num_queries, path
):
    with django_assert_num_queries(PINNED[path]):
        small = client.get(API + path + "?page_size=10")
    with django_assert_max_num_queries(PINNED[path]):
        response = client.get(API + path + "?page_size=100")
    assert small.status_code == response.status_code == 200
    assert len(response.json()["results"]) == 100


def test_commitment_detail_query_count(client, many, django_assert_max_num_queries):
    # (1) validators, (2) latest change of States and steps, (3) the row with State and step,
    # (4) updates with State code and correction, (5) their evidence, (6) the translations of
    # their narratives, (7) channel codes, (8) resolution ids
    with django_assert_max_num_queries(8):
        response = client.get(API + f"commitments/{many[0].pk}/")
    assert response.status_code == 200


def test_not_modified_costs_one_query(client, many, django_assert_num_queries):
    etag = client.get(API + "commitments/?page_size=100")["ETag"]
    # (1) the validators aggregate, (2) latest change of States and steps: no row is read
    with django_assert_num_queries(2):
        response = client.get(API + "commitments/?page_size=100", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
