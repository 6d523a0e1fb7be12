"""POST /api/v1/commitments/<pk>/progress-updates/: the token-authenticated write, through
the same service as the workspace form (201 / 400 / 401 / 403 / 404), never an edit."""

import datetime

import pytest
from django.utils import timezone

from commitments.models import ProgressUpdate, Status
from focalpoints.tokens import api_token_issue
from tests.factories import ProgressUpdateFactory


def url(commitment):
    return f"/api/v1/commitments/{commitment.pk}/progress-updates/"


def token_for(user):
    return api_token_issue(user=user, name="test")[1]


def post(client, commitment, body, token=None, **extra):
    if token:
        extra["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.post(url(commitment), body, content_type="application/json", **extra)


def valid_body(**overrides):
    body = {
        "reported_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "status": "substantial",
        "narrative": "The national risk assessment was completed.",
        "links": [{"url": "https://example.org/report.pdf", "title": "Report"}],
    }
    body.update(overrides)
    return body


def test_focal_point_posts_an_update_and_gets_201_with_it(client, commitment_a, focal_point_a):
    response = post(client, commitment_a, valid_body(), token_for(focal_point_a))
    assert response.status_code == 201, response.content
    body = response.json()
    update = ProgressUpdate.objects.get(pk=body["id"])
    assert update.author == focal_point_a
    assert body["status"] == "substantial"
    assert body["member_state"] == "GHA"
    assert body["evidence"][0]["url"] == "https://example.org/report.pdf"
    assert response["Location"].endswith(f"/api/v1/progress-updates/{update.pk}/")
    commitment_a.refresh_from_db()
    assert commitment_a.status == Status.SUBSTANTIAL  # derived by the shared service


def test_delegate_may_post_too(client, commitment_a, delegate_a):
    assert post(client, commitment_a, valid_body(), token_for(delegate_a)).status_code == 201


def test_token_keyword_is_accepted_as_well_as_bearer(client, commitment_a, focal_point_a):
    raw = token_for(focal_point_a)
    response = client.post(
        url(commitment_a),
        valid_body(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {raw}",
    )
    assert response.status_code == 201


def test_a_correction_links_to_what_it_corrects(client, commitment_a, focal_point_a):
    original = ProgressUpdateFactory(commitment=commitment_a)
    response = post(
        client, commitment_a, valid_body(corrects=original.pk), token_for(focal_point_a)
    )
    assert response.status_code == 201
    assert response.json()["corrects"] == original.pk
    listed = client.get(f"/api/v1/progress-updates/{original.pk}/").json()
    assert listed["corrected_by"] == response.json()["id"]


def test_business_rule_errors_are_400_with_the_service_field_errors(
    client, commitment_a, focal_point_a
):
    future = (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    response = post(client, commitment_a, valid_body(reported_on=future), token_for(focal_point_a))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert body["errors"] == {"reported_on": ["The reporting date cannot be in the future."]}
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"status": "not-reported"}, "status"),  # not a status an update can set
        ({"reported_on": "15/01/2026"}, "reported_on"),
        ({"narrative": ""}, "narrative"),
        ({"links": [{"url": "not a url"}]}, "links.0.url"),
        ({"corrects": 999999}, "corrects"),
    ],
)
def test_invalid_input_is_400_naming_the_field(
    client, commitment_a, focal_point_a, overrides, field
):
    response = post(client, commitment_a, valid_body(**overrides), token_for(focal_point_a))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not ProgressUpdate.objects.exists()


def test_correcting_an_update_of_another_commitment_is_400(
    client, commitment_a, focal_point_a, state_a
):
    from tests.factories import CommitmentFactory

    other = ProgressUpdateFactory(commitment=CommitmentFactory(state=state_a))
    response = post(client, commitment_a, valid_body(corrects=other.pk), token_for(focal_point_a))
    assert response.status_code == 400
    assert "corrects" in response.json()["errors"]


def test_no_token_is_401_with_a_challenge(client, commitment_a):
    response = post(client, commitment_a, valid_body())
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["code"] == "not_authenticated"


def test_a_wrong_token_is_401(client, commitment_a, focal_point_a):
    token_for(focal_point_a)
    response = post(client, commitment_a, valid_body(), "r2p_deadbeef_not-the-secret")
    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


def test_a_web_session_is_not_enough_to_post(client, commitment_a, focal_point_a):
    client.force_login(focal_point_a)
    assert post(client, commitment_a, valid_body()).status_code == 401


def test_focal_point_of_other_state_gets_403(client, commitment_b, focal_point_a):
    response = post(client, commitment_b, valid_body(), token_for(focal_point_a))
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert not ProgressUpdate.objects.exists()


def test_unknown_commitment_is_404(client, focal_point_a, db):
    response = client.post(
        "/api/v1/commitments/999999/progress-updates/",
        valid_body(),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token_for(focal_point_a)}",
    )
    assert response.status_code == 404


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_updates_are_never_edited_or_deleted_through_the_api(
    client, commitment_a, focal_point_a, method
):
    update = ProgressUpdateFactory(commitment=commitment_a)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(focal_point_a)}"}
    for path in (f"/api/v1/progress-updates/{update.pk}/", url(commitment_a)):
        response = getattr(client, method)(path, {}, content_type="application/json", **auth)
        assert response.status_code == 405, path
    assert ProgressUpdate.objects.get(pk=update.pk).narrative == update.narrative


def test_post_to_the_read_endpoints_is_refused(client, commitment_a, focal_point_a):
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_for(focal_point_a)}"}
    response = client.post("/api/v1/progress-updates/", {}, **auth)
    assert response.status_code == 405
