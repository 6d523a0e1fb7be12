"""Reading an uploaded spreadsheet, row by row, with bounded memory: CSV (UTF-8 with or
without a byte-order mark, else Windows-1252; comma or semicolon separated) or XLSX (first
sheet, read-only streaming). Refused with a message a person understands: anything else, an
XLSX with macros or external links, and formulas (an import takes values, never computations).

Row numbers are those a spreadsheet program shows: the header is row 1.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass

from django.utils.translation import gettext as _

from commitments.spreadsheets import from_spreadsheet, looks_like_formula

CHUNK = 1 << 16
ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # the old binary .xls (and .xlsm saved as 97-2003)
# An XLSX is a zip: refuse one that would unpack to more than this (a "zip bomb").
MAX_UNPACKED_BYTES = 512 * 1024 * 1024


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message is shown to the person."""


@dataclass
class Cell:
    """A cell's text, or why it cannot be read (a formula)."""

    text: str
    error: str = ""


@dataclass
class Table:
    """A readable file: its headers and an iterator of (row number, cells)."""

    headers: list[str]
    rows: Iterator[tuple[int, list[Cell]]]
    encoding: str  # "utf-8", "windows-1252" or "xlsx"


def open_table(fileobj, name: str) -> Table:
    """The file's table. ``fileobj`` is a binary, seekable file."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    lower = name.lower()
    if lower.endswith((".xlsm", ".xltm", ".xlsb")):
        raise ImportFileError(_("Workbooks with macros are refused: save it as .xlsx or CSV."))
    if head.startswith(OLE_MAGIC):
        raise ImportFileError(
            _("This is an old Excel 97-2003 file (.xls): save it as .xlsx or CSV.")
        )
    if head.startswith(ZIP_MAGIC):
        return _xlsx_table(fileobj)
    if lower.endswith(".xlsx"):
        raise ImportFileError(_("This file is not a valid .xlsx workbook."))
    return _csv_table(fileobj)


# --- CSV ------------------------------------------------------------------------------------------


def detect_encoding(fileobj) -> str:
    """UTF-8 (a byte-order mark is allowed) if every byte decodes, else Windows-1252 if every
    byte is one of its characters; read in chunks, so memory stays bounded."""
    for encoding in ("utf-8-sig", "cp1252"):
        fileobj.seek(0)
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := fileobj.read(CHUNK):
                if b"\x00" in chunk:
                    raise ImportFileError(
                        _("This is not a CSV or XLSX file (it contains binary data).")
                    )
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        fileobj.seek(0)
        return encoding
    raise ImportFileError(
        _("The file's text is neither UTF-8 nor Windows-1252: save it as CSV UTF-8.")
    )


def _csv_table(fileobj) -> Table:
    encoding = detect_encoding(fileobj)
    text = io.TextIOWrapper(fileobj, encoding=encoding, newline="")
    first = text.readline()
    if not first.strip():
        raise ImportFileError(_("The file is empty."))
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(_chain(first, text), delimiter=delimiter)
    try:
        headers = next(reader)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    except csv.Error as exc:
        raise ImportFileError(_("The file is not valid CSV: %(error)s") % {"error": exc}) from None
    label = "utf-8" if encoding == "utf-8-sig" else "windows-1252"
    return Table([h.strip() for h in headers], _csv_rows(reader), label)


def _chain(first: str, rest) -> Iterator[str]:
    yield first
    yield from rest


def _csv_rows(reader) -> Iterator[tuple[int, list[Cell]]]:
    number = 1
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ImportFileError(
                _("Row %(row)d is not valid CSV: %(error)s") % {"row": number + 1, "error": exc}
            ) from None
        number += 1
        if not any(v.strip() for v in values):
            continue
        yield number, [_csv_cell(v) for v in values]


def _csv_cell(value: str) -> Cell:
    text = value.strip()
    unescaped = from_spreadsheet(text)
    if unescaped == text and looks_like_formula(text):
        return Cell(
            text,
            _(
                "%(value)s looks like a formula: formulas are not imported "
                "(put an apostrophe ' before it to import it as text)"
            )
            % {"value": text[:40]},
        )
    return Cell(unescaped)


# --- XLSX -----------------------------------------------------------------------------------------


def _xlsx_table(fileobj) -> Table:
    import openpyxl

    _check_xlsx_package(fileobj)
    fileobj.seek(0)
    try:
        workbook = openpyxl.load_workbook(
            fileobj, read_only=True, data_only=False, keep_links=False, keep_vba=False
        )
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ImportFileError(
            _("This file is not a readable .xlsx workbook (%(error)s).")
            % {"error": type(exc).__name__}
        ) from None
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows()
    try:
        header_cells = next(rows)
    except StopIteration:
        raise ImportFileError(_("The file is empty.")) from None
    headers = [_xlsx_cell(c).text for c in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    return Table(headers, _xlsx_rows(rows, workbook), "xlsx")


def _check_xlsx_package(fileobj) -> None:
    try:
        archive = zipfile.ZipFile(fileobj)
    except zipfile.BadZipFile:
        raise ImportFileError(_("This file is not a valid .xlsx workbook.")) from None
    with archive:
        names = archive.namelist()
        if "xl/workbook.xml" not in names:
            raise ImportFileError(_("This file is not a valid .xlsx workbook."))
        if any(n.lower().endswith("vbaproject.bin") for n in names):
            raise ImportFileError(_("Workbooks with macros are refused: save it as .xlsx or CSV."))
        if any(n.startswith("xl/externalLinks/") for n in names):
            raise ImportFileError(
                _(
                    "This workbook links to other workbooks (external links): copy the values "
                    "in and remove the links, then upload it again."
                )
            )
        if sum(i.file_size for i in archive.infolist()) > MAX_UNPACKED_BYTES:
            raise ImportFileError(_("This workbook is too large once unpacked."))


def _xlsx_rows(rows, workbook) -> Iterator[tuple[int, list[Cell]]]:
    number = 1
    try:
        for cells in rows:
            number += 1
            values = [_xlsx_cell(c) for c in cells]
            if any(v.text or v.error for v in values):
                yield number, values
    finally:
        workbook.close()


def _xlsx_cell(cell) -> Cell:
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", None) == "f":
        return Cell(
            str(value), _("%(value)s is a formula: type the value itself") % {"value": value}
        )
    return Cell(xlsx_text(value))


def xlsx_text(value) -> str:
    """A typed spreadsheet value as the text the CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0) and value.tzinfo is None:
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
