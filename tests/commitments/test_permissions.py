"""Every workspace view and write, for every persona: the State's focal point, its delegate,
another State's focal point, the secretariat and an anonymous visitor."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from commitments import services
from commitments.models import Commitment, ProgressUpdate, Status
from tests.factories import PreventionStepFactory, ProgressUpdateFactory

pytestmark = pytest.mark.django_db

PERSONAS = ["focal_point_a", "delegate_a", "focal_point_b", "secretariat", "anonymous"]


@pytest.fixture
def as_persona(request, client):
    """Log the client in as the named persona (or not at all) and return the user."""

    def login(name):
        if name == "anonymous":
            return AnonymousUser()
        user = request.getfixturevalue(name)
        client.force_login(user)
        return user

    return login


@pytest.fixture
def update_a(commitment_a):
    return ProgressUpdateFactory(commitment=commitment_a)


def valid_update_post():
    return {
        "reported_on": (timezone.localdate() - datetime.timedelta(days=1)).isoformat(),
        "status": Status.LIMITED,
        "narrative": "Work began.",
        "links-TOTAL_FORMS": "0",
        "links-INITIAL_FORMS": "0",
        "links-MIN_NUM_FORMS": "0",
        "links-MAX_NUM_FORMS": "10",
    }


# (view, method, expected status per persona) on State A's commitment.
# 200 = allowed (a form or page), 302 = allowed and redirected after a valid POST,
# 403 = refused with the templated 403 page, "login" = sent to log in.
EXPECTED = {
    "commitment": {
        "focal_point_a": 200,
        "delegate_a": 200,
        "focal_point_b": 403,
        "secretariat": 200,
        "anonymous": "login",
    },
    "update_create": {
        "focal_point_a": 200,
        "delegate_a": 200,
        "focal_point_b": 403,
        "secretariat": 200,
        "anonymous": "login",
    },
    "update_correct": {
        "focal_point_a": 200,
        "delegate_a": 200,
        "focal_point_b": 403,
        "secretariat": 200,
        "anonymous": "login",
    },
    "update_published": {
        "focal_point_a": 200,
        "delegate_a": 200,
        "focal_point_b": 403,
        "secretariat": 200,
        "anonymous": "login",
    },
}


def url_for(view, commitment, update):
    if view == "commitment":
        return reverse("workspace:commitment", args=[commitment.pk])
    if view == "update_create":
        return reverse("workspace:update_create", args=[commitment.pk])
    if view == "update_correct":
        return reverse("workspace:update_correct", args=[commitment.pk, update.pk])
    return reverse("workspace:update_published", args=[commitment.pk, update.pk])


def assert_outcome(response, expected):
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login") + "?next=")
    elif expected == 403:
        assert response.status_code == 403
        assert "You may not open this page" in response.content.decode()
        assert "You do not act for this State." in response.content.decode()
    else:
        assert response.status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("view", list(EXPECTED))
def test_get_of_state_a_commitment_pages(client, as_persona, commitment_a, update_a, view, persona):
    as_persona(persona)
    response = client.get(url_for(view, commitment_a, update_a))
    assert_outcome(response, EXPECTED[view][persona])


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("focal_point_a", 302),
        ("delegate_a", 302),
        ("focal_point_b", 403),
        ("secretariat", 302),
        ("anonymous", "login"),
    ],
)
@pytest.mark.parametrize("correcting", [False, True], ids=["log", "correct"])
def test_post_progress_then_publish(
    client, as_persona, commitment_a, update_a, persona, expected, correcting
):
    as_persona(persona)
    url = (
        reverse("workspace:update_correct", args=[commitment_a.pk, update_a.pk])
        if correcting
        else reverse("workspace:update_create", args=[commitment_a.pk])
    )
    response = client.post(url, valid_update_post())
    assert_outcome(response, expected)
    if expected == 302:
        publish = client.post(response["Location"], {"action": "publish"})
        assert publish.status_code == 302
        assert ProgressUpdate.objects.count() == 2
    else:
        assert ProgressUpdate.objects.count() == 1


def test_a_draft_preview_of_state_a_is_refused_to_another_states_focal_point(
    client, focal_point_a, focal_point_b, commitment_a
):
    client.force_login(focal_point_a)
    preview_url = client.post(
        reverse("workspace:update_create", args=[commitment_a.pk]), valid_update_post()
    )["Location"]
    client.force_login(focal_point_b)
    assert client.get(preview_url).status_code == 403
    assert client.post(preview_url, {"action": "publish"}).status_code == 403
    assert not ProgressUpdate.objects.exists()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("focal_point_a", 200),
        ("delegate_a", 403),
        ("focal_point_b", 403),
        ("secretariat", 200),
        ("anonymous", "login"),
    ],
)
def test_record_a_commitment_for_state_a(client, as_persona, state_a, persona, expected):
    step = PreventionStepFactory()
    as_persona(persona)
    url = reverse("workspace:commitment_create") + "?state=GHA"
    get = client.get(url)
    if expected == 403:
        assert get.status_code == 403
        assert "You may not open this page" in get.content.decode()
    else:
        assert_outcome(get, expected)
    post = client.post(
        url,
        {
            "state": "GHA",
            "step": step.pk,
            "title": "Pledge",
            "description": "Pledged.",
            "source_kind": "other",
            "source_description": "Somewhere",
            "pledged_on": "2024-01-01",
            "review_interval_days": "180",
            "action": "save",
        },
    )
    if expected == 200:
        assert post.status_code == 302
        assert Commitment.objects.filter(state=state_a).count() == 1
    else:
        assert post.status_code == 302 if expected == "login" else post.status_code == 403
        assert not Commitment.objects.exists()


def test_a_delegate_is_told_only_the_focal_point_records(client, delegate_a):
    client.force_login(delegate_a)
    response = client.get(reverse("workspace:commitment_create"))
    assert response.status_code == 403
    assert "focal point may record its commitments." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("focal_point_a", 403),
        ("delegate_a", 403),
        ("focal_point_b", 403),
        ("secretariat", 200),
        ("anonymous", "login"),
    ],
)
def test_staff_overdue_page(client, as_persona, persona, expected):
    as_persona(persona)
    response = client.get(reverse("workspace:staff_overdue"))
    if expected == 403:
        assert response.status_code == 403
        assert "Only the secretariat" in response.content.decode()
    else:
        assert_outcome(response, expected)


@pytest.mark.parametrize("persona", ["focal_point_a", "delegate_a", "focal_point_b", "secretariat"])
def test_every_logged_in_persona_has_a_home(client, as_persona, persona):
    as_persona(persona)
    assert client.get(reverse("workspace:home")).status_code == 200


def test_an_unknown_commitment_is_a_404_not_a_403(client, focal_point_a):
    client.force_login(focal_point_a)
    response = client.get(reverse("workspace:commitment", args=[999_999]))
    assert response.status_code == 404
    assert "We cannot find this page" in response.content.decode()


def test_a_deactivated_access_loses_the_workspace(client, focal_point_a, commitment_a):
    focal_point_a.state_accesses.update(is_active=False)
    client.force_login(focal_point_a)
    assert client.get(reverse("workspace:commitment", args=[commitment_a.pk])).status_code == 403


# --- The services refuse on their own, whatever surface calls them ---------------------------


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("focal_point_a", True),
        ("delegate_a", False),
        ("focal_point_b", False),
        ("secretariat", True),
        ("anonymous", False),
    ],
)
def test_commitment_create_service(request, state_a, persona, allowed):
    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    kwargs = {
        "user": user,
        "state": state_a,
        "step": PreventionStepFactory(),
        "title": "Pledge",
        "description": "Pledged.",
        "source_kind": "other",
        "source_description": "Somewhere",
        "pledged_on": datetime.date(2024, 1, 1),
    }
    if allowed:
        assert services.commitment_create(**kwargs).state == state_a
    else:
        with pytest.raises(PermissionDenied):
            services.commitment_create(**kwargs)
        assert not Commitment.objects.exists()


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("focal_point_a", True),
        ("delegate_a", True),
        ("focal_point_b", False),
        ("secretariat", True),
        ("anonymous", False),
    ],
)
@pytest.mark.parametrize("correcting", [False, True], ids=["log", "correct"])
def test_progress_update_services(request, commitment_a, update_a, persona, allowed, correcting):
    user = AnonymousUser() if persona == "anonymous" else request.getfixturevalue(persona)
    kwargs = {
        "user": user,
        "commitment": commitment_a,
        "reported_on": timezone.localdate(),
        "narrative": "Done.",
        "corrects": update_a if correcting else None,
    }
    if allowed:
        services.progress_update_check(**kwargs)
        services.progress_update_create(status=Status.COMPLETE, **kwargs)
        assert ProgressUpdate.objects.count() == 2
    else:
        with pytest.raises(PermissionDenied):
            services.progress_update_check(**kwargs)
        with pytest.raises(PermissionDenied):
            services.progress_update_create(status=Status.COMPLETE, **kwargs)
        assert ProgressUpdate.objects.count() == 1
