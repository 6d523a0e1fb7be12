"""Shared fixtures of the public-surface tests."""

import datetime

import pytest
import time_machine

from commitments.models import Commitment, Evidence, RiskFactor, ScrutinyChannel, Status
from tests.factories import (
    CommitmentFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
)

TODAY = datetime.date(2026, 6, 30)
D = datetime.date


@pytest.fixture
def frozen_day():
    with time_machine.travel(
        datetime.datetime(2026, 6, 30, 12, 0, tzinfo=datetime.UTC), tick=False
    ):
        yield


def _set(commitment, **fields):
    Commitment.objects.filter(pk=commitment.pk).update(**fields)


@pytest.fixture
def five(frozen_day, state_a, state_b):
    """Five commitments on 2026-06-30 (see each comment), titles A–E: the small world of
    tests/tracker/test_commitment_filters.py and test_accountability.py."""
    kenya = MemberStateFactory(code="KEN", name="Kenya", regional_group="african")
    upr = ScrutinyChannel.objects.create(code="upr", name="UPR", level="intergovernmental")
    parliament = ScrutinyChannel.objects.create(
        code="parliament", name="Parliament", level="national"
    )
    conflict = RiskFactor.objects.create(number=1, name="Armed conflict", kind="common")
    RiskFactor.objects.create(number=2, name="Record of violations", kind="common")
    n1 = PreventionStepFactory(code="N1", level="national")
    n2 = PreventionStepFactory(code="N2", level="national")
    n2.risk_factors.add(conflict)
    i1 = PreventionStepFactory(code="I1", level="intergovernmental")

    def make(title, state, step, basis, source_kind, channels, pledged_on, **kwargs):
        commitment = CommitmentFactory(
            title=title,
            state=state,
            step=step,
            basis=basis,
            source_kind=source_kind,
            pledged_on=pledged_on,
            **kwargs,
        )
        commitment.channels.set(channels)
        return commitment

    # A: Ghana, legal, UPR; target yesterday (missed); review due yesterday (1 day overdue);
    # limited, with evidence.
    a = make("A", state_a, n1, "legal", "upr", [upr], D(2024, 1, 10))
    update = ProgressUpdateFactory(commitment=a, reported_on=D(2025, 12, 31))
    Evidence.objects.create(update=update, kind="link", title="Law", url="https://example.org/l")
    _set(
        a,
        target_date=TODAY - datetime.timedelta(days=1),
        status=Status.LIMITED,
        next_review_due=TODAY - datetime.timedelta(days=1),
        last_reported_on=D(2025, 12, 31),
    )
    # B: Ghana, political, GA dialogue, step N2 (risk factor 1); target today (not yet missed);
    # review due today (not overdue); never reported.
    b = make("B", state_a, n2, "political", "ga-dialogue", [parliament], D(2025, 3, 1))
    _set(b, target_date=TODAY, next_review_due=TODAY)
    # C: Kenya, moral, UPR, step N2; complete after its target (not missed: complete).
    c = make("C", kenya, n2, "moral", "upr", [upr, parliament], D(2025, 6, 30))
    _set(
        c,
        target_date=D(2026, 1, 1),
        status=Status.COMPLETE,
        next_review_due=None,
        last_reported_on=D(2026, 5, 1),
    )
    # D: Kenya, legal, HRC statement, intergovernmental; withdrawn after its target (missed).
    d = make("D", kenya, i1, "legal", "hrc-statement", [], D(2023, 5, 5))
    _set(
        d,
        target_date=D(2025, 1, 1),
        status=Status.WITHDRAWN,
        next_review_due=None,
        last_reported_on=D(2024, 1, 1),
    )
    # E: Denmark (demo), political, UPR; "substantial" corrected to "limited" on 2025-12-02,
    # so the review fell due 180 days later, on 2026-05-31: 30 days overdue. No target.
    e = make("E", state_b, n1, "political", "upr", [upr], D(2024, 12, 31), is_demo=True)
    first = ProgressUpdateFactory(
        commitment=e, reported_on=D(2025, 11, 1), status=Status.SUBSTANTIAL
    )
    ProgressUpdateFactory(
        commitment=e, reported_on=D(2025, 12, 2), status=Status.LIMITED, corrects=first
    )
    e.refresh_from_db()
    assert (e.status, e.next_review_due) == (Status.LIMITED, D(2026, 5, 31))
    return {"A": a, "B": b, "C": c, "D": d, "E": e}
