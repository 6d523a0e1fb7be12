"""The accountability dashboard in a real browser: from the dashboard to /accountability/, a
cell leads to the filtered commitments list whose count is the cell's; English and Arabic
screenshots (docs/screenshots/accountability-*.png); axe-core audit."""

import datetime
import re

import pytest
from playwright.sync_api import expect

from commitments.models import Commitment, ScrutinyChannel
from focalpoints.models import MemberState
from tests.e2e.conftest import screenshot
from tests.e2e.test_public import audit, public_data  # noqa: F401 (a fixture)
from tests.factories import CommitmentFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def accountability_data(public_data):  # noqa: F811
    """Beside the public pages' data: legal obligations, one overdue and past its target,
    pledged at the UPR and open to parliament."""
    today = datetime.date.today()
    upr = ScrutinyChannel.objects.filter(code="upr").first()
    for code in ("GHA", "KEN", "MEX"):
        state = MemberState.objects.get(code=code)
        commitment = CommitmentFactory(
            state=state,
            title=f"Ratify the Genocide Convention ({code})",
            basis="legal",
            source_kind=Commitment.SourceKind.UPR,
            pledged_on=today - datetime.timedelta(days=900),
            target_date=today - datetime.timedelta(days=30),
        )
        if upr is not None:
            commitment.channels.add(upr)
    return public_data


def test_a_cell_leads_to_the_filtered_list_with_the_same_count(page, accountability_data):
    page.goto("/")
    page.locator("main").get_by_role("link", name="Accountability", exact=True).click()
    expect(page).to_have_url(re.compile(r"/accountability/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Accountability for prevention")
    audit(page, "accountability")
    screenshot(page, "accountability-en")
    cell = page.locator('[data-cell="basis:legal:target_missed"]')
    expected = int(cell.inner_text())
    assert expected == 3
    cell.click()
    expect(page).to_have_url(re.compile(r"/commitments/\?basis=legal&target_missed=true$"))
    expect(page.locator(".result-count")).to_have_text(f"{expected} commitments")
    # The facets show the filters in force.
    expect(page.locator("#facet-target_missed")).to_be_visible()
    screenshot(page, "commitments-facets-en")


def test_the_accountability_page_reads_right_to_left_in_arabic(
    page, accountability_data, live_server
):
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])
    page.goto("/accountability/")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    audit(page, "accountability-ar")
    screenshot(page, "accountability-ar")
    cell = page.locator('[data-cell^="channel:upr:"]').first
    expected = int(cell.inner_text())
    cell.click()
    expect(page.locator(".result-count")).to_contain_text(str(expected))


@pytest.mark.parametrize("language", ["en", "ar"])
def test_the_reporting_cycle_page(page, accountability_data, live_server, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto("/")
    page.locator("main").locator('a[href="/reporting/"]').first.click()
    expect(page).to_have_url(re.compile(r"/reporting/$"))
    audit(page, f"reporting-{language}")
    screenshot(page, f"reporting-cycle-{language}")
    # The trend's first quarter opens that quarter's cycle.
    page.locator('table.matrix tbody th a[href^="?period="]').first.click()
    expect(page).to_have_url(re.compile(r"/reporting/\?period=\d{4}-Q[1-4]$"))
