"""The Content-Security-Policy headers: django-csp's middleware, with the site's own policy built
once instead of for every response.

django-csp builds both policies (enforced and report-only) from the settings on every response:
0.04–0.08 ms of an API page, measured (docs/performance.md, seventh part). Every response that
neither customises its policy (``@csp_update`` and the other decorators, a nonce asked for) nor
is treated specially (an excluded prefix, an error page under DEBUG, a header already set) gets
the same two strings, so they are built once per pair of settings. Anything else takes
django-csp's own path. tests/test_content_security.py compares the headers with django-csp's.
"""

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings

# What makes a response's policy its own (set by django-csp's decorators).
_PER_RESPONSE = (
    "_csp_config",
    "_csp_update",
    "_csp_replace",
    "_csp_exempt",
    "_csp_config_ro",
    "_csp_update_ro",
    "_csp_replace_ro",
    "_csp_exempt_ro",
)
_DEBUG_PAGES = (404, 500)


class CSPMiddleware(DjangoCSPMiddleware):
    _built: tuple = (None, None, None)

    def _site_policies(self, enforced, report_only) -> tuple[str, str]:
        # Keyed by the settings' objects: override_settings (tests) gives new ones.
        built_for_enforced, built_for_report_only, policies = self._built
        if built_for_enforced is not enforced or built_for_report_only is not report_only:
            policies = (build_policy(), build_policy(report_only=True))
            type(self)._built = (enforced, report_only, policies)
        return policies

    def process_response(self, request, response):
        enforced = getattr(settings, "CONTENT_SECURITY_POLICY", None)
        report_only = getattr(settings, "CONTENT_SECURITY_POLICY_REPORT_ONLY", None)
        if (
            getattr(request, "_csp_nonce", None) is not None
            or any(hasattr(response, name) for name in _PER_RESPONSE)
            or (settings.DEBUG and response.status_code in _DEBUG_PAGES)
            or (enforced or {}).get("EXCLUDE_URL_PREFIXES")
            or (report_only or {}).get("EXCLUDE_URL_PREFIXES")
            or HEADER in response
            or HEADER_REPORT_ONLY in response
        ):
            return super().process_response(request, response)
        policy, policy_report_only = self._site_policies(enforced, report_only)
        if policy:
            response[HEADER] = policy
        if policy_report_only:
            response[HEADER_REPORT_ONLY] = policy_report_only
        # As django-csp does: a nonce asked for after the header is written is an error.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response
