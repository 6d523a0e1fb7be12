"""Importing a spreadsheet in a real browser: upload (progress bar), the dry-run report, confirm;
axe-core audits; screenshots in English and Arabic (RTL)."""

import pytest
from playwright.sync_api import expect

from commitments.models import Commitment, ImportRun
from tests.commitments.import_helpers import edit_csv, export_csv
from tests.e2e.conftest import screenshot
from tests.e2e.test_workspace import audit, log_in
from tests.factories import CommitmentFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def spreadsheet(state_a):
    """An export of two pledges with one edited cell, one new row and one bad date."""
    CommitmentFactory(state=state_a, title="Appoint a national focal point")
    CommitmentFactory(state=state_a, title="National risk assessment")

    def edit(rows):
        rows[0]["description"] = "Appoint a focal point in the Ministry of Foreign Affairs."
        new = dict(rows[1], id="", title="Report on R2P in the UPR", pledged_on="2025-03-01")
        return [rows[0], rows[1], new]

    return edit_csv(export_csv(ImportRun.Kind.COMMITMENTS), edit)


def upload(page, data: bytes) -> None:
    page.goto("/my/imports/")
    page.locator("#id_kind_0").check()
    page.locator("#id_file").set_input_files(
        files=[{"name": "ghana-pledges.csv", "mimeType": "text/csv", "buffer": data}]
    )


def test_upload_check_and_confirm(page, secretariat, spreadsheet):
    log_in(page, "secretariat")
    page.goto("/my/")
    page.get_by_role("link", name="Import from a spreadsheet").click()
    expect(
        page.get_by_role("heading", name="Import from a spreadsheet", exact=True)
    ).to_be_visible()
    upload(page, spreadsheet)
    audit(page, "import upload")
    screenshot(page, "workspace-import-upload-en")
    page.get_by_role("button", name="Upload and check").click()
    expect(page.get_by_role("heading", name="What the import would do")).to_be_visible()
    expect(
        page.get_by_text("Appoint a focal point in the Ministry of Foreign Affairs.")
    ).to_be_visible()
    audit(page, "import report")
    screenshot(page, "workspace-import-report-en")
    assert Commitment.objects.count() == 2  # nothing written yet
    page.get_by_role("button", name="Confirm: create 1, change 1").click()
    expect(page.get_by_text("Imported: 1 created, 1 changed.")).to_be_visible()
    screenshot(page, "workspace-import-applied-en")
    assert Commitment.objects.count() == 3
    run = ImportRun.objects.get()
    assert run.state == ImportRun.State.APPLIED


def test_rejected_rows_in_arabic(page, focal_point_a, spreadsheet):
    bad = spreadsheet.replace(b"2025-03-01", b"31/02/2026")
    log_in(page, "fp_a")
    page.goto("/my/imports/")
    page.get_by_label("Language").select_option("ar")  # submits itself
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    upload(page, bad)
    screenshot(page, "workspace-import-upload-ar")
    page.locator("form[data-upload-progress] button[type=submit]").click()
    expect(page.locator(".import-counts")).to_be_visible()
    expect(page.get_by_text("31/02/2026")).to_be_visible()
    expect(page.locator("form[action$='/confirm/']")).to_have_count(0)
    audit(page, "import report (ar)")
    screenshot(page, "workspace-import-report-ar")
