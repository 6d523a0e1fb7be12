"""The API token life cycle: issued in the workspace or the admin (secret shown once, only a
digest stored), used, revoked; only users who act for a State may hold one."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from focalpoints.models import ApiToken, StateAccess
from focalpoints.tokens import api_token_issue, api_token_revoke, api_token_user, digest_of
from tests.factories import UserFactory

API_POST = "/api/v1/commitments/{pk}/progress-updates/"


def can_post(client, commitment, raw):
    body = {
        "reported_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "status": "limited",
        "narrative": "Work began.",
    }
    response = client.post(
        API_POST.format(pk=commitment.pk),
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {raw}",
    )
    return response.status_code


# --- Services ------------------------------------------------------------------------------


def test_only_a_digest_of_the_secret_is_stored(focal_point_a):
    token, raw = api_token_issue(user=focal_point_a, name="system")
    assert raw.startswith(token.prefix + "_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == digest_of(raw)
    assert raw not in {stored.digest, stored.prefix, stored.name}


def test_user_without_a_state_cannot_hold_a_token(db):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_issue(user=UserFactory(), name="x")


def test_nobody_issues_a_token_for_someone_else_but_staff(
    focal_point_a, focal_point_b, secretariat
):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_issue(user=focal_point_a, name="x", issued_by=focal_point_b)
    token, _raw = api_token_issue(user=focal_point_a, name="x", issued_by=secretariat)
    assert token.user == focal_point_a


def test_revoked_token_stops_working(client, commitment_a, focal_point_a):
    token, raw = api_token_issue(user=focal_point_a, name="system")
    assert can_post(client, commitment_a, raw) == 201
    api_token_revoke(token=token, revoked_by=focal_point_a)
    assert can_post(client, commitment_a, raw) == 401


def test_token_stops_working_when_its_user_loses_access_or_is_deactivated(
    client, commitment_a, focal_point_a
):
    _token, raw = api_token_issue(user=focal_point_a, name="system")
    StateAccess.objects.filter(user=focal_point_a).update(is_active=False)
    assert can_post(client, commitment_a, raw) == 401
    StateAccess.objects.filter(user=focal_point_a).update(is_active=True)
    focal_point_a.is_active = False
    focal_point_a.save(update_fields=["is_active"])
    assert can_post(client, commitment_a, raw) == 401


def test_last_used_is_recorded_at_most_every_few_minutes(focal_point_a, django_assert_num_queries):
    token, raw = api_token_issue(user=focal_point_a, name="system")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        assert api_token_user(raw) == focal_point_a
    token.refresh_from_db()
    assert token.last_used_at == now
    # (1) token with its user, (2) the user's State accesses, (3) do those States exist —
    # and no write of last_used_at within five minutes of the last one
    with (
        time_machine.travel(now + datetime.timedelta(minutes=1), tick=False),
        django_assert_num_queries(3),
    ):
        api_token_user(raw)


# --- Workspace pages -----------------------------------------------------------------------


def test_workspace_issues_a_token_and_shows_the_secret_once(client, focal_point_a):
    client.force_login(focal_point_a)
    assert client.get("/my/tokens/").status_code == 200
    response = client.post("/my/tokens/", {"name": "ministry database"})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    token = ApiToken.objects.get(user=focal_point_a)
    raw = response.context["raw_token"]
    assert token.digest == digest_of(raw)
    assert raw in response.content.decode()
    listing = client.get("/my/tokens/").content.decode()
    assert token.prefix in listing and raw not in listing


def test_workspace_form_requires_a_name(client, focal_point_a):
    client.force_login(focal_point_a)
    response = client.post("/my/tokens/", {"name": ""})
    assert response.status_code == 200
    assert response.context["form"].errors["name"]
    assert not ApiToken.objects.exists()


def test_workspace_revokes_own_token(client, focal_point_a, commitment_a):
    token, raw = api_token_issue(user=focal_point_a, name="system")
    client.force_login(focal_point_a)
    response = client.post(f"/my/tokens/{token.pk}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert can_post(client, commitment_a, raw) == 401


def test_focal_point_of_other_state_cannot_revoke_my_token(client, focal_point_a, focal_point_b):
    token, _raw = api_token_issue(user=focal_point_a, name="system")
    client.force_login(focal_point_b)
    assert client.post(f"/my/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_revoking_is_post_only(client, focal_point_a):
    token, _raw = api_token_issue(user=focal_point_a, name="system")
    client.force_login(focal_point_a)
    assert client.get(f"/my/tokens/{token.pk}/revoke/").status_code == 405


def test_user_without_a_state_gets_403_on_the_token_page(client, db):
    client.force_login(UserFactory())
    assert client.get("/my/tokens/").status_code == 403


def test_anonymous_visitor_is_sent_to_log_in(client, db):
    response = client.get("/my/tokens/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Admin ----------------------------------------------------------------------------------


def test_admin_issues_a_token_for_a_focal_point_and_shows_it_once(
    client, secretariat, focal_point_a
):
    client.force_login(secretariat)
    response = client.post(
        "/admin/focalpoints/apitoken/add/", {"user": focal_point_a.pk, "name": "via admin"}
    )
    assert response.status_code == 200, response.content[:500]
    token = ApiToken.objects.get(user=focal_point_a)
    raw = response.context["raw_token"]
    assert token.digest == digest_of(raw)
    assert "no-store" in response["Cache-Control"]


def test_admin_refuses_a_token_for_a_user_without_a_state(client, secretariat):
    client.force_login(secretariat)
    outsider = UserFactory()
    response = client.post("/admin/focalpoints/apitoken/add/", {"user": outsider.pk, "name": "x"})
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["user"]
    assert not ApiToken.objects.exists()


def test_admin_action_revokes_tokens(client, secretariat, focal_point_a):
    token, _raw = api_token_issue(user=focal_point_a, name="system")
    client.force_login(secretariat)
    response = client.post(
        "/admin/focalpoints/apitoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
