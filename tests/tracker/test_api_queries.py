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


# Each list request: (1) the validators aggregate — count and latest change, which is also
# the paginator's count; (2) the page of rows with their joined relations; then one query per
# prefetched relation, whatever the number of rows.
PINNED = {
    # (2) rows with status counts, focal point and overdue sub-queries
    "member-states/": 2,
    # (2) rows
    "focal-points/": 2,
    # (2) rows, (3) their States
    "resolutions/": 3,
    # (2) rows, (3) channels, (4) risk factors
    "prevention-steps/": 4,
    # (2) rows joined with State, step and latest update, (3) channels, (4) resolutions
    "commitments/": 4,
    # (2) rows with their State code and correction, (3) evidence
    "progress-updates/": 3,
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
    # (1) validators, (2) the row with State, step, latest update, (3) channels,
    # (4) resolutions, (5) updates with State code and correction, (6) their evidence
    with django_assert_max_num_queries(6):
        response = client.get(API + f"commitments/{many[0].pk}/")
    assert response.status_code == 200


def test_not_modified_costs_one_query(client, many, django_assert_num_queries):
    etag = client.get(API + "commitments/?page_size=100")["ETag"]
    # (1) the validators aggregate: no row is read or rendered
    with django_assert_num_queries(1):
        response = client.get(API + "commitments/?page_size=100", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 304
