"""POST /api/v1/commitments/<pk>/assessments/: an assessor submits an independent assessment
with its organisation's token, through the same service as the workspace form
(``assessment_submit``); it lands submitted for moderation and is public nowhere until a
moderator publishes it. The permission matrix: role x organisation x State, in the API's
error format."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from commitments.models import Assessment, Moderation
from focalpoints.tokens import api_token_for, api_token_issue
from tests.conftest import organisation_of
from tests.factories import AssessmentFactory, OrganisationMembershipFactory

pytestmark = pytest.mark.django_db


def url(commitment):
    return f"/api/v1/commitments/{commitment.pk}/assessments/"


def org_token(user, organisation=None):
    organisation = organisation or organisation_of(user)
    return api_token_issue(user=user, name="shadow reports", organisation=organisation)[1]


def post(client, commitment, body, token=None):
    extra = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    return client.post(url(commitment), body, content_type="application/json", **extra)


def valid_body(**overrides):
    today = timezone.localdate()
    body = {
        "status": "limited",
        "period_start": (today - datetime.timedelta(days=200)).isoformat(),
        "period_end": (today - datetime.timedelta(days=1)).isoformat(),
        "narrative": "Our shadow report finds the plan is not funded.",
        "channel": "upr-shadow-report",
        "links": [{"url": "https://watch.example.org/report.pdf", "title": "Shadow report"}],
    }
    body.update(overrides)
    return body


def assert_error(response, status: int, code: str):
    assert response.status_code == status, response.content
    body = response.json()
    assert body["status"] == status and body["code"] == code
    assert set(body) == {"status", "code", "detail", "errors"}
    return body


def test_assessor_of_an_international_organisation_submits_for_moderation(
    client, commitment_a, assessor_a
):
    response = post(client, commitment_a, valid_body(), org_token(assessor_a))
    assert response.status_code == 201, response.content
    body = response.json()
    assessment = Assessment.objects.get(pk=body["id"])
    assert assessment.moderation == Moderation.SUBMITTED
    assert assessment.author == assessor_a
    assert assessment.organisation == organisation_of(assessor_a)
    assert body["moderation"] == "submitted"
    assert body["evidence"][0]["url"] == "https://watch.example.org/report.pdf"
    # Not public until a moderator publishes it: the public resource does not know it.
    assert client.get(f"/api/v1/assessments/{assessment.pk}/").status_code == 404
    assert client.get("/api/v1/assessments/").json()["count"] == 0


def test_the_organisation_in_the_body_may_only_be_the_tokens(client, commitment_a, assessor_a):
    own = organisation_of(assessor_a)
    assert (
        post(
            client, commitment_a, valid_body(organisation=own.pk), org_token(assessor_a)
        ).status_code
        == 201
    )


def test_assessor_cannot_submit_as_another_organisation(
    client, commitment_a, assessor_a, assessor_national_b
):
    other = organisation_of(assessor_national_b)
    response = post(client, commitment_a, valid_body(organisation=other.pk), org_token(assessor_a))
    assert_error(response, 403, "permission_denied")
    assert not Assessment.objects.exists()


def test_a_token_cannot_be_issued_for_an_organisation_one_is_not_a_member_of(
    assessor_a, assessor_national_b
):
    with pytest.raises(PermissionDenied):
        api_token_issue(
            user=assessor_a, name="x", organisation=organisation_of(assessor_national_b)
        )


def test_pending_organisation_may_submit_but_nothing_is_published(
    client, commitment_a, assessor_pending
):
    response = post(client, commitment_a, valid_body(), org_token(assessor_pending))
    assert response.status_code == 201, response.content
    assert response.json()["moderation"] == "submitted"
    # The organisation is not listed either while it waits for approval.
    assert client.get("/api/v1/organisations/").json()["count"] == 0


def test_national_organisation_cannot_assess_another_state(
    client, commitment_a, commitment_b, assessor_national_b
):
    token = org_token(assessor_national_b)
    assert_error(post(client, commitment_a, valid_body(), token), 403, "permission_denied")
    assert post(client, commitment_b, valid_body(), token).status_code == 201


def test_focal_point_token_cannot_submit_assessments(client, commitment_a, focal_point_a):
    token = api_token_issue(user=focal_point_a, name="ministry")[1]
    body = assert_error(post(client, commitment_a, valid_body(), token), 403, "permission_denied")
    assert "organisation" in body["detail"]
    assert not Assessment.objects.exists()


def test_secretariat_token_without_organisation_cannot_submit(client, commitment_a, secretariat):
    token = api_token_issue(user=secretariat, name="staff")[1]
    assert_error(post(client, commitment_a, valid_body(), token), 403, "permission_denied")


def test_anonymous_gets_401(client, commitment_a):
    assert_error(post(client, commitment_a, valid_body()), 401, "not_authenticated")


def test_an_organisation_token_cannot_post_progress_updates(client, commitment_a, assessor_a):
    """The token acts for its organisation and for no State."""
    response = client.post(
        f"/api/v1/commitments/{commitment_a.pk}/progress-updates/",
        {
            "reported_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
            "status": "complete",
            "narrative": "Not ours to report.",
        },
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {org_token(assessor_a)}",
    )
    assert_error(response, 403, "permission_denied")


def test_a_focal_point_who_is_also_an_assessor_needs_the_organisations_token(
    client, commitment_a, focal_point_a, organisation_a
):
    OrganisationMembershipFactory(user=focal_point_a, organisation=organisation_a)
    state_token = api_token_issue(user=focal_point_a, name="ministry")[1]
    assert_error(post(client, commitment_a, valid_body(), state_token), 403, "permission_denied")
    token = org_token(focal_point_a, organisation_a)
    assert post(client, commitment_a, valid_body(), token).status_code == 201


def test_field_errors_are_400_with_the_services_messages(client, commitment_a, assessor_a):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    body = assert_error(
        post(client, commitment_a, valid_body(period_end=future), org_token(assessor_a)),
        400,
        "invalid",
    )
    assert "period_end" in body["errors"]
    body = assert_error(
        post(client, commitment_a, valid_body(channel="rumour"), org_token(assessor_a)),
        400,
        "invalid",
    )
    assert "channel" in body["errors"]
    assert not Assessment.objects.exists()


def test_a_correction_of_a_published_assessment_is_submitted_too(client, commitment_a, assessor_a):
    published = AssessmentFactory(commitment=commitment_a, organisation=organisation_of(assessor_a))
    response = post(client, commitment_a, valid_body(corrects=published.pk), org_token(assessor_a))
    assert response.status_code == 201, response.content
    assert response.json()["corrects"] == published.pk
    # The correction waits: the published one is not yet "corrected" in public.
    assert client.get(f"/api/v1/assessments/{published.pk}/").json()["corrected_by"] is None


def test_an_unpublished_assessment_cannot_be_named_as_corrected(client, commitment_a, assessor_a):
    waiting = AssessmentFactory(
        commitment=commitment_a,
        organisation=organisation_of(assessor_a),
        moderation=Moderation.SUBMITTED,
    )
    body = assert_error(
        post(client, commitment_a, valid_body(corrects=waiting.pk), org_token(assessor_a)),
        400,
        "invalid",
    )
    assert "corrects" in body["errors"]


def test_no_such_commitment_is_404(client, assessor_a, commitment_a):
    token = org_token(assessor_a)
    response = client.post(
        "/api/v1/commitments/999999/assessments/",
        valid_body(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert_error(response, 404, "not_found")


def test_an_organisation_token_stops_working_when_its_holder_leaves(assessor_a):
    raw = org_token(assessor_a)
    assert api_token_for(raw) is not None
    membership = assessor_a.organisation_memberships.get()
    membership.is_active = False
    membership.save()
    assert api_token_for(raw) is None
