"""Time every API list in process (django.test.Client: URL routing, middleware, queries,
serialisation; no web server, no network): the first page, a deep cursor page, a deep
numbered page, a 304, and a full mirror of progress updates through cursor pages.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2p_bench \\
        .venv/bin/python benchmarks/api_lists.py --runs 30

Load the data first: migrate, load_reference_data, seed_demo --scale 20000 (or 200000).
Prints one line per measurement: median and 95th percentile in ms, and the query count.
Targets (issue 16): member-states under 15 ms; a 100-row page's cost the same at any depth;
a full mirror of progress updates at 20,000 rows/s or more.
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
from django.db import connection  # noqa: E402
from django.test import Client, override_settings  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from commitments.models import Commitment, ProgressUpdate  # noqa: E402

API = "/api/v1/"
LISTS = [
    "member-states/",
    "focal-points/",
    "resolutions/",
    "prevention-steps/",
    "commitments/",
    "progress-updates/",
]


def timed(client, url, runs, **headers):
    times, cpu, status, queries = [], [], None, 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, **headers)
            if response.streaming:
                b"".join(response.streaming_content)
            times.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        status, queries = response.status_code, len(captured)
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    return statistics.median(times), p95, statistics.median(cpu), status, queries


def report(label, client, url, runs, **headers):
    """Wall time (what a client waits, inflated by other load on a shared machine) and this
    process's CPU time (Django's own work, less sensitive to other load; excludes the
    database server's)."""
    median, p95, cpu, status, queries = timed(client, url, runs, **headers)
    print(
        f"{label:<44} {median:7.1f} ms  p95 {p95:7.1f} ms  cpu {cpu:6.1f} ms  "
        f"{queries:2d} queries  [{status}]"
    )
    return median


def deep_cursor(client, path, depth_rows):
    """The next link of the page that starts ``depth_rows`` into the list."""
    url = API + path + "?page_size=1000"
    for _ in range(depth_rows // 1000):
        url = client.get(url).json()["next"]
    return url.replace("page_size=1000", "page_size=100")


def mirror(client, path):
    started, rows, url = time.perf_counter(), 0, API + path + "?page_size=1000"
    while url:
        body = client.get(url).json()
        rows += len(body["results"])
        url = body["next"]
    elapsed = time.perf_counter() - started
    rate = rows / elapsed
    print(f"full mirror of {path:<32} {rows:9d} rows in {elapsed:6.1f} s = {rate:8.0f} rows/s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--no-mirror", action="store_true")
    args = parser.parse_args()
    print(
        f"{Commitment.objects.count()} commitments, {ProgressUpdate.objects.count()} updates; "
        f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}"
    )
    rates = {"anon": None, "user": None, "search": None, "downloads": None}
    with override_settings(
        ALLOWED_HOSTS=["testserver"],
        REST_FRAMEWORK={**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates},
    ):
        client = Client()
        for path in LISTS:
            client.get(API + path)  # warm: the cached count, connections, imports
            report(f"{path} first page (100)", client, API + path, args.runs)
        for path in ("commitments/", "progress-updates/"):
            total = (Commitment if path == "commitments/" else ProgressUpdate).objects.count()
            url = deep_cursor(client, path, max(0, total - 2000))
            report(f"{path} cursor page 100 near the end", client, url, args.runs)
            client.get(API + path + "?page_size=100&page=150")
            report(f"{path} numbered page 150 (100)", client, API + path + "?page=150", args.runs)
            etag = client.get(API + path)["ETag"]
            report(f"{path} 304", client, API + path, args.runs, HTTP_IF_NONE_MATCH=etag)
        if not args.no_mirror:
            mirror(client, "progress-updates/")
            mirror(client, "commitments/")


if __name__ == "__main__":
    main()
