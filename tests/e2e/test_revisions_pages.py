"""A commitment whose target moved, in a real browser (English and Arabic), audited with axe;
screenshots docs/screenshots/public-commitment-revised-{en,ar}.png."""

import datetime

import pytest
from django.utils import translation
from django.utils.formats import date_format

from commitments.models import Commitment, Status
from commitments.services import (
    commitment_create,
    progress_update_create,
    revision_request_create,
    revision_request_decide,
)
from focalpoints.models import StateAccess
from tests.e2e.conftest import screenshot
from tests.e2e.test_public import audit
from tests.factories import (
    MemberStateFactory,
    PreventionStepFactory,
    StateAccessFactory,
    UserFactory,
)

pytestmark = pytest.mark.browser


@pytest.fixture
def moved(transactional_db):
    state = MemberStateFactory(code="GHA", name="Ghana")
    staff = UserFactory(username="secretariat", is_staff=True, is_superuser=True)
    focal_point = UserFactory(username="fp")
    StateAccessFactory(user=focal_point, state=state, role=StateAccess.Role.FOCAL_POINT)
    commitment = commitment_create(
        user=staff,
        state=state,
        step=PreventionStepFactory(code="N2", title="National atrocity risk assessment"),
        title="Publish a national atrocity risk assessment",
        description="Carry out and publish an assessment of atrocity risks and resilience.",
        source_kind=Commitment.SourceKind.GA_DIALOGUE,
        source_description="Statement at the 2024 General Assembly dialogue on R2P",
        pledged_on=datetime.date(2024, 9, 10),
        target_date=datetime.date(2026, 6, 30),
    )
    progress_update_create(
        user=focal_point,
        commitment=commitment,
        reported_on=datetime.date(2025, 3, 1),
        status=Status.LIMITED,
        narrative="A working group of three ministries has been set up.",
    )
    request = revision_request_create(
        user=focal_point,
        commitment=commitment,
        changes={"target_date": datetime.date(2027, 12, 31)},
        reason="Parliament postponed the budget law that funds the assessment to 2027.",
    )
    revision_request_decide(user=staff, revision_request=request, approve=True)
    return commitment


@pytest.mark.parametrize("language", ["en", "ar"])
def test_a_moved_target_reads_on_the_commitment_page(page, live_server, moved, language):
    page.context.add_cookies(
        [{"name": "django_language", "value": language, "url": live_server.url}]
    )
    page.goto(moved.get_absolute_url())
    revision = page.locator("li.revision")
    # The dates in the reader's format, as every other date on the page.
    with translation.override(language):
        for day in (datetime.date(2026, 6, 30), datetime.date(2027, 12, 31)):
            assert date_format(day, "DATE_FORMAT") in revision.inner_text()
    assert "Parliament postponed the budget law" in revision.inner_text()
    if language == "ar":
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert "بناءً على طلب جهة التنسيق" in revision.inner_text()
    else:
        assert "by the secretariat, at the request of the focal point" in revision.inner_text()
    audit(page, f"commitment-revised-{language}")
    screenshot(page, f"public-commitment-revised-{language}")
