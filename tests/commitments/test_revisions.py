"""Pledge revisions: one service, a reason always, the secretariat decides, every change public
and in the ledger."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import ledger
from commitments.models import (
    Commitment,
    CommitmentRevision,
    LedgerEntry,
    RequestedBy,
    RevisionRequest,
    Status,
)
from commitments.services import (
    commitment_create,
    commitment_remove,
    commitment_revise,
    progress_update_create,
    revision_request_create,
    revision_request_decide,
)
from tests.factories import PreventionStepFactory

pytestmark = pytest.mark.django_db

TARGET = datetime.date(2026, 6, 30)
NEW_TARGET = datetime.date(2027, 12, 31)


@pytest.fixture
def pledge(secretariat, state_a):
    """A commitment recorded through the service (so it has its ledger entry)."""
    return commitment_create(
        user=secretariat,
        state=state_a,
        step=PreventionStepFactory(),
        title="National risk assessment",
        description="Assess atrocity risks every year.",
        source_kind=Commitment.SourceKind.GA_DIALOGUE,
        source_description="GA dialogue 2024",
        pledged_on=datetime.date(2024, 1, 10),
        target_date=TARGET,
    )


def test_the_secretariat_moves_a_target_with_a_reason(secretariat, pledge):
    before = LedgerEntry.objects.count()

    [revision] = commitment_revise(
        user=secretariat,
        commitment=pledge,
        changes={"target_date": NEW_TARGET},
        reason="The legislature postponed the vote.",
    )

    pledge.refresh_from_db()
    assert pledge.target_date == NEW_TARGET
    assert (revision.field, revision.before, revision.after) == (
        "target_date",
        "2026-06-30",
        "2027-12-31",
    )
    assert revision.requested_by_role == RequestedBy.SECRETARIAT
    assert revision.approved_by == secretariat
    entry = LedgerEntry.objects.get(sequence=before + 1)
    assert entry.kind == LedgerEntry.Kind.COMMITMENT_REVISED
    assert (entry.subject_type, entry.subject_id, entry.state) == ("revision", revision.pk, "GHA")
    assert ledger.verify() is None


def test_each_changed_term_is_one_revision_and_unchanged_ones_none(secretariat, pledge):
    revisions = commitment_revise(
        user=secretariat,
        commitment=pledge,
        changes={"title": "National risk assessment ", "review_interval_days": 90},
        reason="Reviews every quarter, as agreed with parliament.",
    )
    # The title only differed by a trailing space: not a change.
    assert [r.field for r in revisions] == ["review_interval_days"]
    pledge.refresh_from_db()
    assert pledge.next_review_due == datetime.date(2024, 1, 10) + datetime.timedelta(days=90)


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_revision_without_a_reason_is_refused_and_changes_nothing(secretariat, pledge, reason):
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as caught:
        commitment_revise(
            user=secretariat, commitment=pledge, changes={"target_date": NEW_TARGET}, reason=reason
        )
    assert "reason" in caught.value.message_dict
    assert "reason" in caught.value.message_dict["reason"][0]
    pledge.refresh_from_db()
    assert pledge.target_date == TARGET
    assert not CommitmentRevision.objects.exists()
    assert LedgerEntry.objects.count() == entries


def test_a_revision_that_changes_nothing_is_refused(secretariat, pledge):
    with pytest.raises(ValidationError, match="Nothing would change"):
        commitment_revise(
            user=secretariat, commitment=pledge, changes={"target_date": TARGET}, reason="Same."
        )


def test_a_revision_breaking_the_pledge_rules_is_refused(secretariat, pledge):
    with pytest.raises(ValidationError) as caught:
        commitment_revise(
            user=secretariat,
            commitment=pledge,
            changes={"target_date": datetime.date(2020, 1, 1)},
            reason="Typo.",
        )
    assert "target_date" in caught.value.message_dict


def test_a_focal_point_cannot_revise_directly_and_is_told_to_request(focal_point_a, pledge):
    with pytest.raises(PermissionDenied, match="request the revision"):
        commitment_revise(
            user=focal_point_a, commitment=pledge, changes={"target_date": NEW_TARGET}, reason="X"
        )
    pledge.refresh_from_db()
    assert pledge.target_date == TARGET


def test_another_states_focal_point_can_neither_revise_nor_request(focal_point_b, pledge):
    with pytest.raises(PermissionDenied, match="not do this for this State"):
        commitment_revise(
            user=focal_point_b, commitment=pledge, changes={"target_date": NEW_TARGET}, reason="X"
        )
    with pytest.raises(PermissionDenied):
        revision_request_create(
            user=focal_point_b, commitment=pledge, changes={"target_date": NEW_TARGET}, reason="X"
        )
    assert not RevisionRequest.objects.exists()


def test_a_delegate_cannot_request_a_revision(delegate_a, pledge):
    with pytest.raises(PermissionDenied):
        revision_request_create(
            user=delegate_a, commitment=pledge, changes={"target_date": NEW_TARGET}, reason="X"
        )


def test_a_focal_points_request_changes_nothing_until_approved(focal_point_a, secretariat, pledge):
    entries = LedgerEntry.objects.count()
    request = revision_request_create(
        user=focal_point_a,
        commitment=pledge,
        changes={"target_date": NEW_TARGET},
        reason="The budget law moved to next year.",
    )
    pledge.refresh_from_db()
    assert pledge.target_date == TARGET
    assert LedgerEntry.objects.count() == entries

    revision_request_decide(user=secretariat, revision_request=request, approve=True)

    pledge.refresh_from_db()
    assert pledge.target_date == NEW_TARGET
    revision = CommitmentRevision.objects.get()
    assert revision.requested_by_role == RequestedBy.FOCAL_POINT
    assert revision.requested_by == focal_point_a
    assert revision.approved_by == secretariat
    assert revision.reason == "The budget law moved to next year."
    request.refresh_from_db()
    assert request.decision == RevisionRequest.Decision.APPROVED
    assert LedgerEntry.objects.count() == entries + 1


def test_a_request_without_a_reason_is_refused(focal_point_a, pledge):
    with pytest.raises(ValidationError) as caught:
        revision_request_create(
            user=focal_point_a, commitment=pledge, changes={"target_date": NEW_TARGET}, reason=""
        )
    assert "reason" in caught.value.message_dict


def test_refusing_a_request_needs_a_note_and_publishes_nothing(focal_point_a, secretariat, pledge):
    request = revision_request_create(
        user=focal_point_a, commitment=pledge, changes={"review_interval_days": 365}, reason="R"
    )
    with pytest.raises(ValidationError):
        revision_request_decide(user=secretariat, revision_request=request, approve=False)
    revision_request_decide(
        user=secretariat, revision_request=request, approve=False, note="Keep yearly reviews."
    )
    request.refresh_from_db()
    assert request.decision == RevisionRequest.Decision.REFUSED
    assert not CommitmentRevision.objects.exists()
    with pytest.raises(ValidationError, match="already been decided"):
        revision_request_decide(user=secretariat, revision_request=request, approve=True)


def test_only_the_secretariat_decides_a_request(focal_point_a, pledge):
    request = revision_request_create(
        user=focal_point_a, commitment=pledge, changes={"review_interval_days": 365}, reason="R"
    )
    with pytest.raises(PermissionDenied):
        revision_request_decide(user=focal_point_a, revision_request=request, approve=True)


def test_withdrawing_is_a_revision_and_closes_the_commitment(secretariat, focal_point_a, pledge):
    progress_update_create(
        user=focal_point_a,
        commitment=pledge,
        reported_on=datetime.date(2024, 3, 1),
        status=Status.LIMITED,
        narrative="Started.",
    )
    [revision] = commitment_revise(
        user=secretariat,
        commitment=pledge,
        changes={"withdrawn_on": datetime.date(2024, 6, 1)},
        reason="The new government no longer stands by the pledge.",
    )
    pledge.refresh_from_db()
    assert (revision.field, revision.before, revision.after) == ("withdrawn_on", "", "2024-06-01")
    assert pledge.status == Status.WITHDRAWN
    assert pledge.next_review_due is None
    assert pledge.updates.count() == 1  # the updates stay public
    assert ledger.verify() is None


def test_removal_leaves_a_tombstone_and_needs_a_reason(secretariat, focal_point_a, pledge):
    update = progress_update_create(
        user=focal_point_a,
        commitment=pledge,
        reported_on=datetime.date(2024, 3, 1),
        status=Status.LIMITED,
        narrative="Started.",
    )
    with pytest.raises(ValidationError):
        commitment_remove(user=secretariat, commitment=pledge, reason=" ")
    with pytest.raises(PermissionDenied):
        commitment_remove(user=focal_point_a, commitment=pledge, reason="Duplicate.")

    commitment_remove(user=secretariat, commitment=pledge, reason="Recorded twice.")

    assert not Commitment.objects.filter(pk=pledge.pk).exists()
    tombstone = LedgerEntry.objects.order_by("-sequence").first()
    assert tombstone.kind == LedgerEntry.Kind.DELETION
    deletion = ledger.entry_as_dict(tombstone)["record"]["deletion"]
    assert deletion["subject_type"] == "commitment"
    assert deletion["subject_id"] == pledge.pk
    assert deletion["reason"] == "Recorded twice."
    assert deletion["also_deleted"]["update"] == [update.pk]
    assert ledger.verify() is None
