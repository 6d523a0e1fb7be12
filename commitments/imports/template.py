"""The XLSX template of each kind: the export's columns (the same header row the CSV has), a
"help" sheet saying what each column takes and whether the import writes it, and drop-down
lists (data validation) for the vocabularies, the State codes and the step codes. With
``rows`` it is also the export as a workbook (the round trip through Excel)."""

from __future__ import annotations

from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from commitments.columns import cell_text
from commitments.imports.kinds import KINDS
from commitments.models import PreventionStep
from focalpoints.models import MemberState

MAX_VALIDATION_ROWS = 5000


def _lists(columns) -> dict[str, list[str]]:
    """Header -> the values its cell may take (vocabularies, States, steps)."""
    lists = {c.header: list(c.choices) for c in columns if c.choices}
    headers = {c.header for c in columns}
    if "state_code" in headers:
        lists["state_code"] = list(
            MemberState.objects.order_by("code").values_list("code", flat=True)
        )
    if "step_code" in headers:
        lists["step_code"] = list(
            PreventionStep.objects.filter(is_active=True)
            .order_by("code")
            .values_list("code", flat=True)
        )
    return lists


def write_workbook(kind: str, fileobj, rows: Iterable | None = None) -> None:
    """Write the template of ``kind`` (with ``rows`` exported into it) to ``fileobj``."""
    import openpyxl
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    columns = KINDS[kind](timezone.localdate()).columns
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "records"
    sheet.append([c.header for c in columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for row in rows or ():
        sheet.append([_text_cell(sheet, cell_text(c.get(row))) for c in columns])

    lists = workbook.create_sheet("lists")
    for index, (header, values) in enumerate(_lists(columns).items(), start=1):
        letter = get_column_letter(index)
        lists.cell(row=1, column=index, value=header)
        for offset, value in enumerate(values, start=2):
            lists.cell(row=offset, column=index, value=value)
        target = get_column_letter([c.header for c in columns].index(header) + 1)
        validation = DataValidation(
            type="list",
            formula1=f"lists!${letter}$2:${letter}${len(values) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            error=_("Choose a value from the list."),
        )
        validation.add(f"{target}2:{target}{MAX_VALIDATION_ROWS}")
        sheet.add_data_validation(validation)
    lists.sheet_state = "hidden"

    help_sheet = workbook.create_sheet("help")
    help_sheet.append([_("column"), _("imported"), _("what to write")])
    for cell in help_sheet[1]:
        cell.font = Font(bold=True)
    for column in columns:
        imported = _("yes") if column.writable else _("no (derived or shown for reading)")
        if column.header == "id":
            imported = _("matches the row to an existing record; empty for a new one")
        help_sheet.append([column.header, imported, str(column.help)])
    workbook.save(fileobj)


def _text_cell(sheet, text: str):
    """A value that a spreadsheet would take for a formula is written as plain text."""
    from openpyxl.cell.cell import Cell

    if text.startswith("="):
        cell = Cell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text
