"""The web forms of independent scrutiny over the whole matrix role × action: submit, correct,
moderate, reply, view an unpublished assessment (and the rejection reason). Each cell checks
both the answer and whether anything was written."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from commitments.models import Assessment, AssessmentReply, Moderation, Status
from focalpoints.models import Organisation
from tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "assessor_a",
    "assessor_pending",
    "assessor_national_b",
    "focal_point_a",
    "delegate_a",
    "secretariat",
    "secretariat_org_member",
]


@pytest.fixture
def as_role(request, client):
    def login(role):
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


@pytest.fixture
def published_a(organisation_a, commitment_a):
    return AssessmentFactory(commitment=commitment_a, organisation=organisation_a)


@pytest.fixture
def submitted_a(organisation_a, commitment_a):
    return AssessmentFactory(
        commitment=commitment_a, organisation=organisation_a, moderation=Moderation.SUBMITTED
    )


def form_data(**overrides):
    data = {
        "status": Status.LIMITED,
        "period_start": "2024-06-01",
        "period_end": (datetime.date.today() - datetime.timedelta(days=3)).isoformat(),
        "narrative": "What our shadow report found.",
        "channel": "upr-shadow-report",
        "language": "en",
        "links-TOTAL_FORMS": "1",
        "links-INITIAL_FORMS": "0",
        "links-0-url": "https://example.org/report.pdf",
        "links-0-title": "Shadow report",
    }
    data.update(overrides)
    return data


def outcome(response, written: bool) -> str:
    if response.status_code == 302 and "/accounts/login/" in response["Location"]:
        return "login"
    return "ok" if written else "refused"


SUBMIT = {
    "anonymous": "login",
    "assessor_a": "ok",
    "assessor_pending": "ok",  # may submit; publication waits for approval
    "assessor_national_b": "refused",  # a national organisation of another State
    "focal_point_a": "refused",
    "delegate_a": "refused",
    "secretariat": "refused",  # staff is no organisation
    "secretariat_org_member": "ok",  # an organisation like any other (it cannot moderate its own)
}


@pytest.mark.parametrize("role", ROLES)
def test_submit(as_role, role, commitment_a):
    client = as_role(role)
    organisation = Organisation.objects.filter(memberships__user__username=role).first()
    data = form_data(organisation=getattr(organisation, "pk", ""))
    response = client.post(
        reverse("workspace:assessment_create", kwargs={"pk": commitment_a.pk}), data
    )
    written = Assessment.objects.filter(commitment=commitment_a).exists()
    assert outcome(response, written) == SUBMIT[role]
    if SUBMIT[role] == "refused":
        assert response.status_code in (200, 403)


def test_an_assessor_cannot_submit_as_another_organisation(client, assessor_a, commitment_a):
    other = Organisation.objects.create(name="Someone else", kind="academic", status="pending")
    client.force_login(assessor_a)
    response = client.post(
        reverse("workspace:assessment_create", kwargs={"pk": commitment_a.pk}),
        form_data(organisation=other.pk),
    )
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert not Assessment.objects.exists()


CORRECT = {
    "anonymous": "login",
    "assessor_a": "ok",
    "assessor_pending": "refused",
    "assessor_national_b": "refused",
    "focal_point_a": "refused",
    "delegate_a": "refused",
    "secretariat": "refused",
    "secretariat_org_member": "refused",
}


@pytest.mark.parametrize("role", ROLES)
def test_correct(as_role, role, published_a, organisation_a):
    client = as_role(role)
    url = reverse(
        "workspace:assessment_correct",
        kwargs={"pk": published_a.commitment_id, "corrects_pk": published_a.pk},
    )
    response = client.post(url, form_data(organisation=organisation_a.pk, status=Status.COMPLETE))
    written = Assessment.objects.filter(corrects=published_a).exists()
    assert outcome(response, written) == CORRECT[role]


MODERATE = {
    "anonymous": "login",
    "assessor_a": "refused",
    "assessor_pending": "refused",
    "assessor_national_b": "refused",
    "focal_point_a": "refused",
    "delegate_a": "refused",
    "secretariat": "ok",
    "secretariat_org_member": "ok",
}


@pytest.mark.parametrize("role", ROLES)
def test_moderate_publish(as_role, role, submitted_a):
    client = as_role(role)
    response = client.post(reverse("workspace:assessment_publish", kwargs={"pk": submitted_a.pk}))
    submitted_a.refresh_from_db()
    assert outcome(response, submitted_a.is_published) == MODERATE[role]


@pytest.mark.parametrize("role", ROLES)
def test_moderate_reject(as_role, role, submitted_a):
    client = as_role(role)
    response = client.post(
        reverse("workspace:assessment_reject", kwargs={"pk": submitted_a.pk}),
        {"reason": "Sources do not support it."},
    )
    submitted_a.refresh_from_db()
    assert outcome(response, submitted_a.is_rejected) == MODERATE[role]


@pytest.mark.parametrize("role", ROLES)
def test_moderate_dispute(as_role, role, published_a):
    client = as_role(role)
    response = client.post(
        reverse("workspace:assessment_dispute", kwargs={"pk": published_a.pk}),
        {"reason": "The cited law was repealed."},
    )
    published_a.refresh_from_db()
    assert outcome(response, published_a.is_disputed) == MODERATE[role]


REPLY = {
    "anonymous": "login",
    "assessor_a": "refused",
    "assessor_pending": "refused",
    "assessor_national_b": "refused",
    "focal_point_a": "ok",
    "delegate_a": "ok",
    "secretariat": "refused",  # the right of reply is the State's (D-10-4)
    "secretariat_org_member": "refused",
}


@pytest.mark.parametrize("role", ROLES)
def test_reply(as_role, role, published_a, assessor_a, django_capture_on_commit_callbacks):
    client = as_role(role)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("workspace:assessment_reply", kwargs={"pk": published_a.pk}),
            {"text": "The law passed in May.", "language": "en"},
        )
    written = AssessmentReply.objects.filter(assessment=published_a).exists()
    assert outcome(response, written) == REPLY[role]
    # The organisation's member is told, exactly once, when (and only when) a reply is published.
    assert len(mail.outbox) == (1 if written else 0)


VIEW_DRAFT = {
    "anonymous": "login",
    "assessor_a": "ok",
    "assessor_pending": "refused",
    "assessor_national_b": "refused",
    "focal_point_a": "refused",  # the State sees it once published
    "delegate_a": "refused",
    "secretariat": "ok",
    "secretariat_org_member": "ok",
}


@pytest.mark.parametrize("role", ROLES)
def test_view_an_unpublished_assessment(as_role, role, submitted_a):
    client = as_role(role)
    response = client.get(reverse("workspace:assessment", kwargs={"pk": submitted_a.pk}))
    assert outcome(response, response.status_code == 200) == VIEW_DRAFT[role]


@pytest.mark.parametrize("role", ["assessor_a", "secretariat", "focal_point_a", "assessor_pending"])
def test_the_rejection_reason_is_shown_to_the_author_and_moderators_only(
    as_role, role, organisation_a, commitment_a, published_a
):
    rejected = AssessmentFactory(
        commitment=commitment_a,
        organisation=organisation_a,
        moderation=Moderation.REJECTED,
        rejection_reason="PRIVATE-REASON: no source given",
    )
    client = as_role(role)
    pages = [
        reverse("workspace:assessment", kwargs={"pk": rejected.pk}),
        reverse("workspace:assessment", kwargs={"pk": published_a.pk}),
        reverse("workspace:assessments"),
        reverse("workspace:home"),
        reverse("tracker:commitment", kwargs={"pk": commitment_a.pk}),
    ]
    seen = b"".join(client.get(url, follow=True).content for url in pages)
    assert (b"PRIVATE-REASON" in seen) is (role in ("assessor_a", "secretariat"))


def test_the_moderation_queue_counts(client, secretariat, submitted_a, published_a):
    client.force_login(secretariat)
    response = client.get(reverse("workspace:moderation"))
    assert response.status_code == 200
    assert response.context["counts"]["submitted"] == 1
    assert response.context["counts"]["published"] == 1
    assert [a.pk for a in response.context["queue"]] == [submitted_a.pk]


def test_an_assessor_lands_on_the_assessor_workspace(client, assessor_a, submitted_a):
    client.force_login(assessor_a)
    response = client.get(reverse("workspace:home"), follow=True)
    assert response.redirect_chain[-1][0] == reverse("workspace:assessments")
    assert [a.pk for a in response.context["submitted"]] == [submitted_a.pk]


def test_the_focal_point_sees_its_states_assessments(client, focal_point_a, published_a):
    client.force_login(focal_point_a)
    response = client.get(reverse("workspace:state_assessments"))
    assert [a.pk for a in response.context["rows"]] == [published_a.pk]


def test_a_national_assessor_may_not_list_another_states_commitments(
    client, assessor_national_b, commitment_a, state_a
):
    client.force_login(assessor_national_b)
    response = client.get(reverse("workspace:assessments"), {"state": state_a.code})
    assert response.context["assessable"] == []
