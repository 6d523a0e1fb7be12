"""Throttles that read their rate at request time (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``),
so the rates can be changed by settings (and by ``override_settings`` in tests). Exceeding a rate
gives ``429`` with ``Retry-After`` (seconds)."""

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


class _LiveRateMixin:
    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)


class AnonThrottle(_LiveRateMixin, AnonRateThrottle):
    """Anonymous clients, per IP address (scope ``anon``)."""


class UserThrottle(_LiveRateMixin, UserRateThrottle):
    """Authenticated clients, per user (scope ``user``). Anonymous ones are AnonThrottle's."""

    def get_cache_key(self, request, view):
        if not (request.user and request.user.is_authenticated):
            return None
        return super().get_cache_key(request, view)
