"""Resolutions round-trip with the /resolutions/ CSV download: the secretariat's to import,
matched by id or symbol."""

import pytest

from commitments.models import ImportRun, Resolution
from tests.commitments.import_helpers import apply, check, edit_csv, export_via_page, report
from tests.factories import ResolutionFactory

R = ImportRun.Kind.RESOLUTIONS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def resolutions(state_a):
    first = ResolutionFactory(symbol="S/RES/1674 (2006)", title="Protection of civilians")
    second = ResolutionFactory(symbol="A/RES/60/1", body="GA", title="World Summit Outcome")
    second.states.set([state_a])
    return first, second


@pytest.mark.django_db
def test_the_page_download_imports_unchanged(resolutions, secretariat):
    run = check(secretariat, R, export_via_page("/resolutions/"))
    assert (run.unchanged, run.to_change, run.rejected, run.unknown_columns) == (2, 0, 0, [])
    assert run.ignored_columns == ["commitments", "url"]


@pytest.mark.django_db
def test_edits_and_new_rows_are_applied_with_history(resolutions, secretariat, state_b):

    def edit(rows):
        rows[0]["states"] = "DNK"
        rows.append(dict(rows[0], id="", symbol="S/RES/2150 (2014)", title="Genocide prevention"))

    run = check(secretariat, R, edit_csv(export_via_page("/resolutions/"), edit))
    assert (run.to_change, run.to_create, run.rejected) == (1, 1, 0)
    apply(run)
    assert list(Resolution.objects.get(symbol="S/RES/2150 (2014)").states.all()) == [state_b]
    changed = Resolution.objects.get(pk=run.rows.get(action="change").object_id)
    assert list(changed.states.all()) == [state_b]
    assert changed.history.first().history_change_reason.startswith("imported from records.csv")


@pytest.mark.django_db
def test_a_symbol_taken_by_another_resolution_is_rejected(resolutions, secretariat):

    def edit(rows):
        rows[0]["symbol"] = rows[1]["symbol"]

    run = check(secretariat, R, edit_csv(export_via_page("/resolutions/"), edit))
    errors = [e for _action, _changes, errs in report(run).values() for e in errs]
    assert ("symbol", "Resolution with this Symbol already exists.") in errors


@pytest.mark.django_db
def test_only_the_secretariat_imports_resolutions(resolutions, focal_point_a):
    run = check(focal_point_a, R, export_via_page("/resolutions/"))
    assert run.rejected == 2
    assert report(run)[2][2] == [("", "Only the secretariat curates resolutions.")]
