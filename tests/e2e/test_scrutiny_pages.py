"""Independent scrutiny end to end in a real browser: an assessor submits through the form, the
secretariat publishes from the moderation queue, the focal point replies, and a visitor sees the
government's status and the independent one side by side with the disagreement flag — in
English and Arabic, each page audited with axe. Screenshots:
docs/screenshots/scrutiny-{assessment-form,moderation,reply}-en.png and
docs/screenshots/public-commitment-disagreement-{en,ar}.png."""

import datetime

import pytest

from commitments.models import Assessment, AssessmentReply, Commitment, Status
from commitments.services import commitment_create, progress_update_create
from focalpoints.models import StateAccess
from tests.e2e.conftest import screenshot
from tests.e2e.test_workspace import audit, log_in
from tests.factories import (
    MemberStateFactory,
    OrganisationFactory,
    OrganisationMembershipFactory,
    PreventionStepFactory,
    StateAccessFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def scene(transactional_db):
    state = MemberStateFactory(code="GHA", name="Ghana", name_ar="غانا")
    staff = UserFactory(username="secretariat", is_staff=True, is_superuser=True)
    focal_point = UserFactory(username="fp")
    StateAccessFactory(user=focal_point, state=state, role=StateAccess.Role.FOCAL_POINT)
    assessor = UserFactory(username="assessor")
    organisation = OrganisationFactory(
        name="Ghana Human Rights Institute", kind="nhri", country=state
    )
    OrganisationMembershipFactory(user=assessor, organisation=organisation)
    commitment = commitment_create(
        user=staff,
        state=state,
        step=PreventionStepFactory(code="N2", title="National atrocity risk assessment"),
        title="Publish a national atrocity risk assessment",
        description="Carry out and publish an assessment of atrocity risks and resilience.",
        source_kind=Commitment.SourceKind.GA_DIALOGUE,
        source_description="Statement at the 2024 General Assembly dialogue on R2P",
        pledged_on=datetime.date(2024, 9, 10),
    )
    progress_update_create(
        user=focal_point,
        commitment=commitment,
        reported_on=datetime.date(2025, 3, 1),
        status=Status.COMPLETE,
        narrative="The assessment was completed and presented to cabinet.",
    )
    return commitment


def _as(browser, live_server, username, language="en"):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()
    page.set_default_timeout(15_000)
    if username:
        log_in(page, username)
    return page


def test_submit_publish_reply_and_the_visitor_sees_the_flag(browser, live_server, scene):
    commitment = scene
    # 1. The assessor submits through the form.
    page = _as(browser, live_server, "assessor")
    page.goto(f"/my/commitments/{commitment.pk}/assess/")
    page.get_by_label("Limited progress").check()
    page.get_by_label("Period from").fill("2025-01-01")
    page.get_by_label("Period to").fill(
        (datetime.date.today() - datetime.timedelta(days=2)).isoformat()
    )
    page.get_by_label("Produced through").select_option("nhri-report")
    page.get_by_label("Your assessment").fill(
        "Our annual report finds the assessment drafted but never published."
    )
    page.locator("#id_links-0-url").fill("https://example.org/annual-report-2025.pdf")
    page.locator("#id_links-0-title").fill("Annual report 2025")
    audit(page, "assessment form")
    screenshot(page, "scrutiny-assessment-form-en")
    page.get_by_role("button", name="Submit for moderation").click()
    page.wait_for_url("**/my/assessments/*/")
    assert "Waiting for moderation" in page.content()
    assessment = Assessment.objects.get(commitment=commitment)
    page.context.close()

    # 2. The secretariat publishes it from the moderation queue.
    page = _as(browser, live_server, "secretariat")
    page.goto("/my/moderation/")
    audit(page, "moderation queue")
    screenshot(page, "scrutiny-moderation-en")
    page.get_by_role("link", name=commitment.title).click()
    audit(page, "assessment to moderate")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_selector("text=Published: the assessment is now public.")
    page.context.close()
    assessment.refresh_from_db()
    assert assessment.is_published

    # 3. The focal point replies.
    page = _as(browser, live_server, "fp")
    page.goto("/my/state-assessments/")
    audit(page, "the State's assessments")
    page.get_by_role("link", name="Reply").click()
    page.get_by_label("The State's reply").fill(
        "The summary of findings is with the cabinet for publication."
    )
    audit(page, "reply form")
    screenshot(page, "scrutiny-reply-en")
    page.get_by_role("button", name="Publish the reply").click()
    page.wait_for_selector("text=Your reply is published under the assessment")
    page.context.close()
    assert AssessmentReply.objects.filter(assessment=assessment).exists()

    # 4. A visitor sees both statuses side by side and the flag, in English and Arabic.
    for language in ("en", "ar"):
        page = _as(browser, live_server, None, language)
        page.goto(commitment.get_absolute_url())
        flag = page.locator(".disagreement-flag")
        assert flag.is_visible()
        assert "Ghana Human Rights Institute" in flag.inner_text()
        table = page.locator(".side-by-side-table").inner_text()
        assert "Ghana Human Rights Institute" in table
        assert "The summary of findings is with the cabinet" in page.content()
        if language == "ar":
            assert page.evaluate("document.documentElement.dir") == "rtl"
        audit(page, f"commitment with disagreement ({language})")
        screenshot(page, f"public-commitment-disagreement-{language}")
        page.context.close()

    # 5. The assessor's workspace shows the outcome and the reply, in English and Arabic.
    page = _as(browser, live_server, "assessor")
    for language in ("en", "ar"):
        page.context.add_cookies(
            [{"name": "django_language", "value": language, "url": live_server.url}]
        )
        page.goto("/my/assessments/")
        assert page.locator(".badge-reply").count() == 1
        audit(page, f"assessor workspace ({language})")
        screenshot(page, f"scrutiny-assessor-workspace-{language}")
        page.goto(f"/my/assessments/{assessment.pk}/")
        audit(page, f"assessment in the workspace ({language})")
        screenshot(page, f"scrutiny-assessment-{language}")
    page.context.close()
