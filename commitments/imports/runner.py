"""The dry run and the apply of an import: one code path.

Each row is matched, checked and — when it creates or changes something — written through the
services (changes in a savepoint per row, creations in bulk per chunk), in one transaction. The
dry run rolls that transaction back (so it sees exactly what the services would do, later rows
seeing earlier ones) and keeps the report; the apply runs the same rows the same way and commits
only if every row succeeds *and* the outcome, row by row, hashes to the dry run's
(``ImportRun.plan_digest``). Anything else rolls the whole file back.

Rows are read one at a time from the stored file and handled in chunks; only the report's rows
that are not unchanged are kept (spooled to disk, stored in batches), so memory stays bounded
whatever the size.
"""

from __future__ import annotations

import hashlib
import json
import logging
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.columns import CellError, Lookups, cell_text, integer
from commitments.imports.files import ImportFileError, Table, open_table
from commitments.imports.kinds import KINDS, Plan, Row, RowError, _service_errors
from commitments.models import ImportRow, ImportRun

logger = logging.getLogger(__name__)

BATCH = 500
CHUNK_ROWS = 500  # rows read, matched (one query per chunk) and created (bulk) together
COUNTERS = {"create": "create", "change": "change", "unchanged": "unchanged", "reject": "rejected"}


class PlanMismatch(Exception):
    """The apply did not reach the dry run's outcome: the records changed in between."""


class RejectedRows(Exception):
    """The apply met a rejected row: nothing is kept."""


@dataclass
class Outcome:
    """The counts of one pass, and the digest of its row-by-row outcome."""

    create: int = 0
    change: int = 0
    unchanged: int = 0
    rejected: int = 0
    total: int = 0
    digest: str = ""
    unknown: list[str] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    encoding: str = ""


class Pass:
    """One reading of the file, for a dry run (``apply=False``) or the apply."""

    def __init__(self, run: ImportRun, *, apply: bool, progress: Callable[[int], None] | None):
        self.run = run
        self.apply = apply
        self.progress = progress
        self.kind = KINDS[run.kind](timezone.localdate())
        self.by_header = {c.header: c for c in self.kind.columns}
        self.lookups = Lookups()
        self.hash = hashlib.sha256()
        self.outcome = Outcome()
        # Lives as long as the pass; store_report() closes it.
        self.spool = tempfile.SpooledTemporaryFile(max_size=4 * 1024 * 1024)  # noqa: SIM115
        self.seen_keys: dict[tuple, int] = {}
        self.deferred: list[tuple] = []

    # --- the header ---------------------------------------------------------------------------

    def read_header(self, table: Table) -> None:
        headers = table.headers
        duplicates = sorted({h for h in headers if h and headers.count(h) > 1})
        if duplicates:
            raise ImportFileError(
                _("These columns appear twice: %(columns)s") % {"columns": ", ".join(duplicates)}
            )
        self.outcome.unknown = [h for h in headers if h and h not in self.by_header]
        self.outcome.ignored = [
            h
            for h in headers
            if h in self.by_header and not self.by_header[h].writable and h != "id"
        ]
        self.outcome.encoding = table.encoding
        self.headers = headers

    # --- one row ------------------------------------------------------------------------------

    def parse(self, number: int, cells) -> Row:
        row = Row(number)
        for header, cell in zip(self.headers, cells, strict=False):
            column = self.by_header.get(header)
            if column is None or not (column.writable or header == "id"):
                continue
            row.text[header] = cell.text
            if cell.error:
                row.errors.append((header, cell.error))
                continue
            parse = integer(1, 2**63 - 1) if header == "id" else column.parse
            if header == "id" and not cell.text:
                continue
            try:
                row.values[column.source or header] = parse(cell.text, self.lookups)
            except CellError as exc:
                row.errors.append((header, str(exc)))
        return row

    def plan(self, row: Row) -> Plan:
        obj = self.kind.find(row)
        self.kind.check_permission(self.run.uploaded_by, row, obj)
        label = self.kind.label(row, obj)
        if obj is None:
            self._refuse_repeated_key(row)
            created = [(h, row.text[h]) for h in self.headers if h in row.text and h != "id"]
            return Plan("create", None, label, created)
        changes = []
        for header in self.headers:
            column = self.by_header.get(header)
            if header == "id" or header not in row.text or column is None:
                continue
            before_text = cell_text(column.get(obj))
            try:
                before = column.parse(before_text, self.lookups)
            except CellError:
                before = before_text
            if before != row.values.get(column.source or header):
                changes.append((header, before_text, row.text[header]))
        self._refuse_repeated_key(row, obj.pk)
        return Plan("change" if changes else "unchanged", obj, label, changes)

    def _refuse_repeated_key(self, row: Row, pk: int | None = None) -> None:
        key = (
            ("id", pk)
            if pk is not None
            else tuple(getattr(row.values.get(n), "pk", row.values.get(n)) for n in self.kind.KEY)
        )
        earlier = self.seen_keys.get(key)
        if earlier is not None:
            raise RowError(
                [("", _("this row is the same record as row %(row)d") % {"row": earlier})]
            )
        self.seen_keys[key] = row.number

    def handle(self, row: Row) -> tuple[str, int | None, str, list, list] | None:
        """The row's outcome, or None when its creation is deferred to the chunk's bulk
        write (:meth:`write_deferred`)."""
        label = ""
        try:
            if row.errors:
                raise RowError(row.errors)
            plan = self.plan(row)
            label = plan.label
            if hasattr(self.kind, "refuse_change"):
                self.kind.refuse_change(plan)
            if plan.action == "unchanged":
                return "unchanged", plan.obj.pk, label, [], []
            if plan.action == "create" and hasattr(self.kind, "build"):
                built = self.kind.build(user=self.run.uploaded_by, plan=plan, row=row)
                self.deferred.append((row, plan, built))
                return None
            object_id = self._write(plan, row)
            return plan.action, object_id, label, plan.changes, []
        except RowError as exc:
            return "reject", None, label or self.kind.label(row, None), [], exc.errors
        except (ValidationError, PermissionDenied) as exc:
            errors = _service_errors(exc, self.kind.headers)
            return "reject", None, label or self.kind.label(row, None), [], errors

    def _write(self, plan: Plan, row: Row) -> int:
        # A savepoint per row: a row the services refuse leaves the others standing.
        with transaction.atomic():
            return self.kind.write(user=self.run.uploaded_by, run=self.run, plan=plan, row=row)

    # --- the file -------------------------------------------------------------------------------

    def record(self, number: int, action: str, object_id, label: str, changes, errors) -> None:
        counts = self.outcome
        counts.total += 1
        name = COUNTERS[action]
        setattr(counts, name, getattr(counts, name) + 1)
        # Created ids differ between the dry run (rolled back) and the apply: not hashed.
        hashed_id = None if action == "create" else object_id
        self.hash.update(json.dumps([number, action, hashed_id, changes, errors]).encode())
        if not self.apply and action != "unchanged":
            # Kept on disk past a few MB: the dry run's writes are rolled back, its report is
            # stored afterwards (:meth:`store_report`).
            entry = [number, action, object_id if action != "create" else None, label[:300]]
            self.spool.write((json.dumps([*entry, changes, errors]) + "\n").encode())

    def store_report(self) -> None:
        """Write the dry run's report rows (after its transaction was rolled back)."""
        self.spool.seek(0)
        batch = []
        for line in self.spool:
            number, action, object_id, label, changes, errors = json.loads(line)
            batch.append(
                ImportRow(
                    run=self.run,
                    number=number,
                    action=action,
                    object_id=object_id,
                    label=label,
                    changes=changes,
                    errors=errors,
                )
            )
            if len(batch) >= BATCH:
                ImportRow.objects.bulk_create(batch)
                batch = []
        ImportRow.objects.bulk_create(batch)
        self.spool.close()

    def write_deferred(self) -> None:
        """Creations checked row by row (:meth:`handle`) are written together by the bulk
        service."""
        if not self.deferred:
            return
        self.kind.write_many(
            user=self.run.uploaded_by, run=self.run, built=[b for _r, _p, b in self.deferred]
        )
        for row, plan, built in self.deferred:
            self.record(
                row.number, "create", self.kind.created_id(built), plan.label, plan.changes, []
            )
        self.deferred = []

    def run_chunk(self, chunk: list) -> None:
        rows = [self.parse(number, cells) for number, cells in chunk]
        self.kind.prefetch([row for row in rows if not row.errors])
        for row in rows:
            outcome = self.handle(row)
            if outcome is not None:
                self.record(row.number, *outcome)
        self.write_deferred()
        if self.progress:
            self.progress(self.outcome.total)

    def run_file(self) -> Outcome:
        with self.run.file.open("rb") as fileobj:
            table = open_table(fileobj, self.run.file_name)
            self.read_header(table)
            chunk = []
            for item in table.rows:
                chunk.append(item)
                if len(chunk) >= CHUNK_ROWS:
                    self.run_chunk(chunk)
                    chunk = []
            self.run_chunk(chunk)
        self.outcome.digest = self.hash.hexdigest()
        return self.outcome
