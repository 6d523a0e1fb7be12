"""The Celery application. Settings come from Django settings under the ``CELERY_`` prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tracker")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Packages whose tasks module is not at an app's top level.
app.autodiscover_tasks(["commitments.reminders", "commitments.follows"])
