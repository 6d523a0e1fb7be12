"""Documents attached to a progress-update draft wait in storage between the form and the
preview's "Publish". Abandoned ones are purged daily (Celery beat, or the command)."""

import datetime

from django.core.files.storage import default_storage
from django.utils import timezone

DRAFTS_STORAGE_PREFIX = "evidence-drafts"


def purge_evidence_drafts(*, older_than: datetime.timedelta) -> int:
    """Delete draft documents last modified before ``now - older_than``; return how many."""
    cutoff = timezone.now() - older_than
    if not default_storage.exists(DRAFTS_STORAGE_PREFIX):
        return 0
    deleted = 0
    tokens, _files = default_storage.listdir(DRAFTS_STORAGE_PREFIX)
    for token in tokens:
        folder = f"{DRAFTS_STORAGE_PREFIX}/{token}"
        for name in default_storage.listdir(folder)[1]:
            path = f"{folder}/{name}"
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
                deleted += 1
    return deleted
