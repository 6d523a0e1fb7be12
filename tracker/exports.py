"""Take the data away: streamed CSV for every public list, and what goes into the bulk
open-data zip (every public table as CSV and JSON, a Frictionless ``datapackage.json`` data
dictionary and the licence). The zip is built ahead of time by :mod:`tracker.opendata`.

CSV files are UTF-8 with a byte-order mark (so spreadsheet programs open Arabic and accented
names correctly) and are streamed row by row from a server-side iterator: memory stays constant
whatever the size of the table.

Only public columns are ever named here. Private focal point fields
(:attr:`focalpoints.models.FocalPoint.PRIVATE_FIELDS`) and accounts are never selected.
"""

from __future__ import annotations

import csv
import datetime
import json
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from operator import attrgetter, itemgetter

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from commitments import ledger
from commitments.columns import (
    Column,
    absolute,
    cell_text,
    commitment_columns,
    public_field_columns,
)
from commitments.columns import (  # the CSVs' columns declared in the domain (D-14-1)
    resolution_columns as resolution_columns,
)
from commitments.columns import (
    step_columns as step_columns,
)
from commitments.columns import (
    update_columns as update_columns,
)
from commitments.evidence import download_name
from commitments.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentReply,
    Commitment,
    CommitmentRevision,
    DocumentedPractice,
    Evidence,
    LedgerEntry,
    OperativeParagraph,
    PreventionStep,
    ProgressUpdate,
    Resolution,
    RiskFactor,
    ScrutinyChannel,
    UpdateTranslation,
)
from commitments.rules import disagrees
from commitments.selectors import (
    public_assessment_replies,
    public_assessments,
    public_organisations,
)
from commitments.spreadsheets import spreadsheet_safe
from focalpoints.localisation import translated_columns
from focalpoints.models import (
    FocalPoint,
    MemberState,
    Network,
    NetworkMembership,
    Organisation,
    ReferenceFigure,
)

BOM = "\ufeff"
CHUNK = 2000
LICENCE_ID = "CC-BY-4.0"
LICENCE_TITLE = "Creative Commons Attribution 4.0 International"
LICENCE_URL = "https://creativecommons.org/licenses/by/4.0/"


# --- Streamed CSV ---------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write() returns what it was given (csv.writer -> generator)."""

    def write(self, value: str) -> str:
        return value


_cell = cell_text


def csv_rows(columns: list[Column], rows: Iterable) -> Iterator[str]:
    """Encoded CSV lines: the BOM and header first, then one line per row."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow([column.header for column in columns])
    for row in rows:
        cells = []
        for column in columns:
            value = column.get(row)
            cell = _cell(value)
            cells.append(spreadsheet_safe(cell) if isinstance(value, str) else cell)
        yield writer.writerow(cells)


def csv_response(filename: str, columns: list[Column], rows: Iterable) -> StreamingHttpResponse:
    """Stream ``rows`` (a queryset is iterated with a server-side cursor in chunks)."""
    if isinstance(rows, models.QuerySet):
        rows = rows.iterator(chunk_size=CHUNK)
    response = StreamingHttpResponse(
        csv_rows(columns, rows), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def state_columns() -> list[Column]:
    """For :func:`tracker.selectors.states_list` rows: the public fields, then the figures."""
    # ``name`` is in the request's language; ``name_en`` (the stored English) and the other
    # languages' columns follow it.
    columns = public_field_columns(MemberState, headers={"name": "name_en"})
    columns.insert(1, Column("name", attrgetter("display_name")))
    return [
        *columns,
        Column("has_focal_point", attrgetter("has_focal_point")),
        Column("focal_point_since", attrgetter("focal_point_since")),
        Column("commitments", attrgetter("commitment_count")),
        Column("overdue_reviews", attrgetter("overdue_count")),
        Column("last_report", attrgetter("last_report")),
        Column("targets_moved", attrgetter("targets_moved")),
        Column("url", lambda s: absolute(s.get_absolute_url())),
    ]


def commitments_csv_response(
    filename: str, rows: models.QuerySet, *, today: datetime.date
) -> StreamingHttpResponse:
    """A list of commitments as CSV: the rows with their links prefetched per chunk."""
    rows = rows.prefetch_related("channels", "resolutions")
    return csv_response(filename, commitment_columns(today), rows)


def assessment_columns() -> list[Column]:
    """For :func:`tracker.selectors.assessments_list` rows (commitment and its State,
    organisation and reply joined): the public fields, the government's status beside the
    independent one, and the State's reply."""

    def reply(field: str):
        def get(a):
            return getattr(a.reply, field) if _has_reply(a) else None

        return get

    return [
        *public_field_columns(
            Assessment,
            headers={
                "commitment": "commitment_id",
                "organisation": "organisation_id",
                "corrects": "corrects_assessment_id",
            },
        ),
        Column("state_code", lambda a: a.commitment.state_id),
        Column("commitment_title", lambda a: a.commitment.title),
        Column("organisation_name", lambda a: a.organisation.name),
        Column("government_status", lambda a: a.commitment.status),
        Column("disagrees", lambda a: disagrees(a.commitment.status, a.status)),
        Column("reply", reply("text")),
        Column("reply_published_at", reply("published_at")),
        Column("url", lambda a: absolute(a.get_absolute_url())),
    ]


def _has_reply(assessment) -> bool:
    try:
        assessment.reply  # noqa: B018 - joined: raises when there is none
    except AssessmentReply.DoesNotExist:
        return False
    return True


# --- The open-data package ------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """One public table of the bulk download: which model and which (public) columns."""

    name: str
    model: type[models.Model]
    fields: tuple[str, ...]
    description: str  # translatable (lazy); the datapackage is written in English
    order_by: tuple[str, ...] = ("pk",)
    # The rows the public may see, when not all of them (e.g. published assessments only).
    rows: Callable[[], models.QuerySet] | None = None

    def queryset(self) -> models.QuerySet:
        return self.rows() if self.rows is not None else self.model._default_manager.all()


def stored_public_fields(model) -> tuple[str, ...]:
    """A model's public fields stored in its own table (many-to-many links are tables of
    their own in the package)."""
    return tuple(
        name for name in model.PUBLIC_FIELDS if not model._meta.get_field(name).many_to_many
    )


_THROUGH = {
    "resolution_states": Resolution.states.through,
    "commitment_resolutions": Commitment.resolutions.through,
    "commitment_channels": Commitment.channels.through,
    "step_channels": PreventionStep.channels.through,
    "step_risk_factors": PreventionStep.risk_factors.through,
}

TABLES: list[Table] = [
    Table(
        "states",
        MemberState,
        stored_public_fields(MemberState),
        _("UN Member States, observer States and regional organisations (key: ISO 3166 alpha-3)."),
        ("code",),
    ),
    Table(
        "focal_points",
        FocalPoint,
        stored_public_fields(FocalPoint),
        _(
            "Appointments of national R2P focal points (current when ended_on is empty). "
            "Contact details are private and not published."
        ),
    ),
    Table(
        "networks",
        Network,
        (
            "id",
            "slug",
            *translated_columns("name"),
            *translated_columns("description"),
            "source_url",
        ),
        _("Networks States take part in."),
    ),
    Table(
        "network_memberships",
        NetworkMembership,
        ("id", "network", "state", "role", "since", "evidence", "source_url", "verification"),
        _("Which State belongs to which network, in what role."),
    ),
    Table(
        "reference_figures",
        ReferenceFigure,
        (
            "key",
            "topic",
            "network",
            "value",
            "at_least",
            *translated_columns("statement"),
            "as_of",
            "as_of_text",
            "source_name",
            "source_url",
            "verification",
            "note",
        ),
        _("Sourced headline counts (e.g. the Global Network's own count of focal points)."),
        ("key",),
    ),
    Table(
        "resolutions",
        Resolution,
        stored_public_fields(Resolution),
        _("Outcomes of UN and regional bodies that refer to R2P."),
    ),
    Table(
        "operative_paragraphs",
        OperativeParagraph,
        stored_public_fields(OperativeParagraph),
        _("Operative paragraphs of resolutions, which commitments cite as their origin."),
    ),
    Table(
        "resolution_states",
        _THROUGH["resolution_states"],
        ("resolution", "memberstate"),
        _("States concerned by each resolution."),
    ),
    Table(
        "risk_factors",
        RiskFactor,
        stored_public_fields(RiskFactor),
        _("Risk factors of the UN Framework of Analysis for Atrocity Crimes (2014)."),
        ("number",),
    ),
    Table(
        "scrutiny_channels",
        ScrutinyChannel,
        ("code", *translated_columns("name"), "level"),
        _("Channels through which commitments can be scrutinised."),
        ("code",),
    ),
    Table(
        "prevention_steps",
        PreventionStep,
        stored_public_fields(PreventionStep),
        _("The catalogue of atrocity-prevention steps."),
    ),
    Table(
        "step_channels",
        _THROUGH["step_channels"],
        ("preventionstep", "scrutinychannel"),
        _("Scrutiny channels of each prevention step."),
    ),
    Table(
        "step_risk_factors",
        _THROUGH["step_risk_factors"],
        ("preventionstep", "riskfactor"),
        _("Risk factors each prevention step addresses."),
    ),
    Table(
        "commitments",
        Commitment,
        stored_public_fields(Commitment),
        _(
            "States' pledges to take a prevention step; status and review dates are derived from "
            "the progress updates."
        ),
    ),
    Table(
        "commitment_resolutions",
        _THROUGH["commitment_resolutions"],
        ("commitment", "resolution"),
        _("Resolutions related to each commitment."),
    ),
    Table(
        "commitment_channels",
        _THROUGH["commitment_channels"],
        ("commitment", "scrutinychannel"),
        _("Scrutiny channels of each commitment."),
    ),
    Table(
        "commitment_revisions",
        CommitmentRevision,
        stored_public_fields(CommitmentRevision),
        _(
            "Every change to a pledge's terms (field: the term; before and after as written; "
            "requested_by_role: at whose request; the secretariat always approves). A "
            "withdrawal is the revision of withdrawn_on."
        ),
    ),
    Table(
        "progress_updates",
        ProgressUpdate,
        stored_public_fields(ProgressUpdate),
        _(
            "Append-only progress reports. A correction points to the update it corrects "
            "(corrects); both stay published."
        ),
    ),
    Table(
        "evidence",
        Evidence,
        stored_public_fields(Evidence),
        _(
            "Links and documents published with progress updates (file: the address the "
            "document is downloaded from)."
        ),
    ),
    Table(
        "documented_practice",
        DocumentedPractice,
        stored_public_fields(DocumentedPractice),
        _(
            "Sourced examples of what States have done, with source, year and grade: the "
            "public record, distinct from focal points' reports and independent assessments."
        ),
    ),
    Table(
        "organisations",
        Organisation,
        stored_public_fields(Organisation),
        _(
            "Assessor organisations approved by the secretariat (country: ISO 3166 alpha-3, "
            "empty for an international one). Organisations waiting for approval, contact "
            "addresses and members are not published."
        ),
        rows=public_organisations,
    ),
    Table(
        "assessments",
        Assessment,
        stored_public_fields(Assessment),
        _(
            "Published independent assessments of commitments by approved organisations: "
            "their own status on the government's scale, the period covered, the channel. "
            "Append-only: a correction points to the assessment it corrects (corrects); both "
            "stay published. Disputed by the secretariat when disputed_at is set, with its "
            "public reason. Assessments waiting for moderation or rejected are not published."
        ),
        rows=public_assessments,
    ),
    Table(
        "assessment_evidence",
        AssessmentEvidence,
        stored_public_fields(AssessmentEvidence),
        _(
            "Links and documents published with independent assessments (file: the address "
            "the document is downloaded from)."
        ),
        rows=lambda: AssessmentEvidence.objects.filter(
            assessment__in=public_assessments().values("pk")
        ),
    ),
    Table(
        "assessment_replies",
        AssessmentReply,
        stored_public_fields(AssessmentReply),
        _(
            "The States' replies to independent assessments (at most one per assessment), by "
            "their focal point or a delegate."
        ),
        rows=public_assessment_replies,
    ),
    Table(
        "update_translations",
        UpdateTranslation,
        stored_public_fields(UpdateTranslation),
        _(
            "Translations of progress updates' narratives into other languages, added after "
            "publication (the update keeps its original text and language)."
        ),
    ),
]


def _frictionless_type(field: models.Field) -> str:
    if field.is_relation:
        field = field.target_field
    if isinstance(field, models.BooleanField):
        return "boolean"
    if isinstance(field, models.DateTimeField):
        return "datetime"
    if isinstance(field, models.DateField):
        return "date"
    if isinstance(field, models.IntegerField | models.AutoField):
        return "integer"
    return "string"


def _column_name(field: models.Field) -> str:
    return field.attname  # "state_id", "commitment_id": the raw key, as stored


def _fields(table: Table) -> list[models.Field]:
    return [table.model._meta.get_field(name) for name in table.fields]


def table_schema(table: Table) -> dict:
    fields = []
    for field in _fields(table):
        entry = {
            "name": _column_name(field),
            "type": _frictionless_type(field),
            "title": str(field.verbose_name),
        }
        if field.help_text:
            entry["description"] = str(field.help_text)
        if field.choices:
            entry["constraints"] = {"enum": [value for value, _label in field.choices]}
        fields.append(entry)
    schema = {"fields": fields}
    pk = table.model._meta.pk
    if pk.name in table.fields:
        schema["primaryKey"] = _column_name(pk)
    foreign = [
        {
            "fields": _column_name(f),
            "reference": {
                "resource": _resource_for(f.related_model),
                "fields": f.target_field.attname,
            },
        }
        for f in _fields(table)
        if f.is_relation and _resource_for(f.related_model)
    ]
    if foreign:
        schema["foreignKeys"] = foreign
    return schema


def _resource_for(model) -> str | None:
    for table in TABLES:
        if table.model is model:
            return table.name
    return None


def datapackage(version_key: str) -> dict:
    """The Frictionless data package descriptor: one CSV resource per table (JSON copies
    alongside), with field types, titles and enumerations taken from the models. In English,
    whatever the language of the request that builds it."""
    with translation.override("en"):
        return _datapackage(version_key)


def _datapackage(version_key: str) -> dict:
    return {
        "profile": "tabular-data-package",
        "name": "r2p-commitment-tracker",
        "title": "R2P Focal Point Commitment Tracker — open data",
        "description": (
            "States' commitments under the Responsibility to Protect, their progress updates "
            "(append-only; corrections point to what they correct), independent assessments "
            "by approved organisations with the States' replies, focal point appointments, "
            "resolutions and the catalogue of prevention steps. Rows with is_demo=true are "
            "fictional demonstration data."
        ),
        "version": version_key,
        "created": timezone.now().replace(microsecond=0).isoformat(),
        "homepage": settings.SITE_URL + "/data/",
        "licenses": [{"name": LICENCE_ID, "title": LICENCE_TITLE, "path": LICENCE_URL}],
        "resources": [
            {
                "name": table.name,
                "profile": "tabular-data-resource",
                "path": f"csv/{table.name}.csv",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8-sig",
                "description": str(table.description),
                "schema": table_schema(table),
            }
            for table in TABLES
        ],
    }


LICENCE_TEXT = f"""R2P Focal Point Commitment Tracker — open data

This data is published under the {LICENCE_TITLE} licence ({LICENCE_ID}):
{LICENCE_URL}

You are free to share and adapt it for any purpose, including commercially, provided you
give appropriate credit ("R2P Focal Point Commitment Tracker", with a link to the site you
downloaded it from), indicate if changes were made, and do not suggest endorsement.

Reference rows (States, resolutions, prevention steps, focal point appointments, sourced
figures) cite their own sources in the source / source_url columns; credit those too.
Rows with is_demo=true are fictional demonstration data and must not be cited as facts.
"""


def _table_rows(table: Table) -> Iterator[tuple]:
    names = [_column_name(f) for f in _fields(table)]
    queryset = table.queryset().order_by(*table.order_by).values_list(*names)
    return queryset.iterator(chunk_size=CHUNK)


def _document_url(view: str) -> Callable[[dict], dict]:
    """An evidence table's ``file`` column: the public URL the document is served at (by
    ``tracker.views.evidence_document`` or ``assessment_evidence_document``), not a path in
    the storage."""

    def transform(record: dict) -> dict:
        if record["file"]:
            filename = download_name(record["title"], record["file"])
            document_url = reverse(view, kwargs={"pk": record["id"], "filename": filename})
            record["file"] = absolute(document_url)
        return record

    return transform


# Per table, how a stored row becomes a published one (default: as stored).
ROW_TRANSFORMS: dict[str, Callable[[dict], dict]] = {
    "evidence": _document_url("tracker:evidence"),
    "assessment_evidence": _document_url("tracker:assessment_evidence"),
}


def _records(table: Table) -> Iterator[dict]:
    names = [_column_name(f) for f in _fields(table)]
    transform = ROW_TRANSFORMS.get(table.name)
    for row in _table_rows(table):
        record = dict(zip(names, row, strict=True))
        yield transform(record) if transform else record


@dataclass(frozen=True)
class Entry:
    """A file of the zip besides the tables: ``write(fileobj, version_key, head)`` writes its
    bytes (``head``: the ledger head read when the build started)."""

    name: str
    write: Callable


def _write_datapackage(fileobj, version_key: str, head: ledger.Head) -> None:
    descriptor = datapackage(version_key)
    descriptor["ledger_head"] = {
        **head.as_dict(),
        "path": "ledger.jsonl",
        "description": (
            "The latest entry of the hash-chained ledger included in ledger.jsonl. Verify with "
            "tools/verify_ledger.py (docs/ledger.md)."
        ),
    }
    fileobj.write(json.dumps(descriptor, indent=2, ensure_ascii=False).encode())


def _write_licence(fileobj, version_key: str, head: ledger.Head) -> None:
    fileobj.write(LICENCE_TEXT.encode())


def _write_csv(fileobj, header: list[str], rows: Iterable[list]) -> None:
    writer = csv.writer(_Echo())
    fileobj.write((BOM + writer.writerow(header)).encode())
    for row in rows:
        fileobj.write(writer.writerow([_cell(v) for v in row]).encode())


def _write_accountability(fileobj, version_key: str, head: ledger.Head) -> None:
    """The accountability matrices (tracker.stats.accountability) as one long table: one row
    per dimension value, a column per status, judged on the day the zip is built."""
    from tracker import stats  # the figures sit above the exports

    figures = stats.accountability(version=version_key)
    statuses = [s["status"] for s in figures["statuses"]]
    header = ["judged_on", "dimension", "value", "total", *statuses, "overdue", "target_missed"]
    dimensions = ("basis", "channel", "source_kind", "level")
    rows = [
        [
            figures["today"],
            dimension,
            row["value"],
            row["total"],
            *(cell["count"] for cell in row["by_status"]),
            row["overdue"],
            row["target_missed"],
        ]
        for dimension in dimensions
        for row in figures[f"by_{dimension}"]
    ]
    _write_csv(fileobj, header, rows)


def _write_reporting_trend(fileobj, version_key: str, head: ledger.Head) -> None:
    """Overdue reviews and on-time reporting by quarter (tracker.stats.reporting_trend)."""
    from tracker import stats

    rows = stats.reporting_trend(version=version_key)["rows"]
    columns = cycle_trend_columns()
    _write_csv(fileobj, [c.header for c in columns], ([c.get(r) for c in columns] for r in rows))


def _write_ledger(fileobj, version_key: str, head: ledger.Head) -> None:
    """Every ledger entry up to ``head``, one canonical JSON object per line, streamed."""
    entries = LedgerEntry.objects.filter(sequence__lte=head.sequence).order_by("sequence")
    for entry in entries.iterator(chunk_size=CHUNK):
        fileobj.write(ledger.canonical_json(ledger.entry_as_dict(entry)).encode() + b"\n")


ENTRIES: list[Entry] = [
    Entry("ledger.jsonl", _write_ledger),
    Entry("datapackage.json", _write_datapackage),
    Entry("LICENCE.txt", _write_licence),
    Entry("figures/accountability.csv", _write_accountability),
    Entry("figures/reporting_trend.csv", _write_reporting_trend),
]


def write_open_data_zip(fileobj, version_key: str, *, built_at: datetime.datetime) -> None:
    """Write the open-data zip to ``fileobj``, table by table, row by row (a zip takes one
    open entry at a time, so each table is read twice: once for CSV, once for JSON), then the
    other ENTRIES. Every entry is dated ``built_at`` (UTC)."""
    stamp = built_at.astimezone(datetime.UTC).timetuple()[:6]
    # Read first: the ledger in the zip ends here, whatever is published during the build.
    head = ledger.head()

    def entry(name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=stamp)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16  # a plain readable file when unpacked
        return info

    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for table in TABLES:
            names = [_column_name(f) for f in _fields(table)]
            writer = csv.writer(_Echo())
            with archive.open(entry(f"csv/{table.name}.csv"), "w", force_zip64=True) as out:
                out.write((BOM + writer.writerow(names)).encode())
                for record in _records(table):
                    out.write(writer.writerow([_cell(v) for v in record.values()]).encode())
            with archive.open(entry(f"json/{table.name}.json"), "w", force_zip64=True) as out:
                out.write(b"[")
                separator = b"\n"
                for record in _records(table):
                    out.write(separator + json.dumps(record, cls=DjangoJSONEncoder).encode())
                    separator = b",\n"
                out.write(b"\n]\n")
        for extra in ENTRIES:
            with archive.open(entry(extra.name), "w", force_zip64=True) as out:
                extra.write(out, version_key, head)


# --- The reporting cycle (tracker.stats.reporting_cycle / reporting_trend rows: dicts) ---------

_COUNTS = ("due", "on_time", "late", "missing", "pending", "on_time_share")


def _counts_columns() -> list[Column]:
    return [Column(name, itemgetter(name)) for name in _COUNTS]


def cycle_commitment_columns() -> list[Column]:
    return [
        Column("commitment_id", itemgetter("id")),
        Column("title", itemgetter("title")),
        Column("state_code", itemgetter("state_code")),
        Column("state_name", itemgetter("state_name")),
        Column("due_on", itemgetter("due_on")),
        Column("reported_on", itemgetter("reported_on")),
        Column("outcome", itemgetter("outcome")),
    ]


def cycle_state_columns() -> list[Column]:
    return [
        Column("state_code", itemgetter("code")),
        Column("state_name", itemgetter("name")),
        Column("regional_group", itemgetter("group")),
        *_counts_columns(),
    ]


def cycle_group_columns() -> list[Column]:
    return [Column("regional_group", itemgetter("slug")), *_counts_columns()]


def cycle_trend_columns() -> list[Column]:
    return [
        Column("quarter", itemgetter("quarter")),
        Column("start", itemgetter("start")),
        Column("end", itemgetter("end")),
        Column("overdue", itemgetter("overdue")),
        *_counts_columns(),
    ]
