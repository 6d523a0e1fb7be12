"""The API token life cycle: issued in the workspace or the admin (secret shown once, only a
digest stored), used, revoked; only users who act for a State may hold one."""

import datetime

import pytest
import time_machine
from django.utils import timezone

from focalpoints.models import ApiToken, StateAccess
from focalpoints.tokens import (
    api_token_for,
    api_token_issue,
    api_token_renew,
    api_token_revoke,
    digest_of,
)
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
        assert api_token_for(raw).user == focal_point_a
    token.refresh_from_db()
    assert token.last_used_at == now
    # (1) token with its user, (2) the user's State accesses, (3) do those States exist —
    # and no write of last_used_at within five minutes of the last one
    with (
        time_machine.travel(now + datetime.timedelta(minutes=1), tick=False),
        django_assert_num_queries(3),
    ):
        api_token_for(raw)


# --- Expiry, renewal, State limit, issuer ---------------------------------------------------


def test_a_token_expires_after_its_lifetime_and_says_so(client, commitment_a, focal_point_a):
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        token, raw = api_token_issue(user=focal_point_a, name="system")
    assert token.expires_at == now + datetime.timedelta(days=365)
    with time_machine.travel(token.expires_at - datetime.timedelta(seconds=1)):
        assert can_post(client, commitment_a, raw) == 201
    with time_machine.travel(token.expires_at + datetime.timedelta(seconds=1)):
        response = client.post(
            API_POST.format(pk=commitment_a.pk),
            {},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        )
        token.refresh_from_db()
        assert token.is_expired and not token.is_active
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


@pytest.mark.parametrize("days", [30, 730])
def test_the_lifetime_comes_from_the_settings(focal_point_a, settings, days):
    settings.API_TOKEN_LIFETIME_DAYS = days
    with time_machine.travel(timezone.now(), tick=False):
        token, _raw = api_token_issue(user=focal_point_a, name="system")
    assert token.expires_at - token.created_at == datetime.timedelta(days=days)


def test_renewing_gives_a_full_lifetime_from_now_even_after_expiry(
    client, commitment_a, focal_point_a
):
    token, raw = api_token_issue(user=focal_point_a, name="system")
    later = token.expires_at + datetime.timedelta(days=3)
    with time_machine.travel(later, tick=False):
        assert can_post(client, commitment_a, raw) == 401
        api_token_renew(token=token, renewed_by=focal_point_a)
        assert can_post(client, commitment_a, raw) == 201
    token.refresh_from_db()
    assert token.renewed_at == later
    assert token.expires_at == later + datetime.timedelta(days=365)


def test_only_the_holder_or_staff_renews_and_never_a_revoked_token(
    focal_point_a, focal_point_b, secretariat
):
    from django.core.exceptions import PermissionDenied

    token, _raw = api_token_issue(user=focal_point_a, name="system")
    with pytest.raises(PermissionDenied):
        api_token_renew(token=token, renewed_by=focal_point_b)
    api_token_renew(token=token, renewed_by=secretariat)
    api_token_revoke(token=token, revoked_by=focal_point_a)
    with pytest.raises(PermissionDenied):
        api_token_renew(token=token, renewed_by=focal_point_a)


def test_a_token_limited_to_one_state_cannot_write_for_another(
    client, state_a, state_b, commitment_a, commitment_b, focal_point_a
):
    from focalpoints.models import StateAccess

    StateAccess.objects.create(user=focal_point_a, state=state_b, role="focal-point")
    _token, raw = api_token_issue(user=focal_point_a, name="Ghana only", state=state_a)
    assert can_post(client, commitment_b, raw) == 403
    assert can_post(client, commitment_a, raw) == 201
    _all, unlimited = api_token_issue(user=focal_point_a, name="both")
    assert can_post(client, commitment_b, unlimited) == 201


def test_the_state_limit_must_be_a_state_the_holder_acts_for(focal_point_a, state_b):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        api_token_issue(user=focal_point_a, name="x", state=state_b)


def test_the_issuer_is_recorded(focal_point_a, secretariat):
    own, _raw = api_token_issue(user=focal_point_a, name="mine")
    assert own.issued_by == focal_point_a and not own.issued_on_behalf
    staff, _raw = api_token_issue(user=focal_point_a, name="for you", issued_by=secretariat)
    assert staff.issued_by == secretariat and staff.issued_on_behalf


def test_every_update_posted_with_a_token_records_which(client, commitment_a, focal_point_a):
    from commitments.models import ProgressUpdate

    token, raw = api_token_issue(user=focal_point_a, name="system")
    assert can_post(client, commitment_a, raw) == 201
    update = ProgressUpdate.objects.get()
    assert update.api_token == token
    # ...but the public never sees which: not in the API, not on the page.
    public = client.get(f"/api/v1/progress-updates/{update.pk}/").json()
    assert "api_token" not in public and token.prefix not in str(public)
    page = client.get(commitment_a.get_absolute_url()).content.decode()
    assert token.prefix not in page


def test_staff_see_the_token_an_update_was_posted_with(
    client, commitment_a, focal_point_a, secretariat
):
    from commitments.models import ProgressUpdate

    token, raw = api_token_issue(user=focal_point_a, name="ministry system")
    assert can_post(client, commitment_a, raw) == 201
    update = ProgressUpdate.objects.get()
    client.force_login(secretariat)
    listing = client.get("/admin/commitments/progressupdate/").content.decode()
    detail = client.get(f"/admin/commitments/progressupdate/{update.pk}/change/").content.decode()
    assert token.prefix in listing and token.prefix in detail
    token_page = client.get(f"/admin/focalpoints/apitoken/{token.pk}/change/").content.decode()
    assert "ministry system" in token_page


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


def test_admin_issues_a_token_limited_to_a_state_on_someones_behalf(
    client, secretariat, focal_point_a, state_a, state_b
):
    client.force_login(secretariat)
    refused = client.post(
        "/admin/focalpoints/apitoken/add/",
        {"user": focal_point_a.pk, "name": "x", "state": state_b.pk},
    )
    assert refused.context["adminform"].form.errors["state"]
    client.post(
        "/admin/focalpoints/apitoken/add/",
        {"user": focal_point_a.pk, "name": "x", "state": state_a.pk},
    )
    token = ApiToken.objects.get()
    assert token.state == state_a
    assert token.issued_by == secretariat


def test_admin_action_renews_tokens(client, secretariat, focal_point_a):
    token, _raw = api_token_issue(user=focal_point_a, name="system")
    later = token.expires_at - datetime.timedelta(days=1)
    with time_machine.travel(later, tick=False):
        client.force_login(secretariat)
        client.post(
            "/admin/focalpoints/apitoken/",
            {"action": "renew_selected", "_selected_action": [token.pk]},
        )
    token.refresh_from_db()
    assert token.expires_at == later + datetime.timedelta(days=365)


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


# --- Workspace: expiry, renewal, State limit ----------------------------------------------------


def test_workspace_shows_when_each_token_expires_and_who_issued_it(
    client, focal_point_a, secretariat
):
    own, _raw = api_token_issue(user=focal_point_a, name="mine")
    api_token_issue(user=focal_point_a, name="from staff", issued_by=secretariat)
    client.force_login(focal_point_a)
    page = client.get("/my/tokens/").content.decode()
    assert own.expires_at.isoformat() in page
    assert "Every token expires 365 days after it is issued or renewed." in page
    assert "(secretariat)" in page


def test_workspace_renews_own_token_and_an_expired_one(client, commitment_a, focal_point_a):
    token, raw = api_token_issue(user=focal_point_a, name="system")
    later = token.expires_at + datetime.timedelta(days=2)
    with time_machine.travel(later, tick=False):
        client.force_login(focal_point_a)
        assert "Expired" in client.get("/my/tokens/").content.decode()
        response = client.post(f"/my/tokens/{token.pk}/renew/")
        assert response.status_code == 302
        token.refresh_from_db()
        assert token.expires_at == later + datetime.timedelta(days=365)
        client.logout()
        assert can_post(client, commitment_a, raw) == 201


def test_nobody_renews_someone_elses_token_or_a_revoked_one(client, focal_point_a, focal_point_b):
    token, _raw = api_token_issue(user=focal_point_a, name="system")
    client.force_login(focal_point_b)
    assert client.post(f"/my/tokens/{token.pk}/renew/").status_code == 404
    api_token_revoke(token=token, revoked_by=focal_point_a)
    client.force_login(focal_point_a)
    assert client.post(f"/my/tokens/{token.pk}/renew/").status_code == 404
    assert client.get(f"/my/tokens/{token.pk}/renew/").status_code == 405


def test_workspace_issues_a_token_limited_to_one_of_my_states(
    client, focal_point_a, state_a, state_b
):
    StateAccess.objects.create(user=focal_point_a, state=state_b, role="delegate")
    client.force_login(focal_point_a)
    form_page = client.get("/my/tokens/").content.decode()
    assert "Limit it to one State" in form_page
    response = client.post("/my/tokens/", {"name": "Ghana system", "state": state_a.pk})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=focal_point_a)
    assert token.state == state_a
    assert "It can post only for Ghana." in response.content.decode()


def test_workspace_refuses_a_state_i_do_not_act_for(client, focal_point_a, state_b):
    client.force_login(focal_point_a)
    response = client.post("/my/tokens/", {"name": "x", "state": state_b.pk})
    assert response.context["form"].errors["state"]
    assert not ApiToken.objects.exists()
