"""E-mails that link to workspace pages are composed here, by the layer that owns those pages
(the domain decides who is owed what and when; see docs/decisions.md, D12)."""

from django.conf import settings
from django.urls import reverse

from commitments.emails import compose_email
from commitments.reminders.services import Digest, reminder_preferences_token


def update_form_url(commitment_id: int) -> str:
    return settings.SITE_URL + reverse("workspace:update_create", kwargs={"pk": commitment_id})


def reminder_preferences_url(user) -> str:
    token = reminder_preferences_token(user)
    return settings.SITE_URL + reverse("workspace:reminder_preferences", kwargs={"token": token})


def reminder_digest_message(digest: Digest, *, connection=None):
    """The review-reminder digest (REMINDER_DIGEST_EMAIL): in the recipient's language, each
    item with a link to log an update and to its public page, and — for a person — a signed
    one-click link to change preferences or opt out (also as List-Unsubscribe)."""
    user = digest.recipient
    preferences_url = reminder_preferences_url(user) if user else ""
    items = [
        {
            "item": item,
            "update_url": update_form_url(item.commitment_id),
            "public_url": settings.SITE_URL + item.public_path,
        }
        for item in digest.items
    ]
    headers = {}
    if user:
        headers = {
            "List-Unsubscribe": f"<{preferences_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        }
    return compose_email(
        "workspace/emails/reminder_digest",
        {
            "recipient": user,
            "items": items,
            "today": digest.today,
            "escalation_days": digest.escalation_days,
            "for_secretariat": digest.for_secretariat,
            "preferences_url": preferences_url,
        },
        to=digest.to,
        language=user.preferred_language if user else settings.LANGUAGE_CODE,
        headers=headers,
        connection=connection,
    )


def assessment_reply_message(reply, *, recipient, connection=None):
    """ASSESSMENT_REPLY_EMAIL: tell a member of the assessing organisation that the State
    replied to its assessment, in the member's language, with links to the public page and
    to the organisation's workspace."""
    assessment = reply.assessment
    commitment = assessment.commitment
    return compose_email(
        "workspace/emails/assessment_reply",
        {
            "recipient": recipient,
            "reply": reply,
            "assessment": assessment,
            "commitment": commitment,
            "public_url": settings.SITE_URL + commitment.get_absolute_url(),
            "workspace_url": settings.SITE_URL + reverse("workspace:assessments"),
        },
        to=recipient.email,
        language=recipient.preferred_language or settings.LANGUAGE_CODE,
        connection=connection,
    )


def organisation_confirmation_message(organisation, *, user, token: str, connection=None):
    """ORGANISATION_CONFIRMATION_EMAIL: the signed link confirming a self-registered
    organisation's address (and activating its first account)."""
    url = settings.SITE_URL + reverse("workspace:organisation_confirm", kwargs={"token": token})
    return compose_email(
        "workspace/emails/organisation_confirmation",
        {
            "recipient": user,
            "organisation": organisation,
            "confirm_url": url,
            "max_age_days": settings.ORGANISATION_CONFIRMATION_MAX_AGE_DAYS,
        },
        to=organisation.contact_email,
        language=user.preferred_language or settings.LANGUAGE_CODE,
        connection=connection,
    )
