"""The answered reviews the reporting figures group (D-12-10) are stored on write by every
writer of the derived fields, in the same transaction, and always equal the replay of the
commitment's dated updates (:func:`commitments.rules.answered_reviews`)."""

import datetime

import pytest
from django.db import transaction

from commitments import services
from commitments.models import AnsweredReview, Commitment, ProgressUpdate, Status
from commitments.rules import answered_reviews
from tests.factories import CommitmentFactory, ProgressUpdateFactory

D = datetime.date


def stored(commitment) -> list[tuple]:
    return sorted(
        AnsweredReview.objects.filter(commitment=commitment).values_list("due_on", "reported_on")
    )


def replayed(commitment) -> list[tuple]:
    commitment.refresh_from_db()
    cycles = answered_reviews(
        ProgressUpdate.objects.filter(commitment=commitment),
        pledged_on=commitment.pledged_on,
        review_interval_days=commitment.review_interval_days,
    )
    return sorted((c.due_on, c.reported_on) for c in cycles)


@pytest.fixture
def pledge(state_a):
    return CommitmentFactory(state=state_a, pledged_on=D(2025, 1, 1), review_interval_days=90)


@pytest.mark.django_db
def test_each_update_and_correction_through_the_service_keeps_them(pledge, focal_point_a):
    assert stored(pledge) == []
    first = services.progress_update_create(
        user=focal_point_a,
        commitment=pledge,
        reported_on=D(2025, 3, 1),
        status=Status.LIMITED,
        narrative="Started.",
    )
    services.progress_update_create(
        user=focal_point_a,
        commitment=pledge,
        reported_on=D(2025, 7, 1),
        status=Status.SUBSTANTIAL,
        narrative="Halfway.",
    )
    assert stored(pledge) == [(D(2025, 4, 1), D(2025, 3, 1)), (D(2025, 5, 30), D(2025, 7, 1))]
    # A correction moves the first report: the second now answers a different due date.
    services.progress_update_create(
        user=focal_point_a,
        commitment=pledge,
        reported_on=D(2025, 2, 1),
        status=Status.LIMITED,
        narrative="Started, in fact in February.",
        corrects=first,
    )
    assert stored(pledge) == replayed(pledge)
    assert (D(2025, 5, 2), D(2025, 7, 1)) in stored(pledge)


@pytest.mark.django_db
def test_a_revised_interval_moves_every_due_date(pledge, secretariat):
    ProgressUpdateFactory(commitment=pledge, reported_on=D(2025, 3, 1), status=Status.LIMITED)
    ProgressUpdateFactory(commitment=pledge, reported_on=D(2025, 9, 1), status=Status.COMPLETE)
    ProgressUpdateFactory(commitment=pledge, reported_on=D(2025, 12, 1), status=Status.LIMITED)
    services.commitment_revise(
        user=secretariat,
        commitment=pledge,
        changes={"review_interval_days": 30},
        reason="Monthly now.",
    )
    # The report after the closing one reopens the cycle and answers nothing.
    assert (
        stored(pledge)
        == replayed(pledge)
        == [
            (D(2025, 1, 31), D(2025, 3, 1)),
            (D(2025, 3, 31), D(2025, 9, 1)),
        ]
    )


@pytest.mark.django_db
def test_the_bulk_writers_keep_them_and_a_removal_takes_them(pledge, focal_point_a, secretariat):
    other = CommitmentFactory(state=pledge.state, pledged_on=D(2025, 6, 1))
    new = [
        services.progress_update_build(
            user=focal_point_a,
            commitment=commitment,
            reported_on=reported_on,
            status=Status.LIMITED,
            narrative=f"Report of {reported_on}.",
        )
        for commitment, reported_on in [
            (pledge, D(2025, 3, 1)),
            (pledge, D(2025, 8, 1)),
            (other, D(2025, 7, 1)),
        ]
    ]
    services.progress_updates_create_bulk(new=new)
    assert stored(pledge) == replayed(pledge) != []
    assert stored(other) == replayed(other) != []
    AnsweredReview.objects.all().delete()
    services.commitments_refresh_derived_bulk(
        list(Commitment.objects.all()),
        updates_by_commitment={
            c.pk: list(ProgressUpdate.objects.filter(commitment=c))
            for c in Commitment.objects.all()
        },
    )
    assert stored(pledge) == replayed(pledge) != []
    with transaction.atomic():
        services.commitment_remove(user=secretariat, commitment=pledge, reason="Duplicate.")
    assert not AnsweredReview.objects.filter(commitment_id=pledge.pk).exists()
    assert stored(other) == replayed(other)
