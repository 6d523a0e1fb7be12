"""``manage.py ledger_backfill``: build the ledger of the data published before it existed.

Once, in order of publication, in one transaction; the first entry carries a note saying so.
Refuses when the ledger already has entries.
"""

from django.core.management.base import BaseCommand, CommandError

from commitments import ledger


class Command(BaseCommand):
    help = "Build the ledger once from the commitments and updates already published."

    def handle(self, *args, **options):
        try:
            written = ledger.backfill()
        except RuntimeError as exc:
            raise CommandError(str(exc)) from exc
        head = ledger.head()
        self.stdout.write(
            self.style.SUCCESS(
                f"Ledger built: {written} entries, head {head.sequence}:{head.hash}."
            )
        )
