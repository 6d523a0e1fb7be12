"""The workspace pages of revisions: a focal point requests, the secretariat revises directly or
approves from its queue, and removes with a reason."""

import datetime

import pytest
from django.urls import reverse

from commitments.models import Commitment, CommitmentRevision, LedgerEntry, RevisionRequest
from commitments.services import commitment_create, revision_request_create
from tests.factories import PreventionStepFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledge(secretariat, state_a):
    return commitment_create(
        user=secretariat,
        state=state_a,
        step=PreventionStepFactory(),
        title="Risk assessment",
        description="Assess.",
        source_kind=Commitment.SourceKind.UPR,
        source_description="UPR",
        pledged_on=datetime.date(2024, 1, 10),
        target_date=datetime.date(2026, 6, 30),
    )


def _form(pledge, **changes):
    data = {
        "title": pledge.title,
        "description": pledge.description,
        "source_url": pledge.source_url,
        "target_date": pledge.target_date.isoformat(),
        "review_interval_days": pledge.review_interval_days,
        "reason": "",
    }
    data.update(changes)
    return data


def test_a_focal_point_requests_a_revision_and_nothing_changes_yet(client, focal_point_a, pledge):
    client.force_login(focal_point_a)
    url = reverse("workspace:commitment_revise", args=[pledge.pk])
    assert "Request a revision" in client.get(url).content.decode()
    response = client.post(url, _form(pledge, target_date="2027-12-31", reason="Postponed."))
    assert response.status_code == 302
    request = RevisionRequest.objects.get()
    assert request.changes == {"target_date": "2027-12-31"}
    pledge.refresh_from_db()
    assert pledge.target_date == datetime.date(2026, 6, 30)
    assert not CommitmentRevision.objects.exists()


def test_a_request_without_a_reason_is_a_form_error(client, focal_point_a, pledge):
    client.force_login(focal_point_a)
    url = reverse("workspace:commitment_revise", args=[pledge.pk])
    response = client.post(url, _form(pledge, target_date="2027-12-31"))
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    assert not RevisionRequest.objects.exists()


@pytest.mark.parametrize("who", ["focal_point_b", "delegate_a"])
def test_others_get_403_on_the_revision_page(client, request, pledge, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("workspace:commitment_revise", args=[pledge.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, _form(pledge, reason="x", title="New")).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, pledge):
    response = client.get(reverse("workspace:commitment_revise", args=[pledge.pk]))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_the_secretariat_revises_directly_with_a_withdrawal(client, secretariat, pledge):
    client.force_login(secretariat)
    url = reverse("workspace:commitment_revise", args=[pledge.pk])
    response = client.post(url, _form(pledge, withdraw="on", reason="No longer pledged."))
    assert response.status_code == 302
    pledge.refresh_from_db()
    assert pledge.withdrawn_on is not None
    assert pledge.status == "withdrawn"
    assert CommitmentRevision.objects.get().field == "withdrawn_on"


def test_the_secretariat_approves_from_its_queue(
    client, secretariat, focal_point_a, pledge, django_assert_max_num_queries
):
    for n in range(3):
        revision_request_create(
            user=focal_point_a,
            commitment=pledge,
            changes={"review_interval_days": 90 + n},
            reason=f"Request {n}",
        )
    client.force_login(secretariat)
    client.get(reverse("workspace:staff_revisions"))
    # session, user, count, page of requests with commitment, State and requester
    with django_assert_max_num_queries(6):
        response = client.get(reverse("workspace:staff_revisions"))
    assert response.content.decode().count("Approve and publish") == 3

    first = RevisionRequest.objects.order_by("pk").first()
    decide = reverse("workspace:staff_revision_decide", args=[first.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 302
    first.refresh_from_db()
    assert first.decision == "approved"
    assert CommitmentRevision.objects.get().requested_by_role == "focal-point"

    second = RevisionRequest.objects.filter(decision="pending").first()
    decide = reverse("workspace:staff_revision_decide", args=[second.pk])
    client.post(decide, {"decision": "refuse"})  # no note: refused with a message
    second.refresh_from_db()
    assert second.decision == "pending"


def test_focal_points_cannot_see_or_use_the_queue(client, focal_point_a, pledge):
    request = revision_request_create(
        user=focal_point_a, commitment=pledge, changes={"review_interval_days": 90}, reason="R"
    )
    client.force_login(focal_point_a)
    assert client.get(reverse("workspace:staff_revisions")).status_code == 403
    decide = reverse("workspace:staff_revision_decide", args=[request.pk])
    assert client.post(decide, {"decision": "approve"}).status_code == 403


def test_removal_page_needs_the_secretariat_and_a_reason(
    client, secretariat, focal_point_a, pledge
):
    url = reverse("workspace:commitment_remove", args=[pledge.pk])
    client.force_login(focal_point_a)
    assert client.get(url).status_code == 403
    client.force_login(secretariat)
    response = client.post(url, {"reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["reason"]
    response = client.post(url, {"reason": "Duplicate of another record."})
    assert response.status_code == 302
    assert not Commitment.objects.filter(pk=pledge.pk).exists()
    assert LedgerEntry.objects.order_by("-sequence").first().kind == "deletion"
