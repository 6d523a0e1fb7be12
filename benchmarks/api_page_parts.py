"""Where a mirror page's time goes (docs/performance.md, issue 16): a 100-row cursor page of
``commitments/`` or ``progress-updates/`` served in process through the whole WSGI stack, as
deployed (``APP_ENV=production``, every middleware, rate limits off), with a timer around each
part of ``tracker/api/mirror.py``; then the framework's own floor — a constant response through
the same middleware, and through DRF with the list's own authentication, permissions,
throttles and negotiation — and the bare handler of ``make bench-api`` for comparison.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2p_bench \\
        .venv/bin/python benchmarks/api_page_parts.py [--runs 500]

Timers add a little time of their own to each part; compare parts with each other and the
totals with ``benchmarks/api_lists.py``.
"""

import argparse
import base64
import collections
import json
import os
import sys
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]
from bench_environment import PROJECT_ENVIRONMENT  # noqa: E402

os.environ.update(PROJECT_ENVIRONMENT)

import warnings  # noqa: E402

warnings.filterwarnings("ignore", message="No directory at")

from config.wsgi import application  # noqa: E402 - as deployed (D-16-31)

# isort: split

from django.http import HttpResponse  # noqa: E402
from django.urls import clear_url_caches, path  # noqa: E402

from config import urls  # noqa: E402
from tracker.api import mirror, views  # noqa: E402

SPENT: dict[str, float] = collections.defaultdict(float)


def timed(name, function):
    def wrapper(*args, **kwargs):
        started = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[name] += time.perf_counter() - started

    return wrapper


def instrument() -> None:
    statement = mirror.KeysetStatement
    statement.fetch = timed("rows' statement (execute, fetch)", statement.fetch)
    statement.make_rows = timed("row objects", statement.make_rows)
    for source in (views.COMMITMENT_SOURCE, views.UPDATE_SOURCE):
        finish = timed("finishing rows (JSON arrays, sorting)", source.finish)
        object.__setattr__(source, "finish", finish)  # a frozen dataclass
    statement.outputs = timed("row encoding (every row)", statement.outputs)
    views.ConditionalReadMixin._validators = timed(
        "validators (health check, versions)", views.ConditionalReadMixin._validators
    )
    mirror.cursor_link = timed("next link", mirror.cursor_link)
    mirror.decode_cursor = timed("cursor decoding", mirror.decode_cursor)
    mirror.page = timed("mirror page, all parts", mirror.page)


class ConstantList(views.ProgressUpdateViewSet):
    def list(self, request, *args, **kwargs):
        return HttpResponse(b"{}", content_type="application/json")


def constant(request):
    return HttpResponse(b"{}", content_type="application/json")


def call(path_info: str, query: str = "") -> bytes:
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path_info,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.input": BytesIO(b""),
        "wsgi.url_scheme": "http",
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    return b"".join(application(environ, lambda status, headers: None))


def cursor(key: int) -> str:
    raw = json.dumps({"o": ["id"], "v": [key]}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def per_request(function, runs: int) -> float:
    function(0)
    started = time.perf_counter()
    for run in range(runs):
        function(run)
    return (time.perf_counter() - started) / runs * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=500)
    runs = parser.parse_args().runs
    print(f"load average {os.getloadavg()[0]:.2f}; {runs} requests each")

    urls.urlpatterns[:0] = [
        path("bench-constant/", constant),
        path("bench-constant-drf/", ConstantList.as_view({"get": "list"})),
    ]
    clear_url_caches()
    floor = per_request(lambda _: call("/bench-constant/"), runs)
    print(f"  constant, middleware only          {floor:7.3f} ms")
    drf = per_request(lambda _: call("/bench-constant-drf/", f"cursor={cursor(1)}"), runs)
    print(f"  constant, middleware + DRF         {drf:7.3f} ms")

    from bench_apps import bare  # the reference handler (psycopg and orjson, no framework)

    instrument()
    for resource in ("commitments", "progress-updates"):

        def page(run, resource=resource):
            return call(f"/api/v1/{resource}/", f"page_size=100&cursor={cursor(1 + run * 37)}")

        def bare_page(run, resource=resource):
            environ = {"PATH_INFO": f"/{resource}", "QUERY_STRING": f"after={1 + run * 37}"}
            return b"".join(bare(environ, lambda status, headers: None))

        page(0)
        SPENT.clear()
        total = per_request(page, runs)
        print(f"{resource}: cursor page of 100, whole request {total:.3f} ms")
        for name, seconds in sorted(SPENT.items(), key=lambda item: -item[1]):
            print(f"  {name:38s} {seconds / runs * 1000:7.3f} ms")
        print(f"  bare handler, whole request          {per_request(bare_page, runs):7.3f} ms")


if __name__ == "__main__":
    main()
