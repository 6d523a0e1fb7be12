"""Building import files from the exports, and running an import end to end."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from commitments.imports import services
from commitments.models import Commitment, ImportRun, ProgressUpdate
from tracker import exports


def export_csv(kind: str) -> bytes:
    """Exactly what the public CSV download gives for every row of ``kind``."""
    if kind == ImportRun.Kind.COMMITMENTS:
        rows = Commitment.objects.select_related("state", "step").prefetch_related(
            "channels", "resolutions"
        )
        columns = exports.commitment_columns(timezone.localdate())
    else:
        rows = ProgressUpdate.objects.prefetch_related("evidence")
        columns = exports.update_columns()
    return "".join(exports.csv_rows(columns, rows.order_by("pk"))).encode()


def export_via_page(path: str) -> bytes:
    response = Client().get(path, {"format": "csv"})
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def edit_csv(data: bytes, edit) -> bytes:
    """Read the CSV, let ``edit(rows)`` change the list of dict rows, write it back."""
    text = data.decode("utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    rows = list(reader)
    rows = edit(rows) or rows
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0].keys()) if rows else reader.fieldnames)
    writer.writeheader()
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode()


def upload(user, kind: str, data: bytes, name: str = "records.csv") -> ImportRun:
    return services.import_upload(
        user=user, kind=kind, fileobj=SimpleUploadedFile(name, data), name=name
    )


def check(user, kind: str, data: bytes, name: str = "records.csv") -> ImportRun:
    run = upload(user, kind, data, name)
    return services.import_check(run.pk)


def apply(run: ImportRun) -> ImportRun:
    assert services.import_confirm(run=run, user=run.uploaded_by)
    return services.import_apply(run.pk)


def report(run: ImportRun) -> dict[int, tuple]:
    """Row number -> (action, changes, errors) of the stored dry-run report."""
    return {
        row.number: (row.action, [tuple(c) for c in row.changes], [tuple(e) for e in row.errors])
        for row in run.rows.all()
    }
