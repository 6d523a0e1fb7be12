"""Drafts of assessments in a real browser (D-10-60): the assessor saves the form as a draft,
finds it in the workspace's Drafts section, edits it, and submits it from the list; the
moderators see it only then. English and Arabic, each page audited with axe. Screenshots:
docs/screenshots/scrutiny-drafts-workspace-{en,ar}.png, scrutiny-draft-edit-en.png."""

import datetime

import pytest

from commitments.models import Assessment, Moderation
from tests.e2e.conftest import screenshot
from tests.e2e.test_scrutiny_pages import _as, scene  # noqa: F401 (fixture)
from tests.e2e.test_workspace import audit

pytestmark = pytest.mark.browser


def test_save_a_draft_edit_it_and_submit_it(browser, live_server, scene):  # noqa: F811
    commitment = scene
    page = _as(browser, live_server, "assessor")
    page.goto(f"/my/commitments/{commitment.pk}/assess/")
    page.get_by_label("Limited progress").check()
    page.get_by_label("Period from").fill("2025-01-01")
    page.get_by_label("Period to").fill(
        (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    )
    page.get_by_label("Produced through").select_option("nhri-report")
    page.get_by_label("Your assessment").fill("First notes: the assessment was never published.")
    page.locator("#id_links-0-url").fill("https://example.org/annual-report-2025.pdf")
    page.locator("#id_links-0-title").fill("Annual report 2025")
    page.get_by_role("button", name="Save as draft").click()
    page.wait_for_url("**/my/assessments/*/draft/")
    draft = Assessment.objects.get(commitment=commitment)
    assert draft.moderation == Moderation.DRAFT
    # The edit page: the evidence already there, to keep or remove.
    assert "Annual report 2025" in page.content()
    page.get_by_label("Your assessment").fill(
        "Our annual report finds the risk assessment drafted but never published."
    )
    audit(page, "draft edit page")
    screenshot(page, "scrutiny-draft-edit-en")
    page.get_by_role("button", name="Save draft").click()
    page.wait_for_url("**/my/assessments/*/draft/")

    for language in ("en", "ar"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto("/my/assessments/")
        assert page.locator("#drafts-heading").count() == 1
        assert page.locator(".draft-actions").count() == 1
        if language == "ar":
            assert page.evaluate("document.documentElement.dir") == "rtl"
        audit(page, f"assessor workspace with a draft ({language})")
        screenshot(page, f"scrutiny-drafts-workspace-{language}")
    page.context.close()

    # The secretariat does not see it yet.
    staff = _as(browser, live_server, "secretariat")
    staff.goto("/my/moderation/")
    assert commitment.title not in staff.content()
    staff.context.close()

    page = _as(browser, live_server, "assessor")
    page.goto("/my/assessments/")
    page.locator(".draft-actions").get_by_role("button", name="Submit for moderation").click()
    page.wait_for_url(f"**/my/assessments/{draft.pk}/")
    draft.refresh_from_db()
    assert draft.moderation == Moderation.SUBMITTED
    assert "drafted but never published" in draft.narrative
    page.context.close()

    staff = _as(browser, live_server, "secretariat")
    staff.goto("/my/moderation/")
    assert commitment.title in staff.content()
    staff.context.close()
