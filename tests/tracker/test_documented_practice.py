"""Documented practice (issue 13): sourced examples of what States did are public records on the
State's profile and the step's page, in the zip and the API, distinct from focal points' reports,
each with its source, year and grade; the secretariat edits them in the admin, with history."""

import csv
import io
import zipfile

import pytest
from django.core.management import call_command
from django.utils import timezone

from commitments.models import DocumentedPractice
from tests.factories import MemberStateFactory, PreventionStepFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def practice(db):
    ghana = MemberStateFactory(code="GHA", name="Ghana", name_ar="غانا")
    step = PreventionStepFactory(code="N1", title="Appoint a national R2P focal point")
    return DocumentedPractice.objects.create(
        key="gha-2010-1",
        state=ghana,
        year=2010,
        summary="Co-launched the national R2P Focal Points initiative",
        step=step,
        source_name="Permanent Mission of Ghana to the UN (joint press statement)",
        source_url="https://www.un.int/ghana/",
        page_or_section="joint press statement, para. 3",
        source_type="official (Ghana UN mission)",
        verification="verified",
    )


def test_the_profile_shows_what_the_record_shows_apart_from_focal_point_reports(client, practice):
    body = client.get("/states/GHA/").content.decode()
    assert "What the record shows" in body
    assert "Co-launched the national R2P Focal Points initiative" in body
    assert (
        "Seen in: \u2068Permanent Mission of Ghana to the UN (joint press statement)\u2069" in body
    )
    assert "<bdi>2010</bdi>" in body and "badge-verified" in body
    assert "This is the public record: it is not a report by the State" in body
    # The record is not a report: the review figures do not count it.
    assert client.get("/states/GHA/").context["review"]["total"] == 0


def test_the_step_page_lists_the_states_documented_practice(client, practice):
    client.cookies["django_language"] = "ar"
    body = client.get("/steps/N1/").content.decode()
    assert "غانا" in body and "<bdi>2010</bdi>" in body


def test_the_api_publishes_it_with_source_year_and_grade(client, practice):
    rows = client.get("/api/v1/documented-practice/", {"member_state": "GHA"}).json()["results"]
    assert rows == [
        {
            "id": practice.pk,
            "key": "gha-2010-1",
            "member_state": "GHA",
            "year": 2010,
            "summary": "Co-launched the national R2P Focal Points initiative",
            "step": "N1",
            "source_name": "Permanent Mission of Ghana to the UN (joint press statement)",
            "source_url": "https://www.un.int/ghana/",
            "sources": "",
            "page_or_section": "joint press statement, para. 3",
            "source_type": "official (Ghana UN mission)",
            "verification": "verified",
            "updated_at": rows[0]["updated_at"],
        }
    ]
    assert client.get("/api/v1/documented-practice/gha-2010-1/").json()["year"] == 2010
    # The whole list as CSV is streamed (D-16-4).
    whole = client.get("/api/v1/documented-practice/", {"format": "csv"})
    text = b"".join(whole.streaming_content).decode("utf-8-sig")
    assert "gha-2010-1" in text and "verification" in text.splitlines()[0]


def test_the_open_data_zip_has_a_documented_practice_table(practice):
    from tracker import exports

    buffer = io.BytesIO()
    exports.write_open_data_zip(buffer, "test", built_at=timezone.now())
    with zipfile.ZipFile(buffer) as archive:
        text = archive.read("csv/documented_practice.csv").decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["key"] == "gha-2010-1" and rows[0]["verification"] == "verified"


def test_the_reference_data_loads_the_35_examples():
    call_command("load_reference_data", verbosity=0)
    assert DocumentedPractice.objects.count() == 35
    row = DocumentedPractice.objects.get(key="ken-2005-1")
    assert row.step.code == "N4" and row.state_id == "KEN"


def test_the_secretariat_corrects_a_row_in_the_admin_and_history_is_kept(client, practice):
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    url = f"/admin/commitments/documentedpractice/{practice.pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    practice.summary = "Co-launched, with Denmark, the national R2P Focal Points initiative"
    practice.save()
    assert practice.history.count() == 2
    history = f"/admin/commitments/documentedpractice/{practice.pk}/history/"
    assert client.get(history).status_code == 200
