"""Celery tasks of the commitments domain outside the review cycle (whose tasks are in
``commitments/reminders/tasks.py``)."""

import datetime

from celery import shared_task

from commitments.drafts import purge_evidence_drafts as purge


@shared_task
def purge_evidence_drafts(hours: int = 24) -> int:
    """Delete documents of progress-update drafts abandoned for more than ``hours``."""
    return purge(older_than=datetime.timedelta(hours=hours))
