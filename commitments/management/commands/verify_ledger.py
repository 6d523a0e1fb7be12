"""``manage.py verify_ledger``: check the database against its own ledger.

The chain (every sequence present and in order, each entry's previous hash and own SHA-256),
then that every public row equals the record of its last ledger entry. Streams both (constant
memory). Exit status 1 with the first broken sequence named; 0 when everything holds.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from commitments import ledger


class Command(BaseCommand):
    help = (
        "Verify the ledger's hash chain and that every public row equals its last ledger entry. "
        "Exits 1 naming the first broken sequence."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--chain-only", action="store_true", help="Check the chain, not the rows."
        )

    def handle(self, *args, chain_only=False, **options):
        started = time.monotonic()
        problem = next(iter(ledger.verify_chain()), None)
        if problem is None and not chain_only:
            problem = next(iter(ledger.verify_rows()), None)
        if problem is not None:
            raise CommandError(f"Ledger check failed at {problem}", returncode=1)
        head = ledger.head()
        self.stdout.write(
            self.style.SUCCESS(
                f"Ledger verified: {head.sequence} entries, head {head.hash} "
                f"({time.monotonic() - started:.1f} s)."
            )
        )
