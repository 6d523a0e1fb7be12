"""The import pages under /my/imports/: upload → dry-run report → confirm or cancel, the log,
templates, progress; who may see which run."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.models import Commitment, ImportRun
from tests.commitments.import_helpers import check, edit_csv, export_csv
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.django_db
C = ImportRun.Kind.COMMITMENTS


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def edited(state_a):
    CommitmentFactory(state=state_a, description="Before.")

    def edit(rows):
        rows[0]["description"] = "After."

    return edit_csv(export_csv(C), edit)


def post_file(client, data: bytes, name="commitments.csv", kind=C):
    return client.post(
        "/my/imports/", {"kind": kind, "file": SimpleUploadedFile(name, data, "text/csv")}
    )


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/my/imports/")
    assert response.status_code == 302
    assert "/login/" in response["Location"] or "/accounts/" in response["Location"]


def test_an_account_acting_for_no_state_gets_403(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("nobody", password="x"))
    assert client.get("/my/imports/").status_code == 403
    assert client.get("/my/imports/template/commitments.xlsx").status_code == 403


def test_upload_shows_the_dry_run_report_then_confirm_applies(client, secretariat, edited):
    client.force_login(secretariat)
    response = post_file(client, edited)
    run = ImportRun.objects.get()
    assert response["Location"] == f"/my/imports/{run.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Before." in page and "After." in page
    assert "Confirm: create 0, change 1" in page
    assert Commitment.objects.get().description == "Before."
    response = client.post(f"/my/imports/{run.pk}/confirm/", follow=True)
    assert "Imported: 0 created, 1 changed." in response.content.decode()
    assert Commitment.objects.get().description == "After."
    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED


def test_a_large_file_runs_in_a_task_and_the_page_polls_progress(
    client, secretariat, edited, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_BACKGROUND_BYTES = 0
    client.force_login(secretariat)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post_file(client, edited)
    run = ImportRun.objects.get()
    page = client.get(response["Location"]).content.decode()
    assert "data-progress-url" in page  # not yet checked: the page follows the task
    assert client.get(f"/my/imports/{run.pk}/progress/").json()["busy"] is True
    for callback in callbacks:
        callback()  # the task (eager in tests)
    assert client.get(f"/my/imports/{run.pk}/progress/").json() == {
        "state": "checked",
        "state_label": "Checked: waiting for confirmation",
        "busy": False,
        "done": 1,
        "total": None,
    }
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/my/imports/{run.pk}/confirm/")
    assert Commitment.objects.get().description == "After."


def test_cancel_leaves_the_records_and_logs_the_run(client, secretariat, edited):
    client.force_login(secretariat)
    post_file(client, edited)
    run = ImportRun.objects.get()
    response = client.post(f"/my/imports/{run.pk}/cancel/", follow=True)
    assert "Import cancelled: nothing was written." in response.content.decode()
    run.refresh_from_db()
    assert run.state == ImportRun.State.CANCELLED
    assert client.post(f"/my/imports/{run.pk}/confirm/").status_code == 302
    assert Commitment.objects.get().description == "Before."


def test_a_wrong_type_is_refused_on_the_form(client, focal_point_a):
    client.force_login(focal_point_a)
    response = post_file(client, b"%PDF-1.4", name="report.pdf")
    assert response.status_code == 400
    assert "Upload a CSV (.csv) or Excel workbook (.xlsx) file." in response.content.decode()
    assert not ImportRun.objects.exists()


def test_another_persons_run_is_404_but_the_secretariat_sees_every_run(
    client, focal_point_a, focal_point_b, secretariat, edited
):
    run = check(focal_point_a, C, edited)
    client.force_login(focal_point_b)
    assert client.get(f"/my/imports/{run.pk}/").status_code == 404
    assert client.get(f"/my/imports/{run.pk}/progress/").status_code == 404
    assert client.post(f"/my/imports/{run.pk}/cancel/").status_code == 404
    client.force_login(secretariat)
    assert client.get(f"/my/imports/{run.pk}/").status_code == 200
    # ...but only the uploader confirms or cancels it.
    response = client.post(f"/my/imports/{run.pk}/cancel/", follow=True)
    assert "Only the person who uploaded the file" in response.content.decode()


def test_the_rejected_rows_say_row_column_and_reason(client, focal_point_a, state_a):
    CommitmentFactory(state=state_a)

    def edit(rows):
        rows[0]["target_date"] = "31/02/2026"

    client.force_login(focal_point_a)
    response = post_file(client, edit_csv(export_csv(C), edit))
    page = client.get(response["Location"] + "?rows=reject").content.decode()
    assert (
        "row 2, column target_date: 31/02/2026 is not a date (write it as YYYY-MM-DD, "
        "e.g. 2026-02-28)" in page
    )
    assert "Confirm:" not in page


@pytest.mark.parametrize(
    ("kind", "first_columns"),
    [
        ("commitments", ["id", "state_code", "step_code"]),
        ("updates", ["id", "commitment_id", "reported_on"]),
        ("focal-points", ["id", "state_id", "office"]),
        ("resolutions", ["id", "symbol", "body"]),
    ],
)
def test_the_template_downloads_as_xlsx(client, secretariat, state_a, kind, first_columns):
    client.force_login(secretariat)
    response = client.get(f"/my/imports/template/{kind}.xlsx")
    assert response.status_code == 200
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert [c.value for c in workbook["records"][1]][:3] == first_columns
    assert workbook["help"]["A1"].value == "column"


def test_an_unknown_template_is_404(client, focal_point_a):
    client.force_login(focal_point_a)
    assert client.get("/my/imports/template/nothing.xlsx").status_code == 404


def test_list_and_report_pages_have_pinned_query_counts(
    client, secretariat, state_a, django_assert_max_num_queries
):
    for n in range(3):
        CommitmentFactory(state=state_a, title=f"Pledge {n}")

    def edit(rows):
        for row in rows:
            row["description"] = "Changed everywhere."

    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    for _ in range(3):
        check(secretariat, C, edit_csv(export_csv(C), edit))
    client.force_login(secretariat)
    # session, user, runs count, the demo-data notice (3), runs page (uploader joined)
    with django_assert_max_num_queries(7):
        assert client.get("/my/imports/").status_code == 200
    # session, user, the run (uploader joined), rows count, the demo-data notice (3), rows page
    with django_assert_max_num_queries(8):
        assert client.get(f"/my/imports/{run.pk}/").status_code == 200


def test_the_commitment_page_says_what_was_imported_by_whom(client, secretariat, state_a):
    from django.utils import timezone

    commitment = CommitmentFactory(state=state_a, description="Before.")

    def edit(rows):
        rows[0]["description"] = "After."

    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    client.force_login(secretariat)
    client.post(f"/my/imports/{run.pk}/confirm/")
    data = (
        f"commitment_id,reported_on,status,narrative\n"
        f"{commitment.pk},{timezone.localdate().isoformat()},limited,Imported work\n"
    )
    updates = check(secretariat, ImportRun.Kind.UPDATES, data.encode(), "updates.csv")
    client.post(f"/my/imports/{updates.pk}/confirm/")
    page = client.get(f"/my/commitments/{commitment.pk}/").content.decode()
    assert "imported from records.csv by secretariat" in page  # the commitment's history
    assert "imported from updates.csv by secretariat" in page  # the update's line


def test_a_focal_point_is_offered_its_own_kinds_the_secretariat_all(
    client, focal_point_a, secretariat
):
    client.force_login(focal_point_a)
    page = client.get("/my/imports/").content.decode()
    assert 'value="updates"' in page and 'value="resolutions"' not in page
    assert post_file(client, b"id\n", kind="resolutions").status_code == 400
    client.force_login(secretariat)
    page = client.get("/my/imports/").content.decode()
    assert 'value="focal-points"' in page and 'value="resolutions"' in page
