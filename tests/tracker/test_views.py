"""Public pages render for an anonymous visitor, with their data and empty states."""

import datetime

import pytest
from django.urls import reverse

from tests.factories import (
    CommitmentFactory,
    FocalPointFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(state_a, state_b):
    FocalPointFactory(state=state_a)
    step = PreventionStepFactory(code="N1", title="Appoint a focal point")
    resolution = ResolutionFactory(symbol="S/RES/1674 (2006)")
    resolution.states.add(state_a)
    commitment = CommitmentFactory(state=state_a, step=step, title="Appoint a national focal point")
    commitment.resolutions.add(resolution)
    first = ProgressUpdateFactory(
        commitment=commitment, reported_on=datetime.date(2025, 3, 1), narrative="First report."
    )
    ProgressUpdateFactory(
        commitment=commitment,
        reported_on=datetime.date(2025, 3, 2),
        corrects=first,
        status="substantial",
        narrative="Corrected report.",
    )
    CommitmentFactory(state=state_b, step=step)
    return {"commitment": commitment, "resolution": resolution, "step": step}


@pytest.mark.parametrize(
    "name,kwargs",
    [
        ("tracker:dashboard", {}),
        ("tracker:states", {}),
        ("tracker:state", {"code": "GHA"}),
        ("tracker:region", {"slug": "african"}),
        ("tracker:commitments", {}),
        ("tracker:resolutions", {}),
        ("tracker:steps", {}),
        ("tracker:step", {"code": "N1"}),
        ("tracker:data", {}),
    ],
)
def test_public_page_renders_for_anonymous_visitor(client, world, name, kwargs):
    response = client.get(reverse(name, kwargs=kwargs))
    assert response.status_code == 200


def test_commitment_page_shows_correction_and_keeps_original(client, world):
    response = client.get(world["commitment"].get_absolute_url())
    body = response.content.decode()
    assert "First report." in body
    assert "Corrected report." in body
    assert "This update corrects" in body
