"""Loading the commitments domain's reference tables: resolutions, risk factors, scrutiny
channels and the catalogue of prevention steps."""

from commitments.models import (
    DocumentedPractice,
    PreventionStep,
    Resolution,
    RiskFactor,
    ScrutinyChannel,
)
from focalpoints.models import MemberState
from focalpoints.reference import (
    ReferenceDataError,
    SyncReport,
    parse_date,
    read_rows,
    sync_row,
    translations_of,
)

# Symbols the re-checked sources corrected: the row is renamed, never duplicated.
RENAMED_SYMBOLS = {"A/HRC/37/L.1": "A/HRC/RES/37/1"}


def load_channels(*, update: bool) -> SyncReport:
    report = SyncReport("Scrutiny channels")
    for number, row in read_rows("channels.csv"):
        sync_row(
            report,
            ScrutinyChannel,
            lookup={"code": row["code"]},
            values={"name": row["name"], "level": row["level"], **translations_of(row, "name")},
            update=update,
            where=f"channels.csv line {number} ({row['code']})",
        )
    return report


def load_risk_factors(*, update: bool) -> SyncReport:
    report = SyncReport("Risk factors")
    for number, row in read_rows("risk_factors.csv"):
        sync_row(
            report,
            RiskFactor,
            lookup={"number": int(row["number"])},
            values={
                "name": row["name"],
                "kind": row["kind"],
                "crime": row["crime"],
                "summary": row["summary"],
                "un_document": row["un_document"],
                "verification": row["verification"],
                "verification_note": row["verification_note"],
                "source": row["source"],
                **translations_of(row, "name"),
            },
            update=update,
            where=f"risk_factors.csv line {number} (factor {row['number']})",
        )
    return report


def load_steps(*, update: bool) -> SyncReport:
    report = SyncReport("Prevention steps")
    channels = {channel.code: channel for channel in ScrutinyChannel.objects.all()}
    for number, row in read_rows("steps.csv"):
        where = f"steps.csv line {number} ({row['code']})"
        codes = [code for code in row["channels"].split(";") if code]
        unknown = [code for code in codes if code not in channels]
        if unknown:
            raise ReferenceDataError(f"{where}: channels: unknown code(s) {', '.join(unknown)}")
        before = report.created + report.updated
        step = sync_row(
            report,
            PreventionStep,
            lookup={"code": row["code"]},
            values={
                "title": row["title"],
                "description": row["description"],
                "level": row["level"],
                "actor": row["actor"],
                "basis": row["basis"],
                "source_document": row["source_document"],
                "source_paragraph": row["source_paragraph"],
                "source_url": row["source_url"],
                "in_2017_report": row["in_2017_report"],
                "para_2017": row["para_2017"],
                "basis_stated": row["basis_stated"],
                "channels_stated": row["channels_stated"],
                "verification": row["verification"],
                "verification_note": row["verification_note"],
                **translations_of(row, "title"),
                **translations_of(row, "description"),
            },
            update=update,
            where=where,
        )
        if report.created + report.updated > before:
            step.channels.set([channels[code] for code in codes])
    return report


def _rename_corrected_symbols(report: SyncReport, *, update: bool) -> None:
    for old, new in RENAMED_SYMBOLS.items():
        row = Resolution.objects.filter(symbol=old).first()
        if row is None or Resolution.objects.filter(symbol=new).exists():
            continue
        if not update:
            report.kept.append(f"resolution {old}: corrected symbol {new} (--update renames)")
            continue
        row.symbol = new
        row.save()
        report.changes.append(f"resolution {old}: symbol: {old!r} -> {new!r}")


def load_resolutions(*, update: bool) -> SyncReport:
    report = SyncReport("Resolutions")
    _rename_corrected_symbols(report, update=update)
    known_states = set(MemberState.objects.values_list("code", flat=True))
    for number, row in read_rows("resolutions.csv"):
        where = f"resolutions.csv line {number} ({row['symbol']})"
        codes = [code for code in row["states"].split(";") if code]
        if missing := [code for code in codes if code not in known_states]:
            raise ReferenceDataError(f"{where}: states: unknown code(s) {', '.join(missing)}")
        before = report.created + report.updated
        resolution = sync_row(
            report,
            Resolution,
            lookup={"symbol": row["symbol"]},
            values={
                "body": row["body"],
                "kind": row["kind"],
                "adopted_on": parse_date(row["adopted_on"], where=where),
                "title": row["title"],
                "situation": row["situation"],
                "r2p_reference": row["r2p_reference"],
                "official_url": row["official_url"],
                "verification": row["verification"],
                "verification_note": row["verification_note"][:300],
                "source": row["source"],
            },
            update=update,
            where=where,
        )
        if report.created + report.updated > before:
            resolution.states.set(codes)
    return report


def load_documented_practice(*, update: bool) -> SyncReport:
    """Sourced examples of what States have done (the public record beside focal points'
    reports), keyed by their stable ``key``."""
    report = SyncReport("Documented practice")
    steps = dict(PreventionStep.objects.values_list("code", "pk"))
    for number, row in read_rows("documented_practice.csv"):
        where = f"documented_practice.csv line {number} ({row['key']})"
        if row["step"] and row["step"] not in steps:
            raise ReferenceDataError(f"{where}: step: unknown code {row['step']!r}")
        sync_row(
            report,
            DocumentedPractice,
            lookup={"key": row["key"]},
            values={
                "state_id": row["state"],
                "year": int(row["year"]),
                "summary": row["summary"],
                "step_id": steps.get(row["step"]),
                "source_name": row["source_name"],
                "source_url": row["source_url"],
                "sources": row["sources"],
                "page_or_section": row["page_or_section"],
                "source_type": row["source_type"],
                "verification": row["verification"],
            },
            update=update,
            where=where,
        )
    return report
