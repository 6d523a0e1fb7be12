"""Spreadsheet imports under /my/imports/: upload, the dry-run report (paged), confirm, cancel,
the log of runs, and the XLSX template per kind. Thin views over
:mod:`commitments.imports.services`; large files run in Celery tasks and the run's page polls
their progress."""

import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from commitments import tasks
from commitments.errors import add_service_errors
from commitments.imports import services
from commitments.imports.template import write_workbook
from commitments.models import ImportRow, ImportRun
from focalpoints.permissions import is_secretariat, may_import
from workspace.import_forms import ImportUploadForm

REPORT_PAGE_SIZE = 50
ROW_FILTERS = [ImportRow.Action.CREATE, ImportRow.Action.CHANGE, ImportRow.Action.REJECT]


def _require_importer(request) -> None:
    if not may_import(request.user):
        raise PermissionDenied(_("You may not import records."))


def _run_for_user(request, pk: int) -> ImportRun:
    """The uploader's own runs; the secretariat sees every run (404 for anyone else's)."""
    return get_object_or_404(services.import_runs_for(request.user), pk=pk)


def _check(run: ImportRun) -> None:
    if services.runs_in_background(run):
        transaction.on_commit(lambda: tasks.import_check.delay(run.pk))
    else:
        services.import_check(run.pk)


@login_required
def import_list(request):
    """Upload a file; the log of earlier runs below."""
    _require_importer(request)
    staff = is_secretariat(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None, secretariat=staff)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            run = services.import_upload(
                user=request.user, kind=form.cleaned_data["kind"], fileobj=upload, name=upload.name
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            _check(run)
            return redirect("workspace:import_run", pk=run.pk)
    runs = Paginator(services.import_runs_for(request.user), 25).get_page(request.GET.get("page"))
    context = {"form": form, "runs": runs, "kinds": form.fields["kind"].choices}
    return render(request, "workspace/imports.html", context, status=400 if form.errors else 200)


@login_required
def import_run(request, pk: int):
    """The dry-run report, paged (filtered by what the row does), with confirm and cancel."""
    run = _run_for_user(request, pk)
    shown = request.GET.get("rows", "")
    rows = run.rows.all()
    if shown in ROW_FILTERS:
        rows = rows.filter(action=shown)
    page = Paginator(rows, REPORT_PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "run": run,
        "page": page,
        "shown": shown,
        "filters": [(value, ImportRow.Action(value).label) for value in ROW_FILTERS],
        "progress": services.progress_of(run),
        "mine": run.uploaded_by_id == request.user.pk,
    }
    return render(request, "workspace/import_run.html", context)


@login_required
def import_progress(request, pk: int):
    """What the run's page polls while a task checks or applies the file."""
    run = _run_for_user(request, pk)
    return JsonResponse(
        {
            "state": run.state,
            "state_label": run.get_state_display(),
            "busy": run.is_busy,
            "done": services.progress_of(run),
            "total": run.rows_total if run.state == ImportRun.State.APPLYING else None,
        }
    )


@login_required
@require_POST
def import_confirm(request, pk: int):
    run = _run_for_user(request, pk)
    try:
        claimed = services.import_confirm(run=run, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("workspace:import_run", pk=run.pk)
    if claimed and services.runs_in_background(run):
        transaction.on_commit(lambda: tasks.import_apply.delay(run.pk))
    elif claimed:
        run = services.import_apply(run.pk)
        _announce(request, run)
    return redirect("workspace:import_run", pk=run.pk)


def _announce(request, run: ImportRun) -> None:
    if run.state == ImportRun.State.APPLIED:
        messages.success(
            request,
            _("Imported: %(created)d created, %(changed)d changed.")
            % {"created": run.to_create, "changed": run.to_change},
        )
    else:
        messages.error(request, run.error)


@login_required
@require_POST
def import_cancel(request, pk: int):
    run = _run_for_user(request, pk)
    try:
        services.import_cancel(run=run, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Import cancelled: nothing was written."))
    return redirect("workspace:imports")


@login_required
def import_template(request, kind: str):
    """The XLSX template of a kind: the download's columns, help and drop-down lists."""
    _require_importer(request)
    if kind not in ImportRun.Kind.values:
        raise Http404
    buffer = io.BytesIO()
    write_workbook(kind, buffer)
    buffer.seek(0)
    return FileResponse(
        buffer,
        as_attachment=True,
        filename=f"r2p-{kind}-template.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
