"""Database constraints and the append-only rule for progress."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from commitments.models import (
    AppendOnlyError,
    Commitment,
    Evidence,
    ProgressUpdate,
    Reminder,
    Status,
)
from commitments.services import progress_update_create
from tests.factories import CommitmentFactory, ProgressUpdateFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_published_update_cannot_be_edited(commitment_a):
    update = ProgressUpdateFactory(commitment=commitment_a)
    update.narrative = "Rewritten history"

    with pytest.raises(AppendOnlyError):
        update.save()
    update.refresh_from_db()
    assert update.narrative == "Work began."


def test_a_published_update_cannot_be_deleted(commitment_a):
    update = ProgressUpdateFactory(commitment=commitment_a)

    with pytest.raises(AppendOnlyError):
        update.delete()
    assert ProgressUpdate.objects.filter(pk=update.pk).exists()


def test_updates_cannot_be_rewritten_or_deleted_in_bulk(commitment_a):
    ProgressUpdateFactory(commitment=commitment_a)

    with pytest.raises(AppendOnlyError):
        ProgressUpdate.objects.filter(commitment=commitment_a).update(narrative="x")
    with pytest.raises(AppendOnlyError):
        ProgressUpdate.objects.filter(commitment=commitment_a).delete()
    with pytest.raises(AppendOnlyError):
        Evidence.objects.all().delete()


def test_a_commitment_with_updates_cannot_be_deleted(commitment_a):
    ProgressUpdateFactory(commitment=commitment_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        Commitment.objects.filter(pk=commitment_a.pk).delete()


def test_an_update_can_be_corrected_only_once(commitment_a):
    original = ProgressUpdateFactory(commitment=commitment_a)
    ProgressUpdateFactory(commitment=commitment_a, corrects=original)

    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdateFactory(commitment=commitment_a, corrects=original)


def test_the_database_refuses_a_target_date_before_the_pledge(state_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(
            state=state_a,
            pledged_on=datetime.date(2024, 5, 1),
            target_date=datetime.date(2024, 4, 30),
        )


def test_the_database_refuses_a_review_interval_out_of_range(state_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        CommitmentFactory(state=state_a, review_interval_days=3)


def test_the_database_refuses_an_unknown_update_status(commitment_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressUpdateFactory(commitment=commitment_a, status=Status.NOT_REPORTED)


def test_evidence_is_either_a_link_or_a_file(commitment_a):
    update = ProgressUpdateFactory(commitment=commitment_a)

    with pytest.raises(IntegrityError), transaction.atomic():
        Evidence.objects.create(update=update, kind=Evidence.Kind.LINK, title="Empty link")


def test_a_reminder_is_recorded_once_per_recipient_commitment_due_date_and_kind(commitment_a):
    user = UserFactory()
    values = {
        "commitment": commitment_a,
        "recipient": user,
        "recipient_email": user.email,
        "kind": Reminder.Kind.DUE,
        "due_on": datetime.date(2025, 6, 1),
        "owed_on": datetime.date(2025, 6, 1),
    }
    Reminder.objects.create(**values)

    with pytest.raises(IntegrityError), transaction.atomic():
        Reminder.objects.create(**values)
    # A weekly overdue reminder of another week is a different row.
    Reminder.objects.create(**{**values, "kind": Reminder.Kind.OVERDUE, "sequence": 1})
    Reminder.objects.create(**{**values, "kind": Reminder.Kind.OVERDUE, "sequence": 2})


def test_status_is_derived_from_the_latest_non_superseded_update(commitment_a, focal_point_a):
    def publish(days_ago, status, corrects=None):
        return progress_update_create(
            user=focal_point_a,
            commitment=commitment_a,
            reported_on=datetime.date.today() - datetime.timedelta(days=days_ago),
            status=status,
            narrative=f"Report: {status}",
            corrects=corrects,
        )

    publish(60, Status.LIMITED)
    overstated = publish(30, Status.COMPLETE)
    commitment_a.refresh_from_db()
    assert commitment_a.status == Status.COMPLETE
    assert commitment_a.next_review_due is None

    correction = publish(30, Status.SUBSTANTIAL, corrects=overstated)
    commitment_a.refresh_from_db()
    assert commitment_a.status == Status.SUBSTANTIAL
    assert commitment_a.latest_update_id == correction.pk
    assert commitment_a.next_review_due == correction.reported_on + datetime.timedelta(
        days=commitment_a.review_interval_days
    )
    # Both stay public.
    assert ProgressUpdate.objects.filter(commitment=commitment_a).count() == 3


def test_history_records_the_author_of_a_commitment_change(commitment_a, focal_point_a):
    commitment_a._history_user = focal_point_a
    commitment_a.title = "Clearer title"
    commitment_a.save()

    record = commitment_a.history.first()
    assert record.history_user == focal_point_a
    assert record.title == "Clearer title"
