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

from focalpoints.clients import client_ip, window_hit
from tracker.api.streaming import wants_stream


class _LiveRateMixin:
    """Live rates, the real client address, and an atomic count.

    DRF's own throttles read a list of timestamps from the cache, append and write it back: two
    web processes answering the same client at once both read the same list, and both let the
    request through. Here each request is one atomic ``INCR`` of a counter per client and fixed
    window (``cache.incr`` is Redis' INCR in production), so the limit holds exactly however
    many processes share the cache. ``Retry-After`` is the time left in the window.
    """

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_ident(self, request):
        return client_ip(request)

    def allow_request(self, request, view):
        if self.rate is None:
            return True
        self.key = self.get_cache_key(request, view)
        if self.key is None:
            return True
        allowed, self.retry_after = window_hit(self.key, self.num_requests, self.duration)
        return allowed

    def wait(self):
        return self.retry_after


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


class DownloadThrottle(ClientThrottle):
    """A whole list streamed as CSV or JSON Lines counts against the client's ``downloads``
    allowance, shared with the public pages' full CSV downloads and the open-data zip."""

    scope = "downloads"

    def allow_request(self, request, view):
        if not wants_stream(request):
            return True
        return super().allow_request(request, view)
