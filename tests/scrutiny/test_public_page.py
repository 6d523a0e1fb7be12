"""What the public sees of independent scrutiny: published assessments only (never a submitted or
rejected one, never a rejection reason or an account), side by side with the government's
status and flagged when they disagree; documents of unpublished assessments are not served."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commitments.models import AssessmentEvidence, Moderation, Status
from tests.factories import (
    AssessmentFactory,
    AssessmentReplyFactory,
    OrganisationFactory,
    ProgressUpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def page(client, commitment):
    return client.get(reverse("tracker:commitment", kwargs={"pk": commitment.pk}))


def test_published_assessments_stand_beside_the_government_with_the_flag(client, commitment_a):
    ProgressUpdateFactory(commitment=commitment_a, status=Status.COMPLETE)
    agrees = OrganisationFactory(name="Agreeing Watch")
    disagrees = OrganisationFactory(name="Doubting Institute")
    AssessmentFactory(commitment=commitment_a, organisation=agrees, status=Status.COMPLETE)
    latest = AssessmentFactory(
        commitment=commitment_a, organisation=disagrees, status=Status.NOT_STARTED
    )
    AssessmentReplyFactory(assessment=latest, text="The State answers here.")
    response = page(client, commitment_a)
    rows = {row["assessment"].organisation.name: row for row in response.context["independent"]}
    assert rows["Agreeing Watch"]["disagrees"] is False
    assert rows["Doubting Institute"]["disagrees"] is True
    assert rows["Doubting Institute"]["levels_apart"] == 3
    content = response.content.decode()
    assert "disagreement-flag" in content
    assert "The State answers here." in content
    kinds = [entry["kind"] for entry in response.context["timeline"]]
    assert kinds.count("assessment") == 2 and kinds.count("update") == 1


def test_no_flag_while_they_agree_or_the_government_has_not_reported(client, commitment_a):
    AssessmentFactory(commitment=commitment_a, status=Status.LIMITED)
    assert "disagreement-flag" not in page(client, commitment_a).content.decode()
    ProgressUpdateFactory(commitment=commitment_a, status=Status.LIMITED)
    assert "disagreement-flag" not in page(client, commitment_a).content.decode()


def test_unpublished_assessments_and_private_fields_never_reach_the_page(client, commitment_a):
    author = UserFactory(username="private-assessor-account", email="author@private.example")
    AssessmentFactory(
        commitment=commitment_a,
        moderation=Moderation.SUBMITTED,
        narrative="SUBMITTED-NARRATIVE",
        author=author,
    )
    AssessmentFactory(
        commitment=commitment_a,
        moderation=Moderation.REJECTED,
        narrative="REJECTED-NARRATIVE",
        rejection_reason="REJECTION-REASON",
    )
    published = AssessmentFactory(commitment=commitment_a, author=author, narrative="PUBLIC-ONE")
    content = page(client, commitment_a).content.decode()
    assert "PUBLIC-ONE" in content
    for secret in (
        "SUBMITTED-NARRATIVE",
        "REJECTED-NARRATIVE",
        "REJECTION-REASON",
        "private-assessor-account",
        "author@private.example",
        published.organisation.contact_email,
    ):
        assert secret not in content


def test_documents_of_unpublished_assessments_are_not_served(
    client, commitment_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    submitted = AssessmentFactory(commitment=commitment_a, moderation=Moderation.SUBMITTED)
    published = AssessmentFactory(commitment=commitment_a)
    documents = [
        AssessmentEvidence.objects.create(
            assessment=a,
            kind="file",
            title="Report",
            file=SimpleUploadedFile("r.pdf", pdf),
            content_type="application/pdf",
            size_bytes=len(pdf),
        )
        for a in (submitted, published)
    ]
    hidden, shown = (client.get(d.get_absolute_url()) for d in documents)
    assert hidden.status_code == 404
    assert shown.status_code == 200
    assert shown["Content-Security-Policy"].startswith("sandbox")
