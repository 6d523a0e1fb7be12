"""Throttles that read their rate at request time (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``),
so the rates can be changed by settings (and by ``override_settings`` in tests). Exceeding a rate
gives ``429`` with ``Retry-After`` (seconds).

Every throttle identifies an anonymous client by :func:`focalpoints.clients.client_ip` — the
peer our own proxies saw (``NUM_PROXIES``), never an address the client wrote into
``X-Forwarded-For`` — so a forged header buys no fresh allowance. The public pages' download
and search limits (:mod:`tracker.limits`) use the same rates table and the same identity.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, SimpleRateThrottle, UserRateThrottle

from focalpoints.clients import client_ip


class _LiveRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request)


class AnonThrottle(_LiveRateMixin, AnonRateThrottle):
    """Anonymous clients, per IP address (scope ``anon``)."""


class UserThrottle(_LiveRateMixin, UserRateThrottle):
    """Authenticated clients, per user (scope ``user``). Anonymous ones are AnonThrottle's."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)


class ClientThrottle(_LiveRateMixin, SimpleRateThrottle):
    """One scope per client address, whoever is logged in: the limit on expensive work
    (full downloads, text search) that the public pages and the API share."""

    def __init__(self, scope: str | None = None):
        if scope is not None:
            self.scope = scope
        super().__init__()

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}


class SearchThrottle(ClientThrottle):
    """``?search=`` on an API list: a text search scans rows, so it counts against the
    client's ``search`` allowance (shared with the public pages' search box)."""

    scope = "search"

    def allow_request(self, request, view):
        if not request.query_params.get("search"):
            return True
        return super().allow_request(request, view)
