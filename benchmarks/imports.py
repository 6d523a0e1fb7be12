"""Time a spreadsheet import of N new commitments (default 20,000) against the configured
database, in-process: the dry run (check) and the apply, each through the services, with the
rows read one at a time from the stored file.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2p_import_bench \\
        .venv/bin/python benchmarks/imports.py [--rows 20000] [--kind commitments|updates]

Needs the reference data (migrate, load_reference_data). With ``--kind updates`` it first
creates one commitment per 10 rows (outside the timing) and imports progress updates for them.
Everything it creates is deleted afterwards (unless --keep). Prints wall time and rows per
second of each pass, peak memory (tracemalloc), and the machine's load average.
"""

import argparse
import csv
import datetime
import io
import os
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

import django

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import transaction  # noqa: E402
from django.test.utils import override_settings  # noqa: E402
from django.utils import timezone  # noqa: E402

from commitments.columns import commitment_columns, update_columns  # noqa: E402
from commitments.imports import services  # noqa: E402
from commitments.models import Commitment, ImportRun, PreventionStep  # noqa: E402
from focalpoints.models import MemberState, User  # noqa: E402

TAG = "Benchmark import"


def commitments_file(rows: int) -> bytes:
    states = list(MemberState.objects.values_list("code", flat=True))
    steps = list(PreventionStep.objects.filter(is_active=True).values_list("code", flat=True))
    headers = [c.header for c in commitment_columns(timezone.localdate())]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers)
    writer.writeheader()
    start = datetime.date(2020, 1, 1)
    for n in range(rows):
        writer.writerow(
            {
                "state_code": states[n % len(states)],
                "step_code": steps[n % len(steps)],
                "title": f"{TAG} {n}",
                "description": "A pledge imported by the benchmark.",
                "source_kind": "ga-dialogue",
                "source_description": "General Assembly dialogue",
                "pledged_on": (start + datetime.timedelta(days=n % 1500)).isoformat(),
                "review_interval_days": "180",
                "basis": "political",
            }
        )
    return ("\ufeff" + out.getvalue()).encode()


def updates_file(rows: int, user) -> bytes:
    states = list(MemberState.objects.values_list("code", flat=True))
    step = PreventionStep.objects.filter(is_active=True).first()
    commitments = []
    with transaction.atomic():
        for n in range(max(1, rows // 10)):
            commitments.append(
                Commitment.objects.create(
                    state_id=states[n % len(states)],
                    step=step,
                    title=f"{TAG} {n}",
                    description="x",
                    source_kind="ga-dialogue",
                    source_description="x",
                    pledged_on=datetime.date(2020, 1, 1),
                    created_by=user,
                )
            )
    headers = [c.header for c in update_columns()]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=headers)
    writer.writeheader()
    for n in range(rows):
        writer.writerow(
            {
                "commitment_id": commitments[n % len(commitments)].pk,
                "reported_on": (
                    datetime.date(2021, 1, 1) + datetime.timedelta(days=n // 10)
                ).isoformat(),
                "status": "limited",
                "narrative": f"{TAG} update {n}",
            }
        )
    return out.getvalue().encode()


def timed(label: str, function, rows: int, *, memory: bool):
    """Run and report; with ``memory``, tracemalloc's peak (slower) besides the process's."""
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    result = function()
    seconds = time.perf_counter() - started
    traced = ""
    if memory:
        traced = f"  peak traced {tracemalloc.get_traced_memory()[1] / 1e6:.1f} MB"
        tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{label:<8} {seconds:7.1f} s  {rows / seconds:7.0f} rows/s  max RSS {rss:.0f} MB"
        f"{traced}  load {os.getloadavg()[0]:.2f}"
    )
    return result


def cleanup(user) -> None:
    from commitments.models import AnsweredReview, ProgressUpdate

    runs = ImportRun.objects.filter(uploaded_by=user)
    ids = list(Commitment.objects.filter(title__startswith=TAG).values_list("pk", flat=True))
    # Raw deletes: what the benchmark made goes without leaving history of its own removal.
    with transaction.atomic():
        Commitment.objects.filter(pk__in=ids).update(latest_update=None)
        ProgressUpdate.objects.filter(commitment_id__in=ids)._raw_delete("default")
        AnsweredReview.objects.filter(commitment_id__in=ids)._raw_delete("default")
        Commitment.history.filter(id__in=ids)._raw_delete("default")
        Commitment.channels.through.objects.filter(commitment_id__in=ids)._raw_delete("default")
        Commitment.resolutions.through.objects.filter(commitment_id__in=ids)._raw_delete("default")
        Commitment.objects.filter(pk__in=ids)._raw_delete("default")
        runs.delete()
        user.delete()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--kind", choices=ImportRun.Kind.values, default="commitments")
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--memory", action="store_true", help="Also trace Python allocations.")
    args = parser.parse_args()
    user, _created = User.objects.get_or_create(
        username="bench-importer", defaults={"is_staff": True, "email": "bench@example.org"}
    )
    with tempfile.TemporaryDirectory() as media, override_settings(MEDIA_ROOT=media):
        try:
            if args.kind == "commitments":
                data = commitments_file(args.rows)
            else:
                data = updates_file(args.rows, user)
            print(
                f"{args.rows} rows of {args.kind}, {len(data) / 1e6:.1f} MB, {os.cpu_count()} CPUs"
            )
            run = services.import_upload(
                user=user,
                kind=args.kind,
                fileobj=SimpleUploadedFile("bench.csv", data),
                name="bench.csv",
            )
            run = timed(
                "check", lambda: services.import_check(run.pk), args.rows, memory=args.memory
            )
            assert run.to_create == args.rows, (run.to_create, run.rejected, run.rows.first())
            services.import_confirm(run=run, user=user)
            run = timed(
                "apply", lambda: services.import_apply(run.pk), args.rows, memory=args.memory
            )
            assert run.state == ImportRun.State.APPLIED, run.error
        finally:
            if not args.keep:
                cleanup(user)


if __name__ == "__main__":
    main()
