import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from commitments.imports import services
from commitments.models import ImportRow, ImportRun

SHOWN_ROWS = 20


class Command(BaseCommand):
    help = (
        "Import commitments, progress updates or (secretariat) focal point appointments, "
        "resolutions or prevention steps from a CSV or XLSX file with the columns of the "
        "exports: checks every row first (the dry run), then applies them all in one "
        "transaction unless --dry-run. The run is logged like an upload on the import page."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--kind", required=True, choices=ImportRun.Kind.values)
        parser.add_argument(
            "--user",
            required=True,
            help="Username the import acts as (permissions, history): a secretariat account.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")

    def handle(self, *args, file: Path, kind: str, user: str, dry_run: bool, **options):
        account = get_user_model().objects.filter(username=user).first()
        if account is None:
            raise CommandError(f"No account named {user!r}.")
        if not file.is_file():
            raise CommandError(f"No file {file}.")
        started = time.monotonic()
        with file.open("rb") as fileobj:
            try:
                run = services.import_upload(
                    user=account, kind=kind, fileobj=fileobj, name=file.name
                )
            except (PermissionDenied, ValidationError) as exc:
                raise CommandError("; ".join(getattr(exc, "messages", [str(exc)]))) from None
        self.stdout.write(f"Import run {run.pk}: checking {file.name} ({run.sha256[:12]}…)")
        run = services.import_check(run.pk, progress=self._progress("checked"))
        self._report(run)
        if run.state == ImportRun.State.FAILED:
            raise CommandError(run.error)
        if dry_run or not run.may_apply:
            if run.rejected or run.unknown_columns:
                raise CommandError("Nothing applied: fix the rejected rows or unknown columns.")
            self.stdout.write("Nothing applied (dry run)." if dry_run else "Nothing to apply.")
            return
        services.import_confirm(run=run, user=account)
        run = services.import_apply(run.pk, progress=self._progress("applied"))
        if run.state != ImportRun.State.APPLIED:
            raise CommandError(run.error)
        seconds = time.monotonic() - started
        self.stdout.write(
            self.style.SUCCESS(
                f"Applied: {run.to_create} created, {run.to_change} changed "
                f"({run.rows_total} rows in {seconds:.1f} s)."
            )
        )

    def _progress(self, verb: str):
        def report(done: int) -> None:
            if done % 1000 == 0:
                self.stdout.write(f"  {done} rows {verb}")

        return report

    def _report(self, run: ImportRun) -> None:
        self.stdout.write(
            f"{run.rows_total} rows: {run.to_create} to create, {run.to_change} to change, "
            f"{run.unchanged} unchanged, {run.rejected} rejected (read as {run.encoding})."
        )
        if run.unknown_columns:
            self.stdout.write(f"Unknown columns: {', '.join(run.unknown_columns)}")
        for row in run.rows.all()[:SHOWN_ROWS]:
            if row.action == ImportRow.Action.REJECT:
                for column, message in row.errors:
                    where = f", column {column}" if column else ""
                    self.stdout.write(f"  row {row.number}{where}: {message}")
            else:
                self.stdout.write(f"  row {row.number}: {row.action} {row.label}")
                for column, *values in row.changes:
                    self.stdout.write(f"      {column}: {' → '.join(values)}")
