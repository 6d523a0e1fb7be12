"""Time the follow-digest job against the configured database, in-process.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/r2p_follow_bench \\
        .venv/bin/python benchmarks/follows.py --followers 5000 --updates 1000 --deliver 200

Load the data first: migrate, load_reference_data, seed_demo --scale N. Inside a transaction
that is rolled back, it adds ``--followers`` confirmed followers (each following one State,
one commitment and one step, chosen round-robin) and ``--updates`` progress updates published
now, then reports for the recording step (first run, and a repeat where every row conflicts)
and for ``--deliver`` digests sent through Django's in-memory e-mail backend: wall time and
SQL queries.
"""

import argparse
import datetime
import os
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
from django.utils import timezone  # noqa: E402

from commitments.follows import selectors, services  # noqa: E402
from commitments.follows.models import Follow, Follower  # noqa: E402
from commitments.models import Commitment, ProgressUpdate, Status  # noqa: E402
from commitments.selectors import review_today  # noqa: E402


class Rollback(Exception):
    pass


def populate(followers: int, updates: int) -> None:
    # seed_demo published its updates just now: move them a month back (rolled back at the
    # end), so the period holds only the updates made here. Raw SQL: the model is append-only.
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE commitments_progressupdate SET created_at = created_at - interval '30 days'"
        )
    rows = list(Commitment.objects.order_by("id").values_list("id", "state_id", "step_id"))
    since = timezone.now() - datetime.timedelta(days=1)
    people = Follower.objects.bulk_create(
        [
            Follower(email=f"bench-{n}@example.org", frequency="daily", confirmed_at=since)
            for n in range(followers)
        ],
        batch_size=2000,
    )
    follows = []
    for n, person in enumerate(people):
        commitment_id, state_id, step_id = rows[(n * 7919) % len(rows)]
        follows += [
            Follow(follower=person, state_id=state_id, confirmed_at=since),
            Follow(follower=person, commitment_id=commitment_id, confirmed_at=since),
            Follow(follower=person, step_id=step_id, confirmed_at=since),
        ]
    Follow.objects.bulk_create(follows, batch_size=2000)
    ProgressUpdate.objects.bulk_create(
        [
            ProgressUpdate(
                commitment_id=rows[(n * 104729) % len(rows)][0],
                reported_on=review_today(),
                status=Status.LIMITED,
                narrative="Benchmark update.",
            )
            for n in range(updates)
        ],
        batch_size=2000,
    )


def timed(label, function):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed:.2f} s, {len(queries)} queries")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followers", type=int, default=5000)
    parser.add_argument("--updates", type=int, default=1000)
    parser.add_argument("--deliver", type=int, default=200)
    args = parser.parse_args()
    day = review_today() + datetime.timedelta(days=1)
    print(f"{Commitment.objects.count()} commitments; {connection.vendor}")
    try:
        with (
            transaction.atomic(),
            override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend"),
        ):
            timed(
                f"populate {args.followers} followers, {args.updates} updates",
                lambda: populate(args.followers, args.updates),
            )
            first = timed("record, first run", lambda: services.follow_notices_record(today=day))
            print(f"  {first.events} events, {first.owed} owed, {first.newly_recorded} recorded")
            again = timed("record, repeat", lambda: services.follow_notices_record(today=day))
            print(f"  {again.newly_recorded} recorded")
            targets = selectors.follow_targets_pending(day, weekly_day=True)[: args.deliver]

            def deliver():
                return sum(
                    services.follow_digest_deliver(follower_id=f, day=day).sent for f in targets
                )

            sent = timed(f"deliver {len(targets)} digests", deliver)
            print(f"  {sent} notices sent, {sent / max(len(targets), 1):.1f} per digest")
            raise Rollback
    except Rollback:
        print("rolled back")


if __name__ == "__main__":
    main()
