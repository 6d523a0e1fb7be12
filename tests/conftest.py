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


# --- Assessors (issue 10): organisations and their members ----------------------------------


@pytest.fixture
def organisation_a(db):
    """An approved international civil-society organisation (may assess any State)."""
    from tests.factories import OrganisationFactory

    return OrganisationFactory(name="Watch International")


@pytest.fixture
def assessor_a(organisation_a):
    """A member of organisation A."""
    from tests.factories import OrganisationMembershipFactory

    user = UserFactory(username="assessor_a")
    OrganisationMembershipFactory(user=user, organisation=organisation_a)
    return user


@pytest.fixture
def assessor_pending(db):
    """A member of an organisation the secretariat has not approved yet."""
    from tests.factories import OrganisationFactory, OrganisationMembershipFactory

    user = UserFactory(username="assessor_pending")
    organisation = OrganisationFactory(name="New Monitor", pending=True)
    OrganisationMembershipFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def assessor_national_b(state_b):
    """A member of an approved national organisation of State B (assesses only State B)."""
    from focalpoints.models import Organisation
    from tests.factories import OrganisationFactory, OrganisationMembershipFactory

    user = UserFactory(username="assessor_nhri_b")
    organisation = OrganisationFactory(
        name="Human Rights Institute B", kind=Organisation.Kind.NHRI, country=state_b
    )
    OrganisationMembershipFactory(user=user, organisation=organisation)
    return user


@pytest.fixture
def secretariat_org_member(db):
    """A member of an approved organisation of kind secretariat: moderates, is not staff."""
    from focalpoints.models import Organisation
    from tests.factories import OrganisationFactory, OrganisationMembershipFactory

    user = UserFactory(username="secretariat_org_member")
    organisation = OrganisationFactory(
        name="Joint Office Secretariat", kind=Organisation.Kind.SECRETARIAT
    )
    OrganisationMembershipFactory(user=user, organisation=organisation)
    return user


def organisation_of(user):
    """The (first) organisation a test assessor acts for."""
    from focalpoints.permissions import organisations_for

    return organisations_for(user).first()
