"""The reminder digest e-mail: subject/text/HTML rendered by one helper, in the recipient's
language, with direct links and a signed preferences link."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from commitments.emails import render_email
from commitments.reminders.services import (
    reminder_preferences_token,
    reminders_daily_job,
    user_from_reminder_preferences_token,
)
from tests.commitments.reminder_helpers import TODAY, commitment_due

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen_clock():
    with time_machine.travel(datetime.datetime(2026, 6, 30, 6, 0, tzinfo=datetime.UTC), tick=False):
        yield


def only_message():
    (message,) = mail.outbox
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    return message, html


def test_digest_has_plain_text_and_html_parts_with_direct_links(state_a, focal_point_a):
    upcoming = commitment_due(state_a, 3, title="National risk assessment")
    overdue = commitment_due(state_a, -9, title="Ratify the Genocide Convention")
    reminders_daily_job(today=TODAY)
    message, html = only_message()
    assert message.subject == "R2P Tracker: 2 commitments need a review"
    assert message.to == ["fp_a@example.org"]
    for commitment in (upcoming, overdue):
        url = "http://127.0.0.1:8000" + reverse(
            "workspace:update_create", kwargs={"pk": commitment.pk}
        )
        assert url in message.body
        assert f'href="{url}"' in html
    assert "Review due in 3 days" in message.body
    assert "Review overdue by 9 days" in message.body
    assert "Review overdue by 9 days" in html
    # Most overdue first.
    assert message.body.index("Ratify") < message.body.index("National risk")


def test_singular_subject_and_due_today_wording(state_a, focal_point_a):
    commitment_due(state_a, 0)
    reminders_daily_job(today=TODAY)
    message, _html = only_message()
    assert message.subject == "R2P Tracker: 1 commitment needs a review"
    assert "Review due today" in message.body


@pytest.mark.parametrize(("language", "bidi"), [("fr", "ltr"), ("es", "ltr"), ("ar", "rtl")])
def test_digest_is_rendered_in_the_recipients_language(state_a, focal_point_a, language, bidi):
    focal_point_a.preferred_language = language
    focal_point_a.save(update_fields=["preferred_language"])
    commitment_due(state_a, 0)
    reminders_daily_job(today=TODAY)
    message, html = only_message()
    assert f'<html lang="{language}" dir="{bidi}">' in html
    # Translated, not merely labelled (the catalogs are in locale/).
    assert message.subject != "R2P Tracker: 1 commitment needs a review"
    assert "These commitments need a progress review:" not in message.body


def test_render_email_restores_the_active_language():
    from django.utils import translation

    with translation.override("en"):
        render_email(
            "workspace/emails/reminder_digest",
            {"items": [], "recipient": None, "for_secretariat": True, "escalation_days": 30},
            language="ar",
        )
        assert translation.get_language() == "en"


def test_digest_carries_a_signed_one_click_preferences_link(state_a, focal_point_a):
    commitment_due(state_a, 0)
    reminders_daily_job(today=TODAY)
    message, html = only_message()
    token = reminder_preferences_token(focal_point_a)
    url = "http://127.0.0.1:8000" + reverse(
        "workspace:reminder_preferences", kwargs={"token": token}
    )
    assert url in message.body
    assert url in html
    assert message.extra_headers["List-Unsubscribe"] == f"<{url}>"
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Escalations to the secretariat are sent regardless." in message.body


def test_the_shared_mailbox_gets_no_preferences_link(settings, state_a):
    settings.SECRETARIAT_EMAIL = "r2p-secretariat@example.org"
    commitment_due(state_a, -30)
    reminders_daily_job(today=TODAY)
    message, _html = only_message()
    assert message.to == ["r2p-secretariat@example.org"]
    assert message.subject == "R2P Tracker: 1 commitment is long overdue for review"
    assert "/reminders/preferences/" not in message.body
    assert "List-Unsubscribe" not in message.extra_headers


class TestPreferencesToken:
    def test_token_names_its_user(self, focal_point_a):
        token = reminder_preferences_token(focal_point_a)
        assert user_from_reminder_preferences_token(token) == focal_point_a

    def test_tampered_token_is_refused(self, focal_point_a, focal_point_b):
        token = reminder_preferences_token(focal_point_a)
        assert user_from_reminder_preferences_token(token[:-2] + "xx") is None
        assert user_from_reminder_preferences_token("not-a-token") is None

    def test_token_expires(self, settings, focal_point_a):
        token = reminder_preferences_token(focal_point_a)
        later = datetime.datetime(2026, 6, 30, 6, 0, tzinfo=datetime.UTC) + datetime.timedelta(
            days=settings.REMINDER_PREFERENCES_LINK_MAX_AGE_DAYS + 1
        )
        with time_machine.travel(later):
            assert user_from_reminder_preferences_token(token) is None

    def test_token_of_a_deactivated_account_is_refused(self, focal_point_a):
        token = reminder_preferences_token(focal_point_a)
        focal_point_a.is_active = False
        focal_point_a.save(update_fields=["is_active"])
        assert user_from_reminder_preferences_token(token) is None


def test_digest_names_the_state_in_the_recipients_language(state_a, focal_point_a):
    state_a.name_ar = "غانا"
    state_a.save()
    focal_point_a.preferred_language = "ar"
    focal_point_a.save()
    commitment_due(state_a, -2)
    reminders_daily_job(today=TODAY)
    message, html = only_message()
    assert "غانا" in message.body and "غانا" in html
    assert "Ghana" not in message.body
