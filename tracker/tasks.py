"""Celery tasks of the public surface."""

from celery import shared_task

from tracker import opendata


@shared_task(acks_late=True, reject_on_worker_lost=True, ignore_result=True)
def refresh_open_data(force: bool = False) -> dict:
    """Rebuild the open-data zip when the data changed and has settled (beat: every minute).
    Idempotent: a second run finds the zip up to date, or another worker building it."""
    return opendata.refresh(force=force)
