"""``manage.py verify_tallies [--rebuild]``: check the tallies the dashboard reads (D-16-70)
against a recount of the commitments, progress updates and answered reviews.

Exit status 1 listing the first differences (or a missing trigger); 0 when every tally equals
the recount. ``--rebuild`` replaces the tallies with the recount (and re-creates the triggers)
first, then checks.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from tracker import tallies

SHOWN = 20


class Command(BaseCommand):
    help = (
        "Compare the dashboard's maintained tallies with a recount from the source tables; "
        "--rebuild replaces them with the recount first. Exits 1 on any difference."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rebuild",
            action="store_true",
            help="Re-create the triggers and replace the tallies with a recount, then verify.",
        )

    def handle(self, *args, rebuild=False, **options):
        started = time.monotonic()
        if rebuild:
            tallies.install_triggers()
            tallies.rebuild()
            self.stdout.write("Tallies rebuilt from a recount.")
        problems = tallies.differences()
        if problems:
            listed = "\n".join(problems[:SHOWN])
            more = f"\n… and {len(problems) - SHOWN} more" if len(problems) > SHOWN else ""
            raise CommandError(
                f"{len(problems)} tally differences (--rebuild repairs them):\n{listed}{more}",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"Tallies equal a recount ({time.monotonic() - started:.1f} s).")
        )
