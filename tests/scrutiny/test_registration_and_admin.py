"""Self-registration of an assessor organisation (confirmation link, pending until approved,
rate limited) and the admin (approval with history; assessments read-only, published through
the service)."""

import pytest
from django.core import mail
from django.urls import reverse

from commitments.models import Assessment, Moderation
from focalpoints.models import Organisation, OrganisationMembership, User
from focalpoints.permissions import may_assess
from tests.factories import AssessmentFactory, OrganisationFactory

pytestmark = pytest.mark.django_db


def registration(**overrides):
    data = {
        "name": "Shadow Report Collective",
        "kind": "civil-society",
        "country": "",
        "website": "https://collective.example.org",
        "description": "We write shadow reports.",
        "full_name": "Ines Example",
        "contact_email": "ines@collective.example.org",
        "username": "ines",
        "password": "a-long-unusual-passphrase-42",
        "language": "fr",
    }
    data.update(overrides)
    return data


def test_register_confirm_then_approve(client, django_capture_on_commit_callbacks, secretariat):
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("workspace:organisation_register"), registration())
    assert response.status_code == 201
    organisation = Organisation.objects.get(name="Shadow Report Collective")
    user = User.objects.get(username="ines")
    assert organisation.status == Organisation.Status.PENDING
    assert not user.is_active  # until the address is confirmed
    assert OrganisationMembership.objects.filter(user=user, organisation=organisation).exists()
    (message,) = mail.outbox
    assert message.to == ["ines@collective.example.org"]
    link = next(word for word in message.body.split() if "/register/confirm/" in word)
    confirmed = client.get(link.replace("http://testserver", ""))
    assert confirmed.status_code == 200
    user.refresh_from_db()
    organisation.refresh_from_db()
    assert user.is_active and organisation.email_confirmed_at is not None
    assert organisation.status == Organisation.Status.PENDING  # still waits for approval
    # The secretariat approves it in the admin: history records who.
    client.force_login(secretariat)
    client.post(
        reverse("admin:focalpoints_organisation_changelist"),
        {"action": "approve", "_selected_action": [organisation.pk]},
    )
    organisation.refresh_from_db()
    assert organisation.is_approved and organisation.approved_by == secretariat
    assert organisation.history.first().history_change_reason == "approved"


def test_a_bad_confirmation_link_is_refused(client):
    response = client.get(reverse("workspace:organisation_confirm", kwargs={"token": "forged"}))
    assert response.status_code == 400


def test_nobody_registers_as_the_secretariat_and_errors_name_the_field(client):
    response = client.post(
        reverse("workspace:organisation_register"), registration(kind="secretariat")
    )
    assert "kind" in response.context["form"].errors
    # The service refuses it too, whatever surface calls it.
    from django.core.exceptions import ValidationError

    from focalpoints.services import organisation_register

    with pytest.raises(ValidationError) as caught:
        organisation_register(**{**registration(kind="secretariat", password="1"), "country": None})
    assert {"kind", "password"} <= set(caught.value.message_dict)
    response = client.post(reverse("workspace:organisation_register"), registration(password="1"))
    assert "password" in response.context["form"].errors  # the service's error, on its field
    assert not Organisation.objects.exists()


def test_registration_is_rate_limited_per_address(client, settings):
    settings.ORGANISATION_REGISTRATIONS_PER_IP = "2/hour"
    statuses = [
        client.post(
            reverse("workspace:organisation_register"),
            registration(name=f"Org {n}", username=f"user{n}", contact_email=f"u{n}@x.example"),
        ).status_code
        for n in range(3)
    ]
    assert statuses == [201, 201, 429]
    assert Organisation.objects.count() == 2


def test_a_national_registration_assesses_only_its_country(state_a, state_b):
    organisation = OrganisationFactory(country=state_b)
    user = User.objects.create(username="nat")
    OrganisationMembership.objects.create(user=user, organisation=organisation)
    assert may_assess(user, organisation, state_b) and not may_assess(user, organisation, state_a)


def test_the_admin_never_edits_or_deletes_an_assessment_and_publishes_through_the_service(
    client, secretariat, commitment_a
):
    submitted = AssessmentFactory(commitment=commitment_a, moderation=Moderation.SUBMITTED)
    client.force_login(secretariat)
    change = reverse("admin:commitments_assessment_change", args=[submitted.pk])
    assert client.get(change).status_code == 200  # viewable
    client.post(change, {"narrative": "rewritten", "moderation": "rejected"})
    delete = reverse("admin:commitments_assessment_delete", args=[submitted.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    client.post(
        reverse("admin:commitments_assessment_changelist"),
        {"action": "publish", "_selected_action": [submitted.pk]},
    )
    submitted.refresh_from_db()
    assert submitted.narrative != "rewritten"
    assert submitted.is_published
    assert Assessment.objects.count() == 1


def test_an_approved_organisation_cannot_be_deleted_in_the_admin(client, secretariat):
    organisation = OrganisationFactory()
    client.force_login(secretariat)
    delete = reverse("admin:focalpoints_organisation_delete", args=[organisation.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert Organisation.objects.filter(pk=organisation.pk).exists()
