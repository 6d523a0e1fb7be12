"""Pages built for running in production, in a real browser, English and Arabic (RTL), with
axe-core audits and screenshots: the open-data page with the published file's facts, the page
that says when to come back after a limit, and the log-in lock-out for an address."""

import pytest
from django.conf import settings as django_settings
from playwright.sync_api import expect

from tests.conftest import PASSWORD
from tests.e2e.conftest import screenshot
from tests.e2e.test_workspace import audit
from tracker import opendata

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def in_arabic(page, live_server):
    page.context.add_cookies([{"name": "django_language", "value": "ar", "url": live_server.url}])


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.mark.parametrize("language", ["en", "ar"])
def test_open_data_page_shows_the_published_file(page, live_server, commitment_a, media, language):
    opendata.refresh()
    release = opendata.current_release()
    if language == "ar":
        in_arabic(page, live_server)
    page.goto("/data/")
    expect(page.locator("code.hash")).to_have_text(release.sha256)
    expect(page.locator(".open-data-release")).to_contain_text(release.version)
    if language == "ar":
        expect(page.locator("html")).to_have_attribute("dir", "rtl")
    audit(page, f"open data ({language})")
    screenshot(page, f"public-open-data-{language}")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_limited_search_says_when_to_come_back(page, live_server, settings, db, language):
    settings.REST_FRAMEWORK = {
        **django_settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {
            **django_settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],
            "search": "1/day",
        },
    }
    if language == "ar":
        in_arabic(page, live_server)
    page.goto("/commitments/?q=plan")
    response = page.goto("/commitments/?q=plan")
    assert response.status == 429
    assert int(response.headers["retry-after"]) > 0
    expect(page.locator("h1")).to_be_visible()
    audit(page, f"429 ({language})")
    screenshot(page, f"public-too-many-requests-{language}")


@pytest.mark.parametrize("language", ["en", "ar"])
def test_an_address_locked_across_accounts_is_told_so(
    page, live_server, settings, focal_point_a, language
):
    settings.LOGIN_FAILURES_PER_IP = 2
    if language == "ar":
        in_arabic(page, live_server)
    for username, password in (("someone", "x"), ("someone-else", "y"), ("fp_a", PASSWORD)):
        page.goto("/accounts/login/")
        page.locator("#id_username").fill(username)
        page.locator("#id_password").fill(password)
        page.locator("#id_password").press("Enter")
    expect(page.locator("h1")).to_be_visible()
    assert page.url.endswith("/accounts/login/")
    if language == "en":
        expect(page.locator("h1")).to_have_text("Log-in is paused for your network address")
    audit(page, f"address locked ({language})")
    screenshot(page, f"workspace-locked-address-{language}")
