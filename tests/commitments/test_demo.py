"""Demonstration data is flagged, announced on every page, idempotent and removable."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import override_settings

from commitments.demo import SYNTHETIC_SOURCE
from commitments.models import AnsweredReview, Commitment, Evidence, ProgressUpdate, Status
from focalpoints.models import FocalPoint

pytestmark = pytest.mark.django_db

NOTICE = "Demonstration data"


@pytest.fixture
def reference_data():
    call_command("load_reference_data", verbosity=0)


def snapshot():
    return (
        get_user_model().objects.count(),
        Commitment.objects.count(),
        ProgressUpdate.objects.count(),
        Evidence.objects.count(),
        FocalPoint.objects.count(),
    )


def test_every_demo_row_is_flagged(reference_data):
    call_command("seed_demo", verbosity=0)

    assert Commitment.objects.count() > 0
    assert not Commitment.objects.filter(is_demo=False).exists()
    assert not ProgressUpdate.objects.filter(is_demo=False).exists()
    assert not Evidence.objects.filter(is_demo=False).exists()
    assert not get_user_model().objects.filter(is_demo=False).exists()
    assert all(
        title.startswith("Demo:") for title in Commitment.objects.values_list("title", flat=True)
    )


def test_seeding_twice_changes_nothing(reference_data):
    call_command("seed_demo", verbosity=0)
    first = snapshot()
    call_command("seed_demo", verbosity=0)

    assert snapshot() == first


def test_demo_covers_every_status_a_reviewer_meets(reference_data):
    call_command("seed_demo", verbosity=0)

    statuses = set(Commitment.objects.values_list("status", flat=True))
    assert {Status.NOT_REPORTED, Status.LIMITED, Status.COMPLETE, Status.WITHDRAWN} <= statuses
    assert ProgressUpdate.objects.exclude(corrects=None).exists()
    assert Evidence.objects.filter(kind=Evidence.Kind.FILE, content_type="application/pdf").exists()


def test_demo_data_has_a_moved_target_and_a_ledger_that_verifies(reference_data):
    from commitments import ledger
    from commitments.models import CommitmentRevision, LedgerEntry

    call_command("seed_demo", verbosity=0)

    revision = CommitmentRevision.objects.get()
    assert (revision.field, revision.requested_by_role, revision.is_demo) == (
        "target_date",
        "focal-point",
        True,
    )
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.COMMITMENT_RECORDED).count() == (
        Commitment.objects.count()
    )
    assert ledger.verify() is None
    call_command("seed_demo", "--remove", verbosity=0)
    # Every removed demo commitment left a tombstone; the chain still verifies.
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DELETION).count() == (
        LedgerEntry.objects.filter(kind=LedgerEntry.Kind.COMMITMENT_RECORDED).count()
    )
    assert ledger.verify() is None


def test_seed_prints_each_demo_login_on_its_own_line(reference_data, capsys):
    call_command("seed_demo")

    out = capsys.readouterr().out
    assert "ghana.fp / demo-ghana-fp — Focal point, Ghana" in out.splitlines()[2]
    assert "  secretariat / demo-secretariat — Secretariat, all States" in out.splitlines()


def test_every_page_shows_the_notice_while_demo_data_exists(reference_data, client):
    assert NOTICE not in client.get("/").content.decode()

    call_command("seed_demo", verbosity=0)

    assert NOTICE in client.get("/").content.decode()
    assert NOTICE in client.get("/accounts/login/").content.decode()


def test_removing_demo_data_removes_only_demo_rows_and_the_notice(reference_data, client):
    call_command("seed_demo", verbosity=0)
    reference_focal_points = FocalPoint.objects.filter(is_demo=False).count()

    call_command("seed_demo", "--remove", verbosity=0)

    assert snapshot()[:4] == (0, 0, 0, 0)
    assert FocalPoint.objects.count() == reference_focal_points
    assert NOTICE not in client.get("/").content.decode()


def test_scale_builds_synthetic_commitments_with_about_ten_updates(reference_data):
    call_command("seed_demo", "--scale", "30", verbosity=0)
    synthetic = Commitment.objects.filter(source_description=SYNTHETIC_SOURCE)

    assert synthetic.count() == 30
    updates = ProgressUpdate.objects.filter(commitment__in=synthetic).count()
    assert 8 * 30 <= updates <= 13 * 30
    # Derived fields agree with the one derivation rule.
    from commitments.services import commitment_refresh_derived

    for commitment in synthetic[:10]:
        expected = (commitment.status, commitment.latest_update_id, commitment.next_review_due)
        commitment_refresh_derived(commitment, save=False)
        assert (
            commitment.status,
            commitment.latest_update_id,
            commitment.next_review_due,
        ) == expected

    call_command("seed_demo", "--scale", "30", verbosity=0)
    assert synthetic.count() == 30


@override_settings(PRODUCTION=True)
def test_demo_accounts_are_refused_in_production(reference_data):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", verbosity=0)
    assert not get_user_model().objects.exists()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the COPY loader is PostgreSQL's")
def test_copy_loader_keeps_derived_fields_data_versions_ledger_and_keys_consistent(
    reference_data,
):
    """``seed_demo --scale`` on PostgreSQL writes with COPY (D-16-10): every derived field is
    the services' derivation, the data versions moved, the ledger verifies row by row, and the
    sequences are past the keys it reserved (a normal write after it gets a fresh key)."""
    from commitments import demo, ledger
    from commitments.services import commitment_refresh_derived
    from tracker.versions import table_names, versions

    tables = table_names(Commitment, ProgressUpdate)
    before, _changed = versions(tables)
    assert demo.seed_synthetic(25, batch_size=10) == 25
    after, _changed = versions(tables)
    assert after != before

    synthetic = Commitment.objects.filter(source_description=SYNTHETIC_SOURCE).order_by("pk")
    assert synthetic.count() == 25
    corrections = ProgressUpdate.objects.filter(commitment__in=synthetic, corrects__isnull=False)
    assert all(c.corrects.commitment_id == c.commitment_id for c in corrections)
    for commitment in synthetic:
        stored = (
            commitment.status,
            commitment.latest_update_id,
            commitment.last_reported_on,
            commitment.next_review_due,
        )
        commitment_refresh_derived(commitment, save=False)
        derived = (
            commitment.status,
            commitment.latest_update_id,
            commitment.last_reported_on,
            commitment.next_review_due,
        )
        assert stored == derived
        assert commitment.created_at is not None and commitment.updated_at is not None
        # The reviews answered, stored for the reporting figures (D-12-10), are the replay too.
        stored_reviews = sorted(commitment.answered_reviews.values_list("due_on", "reported_on"))
        replayed = sorted((c.due_on, c.reported_on) for c in commitment.derived_answered_reviews)
        assert stored_reviews == replayed
    assert AnsweredReview.objects.filter(commitment__in=synthetic).exists()
    assert ledger.verify() is None

    # The sequences moved past the reserved keys: an ORM insert does not collide.
    fresh = ProgressUpdate.objects.create(
        commitment=synthetic.first(),
        reported_on=synthetic.first().pledged_on,
        status=Status.LIMITED,
        narrative="after the loader",
    )
    assert fresh.pk > ProgressUpdate.objects.exclude(pk=fresh.pk).order_by("-pk").first().pk
