"""/healthz: liveness and database readiness for load balancers and container health checks.

Answered by :class:`HealthCheckMiddleware`, first in the stack, before the host check and the
HTTPS redirect: the container health check calls ``http://127.0.0.1:8000/healthz`` from inside
the container (plain HTTP, a host that is not a public name), and must get the truth about the
process and its database, not a 400 for the host or a 301 to HTTPS. It says nothing private.
"""

from django.db import connection
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

HEALTH_PATH = "/healthz"


def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any database failure means "not ready"
        response = JsonResponse({"status": "error", "database": type(exc).__name__}, status=503)
    else:
        response = JsonResponse({"status": "ok", "database": "ok"})
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """Answer ``GET``/``HEAD /healthz`` before any other middleware runs."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path_info == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
