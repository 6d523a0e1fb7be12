"""Loading the commitments domain's reference tables: resolutions, risk factors, scrutiny
channels and the catalogue of prevention steps."""

from commitments.models import PreventionStep, Resolution, RiskFactor, ScrutinyChannel
from focalpoints.models import MemberState
from focalpoints.reference import (
    ReferenceDataError,
    SyncReport,
    parse_date,
    read_rows,
    sync_row,
)


def load_channels(*, update: bool) -> SyncReport:
    report = SyncReport("Scrutiny channels")
    for number, row in read_rows("channels.csv"):
        sync_row(
            report,
            ScrutinyChannel,
            lookup={"code": row["code"]},
            values={"name": row["name"], "level": row["level"]},
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
                "verification": row["verification"],
                "verification_note": row["verification_note"][:300],
                "source": row["source"],
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
                "verification": row["verification"],
                "verification_note": row["verification_note"][:300],
            },
            update=update,
            where=where,
        )
        if report.created + report.updated > before:
            step.channels.set([channels[code] for code in codes])
    return report


def load_resolutions(*, update: bool) -> SyncReport:
    report = SyncReport("Resolutions")
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
