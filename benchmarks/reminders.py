"""Time the daily reminder job's compute-and-record step (and optionally some deliveries)
against the configured database, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2p_rem_bench \\
        .venv/bin/python benchmarks/reminders.py

Load the data first: migrate, load_reference_data, seed_demo --scale 20000. Reports, for a
first run of the day (rows inserted) and a repeat the same day (every row a conflict): wall
time, SQL queries, commitments examined, batches, reminders owed and newly recorded. Runs in a
transaction that is rolled back (unless --keep), so it can be repeated. --deliver N also sends
the first N digests through Django's in-memory e-mail backend and times them.
--people-per-state N first gives every State N extra users (inside the same rolled-back
transaction), for the worst case where every State has a focal point and delegates.
"""

import argparse
import datetime
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

from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from commitments.models import Commitment  # noqa: E402
from commitments.reminders import selectors as reminder_selectors  # noqa: E402
from commitments.reminders import services as reminder_services  # noqa: E402
from commitments.selectors import review_today  # noqa: E402
from focalpoints.models import MemberState, StateAccess, User  # noqa: E402


class Rollback(Exception):
    pass


def add_people(per_state: int) -> int:
    users, accesses = [], []
    for code in MemberState.objects.values_list("code", flat=True):
        for n in range(per_state):
            users.append(User(username=f"bench-{code}-{n}", email=f"bench-{code}-{n}@example.org"))
    User.objects.bulk_create(users, batch_size=2000)
    ids = dict(User.objects.filter(username__startswith="bench-").values_list("username", "id"))
    for user in users:
        code = user.username.split("-")[1]
        role = "focal-point" if user.username.endswith("-0") else "delegate"
        accesses.append(StateAccess(user_id=ids[user.username], state_id=code, role=role))
    StateAccess.objects.bulk_create(accesses, batch_size=2000)
    return len(users)


def timed_record(today: datetime.date) -> dict:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = reminder_services.reminders_record(today=today)
        seconds = time.perf_counter() - started
    return {
        "seconds": seconds,
        "queries": len(queries),
        "examined": result.commitments_examined,
        "batches": result.batches,
        "owed": result.owed,
        "new": result.newly_recorded,
        "by_kind": result.owed_by_kind,
    }


def report(label: str, run: dict) -> None:
    kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(run["by_kind"].items()))
    print(
        f"{label:<22} {run['seconds']:7.2f} s  {run['queries']:4d} queries  "
        f"{run['examined']:6d} commitments in {run['batches']} batches  "
        f"{run['owed']:6d} owed ({kinds})  {run['new']:6d} newly recorded"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--today", help="YYYY-MM-DD (default: today)")
    parser.add_argument("--keep", action="store_true", help="Commit the recorded rows.")
    parser.add_argument("--deliver", type=int, default=0, help="Also send N digests (locmem).")
    parser.add_argument("--people-per-state", type=int, default=0, help="Add N users per State.")
    args = parser.parse_args()
    today = datetime.date.fromisoformat(args.today) if args.today else review_today()

    print(
        f"{connection.vendor}, {Commitment.objects.count()} commitments, "
        f"{Commitment.objects.filter(next_review_due__isnull=False).count()} with a review "
        f"owed; judging {today.isoformat()}"
    )
    connection.ensure_connection()
    try:
        with transaction.atomic():
            if args.people_per_state:
                print(f"added {add_people(args.people_per_state)} users acting for States")
            report("first run of the day", timed_record(today))
            report("repeat, same day", timed_record(today))
            if args.deliver:
                targets = reminder_selectors.reminder_targets_pending(today)[: args.deliver]
                timings = []
                with override_settings(
                    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"
                ):
                    for recipient_id, mailbox in targets:
                        started = time.perf_counter()
                        reminder_services.reminder_digest_deliver(
                            recipient_id=recipient_id, mailbox=mailbox, day=today
                        )
                        timings.append(time.perf_counter() - started)
                if timings:
                    print(
                        f"{len(timings)} digests delivered: median "
                        f"{statistics.median(timings) * 1000:.0f} ms, "
                        f"max {max(timings) * 1000:.0f} ms each (in-memory backend)"
                    )
            if not args.keep:
                raise Rollback
    except Rollback:
        print("(rolled back)")


if __name__ == "__main__":
    main()
