"""A large import is checked and applied by a real Celery worker on Redis, and the page's
progress view follows it (CELERY_INTEGRATION_BROKER_URL, see test_celery_redis.py)."""

import pytest
from celery.contrib.testing.worker import start_worker
from django.core.files.uploadedfile import SimpleUploadedFile

from commitments.models import Commitment, ImportRun
from tests.commitments.import_helpers import edit_csv, export_csv
from tests.factories import CommitmentFactory
from tests.integration.test_celery_redis import wait_for

pytestmark = pytest.mark.integration


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_checks_then_applies_a_large_import(
    celery_on_redis, client, secretariat, state_a, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    settings.IMPORT_BACKGROUND_BYTES = 0  # every file goes to the worker
    for n in range(30):
        CommitmentFactory(state=state_a, title=f"Pledge {n}")

    def edit(rows):
        for row in rows:
            row["description"] = "Revised by import."

    data = edit_csv(export_csv(ImportRun.Kind.COMMITMENTS), edit)
    client.force_login(secretariat)
    with start_worker(celery_on_redis, pool="solo", perform_ping_check=False, shutdown_timeout=30):
        client.post(
            "/my/imports/", {"kind": "commitments", "file": SimpleUploadedFile("a.csv", data)}
        )
        run = ImportRun.objects.get()
        progress = f"/my/imports/{run.pk}/progress/"
        wait_for(lambda: not client.get(progress).json()["busy"], what="the check")
        assert client.get(progress).json()["state"] == "checked"
        run.refresh_from_db()
        assert (run.to_change, run.rejected) == (30, 0)
        client.post(f"/my/imports/{run.pk}/confirm/")
        wait_for(lambda: not client.get(progress).json()["busy"], what="the apply")
    run.refresh_from_db()
    assert run.state == ImportRun.State.APPLIED
    assert set(Commitment.objects.values_list("description", flat=True)) == {"Revised by import."}
