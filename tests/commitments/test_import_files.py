"""Every way a file or a cell is refused, with the message the person sees; encodings and
XLSX read back what the export wrote."""

import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commitments.imports import services
from commitments.imports.template import write_workbook
from commitments.models import Commitment, ImportRun, ProgressUpdate
from tests.commitments.import_helpers import apply, check, edit_csv, export_csv, report, upload
from tests.factories import CommitmentFactory, ProgressUpdateFactory

C = ImportRun.Kind.COMMITMENTS
U = ImportRun.Kind.UPDATES


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def commitment(state_a):
    commitment = CommitmentFactory(state=state_a, title="Préparer un plan d’action")
    ProgressUpdateFactory(commitment=commitment)
    return commitment


def xlsx_bytes(kind, rows=None) -> bytes:
    buffer = io.BytesIO()
    write_workbook(kind, buffer, rows)
    return buffer.getvalue()


def only_error(run) -> tuple:
    ((number, (action, _changes, errors)),) = report(run).items()
    assert action == "reject"
    return number, errors


@pytest.mark.django_db
def test_windows_1252_is_detected_and_read(commitment, secretariat):
    text = export_csv(C).decode("utf-8-sig").replace("d’action", "d'action")
    run = check(secretariat, C, text.replace("Préparer", "Préparer").encode("cp1252"))
    assert run.encoding == "windows-1252"
    assert run.unchanged == 0 and run.to_change == 1  # the apostrophe differs, the é is read


@pytest.mark.django_db
def test_utf8_with_and_without_bom_read_the_same(commitment, secretariat):
    data = export_csv(C)
    assert data.startswith(b"\xef\xbb\xbf")
    for variant in (data, data[3:]):
        run = check(secretariat, C, variant)
        assert (run.encoding, run.unchanged) == ("utf-8", 1)


@pytest.mark.django_db
def test_a_semicolon_separated_file_is_read(commitment, secretariat):
    data = export_csv(C).decode("utf-8-sig")
    import csv

    rows = list(csv.reader(io.StringIO(data)))
    out = io.StringIO()
    csv.writer(out, delimiter=";").writerows(rows)
    run = check(secretariat, C, out.getvalue().encode())
    assert run.unchanged == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"", "empty.csv", "The file is empty."),
        (b"id,title\x00\x01", "x.csv", "This is not a CSV or XLSX file (it contains binary data)."),
        (b"\xd0\xcf\x11\xe0rest", "old.xls", "Upload a CSV (.csv) or Excel workbook (.xlsx) file."),
        (b"not a zip", "fake.xlsx", "This file is not a valid .xlsx workbook."),
        (b"id,id\n1,1\n", "twice.csv", "These columns appear twice: id"),
        (b"\x81\x8d\x8f\xff\xfe", "odd.csv", "neither UTF-8 nor Windows-1252"),
    ],
)
def test_unreadable_files_fail_with_a_message(secretariat, data, name, message):
    try:
        run = check(secretariat, C, data, name)
    except ValidationError as exc:
        assert message in exc.messages[0]
        return
    assert run.state == ImportRun.State.FAILED
    assert message in run.error
    assert not run.rows.exists()


@pytest.mark.django_db
def test_an_old_excel_file_renamed_csv_is_refused(secretariat):
    run = check(secretariat, C, b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old.csv")
    assert run.error == "This is an old Excel 97-2003 file (.xls): save it as .xlsx or CSV."


@pytest.mark.django_db
def test_a_file_over_the_size_limit_is_refused(secretariat, settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError) as caught:
        upload(secretariat, C, b"id,title\n1,A long enough file\n")
    assert caught.value.message_dict["file"] == [
        "The file is 30\xa0bytes; the largest accepted is 10\xa0bytes."
    ]


@pytest.mark.django_db
def test_someone_without_a_state_may_not_import(django_user_model):
    user = django_user_model.objects.create_user("nobody", password="x")
    with pytest.raises(PermissionDenied):
        upload(user, C, b"id\n")


@pytest.mark.django_db
def test_unknown_columns_are_reported_and_block_the_apply(commitment, secretariat):
    def edit(rows):
        for row in rows:
            row["notes"] = "mine"
            row["description"] = "Changed."

    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    assert run.unknown_columns == ["notes"]
    assert run.to_change == 1
    assert not run.may_apply


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("column", "value", "message"),
    [
        (
            "target_date",
            "31/02/2026",
            "31/02/2026 is not a date (write it as YYYY-MM-DD, e.g. 2026-02-28)",
        ),
        ("review_interval_days", "six months", "six months is not a whole number"),
        ("review_interval_days", "3", "3 is not between 7 and 1096"),
        (
            "source_kind",
            "tweet",
            "tweet is not one of: ga-dialogue, upr, hrc-statement, national-action-plan, "
            "network-meeting, regional-body, other",
        ),
        ("step_code", "NOPE", "NOPE is not a known step code"),
        ("state_code", "XXX", "XXX is not a known State code"),
        ("channels", "parliament nowhere", "parliament is not a known scrutiny channel"),
        ("source_url", "ftp://x", "ftp://x is not a web address (http:// or https://)"),
        ("title", "", "this column cannot be empty"),
        ("title", "x" * 251, "251 characters, at most 250"),
        (
            "description",
            '=HYPERLINK("http://evil")',
            '=HYPERLINK("http://evil") looks like a formula: formulas are not imported '
            "(put an apostrophe ' before it to import it as text)",
        ),
        ("id", "999999", "there is no commitment 999999"),
        ("pledged_on", "2999-01-01", "The pledge date cannot be in the future."),
    ],
)
def test_every_bad_cell_is_rejected_with_row_column_and_reason(
    commitment, secretariat, column, value, message
):
    def edit(rows):
        rows[0][column] = value

    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    number, errors = only_error(run)
    assert number == 2
    assert errors == [(column, message)]


@pytest.mark.django_db
def test_a_row_repeated_in_the_file_is_rejected(commitment, secretariat):
    def edit(rows):
        rows.append(dict(rows[0]))

    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    assert only_error(run) == (3, [("", "this row is the same record as row 2")])


@pytest.mark.django_db
def test_a_new_row_without_its_key_columns_is_rejected(commitment, secretariat):
    run = check(secretariat, C, b"title,description\nA pledge,Text\n")
    assert only_error(run) == (
        2,
        [
            ("state_code", "needed to find or create the commitment"),
            ("step_code", "needed to find or create the commitment"),
            ("pledged_on", "needed to find or create the commitment"),
        ],
    )


@pytest.mark.django_db
def test_an_update_for_an_unknown_commitment_is_rejected(commitment, secretariat):
    data = b"commitment_id,reported_on,status,narrative\n424242,2025-01-01,limited,Done\n"
    run = check(secretariat, U, data)
    assert only_error(run) == (2, [("commitment_id", "there is no commitment 424242")])


@pytest.mark.django_db
def test_an_update_dated_before_the_pledge_is_refused_by_the_service(commitment, secretariat):
    data = f"commitment_id,reported_on,status,narrative\n{commitment.pk},2020-01-01,limited,Done\n"
    run = check(secretariat, U, data.encode())
    assert only_error(run) == (
        2,
        [("reported_on", "The reporting date cannot be before the pledge (2024-01-10).")],
    )


@pytest.mark.django_db
def test_an_update_file_imported_twice_adds_nothing_the_second_time(commitment, secretariat):
    data = f"commitment_id,reported_on,status,narrative\n{commitment.pk},2025-01-01,limited,Done\n"
    apply(check(secretariat, U, data.encode()))
    again = check(secretariat, U, data.encode(), "again.csv")
    assert (again.unchanged, again.to_create) == (1, 0)
    assert ProgressUpdate.objects.filter(narrative="Done").count() == 1


# --- XLSX -----------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", [C, U])
def test_the_xlsx_export_imports_unchanged(commitment, secretariat, kind):
    commitment.title = "=SUM(A1)"
    commitment.save()
    rows = (
        Commitment.objects.prefetch_related("channels", "resolutions")
        if kind == C
        else ProgressUpdate.objects.prefetch_related("evidence")
    )
    run = check(secretariat, kind, xlsx_bytes(kind, rows), "records.xlsx")
    assert run.encoding == "xlsx"
    assert (run.unchanged, run.to_change, run.rejected, run.unknown_columns) == (1, 0, 0, [])


@pytest.mark.django_db
def test_the_template_has_the_export_header_help_and_lists(commitment, secretariat):
    workbook = openpyxl.load_workbook(io.BytesIO(xlsx_bytes(C)))
    header = [c.value for c in workbook["records"][1]]
    assert header == export_csv(C).decode("utf-8-sig").splitlines()[0].split(",")
    validations = workbook["records"].data_validations.dataValidation
    assert {str(v.sqref).split(":")[0][0] for v in validations}  # lists are attached
    lists = workbook["lists"]
    assert "GHA" in [c.value for row in lists.iter_rows() for c in row]
    assert workbook["help"]["A1"].value == "column"
    # An empty template imports as nothing at all.
    run = check(secretariat, C, xlsx_bytes(C), "template.xlsx")
    assert (run.state, run.rows_total) == (ImportRun.State.CHECKED, 0)


def _xlsx_with(extra_member: str) -> bytes:
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as source,
        zipfile.ZipFile(out, "w") as dest,
    ):
        for item in source.infolist():
            dest.writestr(item, source.read(item))
        dest.writestr(extra_member, b"x")
    return out.getvalue()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("member", "message"),
    [
        ("xl/vbaProject.bin", "Workbooks with macros are refused: save it as .xlsx or CSV."),
        ("xl/externalLinks/externalLink1.xml", "This workbook links to other workbooks"),
    ],
)
def test_xlsx_with_macros_or_external_links_is_refused(secretariat, member, message):
    run = check(secretariat, C, _xlsx_with(member), "book.xlsx")
    assert run.state == ImportRun.State.FAILED
    assert run.error.startswith(message)


@pytest.mark.django_db
def test_a_formula_cell_in_xlsx_is_rejected(commitment, secretariat):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "review_interval_days"])
    sheet.append([commitment.pk, "=90*2"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    run = check(secretariat, C, buffer.getvalue(), "f.xlsx")
    assert only_error(run) == (
        2,
        [("review_interval_days", "=90*2 is a formula: type the value itself")],
    )


@pytest.mark.django_db
def test_an_xlsx_date_cell_is_a_date(commitment, secretariat):
    import datetime

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["id", "target_date"])
    sheet.append([commitment.pk, datetime.datetime(2027, 5, 1)])
    buffer = io.BytesIO()
    workbook.save(buffer)
    run = check(secretariat, C, buffer.getvalue(), "d.xlsx")
    assert report(run)[2][1] == [("target_date", "", "2027-05-01")]


@pytest.mark.django_db
def test_only_the_uploader_confirms_and_only_once(commitment, secretariat, focal_point_a):
    def edit(rows):
        rows[0]["description"] = "Changed."

    run = check(focal_point_a, C, edit_csv(export_csv(C), edit))
    # The focal point may not change terms: the row is rejected, nothing to confirm.
    assert not run.may_apply
    run = check(secretariat, C, edit_csv(export_csv(C), edit))
    with pytest.raises(PermissionDenied):
        services.import_confirm(run=run, user=focal_point_a)
    assert services.import_confirm(run=run, user=secretariat)
    assert not services.import_confirm(run=run, user=secretariat)  # already claimed
    run.refresh_from_db()
    with pytest.raises(ValidationError):
        services.import_confirm(run=run, user=secretariat)  # no longer waiting
