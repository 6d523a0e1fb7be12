"""``Authorization: Bearer r2p_...`` (or ``Token r2p_...``) -> the token's user, with the token
itself as ``request.auth`` (writes record which token made them, and obey its State limit).

Tokens are issued and revoked in the workspace and the admin (:mod:`focalpoints.tokens`);
only their digest is stored. A missing header means anonymous; a wrong, expired, revoked or orphaned
token is refused with 401 rather than silently treated as anonymous.
"""

from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header

from focalpoints.tokens import api_token_for

KEYWORDS = (b"bearer", b"token")


class ApiTokenAuthentication(BaseAuthentication):
    def authenticate(self, request):
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() not in KEYWORDS:
            return None
        if len(parts) != 2:
            raise exceptions.AuthenticationFailed(
                _("Malformed Authorization header: use 'Bearer <token>'.")
            )
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token.")) from exc
        token = api_token_for(raw)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid, expired or revoked token."))
        return (token.user, token)  # request.auth is the token: writes record and obey it

    def authenticate_header(self, request):
        return 'Bearer realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = "tracker.api.authentication.ApiTokenAuthentication"
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": (
                "A personal API token (`r2p_...`), issued in the workspace under 'API tokens'. "
                "Needed only to post progress updates; reads are anonymous."
            ),
        }
