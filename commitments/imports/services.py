"""The life of an import: upload (stored with its checksum), check (the dry run and its
report), confirm (the apply, all or nothing), cancel. Every surface — the workspace pages, the
``import_records`` command, the Celery tasks — calls these."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.imports.files import ImportFileError
from commitments.imports.runner import Outcome, Pass, PlanMismatch, RejectedRows
from commitments.models import ImportRow, ImportRun
from focalpoints.permissions import is_secretariat, may_import

logger = logging.getLogger(__name__)

ALLOWED_SUFFIXES = (".csv", ".txt", ".xlsx")


def import_upload(*, user, kind: str, fileobj, name: str) -> ImportRun:
    """Keep the uploaded file (refusing too large or wrong types) and record the run; checking
    it is :func:`import_check` (inline or in a task, the caller's choice)."""
    if not may_import(user):
        raise PermissionDenied(_("You may not import records."))
    if kind not in ImportRun.Kind.values:
        raise ValidationError({"kind": _("Choose what the file holds.")})
    size = getattr(fileobj, "size", None)
    if size is None:
        fileobj.seek(0, 2)
        size = fileobj.tell()
    if size > settings.IMPORT_MAX_UPLOAD_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)s; the largest accepted is %(max)s.")
                % {
                    "size": filesizeformat(size),
                    "max": filesizeformat(settings.IMPORT_MAX_UPLOAD_BYTES),
                }
            }
        )
    if not name.lower().endswith(ALLOWED_SUFFIXES):
        raise ValidationError({"file": _("Upload a CSV (.csv) or Excel workbook (.xlsx) file.")})
    digest = hashlib.sha256()
    fileobj.seek(0)
    while chunk := fileobj.read(1 << 16):
        digest.update(chunk)
    fileobj.seek(0)
    run = ImportRun(
        kind=kind,
        file_name=name[-255:],
        size_bytes=size,
        sha256=digest.hexdigest(),
        uploaded_by=user,
    )
    run.file.save(name, File(fileobj, name=name), save=False)
    run.save()
    logger.info("import uploaded", extra={"import_run": run.pk, "user": user.pk, "kind": kind})
    return run


def runs_in_background(run: ImportRun) -> bool:
    """Large files are checked and applied by a Celery task; the page shows the progress."""
    return run.size_bytes > settings.IMPORT_BACKGROUND_BYTES


def progress_key(run_id: int) -> str:
    return f"import-progress:{run_id}"


def progress_of(run: ImportRun) -> int:
    """Rows processed so far by the running pass (kept in the shared cache: the apply's own
    writes are invisible to others until it commits)."""
    return cache.get(progress_key(run.pk), run.rows_done)


def _progress(run_id: int) -> Callable[[int], None]:
    def report(done: int) -> None:
        cache.set(progress_key(run_id), done, timeout=3600)

    return report


def import_check(run_id: int, *, progress: Callable[[int], None] | None = None) -> ImportRun:
    """The dry run: reads every row, writes nothing but the report. Safe to run again (a
    redelivered task starts the report over)."""
    run = ImportRun.objects.select_related("uploaded_by").get(pk=run_id)
    if run.state not in {ImportRun.State.PENDING, ImportRun.State.CHECKING}:
        return run
    ImportRun.objects.filter(pk=run.pk).update(state=ImportRun.State.CHECKING)
    ImportRow.objects.filter(run=run).delete()
    cache.delete(progress_key(run.pk))
    dry_run = Pass(run, apply=False, progress=_both(progress, _progress(run.pk)))
    try:
        with transaction.atomic():
            outcome = dry_run.run_file()
            transaction.set_rollback(True)  # the dry run writes nothing but its report
    except ImportFileError as exc:
        return _finish(run, ImportRun.State.FAILED, error=str(exc))
    except Exception:
        logger.exception("import check failed", extra={"import_run": run.pk})
        return _finish(
            run, ImportRun.State.FAILED, error=_("An unexpected error stopped the check.")
        )
    dry_run.store_report()
    _store_counts(run, outcome)
    run.plan_digest = outcome.digest
    run.checked_at = timezone.now()
    return _finish(run, ImportRun.State.CHECKED)


def _both(first, second):
    if first is None:
        return second

    def report(done: int) -> None:
        first(done)
        second(done)

    return report


def _store_counts(run: ImportRun, outcome: Outcome) -> None:
    run.rows_total = outcome.total
    run.rows_done = outcome.total
    run.to_create = outcome.create
    run.to_change = outcome.change
    run.unchanged = outcome.unchanged
    run.rejected = outcome.rejected
    run.unknown_columns = outcome.unknown
    run.ignored_columns = outcome.ignored
    run.encoding = outcome.encoding


def _finish(run: ImportRun, state: str, *, error: str = "") -> ImportRun:
    run.state = state
    run.error = error
    run.save()
    cache.delete(progress_key(run.pk))
    logger.info("import %s", state, extra={"import_run": run.pk, "error": error})
    return run


def _owned(run: ImportRun, user) -> None:
    if run.uploaded_by_id != user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file may confirm or cancel it."))


def import_confirm(*, run: ImportRun, user) -> bool:
    """Claim a checked run for its apply (once: a second click finds it claimed). True if
    claimed; the caller then runs :func:`import_apply` inline or in a task."""
    _owned(run, user)
    if not run.may_apply:
        raise ValidationError(_("This import cannot be applied (see its report)."))
    claimed = ImportRun.objects.filter(pk=run.pk, state=ImportRun.State.CHECKED).update(
        state=ImportRun.State.APPLYING
    )
    return bool(claimed)


def import_apply(run_id: int, *, progress: Callable[[int], None] | None = None) -> ImportRun:
    """The apply: the same rows through the same services, in one transaction, kept only if
    every row succeeds and the outcome is the dry run's. Idempotent (a run already applied or
    failed is left alone), so a redelivered task does no harm."""
    run = ImportRun.objects.select_related("uploaded_by").get(pk=run_id)
    if run.state != ImportRun.State.APPLYING:
        return run
    cache.delete(progress_key(run.pk))
    try:
        with transaction.atomic():
            outcome = Pass(run, apply=True, progress=_both(progress, _progress(run.pk))).run_file()
            if outcome.rejected:
                raise RejectedRows
            if outcome.digest != run.plan_digest:
                raise PlanMismatch
    except (RejectedRows, PlanMismatch, ImportFileError):
        return _finish(
            run,
            ImportRun.State.FAILED,
            error=_(
                "The records changed since the file was checked, so nothing was applied. "
                "Upload the file again to check it against the records as they are now."
            ),
        )
    except Exception:
        # Whatever stopped it, the transaction rolled back: say so rather than stay "applying".
        logger.exception("import apply failed", extra={"import_run": run.pk})
        return _finish(
            run,
            ImportRun.State.FAILED,
            error=_("An unexpected error stopped the import; nothing was applied."),
        )
    run.applied_at = timezone.now()
    return _finish(run, ImportRun.State.APPLIED)


def import_cancel(*, run: ImportRun, user) -> ImportRun:
    """Drop a checked run that will not be applied (the file and report stay in the log)."""
    _owned(run, user)
    updated = ImportRun.objects.filter(
        pk=run.pk, state__in=[ImportRun.State.PENDING, ImportRun.State.CHECKED]
    ).update(state=ImportRun.State.CANCELLED)
    if not updated:
        raise ValidationError(_("This import can no longer be cancelled."))
    run.refresh_from_db()
    return run


def import_runs_for(user):
    """The runs a user may see: their own; the secretariat sees every run."""
    runs = ImportRun.objects.select_related("uploaded_by")
    return runs if is_secretariat(user) else runs.filter(uploaded_by=user)
