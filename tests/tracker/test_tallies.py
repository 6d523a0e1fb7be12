"""The tallies the dashboard reads (D-16-70) are kept by the database on every write and always
equal a recount from the source tables (``tracker.tallies.differences``): after each kind of
write — a new commitment, an update, a correction, a withdrawal, a change of step or status, an
independent assessment, a deletion, an import, the demo seeders (ORM and COPY), raw SQL — and
the figures built from them equal the ones computed from the rows."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from commitments import demo, services
from commitments.models import (
    AnsweredReview,
    Commitment,
    ImportRun,
    ProgressUpdate,
    Status,
)
from tests.commitments.import_helpers import apply, check, edit_csv, export_csv
from tests.factories import (
    AssessmentFactory,
    CommitmentFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
)
from tracker import stats, tallies
from tracker.models import CommitmentTally, UpdateTally

pytestmark = pytest.mark.django_db

D = datetime.date


def assert_equal_to_a_recount():
    assert tallies.differences() == []


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def pledge(state_a):
    return CommitmentFactory(state=state_a, pledged_on=D(2025, 1, 1), review_interval_days=90)


def test_the_triggers_are_installed():
    assert tallies.expected_triggers() <= tallies.installed_triggers()


def test_every_kind_of_write_through_the_services_keeps_them_equal_to_a_recount(
    pledge, state_b, focal_point_a, secretariat
):
    assert_equal_to_a_recount()
    first = services.progress_update_create(
        user=focal_point_a,
        commitment=pledge,
        reported_on=D(2025, 3, 31),  # the last day of a quarter
        status=Status.LIMITED,
        narrative="Started.",
    )
    assert_equal_to_a_recount()
    assert UpdateTally.objects.get(state=pledge.state, quarter=D(2025, 1, 1)).updates == 1
    services.progress_update_create(
        user=focal_point_a,
        commitment=pledge,
        reported_on=D(2025, 7, 1),
        status=Status.SUBSTANTIAL,
        narrative="Halfway.",
    )
    assert_equal_to_a_recount()
    # A correction: a new update, counted among the corrections; the status it sets moves the
    # commitment's count from one status to another.
    services.progress_update_create(
        user=focal_point_a,
        commitment=pledge,
        reported_on=D(2025, 4, 2),
        status=Status.COMPLETE,
        narrative="Finished, in fact.",
        corrects=first,
    )
    assert_equal_to_a_recount()
    assert UpdateTally.objects.get(state=pledge.state, quarter=D(2025, 4, 1)).corrections == 1
    # A revision of the step, then a withdrawal (the revision of withdrawn_on).
    step = PreventionStepFactory(code="NEW-STEP")
    services.commitment_revise(
        user=secretariat, commitment=pledge, changes={"step": step}, reason="Re-classified."
    )
    assert_equal_to_a_recount()
    services.commitment_revise(
        user=secretariat,
        commitment=pledge,
        changes={"withdrawn_on": D(2025, 9, 1)},
        reason="The government withdrew it.",
    )
    pledge.refresh_from_db()
    assert pledge.status == Status.WITHDRAWN
    assert_equal_to_a_recount()
    # An independent assessment sets the commitment's independent status.
    other = CommitmentFactory(state=state_b)
    AssessmentFactory(commitment=other, status=Status.SUBSTANTIAL)
    services.commitment_refresh_independent(other)
    other.refresh_from_db()
    assert other.independent_status
    assert_equal_to_a_recount()
    # A removal (the commitment, its updates and answered reviews go; a tombstone stays).
    services.commitments_delete(Commitment.objects.filter(pk=pledge.pk), reason="Duplicate.")
    assert_equal_to_a_recount()
    assert not UpdateTally.objects.filter(state=pledge.state, updates__gt=0).exists()


def test_writes_outside_the_services_are_counted_too(pledge, state_b):
    """Queryset updates, a change of State and raw SQL: the database counts whoever writes."""
    ProgressUpdateFactory(commitment=pledge, reported_on=D(2025, 2, 1))
    ProgressUpdateFactory(commitment=pledge, reported_on=D(2025, 5, 1))
    Commitment.objects.filter(pk=pledge.pk).update(status=Status.COMPLETE)
    assert_equal_to_a_recount()
    # A commitment moved to another State takes its updates' counts along.
    Commitment.objects.filter(pk=pledge.pk).update(state=state_b)
    assert_equal_to_a_recount()
    assert UpdateTally.objects.get(state=state_b, quarter=D(2025, 4, 1)).updates == 1
    table = AnsweredReview._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (commitment_id, due_on, reported_on) VALUES (%s, %s, %s)",  # noqa: S608
            [pledge.pk, D(2025, 6, 30), D(2025, 7, 2)],
        )
        cursor.execute(f"UPDATE {table} SET reported_on = %s", [D(2025, 6, 1)])  # noqa: S608
    assert_equal_to_a_recount()
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608
    assert_equal_to_a_recount()


def test_an_import_keeps_them_equal_to_a_recount(pledge, focal_point_a, secretariat):
    ProgressUpdateFactory(commitment=pledge, reported_on=D(2025, 3, 1))
    assert_equal_to_a_recount()

    def new_update(rows):
        new = dict.fromkeys(rows[0], "")
        new.update(
            commitment_id=str(pledge.pk),
            reported_on="2025-08-15",
            status="substantial",
            narrative="Imported.",
        )
        return [*rows, new]

    kind = ImportRun.Kind.UPDATES
    run = apply(check(focal_point_a, kind, edit_csv(export_csv(kind), new_update)))
    assert ProgressUpdate.objects.filter(import_run=run).count() == 1
    assert_equal_to_a_recount()

    def retitle(rows):
        rows[0]["title"] = "Renamed by import"
        return rows

    kind = ImportRun.Kind.COMMITMENTS
    apply(check(secretariat, kind, edit_csv(export_csv(kind), retitle)))
    assert_equal_to_a_recount()


def test_the_demo_seeders_keep_them_equal_to_a_recount():
    call_command("load_reference_data", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert_equal_to_a_recount()
    # COPY on PostgreSQL, bulk inserts on SQLite.
    assert demo.seed_synthetic(25, batch_size=10) == 25
    assert_equal_to_a_recount()
    assert CommitmentTally.objects.exists()
    demo.remove_demo_data()
    assert_equal_to_a_recount()


def test_verify_tallies_reports_a_difference_and_rebuild_repairs_it(pledge):
    ProgressUpdateFactory(commitment=pledge, reported_on=D(2025, 2, 1))
    call_command("verify_tallies", verbosity=0)
    UpdateTally.objects.update(updates=99)
    with pytest.raises(CommandError, match="tally differences"):
        call_command("verify_tallies", verbosity=0)
    call_command("verify_tallies", "--rebuild", verbosity=0)
    assert_equal_to_a_recount()


def _reviews(state, step):
    """Commitments whose reviews fall on and around quarter ends, answered on time, late,
    across several quarter ends, after "today", or not at all."""
    schedule = [
        (D(2024, 1, 1), 90, [D(2024, 3, 30), D(2024, 9, 1)]),
        (D(2024, 4, 2), 90, [D(2025, 2, 1)]),  # due on the last day of 2024-Q2, very late
        (D(2025, 1, 1), 89, [D(2025, 3, 31), D(2025, 7, 1), D(2025, 9, 30)]),
        (D(2025, 6, 1), 30, []),
        (D(2025, 9, 1), 180, [D(2026, 1, 15)]),
    ]
    for pledged_on, interval, reports in schedule:
        commitment = CommitmentFactory(
            state=state, step=step, pledged_on=pledged_on, review_interval_days=interval
        )
        for reported_on in reports:
            ProgressUpdateFactory(commitment=commitment, reported_on=reported_on)


@pytest.mark.parametrize(
    "today",
    [D(2025, 3, 31), D(2025, 4, 1), D(2025, 8, 15), D(2025, 12, 31), D(2026, 2, 1)],
)
def test_the_trend_from_the_tallies_equals_the_scan_of_every_review(state_a, today):
    state_b = MemberStateFactory(code="DNK", regional_group="western-european-others")
    step = PreventionStepFactory()
    _reviews(state_a, step)
    _reviews(state_b, step)
    assert AnsweredReview.objects.filter(reported_on__gt=D(2025, 3, 31)).exists()
    for quarters in (1, 4, 8):
        bounds = stats._quarters(today, quarters)
        scanned = stats._scan(today=today, quarters=bounds)["trend"]
        assert stats._trend_from_tallies(today, *bounds) == scanned, (today, quarters)
