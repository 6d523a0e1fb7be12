"""Delete documents of progress-update drafts that were never published nor discarded."""

import datetime

from django.core.management.base import BaseCommand

from commitments.drafts import purge_evidence_drafts


class Command(BaseCommand):
    help = (
        "Delete draft evidence documents older than --hours (default 24). Celery beat runs the "
        "same purge daily; this command is for deployments without beat."
    )

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours, **options):
        deleted = purge_evidence_drafts(older_than=datetime.timedelta(hours=hours))
        self.stdout.write(f"Deleted {deleted} abandoned draft document(s).")
