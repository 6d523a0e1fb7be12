"""The permission matrix of focalpoints.permissions: role × State × action."""

import pytest
from django.contrib.auth.models import AnonymousUser

from focalpoints.models import StateAccess
from focalpoints.permissions import (
    Action,
    can,
    is_secretariat,
    may_import,
    role_for,
    states_for,
)
from tests.factories import StateAccessFactory, UserFactory

pytestmark = pytest.mark.django_db

ALL_ACTIONS = list(Action)
# A delegate reports (also by importing a spreadsheet of updates) but never pledges.
DELEGATE_ACTIONS = {
    Action.VIEW_WORKSPACE,
    Action.LOG_PROGRESS,
    Action.CORRECT_PROGRESS,
    Action.IMPORT_RECORDS,
    Action.REPLY_TO_ASSESSMENT,
}


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_a_focal_point_may_do_everything_for_its_state(focal_point_a, state_a, action):
    assert can(focal_point_a, action, state_a)
    assert can(focal_point_a, action, state_a.code)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_a_delegate_may_report_but_not_pledge(delegate_a, state_a, action):
    assert can(delegate_a, action, state_a) is (action in DELEGATE_ACTIONS)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_a_focal_point_of_another_state_may_do_nothing(focal_point_b, state_a, action):
    assert not can(focal_point_b, action, state_a)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_the_secretariat_may_do_everything_for_every_state(secretariat, state_a, state_b, action):
    assert can(secretariat, action, state_a)
    assert can(secretariat, action, state_b)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_an_anonymous_visitor_may_do_nothing(state_a, action):
    assert not can(AnonymousUser(), action, state_a)
    assert not can(None, action, state_a)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_a_deactivated_access_grants_nothing(focal_point_a, state_a, action):
    StateAccess.objects.filter(user=focal_point_a).update(is_active=False)
    focal_point_a = type(focal_point_a).objects.get(pk=focal_point_a.pk)  # no memoised roles
    assert not can(focal_point_a, action, state_a)


@pytest.mark.parametrize("action", ALL_ACTIONS)
def test_a_deactivated_account_may_do_nothing(focal_point_a, secretariat, state_a, action):
    focal_point_a.is_active = False
    secretariat.is_active = False
    assert not can(focal_point_a, action, state_a)
    assert not can(secretariat, action, state_a)


def test_a_user_with_two_states_acts_in_each_with_its_role(state_a, state_b):
    user = UserFactory(username="both")
    StateAccessFactory(user=user, state=state_a, role=StateAccess.Role.FOCAL_POINT)
    StateAccessFactory(user=user, state=state_b, role=StateAccess.Role.DELEGATE)
    assert can(user, Action.RECORD_COMMITMENT, state_a)
    assert not can(user, Action.RECORD_COMMITMENT, state_b)
    assert can(user, Action.LOG_PROGRESS, state_b)
    assert role_for(user, state_b) == StateAccess.Role.DELEGATE
    assert set(states_for(user)) == {state_a, state_b}


def test_states_for_each_persona(focal_point_a, delegate_a, focal_point_b, secretariat, state_a):
    assert list(states_for(focal_point_a)) == [state_a]
    assert list(states_for(delegate_a)) == [state_a]
    assert state_a not in states_for(focal_point_b)
    assert set(states_for(secretariat)) >= {state_a}
    assert not states_for(AnonymousUser()).exists()


def test_only_active_staff_are_secretariat(secretariat, focal_point_a):
    assert is_secretariat(secretariat)
    assert not is_secretariat(focal_point_a)
    assert not is_secretariat(AnonymousUser())


def test_roles_are_read_once_per_request(
    focal_point_a, state_a, state_b, django_assert_num_queries
):
    with django_assert_num_queries(1):
        for action in ALL_ACTIONS:
            can(focal_point_a, action, state_a)
            can(focal_point_a, action, state_b)


# --- One secretariat rule, in Python and in SQL; one is-active rule -----------------------------


def test_who_is_secretariat_is_the_same_in_python_and_sql(db):
    from focalpoints.permissions import is_secretariat, secretariat_users
    from tests.factories import UserFactory

    users = [
        UserFactory(username="staff", is_staff=True),
        UserFactory(username="staff_inactive", is_staff=True, is_active=False),
        UserFactory(username="plain"),
        UserFactory(username="superuser_not_staff", is_superuser=True),
    ]
    assert (
        set(secretariat_users().values_list("username", flat=True))
        == {user.username for user in users if is_secretariat(user)}
        == {"staff"}
    )


def test_an_inactive_focal_point_has_no_role_and_may_do_nothing(focal_point_a, state_a):
    from focalpoints.permissions import Action, can, role_for, states_for

    focal_point_a.is_active = False
    assert role_for(focal_point_a, state_a) is None
    assert not can(focal_point_a, Action.LOG_PROGRESS, state_a)
    assert not states_for(focal_point_a).exists()


def test_who_may_upload_an_import(focal_point_a, delegate_a, secretariat, django_user_model):
    nobody = django_user_model.objects.create_user("nobody", password="x")
    assert may_import(focal_point_a) and may_import(delegate_a) and may_import(secretariat)
    assert not may_import(nobody)
    assert not may_import(AnonymousUser())
