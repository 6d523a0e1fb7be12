"""Leak tests of independent scrutiny: an assessment waiting for moderation, rejected or still
a private draft (its narrative, its evidence and document, the rejection reason), an
organisation waiting for approval, an organisation's contact address and its members' e-mail
addresses appear on no public page, CSV, feed, open-data zip or API response. Sentinel strings
are planted in each, then every rendered output is searched for them."""

import io
import zipfile

import pytest
from django.core.files.base import ContentFile

from commitments.models import AssessmentEvidence, Moderation, Status
from tests.factories import (
    AssessmentFactory,
    AssessmentReplyFactory,
    CommitmentFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    ProgressUpdateFactory,
    UserFactory,
)
from tracker.api.urls import router

pytestmark = pytest.mark.django_db

SENTINELS = {
    "submitted": "SENTINEL-SUBMITTED-NARRATIVE",
    "submitted_evidence": "SENTINEL-SUBMITTED-EVIDENCE",
    "rejected": "SENTINEL-REJECTED-NARRATIVE",
    "reason": "SENTINEL-REJECTION-REASON",
    "rejected_evidence": "SENTINEL-REJECTED-EVIDENCE",
    "draft": "SENTINEL-DRAFT-NARRATIVE",
    "draft_evidence": "SENTINEL-DRAFT-EVIDENCE",
    "draft_document": "SENTINEL-DRAFT-DOCUMENT",
    "pending_org": "SENTINEL-PENDING-ORGANISATION",
    "pending_description": "SENTINEL-PENDING-DESCRIPTION",
    "contact": "sentinel-contact@watch.example.org",
    "member": "sentinel-member@watch.example.org",
    "pending_member": "sentinel-pending-member@monitor.example.org",
    "replier": "sentinel-replier@ministry.example.org",
}


@pytest.fixture
def world(state_a, focal_point_a, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    focal_point_a.email = SENTINELS["replier"]
    focal_point_a.save()
    organisation = OrganisationFactory(
        name="Watch International", contact_email=SENTINELS["contact"]
    )
    OrganisationMembershipFactory(
        user=UserFactory(username="member", email=SENTINELS["member"]), organisation=organisation
    )
    pending = OrganisationFactory(
        name=SENTINELS["pending_org"],
        description=SENTINELS["pending_description"],
        pending=True,
    )
    OrganisationMembershipFactory(
        user=UserFactory(username="pending_member", email=SENTINELS["pending_member"]),
        organisation=pending,
    )
    commitment = CommitmentFactory(state=state_a, title="Watched pledge")
    ProgressUpdateFactory(commitment=commitment, status=Status.SUBSTANTIAL)
    published = AssessmentFactory(
        commitment=commitment, organisation=organisation, status=Status.LIMITED
    )
    AssessmentReplyFactory(assessment=published, author=focal_point_a)
    submitted = AssessmentFactory(
        commitment=commitment,
        organisation=pending,
        moderation=Moderation.SUBMITTED,
        narrative=SENTINELS["submitted"],
        status=Status.NOT_STARTED,
    )
    AssessmentEvidence.objects.create(
        assessment=submitted,
        kind="link",
        title=SENTINELS["submitted_evidence"],
        url="https://monitor.example.org/sentinel-submitted",
    )
    rejected = AssessmentFactory(
        commitment=commitment,
        organisation=organisation,
        moderation=Moderation.REJECTED,
        narrative=SENTINELS["rejected"],
        rejection_reason=SENTINELS["reason"],
        status=Status.COMPLETE,
    )
    AssessmentEvidence.objects.create(
        assessment=rejected,
        kind="link",
        title=SENTINELS["rejected_evidence"],
        url="https://watch.example.org/sentinel-rejected",
    )
    # A private draft of the approved organisation (D-10-60), with a link and a document.
    draft = AssessmentFactory(
        commitment=commitment,
        organisation=organisation,
        moderation=Moderation.DRAFT,
        narrative=SENTINELS["draft"],
        status=Status.COMPLETE,
    )
    AssessmentEvidence.objects.create(
        assessment=draft,
        kind="link",
        title=SENTINELS["draft_evidence"],
        url="https://watch.example.org/sentinel-draft",
    )
    AssessmentEvidence.objects.create(
        assessment=draft,
        kind="file",
        title=SENTINELS["draft_document"],
        file=ContentFile(b"%PDF-1.4 draft", name="sentinel-draft.pdf"),
        content_type="application/pdf",
        size_bytes=14,
        sha256="0" * 64,
    )
    return {
        "commitment": commitment,
        "published": published,
        "hidden": [submitted, rejected, draft],
        "pending": pending,
    }


def body(response) -> str:
    if hasattr(response, "streaming_content"):
        return b"".join(response.streaming_content).decode("utf-8")
    return response.content.decode("utf-8")


def assert_clean(text: str, where: str) -> None:
    for name, sentinel in SENTINELS.items():
        assert sentinel not in text, f"{name} ({sentinel!r}) leaked in {where}"


def public_urls(world) -> list[str]:
    c = world["commitment"]
    return [
        "/",
        "/states/",
        "/states/GHA/",
        "/regions/african/",
        "/commitments/",
        "/commitments/?independently_assessed=true",
        "/commitments/?disagrees=true",
        c.get_absolute_url(),
        "/assessments/",
        "/data/",
        "/commitments/?format=csv",
        "/states/GHA/?format=csv",
        "/assessments/?format=csv",
        c.get_absolute_url() + "?format=csv",
        "/updates.atom",
        "/states/GHA/updates.atom",
        f"/commitments/{c.pk}/updates.atom",
    ]


def api_urls(world) -> list[str]:
    urls = ["/api/v1/", "/api/v1/stats/", "/api/v1/ledger/", "/api/schema/?format=json"]
    for prefix, _viewset, _basename in router.registry:
        for fmt in ("json", "csv", "jsonl"):
            urls.append(f"/api/v1/{prefix}/?format={fmt}")
            urls.append(f"/api/v1/{prefix}/?format={fmt}&page_size=1000")
    c = world["commitment"]
    urls += [
        f"/api/v1/commitments/{c.pk}/",
        f"/api/v1/assessments/{world['published'].pk}/",
        f"/api/v1/organisations/{world['published'].organisation_id}/",
        f"/api/v1/assessments/?commitment={c.pk}",
        "/api/v1/assessments/?disagrees=false",
    ]
    return urls


def test_no_unpublished_assessment_or_private_detail_on_any_page_csv_or_feed(client, world):
    for url in public_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(body(response), url)


def test_no_unpublished_assessment_or_private_detail_in_any_api_response(client, world):
    for url in api_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_clean(body(response), url)
    # Their public addresses do not exist.
    for assessment in world["hidden"]:
        assert client.get(f"/api/v1/assessments/{assessment.pk}/").status_code == 404
    assert client.get(f"/api/v1/organisations/{world['pending'].pk}/").status_code == 404


def test_no_unpublished_assessment_or_private_detail_in_the_open_data_zip(client, world):
    from tracker import opendata

    opendata.refresh(force=True)
    response = client.get("/data/r2p-tracker-open-data.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    for name in archive.namelist():
        assert_clean(archive.read(name).decode("utf-8"), name)


def test_the_published_assessment_is_there_all_along(client, world):
    """The leak tests would pass on empty outputs: the published assessment shows."""
    assert client.get("/api/v1/assessments/").json()["count"] == 1
    assert "Watch International" in body(client.get("/assessments/?format=csv"))
