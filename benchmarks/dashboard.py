"""Time the public dashboard (and, optionally, other public pages) against the configured
database, in-process with django.test.Client: no web server, no network, so the figure is the
application's own time (URL routing, queries, template rendering).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2p_bench \\
        .venv/bin/python benchmarks/dashboard.py --runs 50

Reports, per page: the median and 95th percentile over --runs requests with the cache warm
(the production path: figures are cached until the data changes), the median of --cold-runs
requests each made with the cache cleared first (the first visitor after a change), and the
number of SQL queries of each. Load the data first: migrate, load_reference_data,
seed_demo --scale 20000.
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
from focalpoints.models import MemberState  # noqa: E402

DEFAULT_PAGES = ["/"]
ALL_PAGES = [
    "/",
    "/states/",
    "/states/{state}/",
    "/regions/african/",
    "/commitments/",
    "/commitments/{commitment}/",
    "/resolutions/",
    "/steps/",
    "/steps/{step}/",
    "/data/",
    "/updates.atom",
]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))
    return ordered[index]


def timed_get(client: Client, path: str) -> tuple[float, int, int]:
    reset_queries()
    start = time.perf_counter()
    response = client.get(path)
    if hasattr(response, "streaming_content"):
        b"".join(response.streaming_content)
    elapsed = (time.perf_counter() - start) * 1000
    return elapsed, response.status_code, len(connection.queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50, help="timed requests per page (warm)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first")
    parser.add_argument(
        "--cold-runs", type=int, default=5, help="timed requests with the cache cleared before each"
    )
    parser.add_argument("--all", action="store_true", help="every public page, not only /")
    parser.add_argument("pages", nargs="*", help="paths to time (default: /)")
    args = parser.parse_args()

    # Count queries without DEBUG's other costs: force the debug cursor only.
    connection.force_debug_cursor = True
    state = (
        Commitment.objects.values_list("state_id", flat=True).order_by("state_id").first() or "GHA"
    )
    commitment = (
        ProgressUpdate.objects.order_by("-id").values_list("commitment_id", flat=True).first() or 1
    )
    step = Commitment.objects.values_list("step__code", flat=True).first() or "N1"
    pages = args.pages or (ALL_PAGES if args.all else DEFAULT_PAGES)
    pages = [p.format(state=state, commitment=commitment, step=step) for p in pages]

    host = settings.ALLOWED_HOSTS[0] if settings.ALLOWED_HOSTS else "testserver"
    client = Client(HTTP_HOST=host)
    print(
        f"database: {connection.vendor} {connection.settings_dict['NAME']}; "
        f"{MemberState.objects.count()} States, {Commitment.objects.count()} commitments, "
        f"{ProgressUpdate.objects.count()} updates; cache: {settings.CACHES['default']['BACKEND']}"
    )
    print(
        f"{'page':32} {'status':>6} {'median ms':>10} {'p95 ms':>8} {'cold ms':>8} "
        f"{'queries':>8} {'cold q':>7}"
    )
    for path in pages:
        for _ in range(args.warmup):  # process start-up costs (imports, template compilation)
            timed_get(client, path)
        cold = []
        for _ in range(args.cold_runs):
            cache.clear()  # as after any change to the data: every figure recomputed
            elapsed, status, cold_queries = timed_get(client, path)
            cold.append(elapsed)
        timed_get(client, path)
        times = []
        queries = 0
        for _ in range(args.runs):
            elapsed, status, queries = timed_get(client, path)
            times.append(elapsed)
        print(
            f"{path:32} {status:>6} {statistics.median(times):>10.1f} "
            f"{percentile(times, 0.95):>8.1f} {statistics.median(cold):>8.1f} "
            f"{queries:>8} {cold_queries:>7}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
