"""The Content-Security-Policy middleware (config/content_security.py) writes the same headers
as django-csp's own, whatever the response: it only builds the site's policy once."""

import pytest
from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.decorators import csp_exempt, csp_replace, csp_update
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

from config.content_security import CSPMiddleware

REPORT_ONLY = {"DIRECTIVES": {"default-src": ["'none'"], "report-uri": "/csp-reports/"}}


def plain(request):
    return HttpResponse("ok")


def with_nonce(request):
    return HttpResponse(f"<script nonce='{request.csp_nonce}'></script>")


def preset(request):
    response = HttpResponse("ok")
    response[HEADER] = "default-src 'none'"
    return response


def missing(request):
    return HttpResponse("gone", status=404)


VIEWS = {
    "plain": plain,
    "nonce": with_nonce,
    "updated": csp_update({"img-src": ["https://maps.example.org"]})(plain),
    "replaced": csp_replace({"script-src": ["'none'"]})(plain),
    "exempt": csp_exempt()(plain),
    "preset": preset,
    "missing": missing,
}


def headers(middleware_class, view) -> dict:
    request = RequestFactory().get("/api/v1/commitments/")
    middleware = middleware_class(view)
    response = middleware(request)
    return {name: response.get(name) for name in (HEADER, HEADER_REPORT_ONLY)}


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("report_only", [None, REPORT_ONLY])
@pytest.mark.parametrize("view", VIEWS.values(), ids=VIEWS.keys())
def test_the_headers_are_django_csps(settings, view, report_only, debug):
    settings.DEBUG = debug
    settings.CONTENT_SECURITY_POLICY_REPORT_ONLY = report_only
    ours = headers(CSPMiddleware, view)
    assert ours == headers(DjangoCSPMiddleware, view)
    assert ours[HEADER] or view is VIEWS["exempt"] or (debug and view is missing)


def test_a_changed_setting_changes_the_header(settings):
    before = headers(CSPMiddleware, plain)[HEADER]
    settings.CONTENT_SECURITY_POLICY = {"DIRECTIVES": {"default-src": ["'none'"]}}
    assert headers(CSPMiddleware, plain)[HEADER] == "default-src 'none'" != before


def test_an_excluded_prefix_is_django_csps(settings):
    settings.CONTENT_SECURITY_POLICY = {
        **settings.CONTENT_SECURITY_POLICY,
        "EXCLUDE_URL_PREFIXES": ["/api/"],
    }
    assert headers(CSPMiddleware, plain) == headers(DjangoCSPMiddleware, plain)
    assert headers(CSPMiddleware, plain)[HEADER] is None


def test_a_nonce_asked_for_after_the_header_is_an_error():
    request = RequestFactory().get("/")
    CSPMiddleware(plain)(request)
    with pytest.raises(Exception, match="not available after"):
        str(request.csp_nonce)
