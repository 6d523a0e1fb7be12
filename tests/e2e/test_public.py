"""The public scrutiny pages in a real browser: a visitor goes from the dashboard to a country,
to a commitment, and downloads its CSV; the same pages in Arabic (right to left); axe-core
audits; screenshots under docs/screenshots/public-*.png."""

import datetime
import json
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from commitments.models import Commitment, Evidence, PreventionStep, Resolution, Status
from focalpoints.models import MemberState
from tests.e2e.conftest import AXE_JS, screenshot
from tests.factories import CommitmentFactory, FocalPointFactory, ProgressUpdateFactory

pytestmark = pytest.mark.browser

SERIOUS = {"serious", "critical"}
BOM = "\ufeff"


def audit(page, name: str) -> None:
    """axe-core (loaded from disk) finds no serious or critical violation."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_JS.read_text(encoding="utf-8"))
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "wcag22aa", "best-practice"]}
        })"""
    )
    bad = [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
        if v["impact"] in SERIOUS
    ]
    assert not bad, f"axe-core on {name}:\n{json.dumps(bad, indent=2)}"


@pytest.fixture
def public_data(transactional_db, settings, tmp_path):
    """The sourced reference data, and a few commitments with a correction and evidence."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_reference_data", verbosity=0)
    steps = list(PreventionStep.objects.order_by("level", "code")[:6])
    ghana = MemberState.objects.get(code="GHA")
    commitment = CommitmentFactory(
        state=ghana,
        step=steps[0],
        title="Adopt a national atrocity-prevention action plan",
        description="Ghana will adopt a national action plan on atrocity prevention, drafted "
        "with the national peace council and civil society.",
        source_kind=Commitment.SourceKind.GA_DIALOGUE,
        source_description="Statement at the 2023 General Assembly plenary debate on R2P",
        pledged_on=datetime.date(2023, 7, 1),
    )
    resolution = Resolution.objects.order_by("-adopted_on").first()
    if resolution:
        commitment.resolutions.add(resolution)
    first = ProgressUpdateFactory(
        commitment=commitment,
        reported_on=datetime.date(2024, 2, 1),
        status=Status.SUBSTANTIAL,
        narrative="A draft plan was validated at a national workshop.",
    )
    Evidence.objects.create(
        update=first, kind="link", title="Workshop report", url="https://example.org/report"
    )
    ProgressUpdateFactory(
        commitment=commitment,
        reported_on=datetime.date(2024, 2, 20),
        status=Status.LIMITED,
        corrects=first,
        narrative="Correction: the draft was discussed, not validated; validation is pending.",
    )
    ProgressUpdateFactory(
        commitment=commitment,
        reported_on=datetime.date(2024, 11, 5),
        status=Status.SUBSTANTIAL,
        narrative="The plan was validated by the national peace council.",
    )
    statuses = [Status.LIMITED, Status.SUBSTANTIAL, Status.COMPLETE, Status.NOT_STARTED]
    codes = ["DNK", "CRI", "PHL", "KEN", "MEX", "FIN", "BWA", "AUS", "NGA", "URY"]
    for index, code in enumerate(codes):
        state = MemberState.objects.filter(code=code).first()
        if state is None:
            continue
        other = CommitmentFactory(
            state=state,
            step=steps[index % len(steps)],
            pledged_on=datetime.date(2023, 1 + index, 1),
            title=f"Pledge of {state.name}",
        )
        if index % 3:
            ProgressUpdateFactory(
                commitment=other,
                reported_on=datetime.date(2024, 1 + index, 10),
                status=statuses[index % 4],
            )
    CommitmentFactory(state=ghana, step=steps[1], title="Report on R2P in the UPR")
    # The secretariat's record of Ghana's current appointment (the sourced rows are evidence only).
    FocalPointFactory(state=ghana, appointed_on=datetime.date(2021, 5, 11))
    return {"commitment": commitment}


def test_visitor_goes_from_dashboard_to_country_to_commitment_and_downloads_its_csv(
    page, public_data
):
    page.goto("/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Who committed")
    expect(page.locator("svg[role=img] title").first).to_be_attached()
    audit(page, "dashboard")
    screenshot(page, "public-dashboard-en")

    # The tile of Ghana in "Every State at a glance" (its accessible name says its standing).
    page.get_by_role("link", name=re.compile(r"^Ghana: has a current focal point")).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ghana")
    audit(page, "country profile")
    screenshot(page, "public-country-en")

    page.get_by_role("link", name="Adopt a national atrocity-prevention action plan").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("action plan")
    expect(page.get_by_text("This update corrects")).to_be_visible()
    expect(page.get_by_text("A draft plan was validated at a national workshop.")).to_be_visible()
    audit(page, "commitment")
    screenshot(page, "public-commitment-en")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as CSV").click()
    download = download_info.value
    assert download.suggested_filename == f"commitment-{public_data['commitment'].pk}-updates.csv"
    text = Path(download.path()).read_text(encoding="utf-8")
    assert text.startswith(BOM)
    assert "Correction: the draft was discussed" in text
    assert len(text.strip().splitlines()) == 4  # header + three updates


def test_visitor_finds_a_state_by_searching_the_list(page, public_data):
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="States").click()
    page.get_by_label("Search").fill("ghana")
    page.get_by_role("button", name="Apply").click()
    expect(page.get_by_role("status")).to_contain_text("1 State or organisation")
    page.get_by_role("link", name="Ghana", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Ghana")


@pytest.mark.parametrize(
    "path,name",
    [
        ("/", "public-dashboard-ar"),
        ("/states/GHA/", "public-country-ar"),
        (None, "public-commitment-ar"),
    ],
)
def test_public_pages_read_right_to_left_in_arabic(page, public_data, live_server, path, name):
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto(path or public_data["commitment"].get_absolute_url())
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    svg_dirs = page.evaluate(
        "Array.from(document.querySelectorAll('svg.chart-svg'))"
        ".map(s => s.getAttribute('direction'))"
    )
    assert all(d == "rtl" for d in svg_dirs)
    audit(page, name)
    screenshot(page, name)


@pytest.mark.parametrize(
    "language,path,name",
    [
        ("fr", "/", "public-dashboard-fr"),
        ("fr", "/states/GHA/", "public-country-fr"),
        ("fr", "/steps/", "public-steps-fr"),
        ("ar", "/steps/", "public-steps-ar"),
        ("ar", "/states/DNK/", "public-country-evidence-ar"),
    ],
)
def test_public_pages_in_french_and_arabic_name_states_and_steps_in_that_language(
    page, public_data, live_server, language, path, name
):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(path)
    assert page.evaluate("document.documentElement.lang") == language
    body = page.locator("main").inner_text()
    if path == "/steps/":
        assert "N1" in body and "Appoint a national R2P focal point" not in body
    if path.startswith("/states/GHA"):
        assert "Ghana" in body if language == "fr" else "غانا" in body
    if path.startswith("/states/DNK"):
        assert "الدنمارك" in body and "Denmark" not in page.locator("h1").inner_text()
    audit(page, name)
    screenshot(page, name)


@pytest.mark.parametrize(
    "path", ["/states/", "/resolutions/", "/steps/", "/commitments/", "/data/"]
)
def test_public_lists_have_no_serious_accessibility_violation(page, public_data, path):
    page.goto(path)
    audit(page, path)


def test_dashboard_fits_a_phone_screen(page, public_data):
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/")
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0
    screenshot(page, "public-dashboard-phone")
