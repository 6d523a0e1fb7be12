"""The focal point's workspace in a real browser: log in, log progress with a PDF, correct it,
be refused another State, be locked out, read it in Arabic; axe-core audits; screenshots."""

import datetime
import json
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from commitments import services
from commitments.models import Commitment, ProgressUpdate, Status
from tests.commitments.upload_samples import tiny_pdf
from tests.conftest import PASSWORD
from tests.e2e.conftest import AXE_JS, screenshot
from tests.factories import (
    CommitmentFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
    ResolutionFactory,
)

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def log_in(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()


def audit(page, name: str) -> None:
    """Run axe-core (loaded from disk, not a CDN) and fail on serious or critical violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "wcag22aa", "best-practice"]}
        })"""
    )
    bad = [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
    assert not bad, f"axe-core on {name}:\n{json.dumps(bad, indent=2)}"
    assert result["passes"], "axe-core ran no check at all"


@pytest.fixture
def ghana_commitment(state_a):
    return CommitmentFactory(
        state=state_a,
        title="National atrocity risk assessment",
        step=PreventionStepFactory(code="N-RISK", title="Assess national atrocity risks"),
    )


def test_log_in_log_progress_with_a_pdf_and_see_it_on_the_commitment(
    page, focal_point_a, ghana_commitment
):
    log_in(page, "fp_a")
    expect(page).to_have_url(re.compile(r"/my/$"))
    expect(page.get_by_role("heading", name="My workspace")).to_be_visible()

    name = re.compile(rf"Log progress\W+{ghana_commitment.title}")
    page.get_by_role("link", name=name).first.click()
    expect(page.get_by_role("heading", name="Log progress")).to_be_visible()
    reported = timezone.localdate() - datetime.timedelta(days=3)
    page.get_by_label("Reporting date").fill(reported.isoformat())
    page.get_by_label("Substantial progress").check()
    page.get_by_label("What was done").fill("The risk assessment unit was set up by decree.")
    page.locator("#id_links-0-url").fill("https://gazette.example.org/decree-12")
    page.locator("#id_links-0-title").fill("Decree No. 12")
    page.get_by_label("Documents").set_input_files(
        files=[{"name": "decree-12.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}]
    )
    page.get_by_role("button", name="Preview").click()

    expect(page.get_by_role("heading", name="Check and publish")).to_be_visible()
    expect(page.get_by_text("decree-12.pdf")).to_be_visible()
    assert not ProgressUpdate.objects.exists()
    page.get_by_role("button", name="Publish this update").click()

    expect(page.get_by_role("heading", name="Your update is published")).to_be_visible()
    update = ProgressUpdate.objects.get()
    assert update.evidence.filter(kind="file", content_type="application/pdf").exists()

    # The State's commitment page shows it, with the document to download.
    page.get_by_role("link", name="Back to the commitment").click()
    entry = page.locator(f"#update-{update.pk}")
    expect(entry).to_contain_text("The risk assessment unit was set up by decree.")
    expect(entry).to_contain_text("Substantial progress")
    document = entry.get_by_role("link", name="decree-12")
    response = page.request.get(document.get_attribute("href"))
    assert response.ok and response.body() == tiny_pdf()
    # And so does the public page of the commitment.
    page.goto(ghana_commitment.get_absolute_url())
    expect(page.get_by_text("The risk assessment unit was set up by decree.")).to_be_visible()


def test_correction_flow(page, focal_point_a, ghana_commitment):
    original = ProgressUpdateFactory(
        commitment=ghana_commitment, narrative="Twelve judges were trained.", status=Status.LIMITED
    )
    log_in(page, "fp_a")
    page.goto(f"/my/commitments/{ghana_commitment.pk}/")
    page.get_by_role("link", name="Correct this update").click()
    narrative = page.get_by_label("What was done")
    expect(narrative).to_have_value("Twelve judges were trained.")  # starts from the original
    narrative.fill("Twenty judges were trained.")
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("Replaces the update of")).to_be_visible()
    page.get_by_role("button", name="Publish this update").click()
    expect(page.get_by_role("heading", name="Your correction is published")).to_be_visible()

    correction = ProgressUpdate.objects.exclude(pk=original.pk).get()
    assert correction.corrects_id == original.pk
    original.refresh_from_db()
    assert original.narrative == "Twelve judges were trained."  # nothing overwritten
    page.goto(f"/my/commitments/{ghana_commitment.pk}/")
    expect(page.locator(f"#update-{original.pk}")).to_contain_text("Replaced by a")
    expect(page.locator(f"#update-{correction.pk}")).to_contain_text("Correction")


def test_focal_point_of_another_state_gets_403(page, focal_point_b, ghana_commitment):
    log_in(page, "fp_b")
    response = page.goto(f"/my/commitments/{ghana_commitment.pk}/")
    assert response.status == 403
    expect(page.get_by_role("heading", name="You may not open this page")).to_be_visible()
    response = page.goto(f"/my/commitments/{ghana_commitment.pk}/updates/new/")
    assert response.status == 403


def test_failed_log_ins_lock_the_account_out(page, focal_point_a, settings):
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(page, "fp_a", password="not-the-password")
        expect(page.locator("#error-summary")).to_contain_text("Please enter a correct username")
    log_in(page, "fp_a", password="not-the-password")
    expect(page.get_by_role("heading", name="Log-in is paused for this account")).to_be_visible()
    log_in(page, "fp_a")  # even the right password is refused now
    expect(page.get_by_role("heading", name="Log-in is paused for this account")).to_be_visible()
    assert page.goto("/my/").url.split("?")[0].endswith("/accounts/login/")


def test_the_arabic_version_is_right_to_left(page, focal_point_a, ghana_commitment):
    log_in(page, "fp_a")
    page.get_by_label("Language").select_option("ar")  # submits itself (progressive enhancement)
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # The layout mirrors: the brand sits at the right edge, the log-out button at the left.
    brand = page.locator(".brand").bounding_box()
    logout = page.locator(".header-tools").bounding_box()
    assert brand["x"] > logout["x"]


def test_axe_finds_no_serious_violation_on_key_pages(page, focal_point_a, ghana_commitment):
    ResolutionFactory(symbol="S/RES/1674 (2006)", title="Protection of civilians")
    page.goto("/accounts/login/")
    audit(page, "log-in")
    page.get_by_role("button", name="Log in").click()  # empty: the error summary too
    audit(page, "log-in with errors")
    log_in(page, "fp_a")
    audit(page, "/my/")
    page.goto(f"/my/commitments/{ghana_commitment.pk}/updates/new/")
    audit(page, "update form")
    page.get_by_role("button", name="Preview").click()
    expect(page.locator("#error-summary")).to_be_focused()
    audit(page, "update form with errors")
    page.goto("/my/commitments/new/")
    audit(page, "commitment form")
    page.goto(f"/my/commitments/{ghana_commitment.pk}/")
    audit(page, "workspace commitment page")


def test_the_resolution_filter_narrows_the_list_as_one_types(page, focal_point_a, state_a):
    PreventionStepFactory()
    ResolutionFactory(symbol="S/RES/1674 (2006)", title="Protection of civilians")
    ResolutionFactory(symbol="A/RES/60/1", title="World Summit Outcome")
    log_in(page, "fp_a")
    page.goto("/my/commitments/new/")
    page.get_by_label("Find a resolution by symbol or title").fill("summit")
    expect(page.get_by_label("A/RES/60/1 World Summit Outcome")).to_be_visible()
    expect(page.get_by_label("S/RES/1674 (2006) Protection of civilians")).to_be_hidden()
    page.get_by_label("Find a resolution by symbol or title").press("Enter")
    expect(page).to_have_url(re.compile(r"/my/commitments/new/$"))  # Enter filtered, not posted


# --- Screenshots of every workspace page, English and Arabic ---------------------------------


@pytest.fixture
def showcase(state_a, focal_point_a, secretariat, state_b, focal_point_b):
    """A State with one commitment in every situation the workspace shows."""
    today = timezone.localdate()
    focal_point_a.first_name, focal_point_a.last_name = "Ama", "Mensah"
    focal_point_a.save()
    step = PreventionStepFactory(
        code="N-FP", title="Appoint a national focal point for R2P", level="national"
    )
    PreventionStepFactory(
        code="N-RISK",
        title="Assess national risks of atrocity crimes",
        level="national",
        description="Use the UN Framework of Analysis for Atrocity Crimes to review risks.",
    )
    PreventionStepFactory(
        code="I-UPR",
        title="Report on R2P in the Universal Periodic Review",
        level="intergovernmental",
        description="Include atrocity prevention in the State's UPR national report.",
    )
    ResolutionFactory(symbol="A/RES/60/1", title="2005 World Summit Outcome")
    ResolutionFactory(symbol="S/RES/1674 (2006)", title="Protection of civilians in armed conflict")
    overdue = CommitmentFactory(
        state=state_a,
        step=step,
        title="Publish the national atrocity-risk assessment",
        pledged_on=today - datetime.timedelta(days=220),
    )
    soon = CommitmentFactory(
        state=state_a,
        step=step,
        title="Train judges on the Rome Statute crimes",
        pledged_on=today - datetime.timedelta(days=400),
    )
    services.progress_update_create(
        user=focal_point_a,
        commitment=soon,
        reported_on=today - datetime.timedelta(days=172),
        status=Status.LIMITED,
        narrative="Twelve judges were trained in Accra.",
        links=[services.EvidenceLink("https://judiciary.example.org/training", "Training report")],
    )
    first = soon.updates.get()
    services.progress_update_create(
        user=focal_point_a,
        commitment=soon,
        reported_on=today - datetime.timedelta(days=170),
        status=Status.LIMITED,
        narrative="Twenty judges were trained in Accra and Kumasi.",
        corrects=first,
    )
    done = CommitmentFactory(
        state=state_a, step=step, title="Appoint an R2P focal point", pledged_on=today
    )
    services.progress_update_create(
        user=focal_point_a,
        commitment=done,
        reported_on=today,
        status=Status.COMPLETE,
        narrative="The Director of Human Rights was appointed focal point.",
    )
    overdue._history_user = secretariat
    overdue.target_date = today + datetime.timedelta(days=365)
    overdue.save()
    CommitmentFactory(
        state=state_a,
        step=step,
        title="Join the Global Network of R2P Focal Points",
        pledged_on=today - datetime.timedelta(days=190),
    )
    focal_point_b.first_name, focal_point_b.last_name = "Lars", "Jensen"
    focal_point_b.save()
    CommitmentFactory(
        state=state_b,
        title="Report on R2P in the UPR",
        pledged_on=today - datetime.timedelta(days=500),
    )
    return {"overdue": overdue, "soon": soon, "correction": soon.updates.latest("id")}


@pytest.mark.parametrize("language", ["en", "ar"])
def test_screenshots_of_every_workspace_page(page, live_server, showcase, language, settings):
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    overdue, soon = showcase["overdue"], showcase["soon"]

    def shot(name):
        page.wait_for_load_state("networkidle")
        screenshot(page, f"workspace-{name}-{language}")

    page.goto("/accounts/login/")
    shot("login")
    page.locator("#id_username").fill("fp_a")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/my/$"))
    shot("home")
    page.goto("/my/commitments/new/")
    shot("record-commitment")
    page.locator(".form-actions button[value=save]").click()
    shot("record-commitment-errors")
    page.goto(f"/my/commitments/{soon.pk}/")
    shot("commitment")
    page.goto(f"/my/commitments/{overdue.pk}/updates/new/")
    page.locator("#id_narrative").fill("The draft assessment was sent to parliament.")
    page.locator("input[name=status][value=substantial]").check()
    page.locator("#id_links-0-url").fill("https://parliament.example.org/papers/42")
    page.locator("#id_links-0-title").fill("Parliamentary paper 42")
    page.locator("input[name=files]").set_input_files(
        files=[{"name": "assessment.pdf", "mimeType": "application/pdf", "buffer": tiny_pdf()}]
    )
    shot("log-progress")
    page.locator(".form-actions button[type=submit]").click()
    expect(page.locator(".preview-frame")).to_be_visible()
    shot("preview")
    page.locator("button[value=publish]").click()
    expect(page.locator(".confirmation")).to_be_visible()
    shot("published")
    page.goto(f"/my/commitments/{soon.pk}/updates/{showcase['correction'].pk}/correct/")
    shot("correct")
    other = Commitment.objects.get(state_id="DNK")
    page.goto(f"/my/commitments/{other.pk}/")
    shot("403")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/my/")
    shot("home-phone")
    page.set_viewport_size({"width": 1280, "height": 900})
    # The secretariat's page.
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    page.goto("/accounts/login/")
    page.locator("#id_username").fill("secretariat")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    page.goto("/my/overdue/")
    shot("staff-overdue")
    # Lock-out.
    page.context.clear_cookies()
    page.context.add_cookies(
        [{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}]
    )
    for _attempt in range(settings.AXES_FAILURE_LIMIT):
        page.goto("/accounts/login/")
        page.locator("#id_username").fill("fp_b")
        page.locator("#id_password").fill("wrong-password")
        page.locator("form[action='/accounts/login/'] button[type=submit]").click()
    shot("locked-out")
