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
