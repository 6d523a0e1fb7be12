"""The bulk writers the import uses write what the single services write, row for row."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments import services
from commitments.models import Commitment, ProgressUpdate, Status
from tests.factories import (
    CommitmentFactory,
    PreventionStepFactory,
    ResolutionFactory,
    ScrutinyChannelFactory,
)

pytestmark = pytest.mark.django_db


def terms(state, step, **extra):
    return {
        "state": state,
        "step": step,
        "title": "  A pledge  ",
        "description": "Text.",
        "source_kind": Commitment.SourceKind.UPR,
        "source_description": "UPR",
        "pledged_on": datetime.date(2025, 1, 1),
        **extra,
    }


def test_commitment_build_checks_like_the_single_write(focal_point_a, state_a, state_b):
    step = PreventionStepFactory()
    with pytest.raises(PermissionDenied):
        services.commitment_build(user=focal_point_a, **terms(state_b, step))
    with pytest.raises(ValidationError) as caught:
        services.commitment_build(
            user=focal_point_a, **terms(state_a, step, target_date=datetime.date(2024, 1, 1))
        )
    assert caught.value.message_dict == {
        "target_date": ["The target date cannot be before the pledge date."]
    }
    with pytest.raises(ValidationError) as caught:
        services.commitment_build(
            user=focal_point_a, **terms(state_a, step, review_interval_days=3)
        )
    assert "review_interval_days" in caught.value.message_dict
    assert not Commitment.objects.exists()


def test_bulk_created_commitments_match_the_single_write(focal_point_a, state_a):
    channel = ScrutinyChannelFactory(code="parliament")
    step = PreventionStepFactory()
    step.channels.set([channel])
    resolution = ResolutionFactory()
    built = [
        services.NewCommitment(
            services.commitment_build(user=focal_point_a, **terms(state_a, step))
        ),
        services.NewCommitment(
            services.commitment_build(
                user=focal_point_a, **terms(state_a, step, title="Second", review_interval_days=30)
            ),
            resolutions=[resolution],
            channels=[],
        ),
    ]
    services.commitments_create_bulk(user=focal_point_a, new=built, history_reason="imported")
    single = services.commitment_create(user=focal_point_a, **terms(state_a, step, title="Third"))
    first, second = Commitment.objects.exclude(pk=single.pk).order_by("pk")
    assert (first.title, first.created_by, first.status) == (
        "A pledge",
        focal_point_a,
        single.status,
    )
    assert first.next_review_due == single.next_review_due
    assert list(first.channels.all()) == [channel] == list(single.channels.all())
    assert list(second.resolutions.all()) == [resolution] and not second.channels.exists()
    assert second.next_review_due == datetime.date(2025, 1, 31)
    record = first.history.get()
    assert (record.history_user, record.history_change_reason) == (focal_point_a, "imported")


def test_bulk_published_updates_derive_status_and_touch_the_commitment(focal_point_a, state_a):
    commitment = CommitmentFactory(state=state_a, pledged_on=datetime.date(2025, 1, 1))
    before = commitment.updated_at
    built = [
        services.progress_update_build(
            user=focal_point_a,
            commitment=commitment,
            reported_on=datetime.date(2025, 2, 1),
            status=Status.LIMITED,
            narrative="Started.",
            links=[services.EvidenceLink(url="https://example.org/a")],
        ),
        services.progress_update_build(
            user=focal_point_a,
            commitment=commitment,
            reported_on=datetime.date(2025, 3, 1),
            status=Status.COMPLETE,
            narrative="Done.",
        ),
    ]
    services.progress_updates_create_bulk(new=built)
    commitment.refresh_from_db()
    latest = ProgressUpdate.objects.get(narrative="Done.")
    assert (commitment.status, commitment.latest_update_id) == (Status.COMPLETE, latest.pk)
    assert commitment.last_reported_on == datetime.date(2025, 3, 1)
    assert commitment.next_review_due is None  # complete: no review owed
    assert commitment.updated_at > before
    assert ProgressUpdate.objects.get(narrative="Started.").evidence.get().url == (
        "https://example.org/a"
    )


def test_progress_update_build_refuses_another_state(focal_point_b, commitment_a):
    with pytest.raises(PermissionDenied):
        services.progress_update_build(
            user=focal_point_b,
            commitment=commitment_a,
            reported_on=datetime.date(2025, 2, 1),
            status=Status.LIMITED,
            narrative="x",
        )
