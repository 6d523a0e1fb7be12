"""The workspace's API token pages in a real browser: issue a token, see it once, use it to
post an update, revoke it; axe-core audits; screenshots in English and Arabic (RTL)."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from focalpoints.models import ApiToken
from tests.e2e.conftest import screenshot
from tests.e2e.test_workspace import audit, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_issue_use_and_revoke_a_token(page, focal_point_a, commitment_a, live_server):
    log_in(page, "fp_a")
    page.goto("/my/tokens/")
    expect(page.get_by_role("heading", name="API tokens", exact=True)).to_be_visible()
    page.get_by_label("What is the token for?").fill("Ministry reporting system")
    page.get_by_role("button", name="Issue the token").click()
    expect(page.get_by_role("heading", name="Your new API token")).to_be_visible()
    raw = page.get_by_label("Token").input_value()
    assert raw.startswith("r2p_")
    audit(page, "token issued")
    screenshot(page, "api-token-issued-en")

    body = {
        "reported_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "status": "limited",
        "narrative": "Posted by the ministry's system.",
    }
    response = page.request.post(
        f"{live_server.url}/api/v1/commitments/{commitment_a.pk}/progress-updates/",
        data=body,
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status == 201, response.text()

    page.goto("/my/tokens/")
    token = ApiToken.objects.get()
    expect(page.get_by_text(f"{token.prefix}…").first).to_be_visible()
    expect(page.locator("td time").first).to_be_visible()  # when it expires
    page.get_by_role("button", name=f"Renew {token.prefix}…").click()
    expect(page.get_by_text("now expires on")).to_be_visible()
    audit(page, "token list")
    screenshot(page, "api-tokens-en")
    page.get_by_role("button", name=f"Revoke {token.prefix}…").click()
    expect(page.get_by_text("is revoked")).to_be_visible()
    token.refresh_from_db()
    assert token.revoked_at is not None
    response = page.request.post(
        f"{live_server.url}/api/v1/commitments/{commitment_a.pk}/progress-updates/",
        data=body,
        headers={"Authorization": f"Bearer {raw}"},
    )
    assert response.status == 401


def test_token_pages_in_arabic(page, focal_point_a):
    log_in(page, "fp_a")
    page.goto("/my/tokens/")
    page.get_by_label("Language").select_option("ar")  # submits itself
    expect(page.locator("html")).to_have_attribute("dir", "rtl")
    page.locator("#id_name").fill("نظام الوزارة")
    page.locator("form.long-form button[type=submit]").click()
    expect(page.locator("#raw-token")).to_be_visible()
    screenshot(page, "api-token-issued-ar")
    page.goto("/my/tokens/")
    expect(page.locator("html")).to_have_attribute("lang", "ar")
    audit(page, "token list (ar)")
    screenshot(page, "api-tokens-ar")
