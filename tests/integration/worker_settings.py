"""Settings for a Celery worker *process* started by tests/integration/test_worker_killed.py:
the project's settings, plus an e-mail backend that can kill its own process mid-send and a
Redis transport that gives unacknowledged messages back within seconds."""

import os

from config.settings import *  # noqa: F403

CELERY_TASK_ALWAYS_EAGER = False
CELERY_BROKER_URL = os.environ["CELERY_BROKER_URL"]
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3,  # seconds before Redis hands an unacknowledged task out again
    "unacked_restore_interval": 1,
}
EMAIL_BACKEND = "tests.integration.worker_settings.KillingFileBackend"
EMAIL_FILE_PATH = os.environ["REMINDER_TEST_MAIL_DIR"]


from django.core.mail.backends.filebased import EmailBackend as _FileBackend  # noqa: E402


class KillingFileBackend(_FileBackend):
    """Writes each message to a file, but if the marker file exists when a second message is
    being sent, the process SIGKILLs itself first — a worker dying in the SMTP conversation."""

    def send_messages(self, email_messages):
        import signal
        from pathlib import Path

        marker = Path(os.environ.get("REMINDER_TEST_KILL_MARKER", "/nonexistent"))
        if marker.exists() and any(Path(EMAIL_FILE_PATH).iterdir()):
            marker.unlink()
            os.kill(os.getpid(), signal.SIGKILL)
        return super().send_messages(email_messages)
