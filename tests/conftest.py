"""Shared fixtures: the fixed personas every permission test uses."""

import os

import pytest

from focalpoints.models import StateAccess
from tests.factories import (
    CommitmentFactory,
    MemberStateFactory,
    StateAccessFactory,
    UserFactory,
)

# Playwright's sync API runs an event loop in this thread; Django's ORM must still be usable.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _isolated_cache():
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def state_a(db):
    return MemberStateFactory(code="GHA", name="Ghana", regional_group="african")


@pytest.fixture
def state_b(db):
    return MemberStateFactory(code="DNK", name="Denmark", regional_group="western-european-others")


@pytest.fixture
def focal_point_a(state_a):
    """The focal point of State A."""
    user = UserFactory(username="fp_a")
    StateAccessFactory(user=user, state=state_a, role=StateAccess.Role.FOCAL_POINT)
    return user


@pytest.fixture
def delegate_a(state_a):
    user = UserFactory(username="delegate_a")
    StateAccessFactory(user=user, state=state_a, role=StateAccess.Role.DELEGATE)
    return user


@pytest.fixture
def focal_point_b(state_b):
    """The focal point of another State."""
    user = UserFactory(username="fp_b")
    StateAccessFactory(user=user, state=state_b, role=StateAccess.Role.FOCAL_POINT)
    return user


@pytest.fixture
def secretariat(db):
    return UserFactory(username="secretariat", is_staff=True, is_superuser=True)


@pytest.fixture
def commitment_a(state_a):
    return CommitmentFactory(state=state_a)


@pytest.fixture
def commitment_b(state_b):
    return CommitmentFactory(state=state_b)
