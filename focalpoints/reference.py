"""Loading sourced reference rows idempotently: the generic sync used by every table, and the
focal-point domain's tables (States, focal points, networks, headline figures)."""

import csv
import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from focalpoints.localisation import translated_columns
from focalpoints.models import (
    FocalPoint,
    MemberState,
    Network,
    NetworkMembership,
    ReferenceFigure,
)

REFERENCE_DIR = settings.BASE_DIR / "data" / "reference"


class ReferenceDataError(Exception):
    """A reference row that cannot be loaded; the message names the file, row and field."""


@dataclass
class SyncReport:
    table: str
    created: int = 0
    unchanged: int = 0
    updated: int = 0
    kept: list[str] = field(default_factory=list)  # rows that differ; kept as curated
    changes: list[str] = field(default_factory=list)  # each updated row: what changed

    def line(self) -> str:
        text = (
            f"{self.table}: {self.created} created, {self.updated} updated, "
            f"{self.unchanged} unchanged"
        )
        if self.kept:
            text += f", {len(self.kept)} differ from the reference (kept; --update overwrites)"
        return text


def read_rows(name: str, directory: Path | None = None) -> Iterator[tuple[int, dict]]:
    """(line number, row) pairs; line numbers count the header as line 1."""
    with open((directory or REFERENCE_DIR) / name, newline="", encoding="utf-8") as handle:
        yield from enumerate(csv.DictReader(handle), start=2)


def parse_date(value: str, *, where: str) -> datetime.date | None:
    if not value:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise ReferenceDataError(f"{where}: not an ISO date (YYYY-MM-DD): {value!r}") from exc


def _differences(instance: models.Model, values: dict) -> list[str]:
    return [name for name, value in values.items() if getattr(instance, name) != value]


def _short(value) -> str:
    text = "" if value is None else str(value)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def describe_changes(instance: models.Model, values: dict) -> str:
    """``field: 'old' -> 'new'`` for each field the reference would change."""
    return "; ".join(
        f"{name}: {_short(getattr(instance, name))} -> {_short(values[name])}"
        for name in _differences(instance, values)
    )


def sync_row(
    report: SyncReport,
    model: type[models.Model],
    *,
    lookup: dict,
    values: dict,
    update: bool,
    where: str,
    prepare: Callable[[models.Model], None] | None = None,
) -> models.Model:
    """Create the row if missing; if it exists and differs, overwrite only when ``update``."""
    instance = model.objects.filter(**lookup).first()
    if instance is not None and not _differences(instance, values):
        report.unchanged += 1
        return instance
    if instance is not None and not update:
        report.kept.append(f"{where}: {describe_changes(instance, values)}")
        return instance
    if instance is not None:
        report.changes.append(f"{where}: {describe_changes(instance, values)}")
    created = instance is None
    instance = instance or model(**lookup)
    for name, value in values.items():
        setattr(instance, name, value)
    if prepare:
        prepare(instance)
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError as exc:
        details = "; ".join(
            f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items()
        )
        raise ReferenceDataError(f"{where}: {details}") from exc
    instance.save()
    if created:
        report.created += 1
    else:
        report.updated += 1
    return instance


def load_states(*, update: bool) -> SyncReport:
    report = SyncReport("States and organisations")
    for number, row in read_rows("states.csv"):
        where = f"states.csv line {number} ({row['code']})"
        sync_row(
            report,
            MemberState,
            lookup={"code": row["code"]},
            values={
                **{name: row[name] for name in translated_columns("name")},
                "official_name": row["official_name"],
                "kind": row["kind"],
                "regional_group": row["regional_group"],
                "regional_group_note": row["regional_group_note"],
                "un_member_since": parse_date(row["un_member_since"], where=where),
                "observer_since": parse_date(row["observer_since"], where=where),
                "name_note": row["name_note"],
                "source": row["source"],
            },
            update=update,
            where=where,
        )
    return report


def load_focal_points(*, update: bool) -> SyncReport:
    """One evidence row per State the research found, keyed by ``reference_key``. These rows say
    what a public source reported (never a current appointment: only the secretariat records
    those), so they sit beside any appointment the secretariat entered."""
    report = SyncReport("Focal point evidence")
    for number, row in read_rows("focal_points.csv"):
        where = f"focal_points.csv line {number} ({row['state']})"
        year = row["reported_year"]
        sync_row(
            report,
            FocalPoint,
            lookup={"reference_key": f"reference:{row['state']}"},
            values={
                "state_id": row["state"],
                "evidence": row["evidence"],
                "evidence_kind": row["evidence_kind"],
                "reported_year": int(year) if year else None,
                "evidence_as_of": parse_date(row["evidence_as_of"], where=where),
                "source_name": row["source_name"],
                "source_url": row["source_url"],
                "verification": row["verification"],
            },
            update=update,
            where=where,
        )
    return report


def load_networks(*, update: bool) -> list[SyncReport]:
    networks = SyncReport("Networks")
    for number, row in read_rows("networks.csv"):
        sync_row(
            networks,
            Network,
            lookup={"slug": row["slug"]},
            values={
                "name": row["name"],
                "description": row["description"],
                "source_url": row["source_url"],
                **translations_of(row, "name"),
                **translations_of(row, "description"),
            },
            update=update,
            where=f"networks.csv line {number} ({row['slug']})",
        )
    by_slug = {network.slug: network for network in Network.objects.all()}
    memberships = SyncReport("Network memberships")
    for number, row in read_rows("network_memberships.csv"):
        where = f"network_memberships.csv line {number} ({row['network']}, {row['state']})"
        if row["network"] not in by_slug:
            raise ReferenceDataError(f"{where}: network: unknown slug {row['network']!r}")
        sync_row(
            memberships,
            NetworkMembership,
            lookup={
                "network": by_slug[row["network"]],
                "state_id": row["state"],
                "role": row["role"],
            },
            values={
                "since": parse_date(row["since"], where=where),
                "evidence": row["evidence"],
                "source_url": row["source_url"],
                "verification": row["verification"],
            },
            update=update,
            where=where,
        )
    figures = SyncReport("Sourced headline figures")
    for number, row in read_rows("figures.csv"):
        where = f"figures.csv line {number} ({row['key']})"
        sync_row(
            figures,
            ReferenceFigure,
            lookup={"key": row["key"]},
            values={
                "topic": row["topic"],
                "network": by_slug.get(row["network"]) if row["network"] else None,
                "value": int(row["value"]),
                "at_least": row["at_least"] == "True",
                "statement": row["statement"],
                "as_of": parse_date(row["as_of"], where=where),
                "as_of_text": row["as_of_text"],
                "source_name": row["source_name"],
                "source_url": row["source_url"],
                "verification": row["verification"],
                "note": row["note"],
                **translations_of(row, "statement"),
            },
            update=update,
            where=where,
        )
    return [networks, memberships, figures]


def translations_of(row: dict, field: str) -> dict:
    """The other languages' columns of a translated field, where the file has them (a file
    without them leaves the stored translations alone)."""
    return {name: row[name] for name in translated_columns(field)[1:] if name in row}
