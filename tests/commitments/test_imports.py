"""Spreadsheet imports round-trip with the exports: a file exported and imported unchanged
changes nothing; edited cells become exactly those changes; the apply does what the dry run
said, in one transaction, through the services (permissions, derived status, history)."""

import datetime

import pytest
from django.utils import timezone

from commitments.models import (
    Commitment,
    CommitmentRevision,
    ImportRun,
    LedgerEntry,
    ProgressUpdate,
    Status,
)
from tests.commitments.import_helpers import (
    apply,
    check,
    edit_csv,
    export_csv,
    export_via_page,
    report,
)
from tests.factories import (
    CommitmentFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
    ScrutinyChannelFactory,
)

C = ImportRun.Kind.COMMITMENTS
U = ImportRun.Kind.UPDATES


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def records(state_a, state_b):
    """Commitments of two States with links, updates, a correction and a formula-like text."""
    channel = ScrutinyChannelFactory(code="parliament")
    resolution = ResolutionFactory()
    first = CommitmentFactory(
        state=state_a, title="=Appoint a focal point", target_date=datetime.date(2027, 1, 1)
    )
    first.channels.set([channel])
    first.resolutions.set([resolution])
    second = CommitmentFactory(state=state_b, title="National risk assessment")
    update = ProgressUpdateFactory(commitment=first, narrative="- drafted the decree")
    ProgressUpdateFactory(commitment=first, corrects=update, status=Status.SUBSTANTIAL)
    ProgressUpdateFactory(commitment=second)
    return first, second


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [C, U])
def test_an_export_imported_unchanged_changes_nothing(records, secretariat, kind):
    run = check(secretariat, kind, export_csv(kind))
    assert run.state == ImportRun.State.CHECKED
    assert (run.to_create, run.to_change, run.rejected) == (0, 0, 0)
    assert run.unchanged == run.rows_total > 0
    assert run.unknown_columns == []
    assert not run.rows.exists()
    assert not run.may_apply  # nothing to do


@pytest.mark.django_db
def test_the_page_download_imports_unchanged(records, secretariat):
    data = export_via_page("/commitments/")
    run = check(secretariat, C, data)
    assert (run.unchanged, run.to_change, run.rejected) == (2, 0, 0)


@pytest.mark.django_db
def test_edited_cells_become_exactly_those_changes_and_the_apply_matches(records, secretariat):
    first, second = records
    new_step = PreventionStepFactory(code="NRA")

    def edit(rows):
        rows[0]["target_date"] = "2028-06-30"
        rows[0]["channels"] = ""
        rows[1]["step_code"] = "NRA"
        rows[1]["status"] = "complete"  # derived: not imported, never a change

    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    assert (run.to_change, run.unchanged, run.rejected) == (2, 0, 0)
    assert "status" in run.ignored_columns
    assert report(run) == {
        2: (
            "change",
            [("target_date", "2027-01-01", "2028-06-30"), ("channels", "parliament", "")],
            [],
        ),
        3: ("change", [("step_code", second.step.code, "NRA")], []),
    }
    before_history = first.history.count()
    run = apply(run)
    assert run.state == ImportRun.State.APPLIED
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.target_date == datetime.date(2028, 6, 30)
    assert not first.channels.exists()
    assert second.step == new_step
    assert second.status != Status.COMPLETE
    entry = first.history.first()
    assert first.history.count() == before_history + 1
    assert entry.history_change_reason == f"imported from records.csv by {secretariat.username}"
    # Each changed term is a public revision naming the file, with its ledger entry (D-11-6).
    revisions = {r.field: r for r in CommitmentRevision.objects.filter(commitment=first)}
    assert set(revisions) == {"target_date", "channels"}
    assert revisions["target_date"].reason == "Changed by an import of records.csv"
    assert (
        LedgerEntry.objects.filter(kind="commitment-revised", commitment_id=first.pk).count() == 2
    )
    # Imported again: nothing left to change.
    again = check(secretariat, C, export_csv(C))
    assert (again.to_change, again.to_create) == (0, 0)


@pytest.mark.django_db
def test_new_rows_are_created_through_the_service_with_derived_status(
    records, focal_point_a, state_a
):
    step = PreventionStepFactory(code="UPR")

    def edit(rows):
        new = dict.fromkeys(rows[0], "")
        new.update(
            state_code="GHA",
            step_code="UPR",
            title="Report on R2P in the UPR",
            description="Include a section on atrocity prevention.",
            source_kind="upr",
            source_description="UPR fourth cycle",
            pledged_on="2025-03-01",
            review_interval_days="90",
            basis="political",
        )
        return [rows[0], new]

    run = check(focal_point_a, C, edit_csv(export_csv(C), edit))
    assert (run.unchanged, run.to_create, run.rejected) == (1, 1, 0)
    assert not Commitment.objects.filter(step=step).exists()  # the dry run wrote nothing
    run = apply(run)
    created = Commitment.objects.get(step=step)
    assert created.state == state_a
    assert created.created_by == focal_point_a
    assert created.status == Status.NOT_REPORTED
    assert created.next_review_due == datetime.date(2025, 3, 1) + datetime.timedelta(days=90)
    [entry] = LedgerEntry.objects.filter(commitment_id=created.pk)
    assert (entry.kind, entry.subject_id) == ("commitment-recorded", created.pk)


@pytest.mark.django_db
def test_new_progress_updates_are_appended_with_their_origin(records, focal_point_a):
    first, _second = records
    today = timezone.localdate().isoformat()

    def edit(rows):
        mine = [r for r in rows if r["commitment_id"] == str(first.pk)]
        new = dict.fromkeys(rows[0], "")
        new.update(
            commitment_id=str(first.pk),
            reported_on=today,
            status="complete",
            narrative="The decree was adopted.",
            evidence="https://example.org/decree",
        )
        return [*mine, new]

    run = check(focal_point_a, U, edit_csv(export_csv(U), edit))
    assert (run.unchanged, run.to_create, run.rejected) == (2, 1, 0)
    run = apply(run)
    update = ProgressUpdate.objects.get(narrative="The decree was adopted.")
    assert update.import_run == run
    assert update.author == focal_point_a
    assert update.evidence.get().url == "https://example.org/decree"
    [entry] = LedgerEntry.objects.filter(subject_type="update", subject_id=update.pk)
    assert entry.kind == "update-published"
    assert '"url":"https://example.org/decree"' in entry.record
    first.refresh_from_db()
    assert first.status == Status.COMPLETE
    assert run.history_reason == "imported from records.csv by fp_a"


@pytest.mark.django_db
def test_a_changed_published_update_is_refused(records, secretariat):
    def edit(rows):
        rows[0]["narrative"] = "Rewritten history"

    run = check(secretariat, U, edit_csv(export_csv(U), edit))
    update = ProgressUpdate.objects.order_by("pk").first()
    assert report(run)[2] == (
        "reject",
        [],
        [
            (
                "narrative",
                "published updates are never changed: add a new row whose "
                f"corrects_update_id is {update.pk}",
            )
        ],
    )


@pytest.mark.django_db
def test_a_focal_point_is_refused_another_states_rows_one_by_one(records, focal_point_a):
    run = check(focal_point_a, C, export_csv(C))
    assert (run.unchanged, run.rejected) == (1, 1)
    assert report(run) == {3: ("reject", [], [("", "You do not act for DNK.")])}
    assert not run.may_apply


@pytest.mark.django_db
def test_a_focal_point_may_not_change_terms_but_the_secretariat_may_for_any_state(
    records, focal_point_a, secretariat
):
    def edit(rows):
        for row in rows:
            row["title"] += " (revised)"

    data = edit_csv(export_csv(C), edit)
    by_focal_point = check(focal_point_a, C, data)
    assert report(by_focal_point)[2][2] == [
        (
            "",
            "A focal point cannot change a pledge directly: request the revision, and the "
            "secretariat will approve it.",
        )
    ]
    by_secretariat = check(secretariat, C, data)
    assert (by_secretariat.to_change, by_secretariat.rejected) == (2, 0)


@pytest.mark.django_db
def test_the_apply_is_all_or_nothing_when_the_records_changed_after_the_check(records, secretariat):
    first, second = records

    def edit(rows):
        rows[0]["description"] = "First, revised."
        rows[1]["description"] = "Second, revised."

    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    assert run.to_change == 2
    # Someone withdraws the second row's step from the catalogue in between: row 3 now fails.
    second.step.is_active = False
    second.step.save()
    second.title = "Changed meanwhile"
    second.save()
    run = apply(run)
    assert run.state == ImportRun.State.FAILED
    assert "nothing was applied" in run.error
    first.refresh_from_db()
    assert first.description == "What the State pledged."  # row 2 was rolled back too


@pytest.mark.django_db
def test_a_rejected_row_blocks_the_confirmation(records, secretariat):
    def edit(rows):
        rows[1]["target_date"] = "31/02/2026"

    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    assert report(run)[3][2] == [
        ("target_date", "31/02/2026 is not a date (write it as YYYY-MM-DD, e.g. 2026-02-28)")
    ]
    assert not run.may_apply


@pytest.mark.django_db
@pytest.mark.parametrize("failure", [ValueError("disk full"), None])
def test_a_failure_at_row_n_of_the_apply_leaves_every_row_unchanged(
    records, secretariat, monkeypatch, failure
):
    """Row 3 fails only during the apply (a domain refusal, or any error): row 2, already
    written in the same transaction, is rolled back with it."""
    from django.core.exceptions import ValidationError

    from commitments.imports import kinds

    first, second = records

    def edit(rows):
        rows[0]["description"] = "First, revised."
        rows[1]["description"] = "Second, revised."

    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    real = kinds.services.commitment_revise

    def failing_on_second(*, commitment, **kwargs):
        if commitment.pk == second.pk:
            raise failure or ValidationError({"description": "refused"})
        return real(commitment=commitment, **kwargs)

    monkeypatch.setattr(kinds.services, "commitment_revise", failing_on_second)
    run = apply(run)
    assert run.state == ImportRun.State.FAILED
    assert "nothing was applied" in run.error
    first.refresh_from_db()
    assert first.description == "What the State pledged."
    assert first.history.count() == 1
