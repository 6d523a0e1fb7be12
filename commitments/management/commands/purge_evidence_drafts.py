"""Delete documents of progress-update drafts that were never published nor discarded."""

import datetime

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand
from django.utils import timezone

from commitments.views import DRAFTS_STORAGE_PREFIX


class Command(BaseCommand):
    help = "Delete draft evidence documents older than --hours (default 24): run it daily."

    def add_arguments(self, parser):
        parser.add_argument("--hours", type=int, default=24)

    def handle(self, *args, hours, **options):
        cutoff = timezone.now() - datetime.timedelta(hours=hours)
        if not default_storage.exists(DRAFTS_STORAGE_PREFIX):
            return
        deleted = 0
        tokens, _files = default_storage.listdir(DRAFTS_STORAGE_PREFIX)
        for token in tokens:
            folder = f"{DRAFTS_STORAGE_PREFIX}/{token}"
            for name in default_storage.listdir(folder)[1]:
                path = f"{folder}/{name}"
                if default_storage.get_modified_time(path) < cutoff:
                    default_storage.delete(path)
                    deleted += 1
        self.stdout.write(f"Deleted {deleted} abandoned draft document(s).")
