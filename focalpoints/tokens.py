"""Personal API tokens: issue, renew, revoke, and resolve a presented secret to its token.

A token is ``r2p_<prefix>_<secret>``. Only its SHA-256 digest is stored: the secret has 256
bits of entropy, so a plain digest is enough to make a stolen database useless for calling the
API (a slow password hash would only slow every request down). Who may hold a token is asked of
:mod:`focalpoints.permissions`: a user who may act for at least one State, the secretariat, or
an assessor (a member of an organisation).

Every token expires ``API_TOKEN_LIFETIME_DAYS`` after it is issued or last renewed; it may be
limited to one of its holder's States (:func:`token_allows_state`, asked by every write made
with it); it records who issued it (the holder, or staff on the holder's behalf). An assessor's
token acts for one of the holder's organisations and for no State
(:func:`token_allows_organisation`): it submits that organisation's assessments and nothing else,
and a token without an organisation never submits assessments (D-10-20).
"""

import datetime
import hashlib
import logging
import secrets

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from focalpoints.models import ApiToken, MemberState, Organisation
from focalpoints.permissions import (
    is_assessor,
    is_member,
    is_secretariat,
    is_signed_in,
    organisations_for,
    states_for,
)

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "r2p_"  # noqa: S105 (a public marker, not a secret)
# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_LIFETIME_DAYS)


def may_hold_api_token(user) -> bool:
    """Only users who may act for a State or an organisation (or the secretariat) can hold a
    token."""
    if not is_signed_in(user):
        return False
    return is_secretariat(user) or states_for(user).exists() or is_assessor(user)


def token_states(user):
    """The States a token of ``user`` may be limited to: those the user acts for (every State
    for the secretariat)."""
    return MemberState.objects.all() if is_secretariat(user) else states_for(user)


def token_organisations(user):
    """The organisations a token of ``user`` may act for: those the user is a member of."""
    return organisations_for(user)


def token_allows_state(token: ApiToken | None, state_code: str) -> bool:
    """Whether a write for ``state_code`` may be made with ``token`` (None: not a token
    request). What the holder may do is still asked of the permissions; this only narrows.
    An organisation's token acts for no State."""
    if token is None:
        return True
    if token.organisation_id is not None:
        return False
    return token.state_id is None or token.state_id == state_code


def token_allows_organisation(token: ApiToken | None, organisation: Organisation) -> bool:
    """Whether an assessment of ``organisation`` may be submitted with ``token`` (None: not a
    token request): only with a token issued for that organisation. Membership is still asked
    of the permissions by the service; this only narrows."""
    return token is None or token.organisation_id == organisation.pk


@transaction.atomic
def api_token_issue(
    *,
    user,
    name: str,
    issued_by=None,
    state: MemberState | None = None,
    organisation: Organisation | None = None,
) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; return it with the secret (shown once, never stored).

    ``issued_by`` is who asks (the user themself in the workspace, staff in the admin); it is
    recorded. ``state`` limits the token to one of the States the user acts for;
    ``organisation`` makes it an assessor's token for one of the user's organisations.
    """
    issued_by = issued_by or user
    if issued_by.pk != user.pk and not is_secretariat(issued_by):
        raise PermissionDenied(_("You may issue tokens only for yourself."))
    if not may_hold_api_token(user):
        raise PermissionDenied(
            _("Only users who act for a State or an organisation can hold an API token.")
        )
    if state is not None and organisation is not None:
        raise PermissionDenied(_("A token acts for a State or an organisation, not both."))
    if state is not None and not token_states(user).filter(pk=state.pk).exists():
        raise PermissionDenied(
            _("%(user)s does not act for %(state)s.") % {"user": user, "state": state}
        )
    if organisation is not None and not is_member(user, organisation):
        raise PermissionDenied(
            _("%(user)s is not a member of %(organisation)s.")
            % {"user": user, "organisation": organisation}
        )
    public = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or _("API token"),
        prefix=f"{TOKEN_PREFIX}{public}",
        digest=digest_of(raw),
        state=state,
        organisation=organisation,
        issued_by=issued_by,
        expires_at=timezone.now() + token_lifetime(),
    )
    logger.info(
        "api token issued",
        extra={
            "token": token.pk,
            "user": user.pk,
            "issued_by": issued_by.pk,
            "state": getattr(state, "pk", None),
            "organisation": getattr(organisation, "pk", None),
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, raw


def _authorise_holder_or_staff(token: ApiToken, actor, message: str) -> None:
    if token.user_id != actor.pk and not is_secretariat(actor):
        raise PermissionDenied(message)


def api_token_renew(*, token: ApiToken, renewed_by) -> ApiToken:
    """Extend a token (its holder or the secretariat) to a full lifetime from now. An expired
    token can be renewed (the same secret works again); a revoked one cannot."""
    _authorise_holder_or_staff(token, renewed_by, _("You may renew only your own tokens."))
    if token.revoked_at is not None:
        raise PermissionDenied(_("A revoked token cannot be renewed: issue a new one."))
    now = timezone.now()
    token.expires_at = now + token_lifetime()
    token.renewed_at = now
    token.save(update_fields=["expires_at", "renewed_at"])
    logger.info(
        "api token renewed",
        extra={
            "token": token.pk,
            "renewed_by": renewed_by.pk,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token


def api_token_revoke(*, token: ApiToken, revoked_by) -> ApiToken:
    """Revoke a token (its holder or the secretariat). Revoking twice changes nothing."""
    _authorise_holder_or_staff(token, revoked_by, _("You may revoke only your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("api token revoked", extra={"token": token.pk, "revoked_by": revoked_by.pk})
    return token


def api_token_for(raw: str) -> ApiToken | None:
    """The working token ``raw`` (its user loaded), or None.

    A token stops working when it is revoked, when it expires, when its user is deactivated,
    when its user no longer acts for any State or organisation, and — an organisation's token —
    when its user is no longer a member of that organisation.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    now = timezone.now()
    token = (
        ApiToken.objects.active(now).select_related("user").filter(digest=digest_of(raw)).first()
    )
    if token is None or not may_hold_api_token(token.user):
        return None
    if token.organisation_id is not None and not is_member(token.user, token.organisation_id):
        return None
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
