"""``import_records FILE --kind … --user … [--dry-run]``: the same import as the page."""

import pytest
from django.core.management import CommandError, call_command

from commitments.models import Commitment, ImportRun
from tests.commitments.import_helpers import edit_csv, export_csv
from tests.factories import CommitmentFactory


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def edited_file(state_a, tmp_path):
    CommitmentFactory(state=state_a, description="Before.")

    def edit(rows):
        rows[0]["description"] = "After."

    path = tmp_path / "commitments.csv"
    path.write_bytes(edit_csv(export_csv(ImportRun.Kind.COMMITMENTS), edit))
    return path


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(edited_file, secretariat, capsys):
    call_command(
        "import_records", str(edited_file), kind="commitments", user="secretariat", dry_run=True
    )
    out = capsys.readouterr().out
    assert "1 rows: 0 to create, 1 to change, 0 unchanged, 0 rejected (read as utf-8)." in out
    assert "description: Before. → After." in out
    assert "Nothing applied (dry run)." in out
    assert Commitment.objects.get().description == "Before."
    assert ImportRun.objects.get().state == ImportRun.State.CHECKED


@pytest.mark.django_db
def test_applies_and_logs_the_run(edited_file, secretariat, capsys):
    call_command("import_records", str(edited_file), kind="commitments", user="secretariat")
    assert "Applied: 0 created, 1 changed" in capsys.readouterr().out
    assert Commitment.objects.get().description == "After."
    assert ImportRun.objects.get().state == ImportRun.State.APPLIED


@pytest.mark.django_db
def test_rejected_rows_fail_the_command(edited_file, focal_point_b):
    with pytest.raises(CommandError, match="Nothing applied"):
        call_command("import_records", str(edited_file), kind="commitments", user="fp_b")
    assert Commitment.objects.get().description == "Before."
