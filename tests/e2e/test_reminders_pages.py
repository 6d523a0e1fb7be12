"""Reminder pages in a real browser, in English and Arabic: the secretariat's reminder log,
the preferences page reached from the e-mail's signed link (one click stops reminders), and
the digest e-mail's HTML part. Screenshots under docs/screenshots/reminders-*.png."""

import json

import pytest
from django.core import mail
from playwright.sync_api import expect

from commitments.models import Reminder
from commitments.reminders.services import (
    reminder_preferences_token,
    reminders_daily_job,
    reminders_record,
)
from commitments.selectors import review_today
from focalpoints.models import StateAccess
from tests.commitments.reminder_helpers import commitment_due
from tests.e2e.conftest import AXE_JS, screenshot
from tests.factories import MemberStateFactory, StateAccessFactory, UserFactory

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


def audit(page, name: str) -> None:
    """axe-core (loaded from disk) finds no serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        })"""
    )
    bad = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
    assert not bad, f"axe-core on {name}:\n{json.dumps(bad, indent=2)}"


@pytest.fixture
def reminder_data(transactional_db, settings):
    """A day's reminders: Ghana's focal point gets a digest; one digest to Kenya failed."""
    settings.SECRETARIAT_EMAIL = "r2p-secretariat@example.org"
    today = review_today()
    ghana = MemberStateFactory(code="GHA", name="Ghana")
    kenya = MemberStateFactory(code="KEN", name="Kenya")
    focal = UserFactory(username="ama", first_name="Ama", last_name="Mensah")
    StateAccessFactory(user=focal, state=ghana, role=StateAccess.Role.FOCAL_POINT)
    kenyan = UserFactory(username="wanjiru", first_name="Wanjiru", last_name="Otieno")
    StateAccessFactory(user=kenyan, state=kenya, role=StateAccess.Role.FOCAL_POINT)
    staff = UserFactory(username="secretariat", is_staff=True, is_superuser=True)
    commitment_due(ghana, 5, today=today, title="Adopt a national atrocity-prevention plan")
    commitment_due(ghana, -9, today=today, title="Report on R2P in the Universal Periodic Review")
    commitment_due(ghana, -33, today=today, title="Ratify the Rome Statute amendments")
    kenya_commitment = commitment_due(kenya, 0, today=today, title="Appoint a national focal point")
    reminders_daily_job(today=today)
    Reminder.objects.filter(commitment=kenya_commitment).update(
        outcome=Reminder.Outcome.FAILED,
        attempts=6,
        error="SMTPServerDisconnected: Connection unexpectedly closed",
    )
    commitment_due(kenya, -8, today=today, title="Train police in early warning")
    reminders_record(today=today)  # recorded, not yet delivered: "owed"
    return {"focal": focal, "staff": staff}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_reminder_pages_and_digest_screenshots(page, live_server, reminder_data, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.context.add_cookies(
        [
            {
                "name": "sessionid",
                "value": _session_for(reminder_data["staff"]),
                "url": live_server.url,
            }
        ]
    )
    for tab in ("pending", "failed", "sent"):
        page.goto(f"/my/reminders/?outcome={tab}")
        expect(page.locator("h1")).to_be_visible()
        assert page.locator("html").get_attribute("dir") == ("rtl" if language == "ar" else "ltr")
        audit(page, f"reminder log {tab} ({language})")
        screenshot(page, f"reminders-staff-{tab}-{language}")

    # The focal point opens the signed link from the e-mail, logged out.
    page.context.clear_cookies()
    focal = reminder_data["focal"]
    focal.preferred_language = language
    focal.save(update_fields=["preferred_language"])
    token = reminder_preferences_token(focal)
    page.goto(f"/my/reminders/preferences/{token}/")
    audit(page, f"preferences ({language})")
    screenshot(page, f"reminders-preferences-{language}")
    page.locator("#stop-reminders button[type=submit]").click()
    expect(page.locator(".message-success")).to_be_visible()
    screenshot(page, f"reminders-preferences-done-{language}")
    focal.refresh_from_db()
    assert focal.reminders_opt_out is True

    if language == "en":  # the fixture's digests were sent in English
        (digest,) = [m for m in mail.outbox if m.to == [focal.email]]
        page.goto("about:blank")  # outside the site's CSP, as in a mail client
        page.set_content(digest.alternatives[0][0])
        assert page.locator("html").get_attribute("dir") == "ltr"
        screenshot(page, "reminders-digest-email-en")


def _session_for(user) -> str:
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return store.session_key


def test_digest_mail_is_sent_in_arabic_right_to_left(reminder_data, page):
    focal = reminder_data["focal"]
    focal.preferred_language = "ar"
    focal.save(update_fields=["preferred_language"])
    mail.outbox.clear()
    commitment_due(
        StateAccess.objects.get(user=focal).state,
        14,
        today=review_today(),
        title="Establish a national early-warning mechanism",
    )
    reminders_daily_job(today=review_today())
    (digest,) = [m for m in mail.outbox if m.to == [focal.email]]
    page.set_content(digest.alternatives[0][0])
    assert page.locator("html").get_attribute("dir") == "rtl"
    screenshot(page, "reminders-digest-email-ar")
