"""A Celery worker process is SIGKILLed in the middle of sending the day's digests, on the
real Redis broker and real PostgreSQL. A second worker picks up what was left: every other
digest goes out exactly once, the redelivered task of the killed one (acks_late) sends nothing,
and the interrupted reminder is recorded as failed — never duplicated, never silently lost."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from commitments.models import Reminder
from commitments.reminders import tasks
from commitments.reminders.services import reminders_fail_abandoned
from commitments.selectors import review_today
from tests.commitments.reminder_helpers import commitment_due

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CELERY = Path(sys.executable).with_name("celery")


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("a worker process needs a database it can share: PostgreSQL")


def start_worker_process(broker_url: str, mail_dir: Path, marker: Path, log: Path):
    db = connection.settings_dict
    env = {
        **os.environ,
        "APP_ENV": "test",
        "DJANGO_SETTINGS_MODULE": "tests.integration.worker_settings",
        "DATABASE_URL": (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        ),
        "CELERY_BROKER_URL": broker_url,
        "REMINDER_TEST_MAIL_DIR": str(mail_dir),
        "REMINDER_TEST_KILL_MARKER": str(marker),
        "LOG_FORMAT": "plain",
        "PYTHONPATH": str(ROOT),
    }
    command = [
        str(CELERY), "-A", "config", "worker", "--pool=solo", "--loglevel=INFO",
        "--without-heartbeat", "--without-mingle", "--without-gossip",
    ]  # fmt: skip
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )


def wait_for(condition, *, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.25)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def outcomes() -> dict[str, str]:
    return dict(Reminder.objects.values_list("recipient__username", "outcome"))


def test_worker_killed_mid_delivery_loses_nothing_silently_and_sends_nothing_twice(
    celery_on_redis, tmp_path, state_a, state_b, focal_point_a, delegate_a, focal_point_b
):
    today = review_today()
    commitment_due(state_a, 0, today=today)  # digests for fp_a and delegate_a
    commitment_due(state_b, -7, today=today)  # and for fp_b
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    marker = tmp_path / "kill-during-the-second-digest"
    marker.touch()
    broker_url = celery_on_redis.conf.broker_url

    first = start_worker_process(broker_url, mail_dir, marker, tmp_path / "worker-1.log")
    second = None
    try:
        tasks.send_daily_reminders.delay(today.isoformat())
        assert first.wait(timeout=90) == -signal.SIGKILL, (tmp_path / "worker-1.log").read_text()
        # Killed while handing over the second digest: one sent, one claimed, one waiting.
        assert len(list(mail_dir.iterdir())) == 1
        assert sorted(outcomes().values()) == ["pending", "sending", "sent"]

        second = start_worker_process(broker_url, mail_dir, marker, tmp_path / "worker-2.log")
        wait_for(lambda: "pending" not in outcomes().values(), timeout=60, what="the rest")
        # Redis gives the killed worker's unacknowledged task back (acks_late); it finds its
        # rows claimed and sends nothing.
        log = tmp_path / "worker-2.log"
        wait_for(
            lambda: log.read_text().count("deliver_digest[") >= 4,  # 2 received + 2 succeeded
            timeout=90,
            what="the killed worker's task to be redelivered",
        )
        assert "{'sent': 0, 'skipped': 0, 'failed': False}" in log.read_text()
    finally:
        for worker in (first, second):
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                worker.wait(timeout=30)

    messages = [path.read_text() for path in mail_dir.iterdir()]
    recipients = sorted(
        line.removeprefix("To: ") for text in messages for line in text.splitlines()
        if line.startswith("To: ")
    )  # fmt: skip
    assert len(messages) == 2
    assert len(set(recipients)) == 2  # nobody got a digest twice
    (interrupted,) = [name for name, outcome in outcomes().items() if outcome == "sending"]
    assert f"{interrupted}@example.org" not in recipients

    # The next daily run, after the claim timeout, records the interrupted one as failed.
    later = timezone.now() + datetime.timedelta(minutes=31)
    assert reminders_fail_abandoned(now=later) == 1
    row = Reminder.objects.get(recipient__username=interrupted)
    assert row.outcome == Reminder.Outcome.FAILED
    assert "may or may not have been sent" in row.error
