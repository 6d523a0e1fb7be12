"""Assessment evidence follows the progress evidence's rules (the same content checks), and a
document of an assessment not yet published is served only to its organisation and the
moderators."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commitments.models import Assessment, AssessmentEvidence
from tests.commitments.upload_samples import tiny_pdf
from tests.conftest import organisation_of
from tests.scrutiny.test_workspace import form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def post(client, commitment, user, upload):
    client.force_login(user)
    data = form_data(organisation=organisation_of(user).pk, files=[upload])
    return client.post(reverse("workspace:assessment_create", kwargs={"pk": commitment.pk}), data)


def test_a_document_that_is_not_what_it_says_is_refused_with_its_name(
    client, assessor_a, commitment_a
):
    fake = SimpleUploadedFile("report.pdf", b"MZ\x90\x00 this is an executable", "application/pdf")
    response = post(client, commitment_a, assessor_a, fake)
    assert response.status_code == 200
    assert any("report.pdf" in error for error in response.context["form"].errors["files"])
    assert not Assessment.objects.exists()


def test_a_real_document_is_kept_and_served_privately_until_published(
    client, assessor_a, commitment_a, secretariat, focal_point_a
):
    response = post(
        client, commitment_a, assessor_a, SimpleUploadedFile("findings.pdf", tiny_pdf())
    )
    assert response.status_code == 302
    document = AssessmentEvidence.objects.get(kind="file")
    assert document.content_type == "application/pdf" and len(document.sha256) == 64
    private = reverse("workspace:assessment_document", kwargs={"pk": document.pk})
    assert client.get(private).status_code == 200  # its organisation
    assert client.get(private)["Cache-Control"] == "private, no-store"
    client.force_login(secretariat)
    assert client.get(private).status_code == 200  # a moderator
    client.force_login(focal_point_a)
    assert client.get(private).status_code == 403  # the State, before publication
    client.logout()
    assert client.get(document.get_absolute_url()).status_code == 404  # not public yet
