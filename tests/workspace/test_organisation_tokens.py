"""An assessor issues its organisation's API token in the workspace (/my/tokens/): the token
acts for that organisation only (D-10-20)."""

import pytest

from focalpoints.models import ApiToken
from tests.conftest import organisation_of
from tests.factories import OrganisationMembershipFactory

pytestmark = pytest.mark.django_db


def test_an_assessor_issues_an_organisation_token(client, assessor_a):
    client.force_login(assessor_a)
    page = client.get("/my/tokens/")
    assert page.status_code == 200
    organisation = organisation_of(assessor_a)
    assert organisation.name in page.content.decode()
    response = client.post(
        "/my/tokens/", {"name": "shadow reports", "organisation": organisation.pk}
    )
    assert response.status_code == 200, response.context and response.context["form"].errors
    token = ApiToken.objects.get(user=assessor_a)
    assert token.organisation == organisation and token.state is None
    listing = client.get("/my/tokens/").content.decode()
    assert f"Assessments of {organisation.name}" in listing


def test_an_assessor_only_must_name_the_organisation(client, assessor_a):
    client.force_login(assessor_a)
    response = client.post("/my/tokens/", {"name": "no organisation"})
    assert response.context["form"].errors["organisation"]
    assert not ApiToken.objects.exists()


def test_an_assessor_cannot_issue_a_token_for_another_organisation(
    client, assessor_a, assessor_national_b
):
    client.force_login(assessor_a)
    other = organisation_of(assessor_national_b)
    response = client.post("/my/tokens/", {"name": "x", "organisation": other.pk})
    assert response.context["form"].errors["organisation"]
    assert not ApiToken.objects.exists()


def test_a_focal_point_who_is_a_member_chooses_a_state_or_the_organisation_not_both(
    client, focal_point_a, state_a, organisation_a
):
    OrganisationMembershipFactory(user=focal_point_a, organisation=organisation_a)
    client.force_login(focal_point_a)
    response = client.post(
        "/my/tokens/", {"name": "x", "state": state_a.pk, "organisation": organisation_a.pk}
    )
    assert response.context["form"].errors["organisation"]
    assert client.post("/my/tokens/", {"name": "ministry"}).status_code == 200
    token = ApiToken.objects.get(user=focal_point_a)
    assert token.organisation is None  # a State's token, as before
