"""Celery tasks of the commitments domain outside the review cycle (whose tasks are in
``commitments/reminders/tasks.py``)."""

import datetime

from celery import shared_task

from commitments.drafts import purge_evidence_drafts as purge


@shared_task
def purge_evidence_drafts(hours: int = 24) -> int:
    """Delete documents of progress-update drafts abandoned for more than ``hours``."""
    return purge(older_than=datetime.timedelta(hours=hours))


@shared_task
def import_check(run_id: int) -> None:
    """The dry run of a large import (the page polls its progress)."""
    from commitments.imports import services

    services.import_check(run_id)


@shared_task
def import_apply(run_id: int) -> None:
    """The apply of a confirmed large import; idempotent, so a redelivery does no harm."""
    from commitments.imports import services

    services.import_apply(run_id)


@shared_task
def assessment_reply_notify(reply_id: int) -> int:
    """Tell the assessing organisation's members that the State replied. At most once: the
    service claims the reply before sending, so a redelivered task sends nothing twice (and a
    retry would send nothing at all, so there is none)."""
    from commitments import services

    return services.assessment_reply_notify(reply_id)
