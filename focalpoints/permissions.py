"""Who may do what for which State: the one place every surface (web, API, admin) asks.

Roles:
- secretariat staff (``is_staff``) may act for every State;
- a State's **focal point** may see its workspace, record commitments, log and correct
  progress, and manage its API tokens;
- a State's focal point may also request a revision of its State's pledges (only the
  secretariat revises them, directly or by approving the request);
- a **delegate** may see the workspace and log and correct progress (also by importing a
  spreadsheet of updates), but not pledge new commitments on the State's behalf;
- a State's focal point and its delegates may publish the State's **reply** to an independent
  assessment of one of its commitments (the right of reply is the State's own: the secretariat
  does not reply on a State's behalf, D-10-4);
- an **assessor** is a member of an assessor organisation (``OrganisationMembership``), not a
  focal point: it files assessments for its organisation only, of any State's commitments if
  the organisation is international, of its own country's only if it is national
  (:func:`may_assess`); an organisation that is not yet approved may submit, but nothing it
  submits can be published until the secretariat approves it;
- **moderators** publish, reject or dispute assessments: the secretariat, and the members of an
  approved organisation of kind "secretariat" (:func:`may_moderate`);
- anyone else, including anonymous visitors, may write nothing.
"""

from enum import StrEnum

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from focalpoints.models import MemberState, Organisation, OrganisationMembership, StateAccess


class Action(StrEnum):
    VIEW_WORKSPACE = "view-workspace"
    RECORD_COMMITMENT = "record-commitment"
    LOG_PROGRESS = "log-progress"
    CORRECT_PROGRESS = "correct-progress"
    IMPORT_RECORDS = "import-records"
    # Ask the secretariat to revise a pledge's terms (the secretariat revises and approves).
    REQUEST_REVISION = "request-revision"
    # Publish the State's reply to an independent assessment of one of its commitments.
    REPLY_TO_ASSESSMENT = "reply-to-assessment"


ROLE_ACTIONS: dict[str, frozenset[Action]] = {
    StateAccess.Role.FOCAL_POINT: frozenset(Action),
    StateAccess.Role.DELEGATE: frozenset(
        {
            Action.VIEW_WORKSPACE,
            Action.LOG_PROGRESS,
            Action.CORRECT_PROGRESS,
            Action.IMPORT_RECORDS,
            Action.REPLY_TO_ASSESSMENT,
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


def may_reply(user, state: MemberState | str) -> bool:
    """May ``user`` publish the State's reply to an assessment of its commitments? Its focal
    point and delegates only: the right of reply is the State's, so unlike :func:`can` the
    secretariat's staff role does not grant it (D-10-4)."""
    role = role_for(user, state)
    return role is not None and Action.REPLY_TO_ASSESSMENT in ROLE_ACTIONS[role]


# --- Assessors and moderators -------------------------------------------------------------------


def _organisation_ids(user) -> frozenset[int]:
    """Ids of the organisations the user is an active member of, memoised on the user object
    (one query per request however many rows are checked)."""
    cached = getattr(user, "_organisation_ids", None)
    if cached is None:
        cached = frozenset(
            OrganisationMembership.objects.filter(user=user, is_active=True).values_list(
                "organisation_id", flat=True
            )
        )
        user._organisation_ids = cached
    return cached


def organisations_for(user) -> QuerySet[Organisation]:
    """The organisations the user acts for (approved or not): none for an anonymous or
    inactive account. The secretariat acts for no organisation unless it is a member."""
    if not is_signed_in(user):
        return Organisation.objects.none()
    return Organisation.objects.filter(pk__in=sorted(_organisation_ids(user)))


def is_assessor(user) -> bool:
    """A member of at least one organisation (pending or approved)."""
    return is_signed_in(user) and bool(_organisation_ids(user))


def is_member(user, organisation: Organisation | int) -> bool:
    if not is_signed_in(user):
        return False
    pk = organisation if isinstance(organisation, int) else organisation.pk
    return pk in _organisation_ids(user)


def may_assess(user, organisation: Organisation, state: MemberState | str) -> bool:
    """May ``user`` file (or correct) an assessment for ``organisation`` of a commitment of
    ``state``? A member of the organisation; a national organisation assesses its own country
    only, an international one any State (D-10-3). Approval is not needed to submit, only to
    publish (:func:`may_publish_for`)."""
    if not is_member(user, organisation):
        return False
    code = state if isinstance(state, str) else state.code
    return organisation.country_id is None or organisation.country_id == code


def may_publish_for(organisation: Organisation) -> bool:
    """Can anything the organisation submitted be published? Only once it is approved."""
    return organisation.is_approved


def moderating_organisations():
    """Approved organisations of kind secretariat: their members moderate (SQL form)."""
    return Organisation.objects.filter(
        kind=Organisation.Kind.SECRETARIAT, status=Organisation.Status.APPROVED
    )


def may_moderate(user) -> bool:
    """Publish, reject or dispute assessments: the secretariat's staff, and the members of an
    approved organisation of kind secretariat."""
    if is_secretariat(user):
        return True
    if not is_signed_in(user) or not _organisation_ids(user):
        return False
    cached = getattr(user, "_moderates", None)
    if cached is None:
        cached = moderating_organisations().filter(pk__in=sorted(_organisation_ids(user))).exists()
        user._moderates = cached
    return cached


def may_dispute(user) -> bool:
    """Mark a published assessment "disputed by the secretariat": the secretariat (and the
    moderators who act as it)."""
    return may_moderate(user)


def may_see_draft(user, organisation: Organisation | int) -> bool:
    """May ``user`` see an organisation's draft assessments? Its members only: not the
    moderators (a draft is not submitted), not the State, not the public (D-10-60). Editing,
    submitting and discarding one also need :func:`may_assess` for its commitment's State."""
    return is_member(user, organisation)


def may_see_unpublished(user, organisation: Organisation | int) -> bool:
    """May ``user`` see an organisation's assessments before (or instead of) publication —
    submitted ones and rejected ones with the reason? Its members and the moderators only;
    not the State concerned, not the public."""
    return is_member(user, organisation) or may_moderate(user)
