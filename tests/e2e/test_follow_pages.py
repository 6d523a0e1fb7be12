"""Follow by e-mail in a real browser, in English and Arabic: the form on a commitment page
(opened, filled, sent), the confirmation page reached from the e-mail, the manage page, the
confirmation and digest e-mails' HTML parts; axe-core finds no serious violation. Screenshots
under docs/screenshots/follow-*.png."""

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from commitments.follows.services import follows_daily_job
from commitments.models import Status
from tests.commitments.follow_helpers import job_day
from tests.e2e.conftest import AXE_JS, screenshot
from tests.e2e.test_reminders_pages import audit
from tests.factories import (
    AssessmentFactory,
    AssessmentReplyFactory,
    CommitmentFactory,
    MemberStateFactory,
    OrganisationFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def follow_data(transactional_db, settings):
    settings.FOLLOW_WEEKLY_WEEKDAY = job_day().weekday()
    ghana = MemberStateFactory(code="GHA", name="Ghana", name_ar="غانا", name_fr="Ghana")
    step = PreventionStepFactory(code="N1", title="National risk assessment")
    commitment = CommitmentFactory(
        state=ghana, step=step, title="Adopt a national atrocity-prevention plan"
    )
    other = CommitmentFactory(state=ghana, title="Report on R2P in the Universal Periodic Review")
    return {"state": ghana, "commitment": commitment, "other": other}


def audit_box(page, name: str) -> None:
    """axe-core on the follow box only (the rest of the page is audited by its own tests)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run("#follow", {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}
        })"""
    )
    bad = [v["id"] for v in result["violations"] if v["impact"] in {"serious", "critical"}]
    assert not bad, f"axe-core on {name}: {bad}"


def link(message, kind: str) -> str:
    return re.search(rf"http://[^\s\"<>]+(/follow/{kind}/[^\s\"<>]+/)", message.body).group(1)


@pytest.mark.parametrize("language", ["en", "ar"])
def test_follow_a_commitment_confirm_and_receive_a_digest(page, live_server, follow_data, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    commitment = follow_data["commitment"]
    page.goto(commitment.get_absolute_url())
    page.locator("#follow > summary").click()
    page.locator("#follow").scroll_into_view_if_needed()
    page.get_by_label(re.compile("e-mail address|بريدك الإلكتروني")).fill(
        f"reader.{language}@example.org"
    )
    page.locator("#follow-daily-commitment").check()
    audit_box(page, f"the follow form ({language})")
    path = screenshot(page, f"follow-form-{language}")  # the whole page, for context
    page.locator("#follow").screenshot(path=str(path.with_name(f"follow-box-{language}.png")))
    page.locator("#follow button[type=submit]").click()
    expect(page).to_have_url(re.compile("/follow/requested/$"))
    audit(page, f"check your inbox ({language})")
    (confirmation,) = mail.outbox
    direction = "rtl" if language == "ar" else "ltr"
    assert f'dir="{direction}"' in confirmation.alternatives[0][0]

    page.goto(link(confirmation, "confirm"))
    expect(page.locator("h1")).to_be_visible()
    audit(page, f"confirm ({language})")
    screenshot(page, f"follow-confirm-{language}")
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile("/follow/manage/"))
    audit(page, f"manage ({language})")
    screenshot(page, f"follow-manage-{language}")

    page.goto("about:blank")  # outside the site's CSP, as in a mail client
    page.set_content(confirmation.alternatives[0][0])
    screenshot(page, f"follow-confirmation-email-{language}")

    update = ProgressUpdateFactory(commitment=commitment, status=Status.SUBSTANTIAL)
    ProgressUpdateFactory(commitment=commitment, status=Status.LIMITED, corrects=update)
    assessment = AssessmentFactory(
        commitment=commitment,
        organisation=OrganisationFactory(name="Watch International"),
        status=Status.NOT_STARTED,
    )
    AssessmentReplyFactory(assessment=assessment)
    follows_daily_job(today=job_day())
    digest = mail.outbox[-1]
    assert digest.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    page.set_content(digest.alternatives[0][0])
    expect(page.locator("html")).to_have_attribute("dir", direction)
    audit(page, f"digest e-mail ({language})")
    screenshot(page, f"follow-digest-email-{language}")
