"""Personal API tokens: issue, revoke, and resolve a presented secret to its user.

A token is ``r2p_<prefix>_<secret>``. Only its SHA-256 digest is stored: the secret has 256
bits of entropy, so a plain digest is enough to make a stolen database useless for calling the
API (a slow password hash would only slow every request down). Who may hold a token is asked of
:mod:`focalpoints.permissions`: a user who may act for at least one State, or the secretariat.
"""

import datetime
import hashlib
import logging
import secrets

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from focalpoints.models import ApiToken
from focalpoints.permissions import is_secretariat, is_signed_in, states_for

logger = logging.getLogger(__name__)

TOKEN_PREFIX = "r2p_"  # noqa: S105 (a public marker, not a secret)
# last_used_at is written at most this often per token, so reads do not each cost a write.
LAST_USED_RESOLUTION = datetime.timedelta(minutes=5)


def digest_of(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def may_hold_api_token(user) -> bool:
    """Only users who may act for a State (or the secretariat) can hold a token."""
    if not is_signed_in(user):
        return False
    return is_secretariat(user) or states_for(user).exists()


@transaction.atomic
def api_token_issue(*, user, name: str, issued_by=None) -> tuple[ApiToken, str]:
    """Issue a token for ``user``; return it with the secret (shown once, never stored).

    ``issued_by`` is who asks (the user themself in the workspace, staff in the admin).
    """
    issued_by = issued_by or user
    if issued_by.pk != user.pk and not is_secretariat(issued_by):
        raise PermissionDenied(_("You may issue tokens only for yourself."))
    if not may_hold_api_token(user):
        raise PermissionDenied(_("Only users who act for a State can hold an API token."))
    public = secrets.token_hex(4)
    raw = f"{TOKEN_PREFIX}{public}_{secrets.token_urlsafe(32)}"
    token = ApiToken.objects.create(
        user=user,
        name=(name or "").strip()[:100] or _("API token"),
        prefix=f"{TOKEN_PREFIX}{public}",
        digest=digest_of(raw),
    )
    logger.info(
        "api token issued",
        extra={"token": token.pk, "user": user.pk, "issued_by": issued_by.pk},
    )
    return token, raw


def api_token_revoke(*, token: ApiToken, revoked_by) -> ApiToken:
    """Revoke a token (its holder or the secretariat). Revoking twice changes nothing."""
    if token.user_id != revoked_by.pk and not is_secretariat(revoked_by):
        raise PermissionDenied(_("You may revoke only your own tokens."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        logger.info("api token revoked", extra={"token": token.pk, "revoked_by": revoked_by.pk})
    return token


def api_token_user(raw: str):
    """The active user holding the active token ``raw``, or None.

    A token stops working when it is revoked, when its user is deactivated, and when its user
    no longer acts for any State.
    """
    if not raw or not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.active().select_related("user").filter(digest=digest_of(raw)).first()
    if token is None or not may_hold_api_token(token.user):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
