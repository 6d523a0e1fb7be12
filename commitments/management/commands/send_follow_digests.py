import datetime

from django.core.management.base import BaseCommand, CommandError

from commitments.follows.services import follows_daily_job, is_weekly_day
from commitments.selectors import review_today


class Command(BaseCommand):
    help = (
        "Run the daily follow-digest job in this process, without Celery: record what each "
        "follower is owed, then send the digests due today (daily followers every day, weekly "
        "ones on FOLLOW_WEEKLY_WEEKDAY). Safe to run again: nothing recorded is sent twice."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Only count what is owed; record and send nothing.",
        )
        parser.add_argument("--today", help="Run as of this date (YYYY-MM-DD) instead of today.")

    def handle(self, *args, dry_run=False, today=None, **options):
        try:
            day = datetime.date.fromisoformat(today) if today else review_today()
        except ValueError as exc:
            raise CommandError(f"--today must be a date as YYYY-MM-DD, not {today!r}.") from exc
        progress = self.stdout.write if options.get("verbosity", 1) >= 1 else None
        weekly = "weekly and daily" if is_weekly_day(day) else "daily"
        suffix = " (dry run)" if dry_run else ""
        self.stdout.write(f"Follow digests for {day.isoformat()} ({weekly} digests){suffix}")
        result = follows_daily_job(today=day, dry_run=dry_run, progress=progress)
        record = result.record
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(record.owed_by_kind.items()))
        self.stdout.write(
            f"{record.events} events; {record.owed} notices owed" + (f" ({kinds})" if kinds else "")
        )
        if dry_run:
            self.stdout.write("Dry run: nothing recorded or sent.")
            return
        if result.abandoned_failed:
            self.stdout.write(
                self.style.WARNING(
                    f"{result.abandoned_failed} notices from interrupted deliveries marked failed."
                )
            )
        self.stdout.write(f"{record.newly_recorded} newly recorded.")
        style = self.style.WARNING if result.digests_failed else self.style.SUCCESS
        self.stdout.write(
            style(
                f"Digests sent: {result.digests_sent}; failed (kept for retry or marked failed): "
                f"{result.digests_failed}."
            )
        )
