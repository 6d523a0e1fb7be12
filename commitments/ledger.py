"""The public ledger: one hash chain of every public event on the site (docs/ledger.md).

Each entry holds the canonical JSON of the public record as published, the hash of the entry
before it and its own SHA-256. Services append an entry in the same transaction as the write it
records (:func:`append`), so a record without its entry, or an entry without its record, cannot
be committed. Appending costs three queries whatever the length of the chain: take the ledger
lock, read the head, insert.

The canonical form and the hash are plain standard-library code, so anyone can recompute them:
``tools/verify_ledger.py`` does, without Django.
"""

from __future__ import annotations

import datetime
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from json.encoder import encode_basestring

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from commitments.models import (
    Assessment,
    AssessmentEvidence,
    AssessmentReply,
    Commitment,
    CommitmentRevision,
    Evidence,
    LedgerEntry,
    Moderation,
    ProgressUpdate,
)

GENESIS_HASH = "0" * 64
# Rows read per round trip when streaming (constant memory).
CHUNK = 2000
# pg_advisory_xact_lock key: "R2PL" in ASCII. One lock for the whole chain, held until the
# transaction that appends commits, so two publications can never read the same head.
LOCK_KEY = 0x5232504C
Kind = LedgerEntry.Kind
# Fields of a commitment that are derived from its updates or touched by every write: they are
# not terms of the pledge, so the ledger records them through the updates, not as the pledge.
COMMITMENT_NOT_TERMS = (
    "status",
    "latest_update",
    "last_reported_on",
    "next_review_due",
    "independent_status",
    "latest_assessment",
    "updated_at",
)
# An assessment's ``updated_at`` moves with its moderation; the ledger records the events.
ASSESSMENT_NOT_RECORDED = ("updated_at",)
FIRST_ENTRY_NOTE = (
    "The ledger starts here. Entries up to the end of this backfill were built once, in order, "
    "from the records already published when the ledger was introduced; from then on every "
    "entry was appended in the same transaction as the publication it records."
)


def canonical_json(value) -> str:
    """Sorted keys, no insignificant whitespace, non-ASCII kept as UTF-8 (docs/ledger.md)."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def format_time(moment: datetime.datetime) -> str:
    """UTC, always with microseconds: ``2026-11-29T18:30:00.000000Z``."""
    return moment.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(entry: dict) -> str:
    """SHA-256 of the canonical JSON (UTF-8) of the entry without its own ``hash``."""
    body = {key: value for key, value in entry.items() if key != "hash"}
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


# --- Public records, from the one declaration of public fields on each model -------------------


def _plain(value):
    if isinstance(value, datetime.datetime):
        return format_time(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    if hasattr(value, "name") and hasattr(value, "storage"):  # a FieldFile
        return value.name or ""
    return value


def _fields_record(obj, names: Iterable[str]) -> dict:
    record = {}
    for name in names:
        field = obj._meta.get_field(name)
        record[name] = _plain(getattr(obj, field.attname))
    return record


def commitment_terms_fields() -> tuple[str, ...]:
    many = {"channels", "resolutions"}
    return tuple(
        name
        for name in Commitment.PUBLIC_FIELDS
        if name not in COMMITMENT_NOT_TERMS and name not in many
    )


def commitment_record(commitment: Commitment) -> dict:
    """The pledge's public terms (its public fields less what derives from the updates).
    Reads the channels and resolutions (prefetched, or two queries)."""
    record = _fields_record(commitment, commitment_terms_fields())
    record["channels"] = sorted(channel.pk for channel in commitment.channels.all())
    record["resolutions"] = sorted(resolution.pk for resolution in commitment.resolutions.all())
    return record


def evidence_record(evidence: Evidence) -> dict:
    return _fields_record(evidence, [f for f in Evidence.PUBLIC_FIELDS if f != "update"])


def update_record(update: ProgressUpdate) -> dict:
    """A progress update as published, with its evidence (prefetched, or one query)."""
    record = _fields_record(update, ProgressUpdate.PUBLIC_FIELDS)
    items = sorted(update.evidence.all(), key=lambda item: item.pk)
    record["evidence"] = [evidence_record(item) for item in items]
    return record


def revision_record(revision: CommitmentRevision) -> dict:
    return _fields_record(revision, CommitmentRevision.PUBLIC_FIELDS)


def assessment_fields() -> tuple[str, ...]:
    return tuple(f for f in Assessment.PUBLIC_FIELDS if f not in ASSESSMENT_NOT_RECORDED)


def assessment_evidence_fields() -> tuple[str, ...]:
    return tuple(f for f in AssessmentEvidence.PUBLIC_FIELDS if f != "assessment")


def assessment_record(assessment: Assessment) -> dict:
    """A published assessment (its public fields but the last change time), with its evidence
    (prefetched, or one query)."""
    record = _fields_record(assessment, assessment_fields())
    items = sorted(assessment.evidence.all(), key=lambda item: item.pk)
    record["evidence"] = [_fields_record(item, assessment_evidence_fields()) for item in items]
    return record


def reply_record(reply: AssessmentReply) -> dict:
    return _fields_record(reply, AssessmentReply.PUBLIC_FIELDS)


# --- Appending ----------------------------------------------------------------------------------


def _lock_chain() -> None:
    # SQLite serialises writers by itself; the unique sequence and previous hash refuse a fork
    # on every database in any case.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [LOCK_KEY])


def _parse_time(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.UTC)


@dataclass(frozen=True)
class Pending:
    """An entry to append: everything but its place in the chain."""

    kind: str
    state: str
    subject_type: str
    subject_id: int
    record: dict
    commitment_id: int | None = None
    recorded_at: datetime.datetime | None = None


def _chain_head() -> tuple[int, str]:
    """Take the ledger lock and read the head: (its sequence, its hash). Inside the
    transaction of the publication only."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("the ledger is appended to in the transaction of the publication")
    _lock_chain()
    previous = LedgerEntry.objects.order_by("-sequence").values("sequence", "hash").first()
    return (previous["sequence"], previous["hash"]) if previous else (0, GENESIS_HASH)


def chained(pending: Iterable[Pending], sequence: int, previous_hash: str) -> Iterator[dict]:
    """The stored columns of each entry (by attribute name), chained after ``sequence`` and
    ``previous_hash``: the one place where an entry's hash is computed."""
    now = timezone.now()
    for item in pending:
        sequence += 1
        recorded_at = (item.recorded_at or now).astimezone(datetime.UTC)
        entry = {
            "sequence": sequence,
            "recorded_at": format_time(recorded_at),
            "kind": str(item.kind),
            "state": item.state,
            "subject_type": item.subject_type,
            "subject_id": item.subject_id,
            "commitment": item.commitment_id,
            "record": item.record,
            "previous_hash": previous_hash,
        }
        entry_previous, previous_hash = previous_hash, entry_hash(entry)
        yield {
            "sequence": sequence,
            "recorded_at": recorded_at,
            "kind": entry["kind"],
            "state": item.state,
            "subject_type": item.subject_type,
            "subject_id": item.subject_id,
            "commitment_id": item.commitment_id,
            "record": canonical_json(item.record),
            "previous_hash": entry_previous,
            "hash": previous_hash,
        }


def append_many(pending: Iterable[Pending]) -> list[LedgerEntry]:
    """Append entries in order. Must run inside the transaction of the write they record
    (every service that publishes is ``@transaction.atomic``). Three queries however many
    entries: take the ledger lock, read the head, insert (in batches of 1,000)."""
    sequence, previous_hash = _chain_head()
    rows = [LedgerEntry(**fields) for fields in chained(pending, sequence, previous_hash)]
    return LedgerEntry.objects.bulk_create(rows, batch_size=1000)


def append_many_copy(pending: Iterable[Pending], copy_rows) -> int:
    """:func:`append_many` for bulk loaders on PostgreSQL: the same entries, written by
    ``copy_rows(model, rows)`` (``COPY … FROM STDIN``). Returns how many were written."""
    sequence, previous_hash = _chain_head()
    return copy_rows(LedgerEntry, chained(pending, sequence, previous_hash))


def append(**fields) -> LedgerEntry:
    """Append one entry (see :func:`append_many`): three queries."""
    return append_many([Pending(**fields)])[0]


def append_commitment(commitment: Commitment, **extra) -> LedgerEntry:
    """A pledge recorded: its public terms."""
    return append(
        kind=Kind.COMMITMENT_RECORDED,
        state=commitment.state_id,
        subject_type="commitment",
        subject_id=commitment.pk,
        commitment_id=commitment.pk,
        record={"commitment": commitment_record(commitment), **extra},
    )


def update_entry(update: ProgressUpdate, *, state: str, **extra) -> dict:
    return {
        "kind": Kind.UPDATE_CORRECTED if update.corrects_id else Kind.UPDATE_PUBLISHED,
        "state": state,
        "subject_type": "update",
        "subject_id": update.pk,
        "commitment_id": update.commitment_id,
        "record": {"update": update_record(update), **extra},
        "recorded_at": update.created_at,
    }


def append_update(update: ProgressUpdate, *, state: str) -> LedgerEntry:
    """A progress update or a correction published, with its evidence."""
    return append(**update_entry(update, state=state))


def append_assessment(assessment: Assessment, *, state: str, disputed: bool = False):
    """An assessment published (or a correction of one), or disputed by the secretariat: the
    assessment as it now stands, with its evidence."""
    if disputed:
        kind = Kind.ASSESSMENT_DISPUTED
    else:
        kind = Kind.ASSESSMENT_CORRECTED if assessment.corrects_id else Kind.ASSESSMENT_PUBLISHED
    return append(
        kind=kind,
        state=state,
        subject_type="assessment",
        subject_id=assessment.pk,
        commitment_id=assessment.commitment_id,
        record={"assessment": assessment_record(assessment)},
    )


def append_reply(reply: AssessmentReply, *, state: str, commitment_id: int) -> LedgerEntry:
    """A State's reply to an assessment, published."""
    return append(
        kind=Kind.REPLY_PUBLISHED,
        state=state,
        subject_type="reply",
        subject_id=reply.pk,
        commitment_id=commitment_id,
        record={"reply": reply_record(reply)},
        recorded_at=reply.published_at,
    )


def revision_entry(revision: CommitmentRevision, commitment: Commitment) -> dict:
    """A revision and the pledge's terms after it: the commitment's row is checked against the
    terms of its latest recorded-or-revised entry."""
    return {
        "kind": Kind.COMMITMENT_REVISED,
        "state": commitment.state_id,
        "subject_type": "revision",
        "subject_id": revision.pk,
        "commitment_id": commitment.pk,
        "record": {
            "revision": revision_record(revision),
            "commitment": commitment_record(commitment),
        },
    }


def deletion_entry(
    *,
    subject_type: str,
    subject_id: int,
    state: str,
    reason: str,
    commitment_id: int | None = None,
    also_deleted: dict[str, list[int]] | None = None,
) -> Pending:
    """A tombstone: what was deleted, when and why, so that a mirror can delete it too."""
    now = timezone.now()
    record = {
        "deletion": {
            "subject_type": subject_type,
            "subject_id": subject_id,
            "reason": reason,
            "deleted_at": format_time(now),
            "also_deleted": {key: sorted(ids) for key, ids in (also_deleted or {}).items()},
        }
    }
    return Pending(
        kind=Kind.DELETION,
        state=state,
        subject_type=subject_type,
        subject_id=subject_id,
        commitment_id=commitment_id,
        record=record,
        recorded_at=now,
    )


# --- Building the ledger of rows written before it (backfill, bulk loaders) --------------------


def _commitments_with_terms():
    return Commitment.objects.prefetch_related("channels", "resolutions")


def _updates_with_evidence():
    return (
        ProgressUpdate.objects.select_related("commitment")
        .only(*ProgressUpdate.PUBLIC_FIELDS, "commitment__state_id")
        .prefetch_related("evidence")
    )


def _recorded(commitment: Commitment) -> Pending:
    return Pending(
        kind=Kind.COMMITMENT_RECORDED,
        state=commitment.state_id,
        subject_type="commitment",
        subject_id=commitment.pk,
        commitment_id=commitment.pk,
        record={"commitment": commitment_record(commitment)},
        recorded_at=commitment.created_at,
    )


def _published(update: ProgressUpdate) -> Pending:
    return Pending(**update_entry(update, state=update.commitment.state_id))


def _recorded_pending(terms: dict, recorded_at) -> Pending:
    """A pledge recorded, from its terms record (``id``, ``state`` …)."""
    return Pending(
        kind=Kind.COMMITMENT_RECORDED,
        state=terms["state"],
        subject_type="commitment",
        subject_id=terms["id"],
        commitment_id=terms["id"],
        record={"commitment": terms},
        recorded_at=recorded_at,
    )


def _published_pending(update: dict, *, state: str, recorded_at) -> Pending:
    """An update or a correction published, from its record (``id``, ``commitment`` …)."""
    return Pending(
        kind=Kind.UPDATE_CORRECTED if update["corrects"] else Kind.UPDATE_PUBLISHED,
        state=state,
        subject_type="update",
        subject_id=update["id"],
        commitment_id=update["commitment"],
        record={"update": update},
        recorded_at=recorded_at,
    )


def entries_for_commitments(ids: Iterable[int]) -> list[Pending]:
    """Entries for commitments written in bulk (synthetic data, imports): each commitment, then
    its updates in publication order. Five queries of plain values."""
    ids = sorted(ids)
    updates: dict[int, list[dict]] = {}
    for _pk, record in _update_records(commitment_id__in=ids):
        updates.setdefault(record["commitment"], []).append(record)
    pending = []
    for pk, terms in _commitment_records(pk__in=ids):
        pending.append(_recorded_pending(terms, _parse_time(terms["created_at"])))
        published = sorted(updates.get(pk, []), key=lambda u: (u["created_at"], u["id"]))
        pending.extend(
            _published_pending(
                update, state=terms["state"], recorded_at=_parse_time(update["created_at"])
            )
            for update in published
        )
    return pending


def entries_for_built(commitments, updates_by_commitment: dict[int, list]) -> Iterator[Pending]:
    """Entries for commitments and updates a bulk loader has just built in memory and written
    with no channels, resolutions or evidence (synthetic scale data): the same entries as
    :func:`entries_for_commitments` would read back, in the same order, without reading."""
    terms = commitment_terms_fields()
    for commitment in commitments:
        record = _fields_record(commitment, terms)
        record["channels"], record["resolutions"] = [], []
        yield _recorded_pending(record, commitment.created_at)
        published = sorted(
            updates_by_commitment.get(commitment.pk, []), key=lambda u: (u.created_at, u.pk)
        )
        for update in published:
            update_fields = _fields_record(update, ProgressUpdate.PUBLIC_FIELDS)
            update_fields["evidence"] = []
            yield _published_pending(
                update_fields, state=commitment.state_id, recorded_at=update.created_at
            )


def entries_for_updates(ids: Iterable[int]) -> list[Pending]:
    """Entries for updates published in bulk (imports), in publication order. Three queries of
    plain values."""
    ids = sorted(ids)
    states = dict(
        ProgressUpdate.objects.filter(pk__in=ids).values_list("pk", "commitment__state_id")
    )
    records = sorted(
        (record for _pk, record in _update_records(pk__in=ids)),
        key=lambda u: (u["created_at"], u["id"]),
    )
    return [
        _published_pending(
            update, state=states[update["id"]], recorded_at=_parse_time(update["created_at"])
        )
        for update in records
    ]


def backfill_entries() -> Iterator[Pending]:
    """Every commitment and update already published, in publication order (commitments before
    updates at the same instant), streamed. The first entry carries :data:`FIRST_ENTRY_NOTE`.
    Revisions cannot predate the ledger (they were introduced with it)."""
    import heapq

    commitments = (
        ((c.created_at, 0, c.pk), _recorded(c))
        for c in _commitments_with_terms().order_by("created_at", "pk").iterator(CHUNK)
    )
    updates = (
        ((u.created_at, 1, u.pk), _published(u))
        for u in _updates_with_evidence().order_by("created_at", "pk").iterator(CHUNK)
    )
    first = True
    for _key, pending in heapq.merge(commitments, updates, key=lambda pair: pair[0]):
        if first:
            pending = Pending(
                **{**pending.__dict__, "record": {**pending.record, "note": FIRST_ENTRY_NOTE}}
            )
            first = False
        yield pending


def backfill(*, batch: int = 5000) -> int:
    """Build the ledger of the existing data, once (refuses when entries exist)."""
    if LedgerEntry.objects.exists():
        raise RuntimeError("The ledger already has entries: a backfill runs only once.")
    written, chunk = 0, []
    with transaction.atomic():
        for pending in backfill_entries():
            chunk.append(pending)
            if len(chunk) >= batch:
                written += len(append_many(chunk))
                chunk = []
        if chunk:
            written += len(append_many(chunk))
    return written


# --- Reading ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Head:
    sequence: int
    hash: str

    def as_dict(self) -> dict:
        return {"sequence": self.sequence, "hash": self.hash}

    def __str__(self) -> str:
        return f"{self.sequence}:{self.hash}"


def head() -> Head:
    """The latest entry (sequence 0 and the genesis hash while the ledger is empty). One query."""
    last = LedgerEntry.objects.order_by("-sequence").values("sequence", "hash").first()
    return Head(last["sequence"], last["hash"]) if last else Head(0, GENESIS_HASH)


def entry_as_dict(entry: LedgerEntry) -> dict:
    """An entry as published (API, ``ledger.jsonl``): exactly what its hash covers, plus it."""
    return {
        "sequence": entry.sequence,
        "recorded_at": format_time(entry.recorded_at),
        "kind": entry.kind,
        "state": entry.state,
        "subject_type": entry.subject_type,
        "subject_id": entry.subject_id,
        "commitment": entry.commitment_id,
        "record": json.loads(entry.record),
        "previous_hash": entry.previous_hash,
        "hash": entry.hash,
    }


# --- Verifying the database ---------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    sequence: int | None
    message: str

    def __str__(self) -> str:
        where = f"sequence {self.sequence}" if self.sequence is not None else "no sequence"
        return f"{where}: {self.message}"


# The columns of an entry, in the order of the published form (``entry_as_dict``).
ENTRY_COLUMNS = (
    "sequence",
    "recorded_at",
    "kind",
    "state",
    "subject_type",
    "subject_id",
    "commitment_id",
    "record",
    "previous_hash",
    "hash",
)


# The canonical JSON of an entry without its hash, keys in sorted order, with the stored record
# text spliced in as it is: equal to ``canonical_json`` of the parsed entry exactly when that text
# is canonical (any other text, however equivalent, gives another hash and is reported).
_BODY = (
    '{{"commitment":{},"kind":{},"previous_hash":{},"record":{},"recorded_at":{},'
    '"sequence":{},"state":{},"subject_id":{},"subject_type":{}}}'
)


def _scalar(value) -> str:
    """``json.dumps(value, ensure_ascii=False)`` for the scalars an entry holds, without
    building an encoder per call (the chain walk makes millions of these)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return encode_basestring(value)


def _stored_entry_hash(entry: dict, record_text: str) -> str:
    def value(key):
        return _scalar(entry[key])

    body = _BODY.format(
        value("commitment_id"),
        value("kind"),
        value("previous_hash"),
        record_text,
        _scalar(format_time(entry["recorded_at"])),
        value("sequence"),
        value("state"),
        value("subject_id"),
        value("subject_type"),
    )
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def verify_chain() -> Iterator[Problem]:
    """Walk the chain in order (plain values streamed in chunks: constant memory) and report
    the first entry whose sequence, link or hash does not hold. The record text is hashed as
    stored, without parsing it (see :data:`_BODY`)."""
    rows = LedgerEntry.objects.order_by("sequence").values_list(*ENTRY_COLUMNS)
    expected_sequence, previous_hash = 1, GENESIS_HASH
    for values in rows.iterator(chunk_size=CHUNK):
        entry = dict(zip(ENTRY_COLUMNS, values, strict=True))
        sequence = entry["sequence"]
        if sequence != expected_sequence:
            yield Problem(
                sequence, f"expected sequence {expected_sequence} (entries missing or moved)"
            )
            return
        if entry["previous_hash"] != previous_hash:
            yield Problem(sequence, "previous hash does not match the entry before it")
            return
        if _stored_entry_hash(entry, entry["record"]) != entry["hash"]:
            yield Problem(sequence, "hash does not match the entry's content")
            return
        expected_sequence, previous_hash = sequence + 1, entry["hash"]


# Each public row is checked against its last entry by merging sorted streams (rows by key, their
# children by parent key, entries by subject): plain values, no model instances, no per-row
# query, one server-side cursor per stream, constant memory.


def _stream(queryset: QuerySet, *fields: str) -> Iterator[tuple]:
    return queryset.order_by(*fields[:2]).values_list(*fields).iterator(chunk_size=CHUNK)


def _groups(rows: Iterator[tuple]) -> Iterator[tuple[int, list[tuple]]]:
    """(key, rows with that key) from a stream sorted by its first column."""
    key, group = None, []
    for row in rows:
        if row[0] != key and group:
            yield key, group
            group = []
        key = row[0]
        group.append(row)
    if group:
        yield key, group


class _Follower:
    """The group of a sorted child stream for each key asked, in increasing order."""

    def __init__(self, rows: Iterator[tuple]):
        self._groups = _groups(rows)
        self._current = next(self._groups, None)

    def take(self, key: int) -> list[tuple]:
        while self._current is not None and self._current[0] < key:
            self._current = next(self._groups, None)
        if self._current is not None and self._current[0] == key:
            return self._current[1]
        return []


def _values_record(names, attnames, values) -> dict:
    by_attname = dict(zip(attnames, values, strict=True))
    return {name: _plain(by_attname[att]) for name, att in zip(names, attnames, strict=True)}


def _attnames(model, names) -> list[str]:
    return [model._meta.get_field(name).attname for name in names]


def _commitment_records(**only) -> Iterator[tuple[int, dict]]:
    """Public terms of the commitments (``only``: a filter on their ids), by id."""
    names = commitment_terms_fields()
    attnames = _attnames(Commitment, names)
    links = {f"commitment_id{key[2:]}": value for key, value in only.items()}
    channels = _Follower(
        _stream(
            Commitment.channels.through.objects.filter(**links),
            "commitment_id",
            "scrutinychannel_id",
        )
    )
    resolutions = _Follower(
        _stream(
            Commitment.resolutions.through.objects.filter(**links),
            "commitment_id",
            "resolution_id",
        )
    )
    for values in _stream(Commitment.objects.filter(**only), *attnames):
        record = _values_record(names, attnames, values)
        pk = record["id"]
        record["channels"] = sorted(row[1] for row in channels.take(pk))
        record["resolutions"] = sorted(row[1] for row in resolutions.take(pk))
        yield pk, record


def _records_with_evidence(
    model, names, evidence_model, parent: str, **only
) -> Iterator[tuple[int, dict]]:
    """Rows of ``model`` (``only``: a filter on them) with their evidence rows (the
    ``evidence_model`` rows whose ``parent`` is the row), by id: two sorted streams merged."""
    attnames = _attnames(model, names)
    evidence_names = [f for f in evidence_model.PUBLIC_FIELDS if f != parent]
    evidence_attnames = _attnames(evidence_model, evidence_names)
    # Sorted by parent, then id (the first two columns).
    children = evidence_model.objects.filter(
        **{f"{parent}__{key}": value for key, value in only.items()}
    )
    evidence = _Follower(_stream(children, f"{parent}_id", *evidence_attnames))
    for values in _stream(model.objects.filter(**only), *attnames):
        record = _values_record(names, attnames, values)
        record["evidence"] = [
            _values_record(evidence_names, evidence_attnames, row[1:])
            for row in evidence.take(record["id"])
        ]
        yield record["id"], record


def _update_records(**only) -> Iterator[tuple[int, dict]]:
    """Published updates with their evidence (``only``: a filter on the updates), by id."""
    return _records_with_evidence(
        ProgressUpdate, list(ProgressUpdate.PUBLIC_FIELDS), Evidence, "update", **only
    )


def _plain_records(model, names) -> Iterator[tuple[int, dict]]:
    attnames = _attnames(model, names)
    for values in _stream(model.objects, *attnames):
        record = _values_record(names, attnames, values)
        yield record["id"], record


def _revision_records() -> Iterator[tuple[int, dict]]:
    return _plain_records(CommitmentRevision, list(CommitmentRevision.PUBLIC_FIELDS))


def _assessment_records() -> Iterator[tuple[int, dict]]:
    """Published assessments with their evidence, by id (submitted and rejected ones are not
    public and have no entry)."""
    return _records_with_evidence(
        Assessment,
        list(assessment_fields()),
        AssessmentEvidence,
        "assessment",
        moderation=Moderation.PUBLISHED,
    )


def _reply_records() -> Iterator[tuple[int, dict]]:
    return _plain_records(AssessmentReply, list(AssessmentReply.PUBLIC_FIELDS))


def _entries_by(key: str, **filters) -> _Follower:
    entries = LedgerEntry.objects.filter(**filters)
    return _Follower(_stream(entries, key, "sequence", "record"))


def _ledgered_tables():
    """(subject type, its public records by key, its entries grouped by that key)."""
    return [
        (
            "commitment",
            _commitment_records(),
            _entries_by(
                "commitment_id",
                kind__in=[Kind.COMMITMENT_RECORDED, Kind.COMMITMENT_REVISED],
            ),
        ),
        ("update", _update_records(), _entries_by("subject_id", subject_type="update")),
        ("revision", _revision_records(), _entries_by("subject_id", subject_type="revision")),
        (
            "assessment",
            _assessment_records(),
            _entries_by("subject_id", subject_type="assessment"),
        ),
        ("reply", _reply_records(), _entries_by("subject_id", subject_type="reply")),
    ]


def verify_rows() -> Iterator[Problem]:
    """Every public row equals the record of its last ledger entry (streamed: see above)."""
    for subject_type, records, entries in _ledgered_tables():
        for pk, record in records:
            mine = entries.take(pk)
            if not mine:
                yield Problem(None, f"{subject_type} {pk} has no ledger entry")
                continue
            _key, sequence, text = mine[-1]  # sorted by sequence: the last is the latest
            recorded = json.loads(text).get(subject_type)
            if canonical_json(recorded) != canonical_json(record):
                yield Problem(sequence, f"{subject_type} {pk} differs from its last ledger entry")


def verify() -> Problem | None:
    """The first problem found (chain first, then rows), or None."""
    for problem in verify_chain():
        return problem
    for problem in verify_rows():
        return problem
    return None
