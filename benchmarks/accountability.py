"""Time the accountability dashboard and the reporting-cycle view (and their API figures)
against the configured database, in-process with django.test.Client, and check them against
the budget: median under 150 ms with the cache warm, under 1 s cold (the first visitor after a
change). With --explain, print the PostgreSQL plans of the queries the cold figures run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2p_bench \\
        .venv/bin/python benchmarks/accountability.py --runs 30 --explain

Load the data first: migrate, load_reference_data, seed_demo --scale 20000. Exits 1 when a
page is over budget.
"""

import argparse
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
from django.core.cache import cache  # noqa: E402
from django.db import connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402

from commitments.models import Commitment, ProgressUpdate  # noqa: E402

PAGES = [
    "/accountability/",
    "/reporting/",
    "/reporting/?period={year}",
    "/reporting/?period={year}-Q2",
    "/reporting/?start={previous}-07-01&end={year}-06-30",
    "/commitments/?basis=legal&overdue=true",
    "/api/v1/stats/",
    "/",
]
WARM_BUDGET_MS = 150
COLD_BUDGET_MS = 1000


def timed_get(client: Client, path: str) -> tuple[float, int, int]:
    reset_queries()
    start = time.perf_counter()
    response = client.get(path)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, response.status_code, len(connection.queries)


def explain(client: Client, path: str) -> None:
    """The plan of every query a cold request runs (EXPLAIN ANALYZE, PostgreSQL only)."""
    cache.clear()
    reset_queries()
    client.get(path)
    for query in list(connection.queries):
        sql = query["sql"]
        if not sql.lstrip().upper().startswith("SELECT"):
            continue
        with connection.cursor() as cursor:
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS OFF) " + sql)
            plan = [row[0] for row in cursor.fetchall()]
        print(f"\n--- {path}: {query['time']} s\n{sql[:300]}...\n" + "\n".join(plan))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (warm)")
    parser.add_argument("--cold-runs", type=int, default=3, help="requests after a cache clear")
    parser.add_argument("--explain", action="store_true", help="print the cold queries' plans")
    parser.add_argument("pages", nargs="*", help="paths to time (default: the pages above)")
    args = parser.parse_args()

    connection.force_debug_cursor = True
    year = Commitment.objects.order_by("-pledged_on").values_list("pledged_on", flat=True).first()
    year = year.year if year else 2026
    pages = [p.format(year=year, previous=year - 1) for p in args.pages or PAGES]
    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "testserver"
    client = Client(HTTP_HOST=host)
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{Commitment.objects.count()} commitments, {ProgressUpdate.objects.count()} updates; "
        f"cache: {settings.CACHES['default']['BACKEND']}"
    )
    print(f"{'page':42} {'median ms':>10} {'p95 ms':>8} {'cold ms':>8} {'q':>3} {'cold q':>6}")
    over = False
    for path in pages:
        timed_get(client, path)  # process start-up costs (imports, template compilation)
        cold = []
        for _ in range(args.cold_runs):
            cache.clear()
            elapsed, status, cold_queries = timed_get(client, path)
            cold.append(elapsed)
        times = []
        for _ in range(args.runs):
            elapsed, status, queries = timed_get(client, path)
            times.append(elapsed)
        median, cold_median = statistics.median(times), statistics.median(cold)
        p95 = sorted(times)[max(0, round(0.95 * len(times)) - 1)]
        flag = ""
        if status != 200 or median > WARM_BUDGET_MS or cold_median > COLD_BUDGET_MS:
            over, flag = True, "  OVER BUDGET" if status == 200 else f"  HTTP {status}"
        print(
            f"{path:42} {median:>10.1f} {p95:>8.1f} {cold_median:>8.1f} {queries:>3} "
            f"{cold_queries:>6}{flag}"
        )
    if args.explain and connection.vendor == "postgresql":
        for path in pages:
            explain(client, path)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
