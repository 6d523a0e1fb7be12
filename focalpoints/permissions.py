"""Who may do what for which State: the one place every surface (web, API, admin) asks.

Roles:
- secretariat staff (``is_staff``) may act for every State;
- a State's **focal point** may see its workspace, record commitments, log and correct
  progress, and manage its API tokens;
- a State's focal point may also request a revision of its State's pledges (only the
  secretariat revises them, directly or by approving the request);
- a **delegate** may see the workspace and log and correct progress (also by importing a
  spreadsheet of updates), but not pledge new commitments on the State's behalf;
- anyone else, including anonymous visitors, may write nothing.
"""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from focalpoints.models import MemberState, StateAccess


class Action(StrEnum):
    VIEW_WORKSPACE = "view-workspace"
    RECORD_COMMITMENT = "record-commitment"
    LOG_PROGRESS = "log-progress"
    CORRECT_PROGRESS = "correct-progress"
    IMPORT_RECORDS = "import-records"
    # Ask the secretariat to revise a pledge's terms (the secretariat revises and approves).
    REQUEST_REVISION = "request-revision"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    StateAccess.Role.FOCAL_POINT: frozenset(Action),
    StateAccess.Role.DELEGATE: frozenset(
        {
            Action.VIEW_WORKSPACE,
            Action.LOG_PROGRESS,
            Action.CORRECT_PROGRESS,
            Action.IMPORT_RECORDS,
        }
    ),
}


def _roles_by_state(user) -> dict[str, str]:
    """State code -> role for the user's active accesses, memoised on the user object so a
    request asks the database once however many rows it checks."""
    cached = getattr(user, "_state_roles", None)
    if cached is None:
        cached = dict(
            StateAccess.objects.filter(user=user, is_active=True).values_list("state_id", "role")
        )
        user._state_roles = cached
    return cached


def is_signed_in(user) -> bool:
    """An authenticated account that is still active: nobody else may act for anyone."""
    return bool(user is not None and user.is_authenticated and user.is_active)


def is_secretariat(user) -> bool:
    """The secretariat is every active staff account (:func:`secretariat_users` in SQL)."""
    return is_signed_in(user) and user.is_staff


def secretariat_users():
    """The SQL form of :func:`is_secretariat` (who receives escalations, who is listed as
    staff); tests hold the two to the same answer."""
    return get_user_model().objects.filter(is_staff=True, is_active=True)


def can(user, action: Action, state: MemberState | str) -> bool:
    """May ``user`` perform ``action`` for ``state`` (an instance or its code)?"""
    if is_secretariat(user):
        return True
    role = role_for(user, state)
    return role is not None and action in ROLE_ACTIONS[role]


def role_for(user, state: MemberState | str) -> str | None:
    """The user's role for ``state`` (focal point or delegate), or None — also for an inactive
    or anonymous user, whatever accesses they hold."""
    if not is_signed_in(user):
        return None
    code = state if isinstance(state, str) else state.code
    return _roles_by_state(user).get(code)


def states_for(user) -> QuerySet[MemberState]:
    """The States the user acts for (every State for the secretariat)."""
    if is_secretariat(user):
        return MemberState.objects.all()
    if not is_signed_in(user):
        return MemberState.objects.none()
    return MemberState.objects.filter(code__in=list(_roles_by_state(user)))


def may_import(user) -> bool:
    """May the user upload spreadsheets at all? The secretariat, and whoever may import for
    some State (each row is then checked for its own State by the services)."""
    if is_secretariat(user):
        return True
    roles = _roles_by_state(user).values() if is_signed_in(user) else ()
    return any(Action.IMPORT_RECORDS in ROLE_ACTIONS[role] for role in roles)
