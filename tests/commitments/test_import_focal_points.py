"""Focal point appointments round-trip with the open-data zip's focal_points.csv: the
secretariat's to import; the model's rules (one current appointment per State) per row."""

import datetime
import io
import zipfile

import pytest
from django.utils import timezone

from commitments.models import ImportRun
from focalpoints.models import FocalPoint
from tests.commitments.import_helpers import apply, check, edit_csv, report
from tests.factories import FocalPointFactory
from tracker import exports

F = ImportRun.Kind.FOCAL_POINTS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def zip_focal_points_csv() -> bytes:
    buffer = io.BytesIO()
    exports.write_open_data_zip(buffer, "test", built_at=timezone.now())
    with zipfile.ZipFile(buffer) as archive:
        return archive.read("csv/focal_points.csv")


@pytest.fixture
def appointments(state_a, state_b):
    ended = FocalPointFactory(
        state=state_a,
        office="Office of the President",
        appointed_on=datetime.date(2015, 1, 1),
        ended_on=datetime.date(2019, 12, 31),
    )
    current = FocalPointFactory(
        state=state_a, office="Ministry of Foreign Affairs", appointed_on=datetime.date(2020, 1, 1)
    )
    FocalPointFactory(state=state_b, office="Ministry of Justice", appointed_on=None)
    return ended, current


@pytest.mark.django_db
def test_the_zip_export_imports_unchanged(appointments, secretariat):
    run = check(secretariat, F, zip_focal_points_csv())
    assert (run.unchanged, run.to_change, run.rejected, run.unknown_columns) == (3, 0, 0, [])


@pytest.mark.django_db
def test_ending_an_appointment_and_recording_the_next(appointments, secretariat, state_a):
    _ended, current = appointments

    def edit(rows):
        mine = next(r for r in rows if r["id"] == str(current.pk))
        mine["ended_on"] = "2025-06-30"
        new = dict(mine, id="", office="Ministry of Interior", appointed_on="2025-07-01")
        new["ended_on"] = ""
        rows.append(new)

    run = check(secretariat, F, edit_csv(zip_focal_points_csv(), edit))
    assert (run.to_change, run.to_create, run.rejected) == (1, 1, 0)
    run = apply(run)
    assert run.state == ImportRun.State.APPLIED
    current.refresh_from_db()
    assert current.ended_on == datetime.date(2025, 6, 30)
    assert FocalPoint.objects.current().get(state=state_a).office == "Ministry of Interior"
    assert current.history.first().history_change_reason == (
        "imported from records.csv by secretariat"
    )


@pytest.mark.django_db
def test_a_second_current_appointment_is_rejected(appointments, secretariat):
    def edit(rows):
        rows.append(dict(rows[1], id="", office="Another office", appointed_on="2024-01-01"))

    run = check(secretariat, F, edit_csv(zip_focal_points_csv(), edit))
    (rejected,) = [r for r in report(run).values() if r[0] == "reject"]
    assert rejected[2] == [("", "This State already has a current focal point.")]


@pytest.mark.django_db
def test_only_the_secretariat_imports_appointments(appointments, focal_point_a):
    run = check(focal_point_a, F, zip_focal_points_csv())
    assert run.rejected == 3
    assert {tuple(e) for row in run.rows.all() for e in row.errors} == {
        ("", "Only the secretariat curates focal point appointments.")
    }
