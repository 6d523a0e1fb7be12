"""Time the open data API against a bare Django view serving the same rows (raw SQL + JSON),
in the same process and run, with django.test.Client: no web server, no network, both through
the full middleware stack.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2p_api_bench \\
        .venv/bin/python benchmarks/api.py --runs 200

Load the data first: migrate, load_reference_data, seed_demo --scale 20000.

Reports the median and 95th percentile of each request and the query count, and the API's
throughput as a ratio of the baseline's for the 100-item commitments page (target >= 0.5;
the API's median must also stay under 50 ms). Requests cycle through pages spread over the
whole table, the same sequence for both, so neither is timed on one hot page.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.serializers.json import DjangoJSONEncoder  # noqa: E402
from django.db import connection  # noqa: E402
from django.http import HttpResponse, JsonResponse  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import include, path  # noqa: E402

from commitments.models import Commitment  # noqa: E402

# --- The baseline: what a hand-written endpoint would do -------------------------------------

# The columns come from the one declaration of what is public (Commitment.PUBLIC_FIELDS), named
# as the API names them; the step is shown by its code, and the State's group and the step's
# level are joined as the API does.
_API_NAMES = {"state": "member_state"}
_SQL_FOR = {"step": "st.code"}
_STORED = [
    name for name in Commitment.PUBLIC_FIELDS if not Commitment._meta.get_field(name).many_to_many
]
COLUMNS = [_API_NAMES.get(name, name) for name in _STORED] + ["regional_group", "level"]
_SELECT = [
    _SQL_FOR.get(name, "c." + Commitment._meta.get_field(name).column) for name in _STORED
] + ["s.regional_group", "st.level"]
PAGE_SQL = (
    "SELECT "
    + ", ".join(_SELECT)
    + """
FROM commitments_commitment c
JOIN focalpoints_memberstate s ON s.code = c.state_id
JOIN commitments_preventionstep st ON st.id = c.step_id
ORDER BY c.id LIMIT %s OFFSET %s
"""
)


# The same page, paging through the keys alone first (what the API does).
DEFERRED_PAGE_SQL = PAGE_SQL.replace(
    "ORDER BY c.id LIMIT %s OFFSET %s",
    "WHERE c.id IN (SELECT id FROM commitments_commitment ORDER BY id LIMIT %s OFFSET %s)"
    " ORDER BY c.id",
)


def baseline_commitments(request):
    """Raw SQL and json.dumps: the count, the page, and its channels and resolutions."""
    size = int(request.GET.get("page_size", 100))
    page = int(request.GET.get("page", 1))
    sql = DEFERRED_PAGE_SQL if request.GET.get("deferred") else PAGE_SQL
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM commitments_commitment")
        (count,) = cursor.fetchone()
        cursor.execute(sql, [size, (page - 1) * size])
        rows = [dict(zip(COLUMNS, row, strict=True)) for row in cursor.fetchall()]
        ids = [row["id"] for row in rows]
        for row in rows:
            row["channels"], row["resolutions"] = [], []
        by_id = {row["id"]: row for row in rows}
        if ids:
            marks = ", ".join(["%s"] * len(ids))  # placeholders only: values go as parameters
            channels_sql = (
                "SELECT commitment_id, scrutinychannel_id FROM commitments_commitment_channels"  # noqa: S608
                " WHERE commitment_id IN (" + marks + ")"
            )
            resolutions_sql = (
                "SELECT commitment_id, resolution_id FROM commitments_commitment_resolutions"  # noqa: S608
                " WHERE commitment_id IN (" + marks + ")"
            )
            cursor.execute(channels_sql, ids)
            for commitment_id, code in cursor.fetchall():
                by_id[commitment_id]["channels"].append(code)
            cursor.execute(resolutions_sql, ids)
            for commitment_id, resolution_id in cursor.fetchall():
                by_id[commitment_id]["resolutions"].append(resolution_id)
    body = {"count": count, "results": rows}
    return HttpResponse(json.dumps(body, cls=DjangoJSONEncoder), content_type="application/json")


def baseline_health(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("baseline/commitments/", baseline_commitments),
    path("baseline/nothing/", baseline_health),
    path("", include(settings.ROOT_URLCONF)),
]


# --- Timing ----------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def timed(client, path, **headers):
    start = time.perf_counter()
    response = client.get(path, **headers)
    elapsed = (time.perf_counter() - start) * 1000
    assert response.status_code in (200, 304), (path, response.status_code, response.content[:300])
    return elapsed


def measure(client, paths, runs, warmup, **headers):
    for index in range(warmup):
        timed(client, paths[index % len(paths)], **headers)
    times = [timed(client, paths[index % len(paths)], **headers) for index in range(runs)]
    # Queries counted on one more request, outside the timed ones (logging them costs time).
    with CaptureQueriesContext(connection) as captured:
        timed(client, paths[0], **headers)
    return statistics.median(times), percentile(times, 0.95), len(captured)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the results as JSON too")
    args = parser.parse_args()

    total = Commitment.objects.count()
    pages = max(1, total // 100)
    spread = [1 + (i * 37) % pages for i in range(50)]  # 50 pages over the whole table
    engine = connection.vendor
    print(
        f"{engine}: {total} commitments; {args.runs} timed requests each (+{args.warmup} warm-up)"
    )

    rates = {"anon": "1000000/minute", "user": "1000000/minute"}
    rest = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    results = {}
    with override_settings(ROOT_URLCONF=__name__, REST_FRAMEWORK=rest):
        client = Client(HTTP_HOST="127.0.0.1")
        cases = [
            ("baseline: raw SQL + JSON, 100 commitments", "/baseline/commitments/?page={p}"),
            ("API /api/v1/commitments/, 100 per page", "/api/v1/commitments/?page={p}"),
            (
                "baseline with the API's deferred join",
                "/baseline/commitments/?page={p}&deferred=1",
            ),
            ("API same page as CSV", "/api/v1/commitments/?page={p}&format=csv"),
            (
                "API filtered: regional_group + status",
                "/api/v1/commitments/?page=1&regional_group=african&status=limited",
            ),
            ("API /api/v1/progress-updates/, 100 per page", "/api/v1/progress-updates/?page={p}"),
            (
                "API /api/v1/member-states/, all (page_size=500)",
                "/api/v1/member-states/?page_size=500",
            ),
            ("API /api/v1/stats/", "/api/v1/stats/"),
            ("baseline: empty JSON view (stack overhead)", "/baseline/nothing/"),
        ]
        for name, template in cases:
            paths = [template.format(p=p) for p in spread]
            results[name] = measure(client, paths, args.runs, args.warmup)
        # Conditional GET: the client already has the page.
        etags = {
            p: client.get(f"/api/v1/commitments/?page={p}", HTTP_HOST="127.0.0.1")["ETag"]
            for p in spread[:1]
        }
        path = f"/api/v1/commitments/?page={spread[0]}"
        results["API 304 Not Modified (If-None-Match)"] = measure(
            client, [path], args.runs, args.warmup, HTTP_IF_NONE_MATCH=etags[spread[0]]
        )

    width = max(len(name) for name in results)
    print(f"{'request'.ljust(width)}  median ms   p95 ms  queries")
    for name, (median, p95, queries) in results.items():
        print(f"{name.ljust(width)}  {median:9.2f} {p95:8.2f} {queries:8d}")
    base = results["baseline: raw SQL + JSON, 100 commitments"][0]
    ours = results["API /api/v1/commitments/, 100 per page"][0]
    ratio = base / ours
    best = results["baseline with the API's deferred join"][0] / ours
    print(f"\nAPI throughput / baseline throughput (100-item commitments page): {ratio:.2f}")
    print(f"API throughput / deferred-join baseline throughput: {best:.2f}")
    print(f"API median {ours:.2f} ms (target < 50 ms): {'OK' if ours < 50 else 'OVER'}")
    print(f"ratio target >= 0.5: {'OK' if ratio >= 0.5 else 'UNDER'}")
    if args.json:
        print(json.dumps({k: list(v) for k, v in results.items()} | {"ratio": ratio, "best": best}))
    return 0 if ours < 50 and ratio >= 0.5 else 1


if __name__ == "__main__":
    sys.exit(main())
