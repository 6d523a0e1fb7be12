"""The ledger: one entry per public event, in the publishing transaction, a chain anyone can
verify; tampering, deletion and reordering are detected and the sequence named."""

import datetime
import io
import json
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction
from django.utils import timezone

from commitments import ledger
from commitments.models import AppendOnlyError, Commitment, LedgerEntry, Status
from commitments.services import (
    commitment_create,
    commitment_remove,
    commitment_revise,
    progress_update_create,
)
from tests.factories import (
    CommitmentFactory,
    MemberStateFactory,
    PreventionStepFactory,
    ProgressUpdateFactory,
)

pytestmark = pytest.mark.django_db
TOOL = Path(__file__).resolve().parents[2] / "tools" / "verify_ledger.py"
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL-specific (trigger, locks)"
)


def _record(user, state, title="Pledge"):
    return commitment_create(
        user=user,
        state=state,
        step=PreventionStepFactory(),
        title=title,
        description="Words — with “quotes” and العربية.",
        source_kind=Commitment.SourceKind.UPR,
        source_description="UPR 2022",
        pledged_on=datetime.date(2024, 1, 10),
        target_date=datetime.date(2026, 6, 30),
    )


def _update(user, commitment, corrects=None):
    return progress_update_create(
        user=user,
        commitment=commitment,
        reported_on=datetime.date(2024, 5, 1),
        status=Status.LIMITED,
        narrative="Started.",
        corrects=corrects,
    )


@pytest.fixture
def chain(secretariat, focal_point_a, state_a):
    """Every kind of public event once: recorded, published, corrected, revised, deleted."""
    kept = _record(secretariat, state_a, "Kept")
    first = _update(focal_point_a, kept)
    _update(focal_point_a, kept, corrects=first)
    commitment_revise(
        user=secretariat,
        commitment=kept,
        changes={"target_date": datetime.date(2027, 12, 31)},
        reason="Postponed by parliament.",
    )
    gone = _record(secretariat, state_a, "Duplicate")
    commitment_remove(user=secretariat, commitment=gone, reason="Recorded twice.")
    return kept


def _kinds():
    return list(LedgerEntry.objects.order_by("sequence").values_list("kind", flat=True))


def test_every_public_event_kind_appends_exactly_one_entry(chain):
    K = LedgerEntry.Kind
    assert _kinds() == [
        K.COMMITMENT_RECORDED,
        K.UPDATE_PUBLISHED,
        K.UPDATE_CORRECTED,
        K.COMMITMENT_REVISED,
        K.COMMITMENT_RECORDED,
        K.DELETION,
    ]
    assert set(LedgerEntry.objects.values_list("state", flat=True)) == {"GHA"}
    assert ledger.verify() is None


def test_the_canonical_form_is_sorted_compact_utf8(chain):
    entry = LedgerEntry.objects.get(sequence=1)
    assert entry.record == json.dumps(
        json.loads(entry.record), sort_keys=True, ensure_ascii=False, separators=(",", ":")
    )
    assert "العربية" in entry.record and ", " not in entry.record
    assert entry.previous_hash == ledger.GENESIS_HASH
    assert entry.hash == ledger.entry_hash(ledger.entry_as_dict(entry))


def test_a_failed_publication_leaves_no_entry(focal_point_a, secretariat, state_a):
    commitment = _record(secretariat, state_a)
    before = LedgerEntry.objects.count()
    with pytest.raises(Exception):  # noqa: B017 - the future date is refused
        progress_update_create(
            user=focal_point_a,
            commitment=commitment,
            reported_on=timezone.localdate() + datetime.timedelta(days=3),
            status=Status.LIMITED,
            narrative="From the future",
        )
    assert LedgerEntry.objects.count() == before


def test_an_entry_is_appended_in_the_transaction_of_its_publication(
    focal_point_a, secretariat, state_a
):
    commitment = _record(secretariat, state_a)
    before = LedgerEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        _update(focal_point_a, commitment)
        assert LedgerEntry.objects.count() == before + 1
        raise RuntimeError("crash after the write")
    assert LedgerEntry.objects.count() == before
    assert not commitment.updates.exists()


def test_appending_costs_three_queries_however_long_the_chain(
    chain, state_a, django_assert_num_queries
):
    for length in (1, 50):
        entries = [
            ledger.Pending(
                kind=LedgerEntry.Kind.DELETION,
                state=state_a.code,
                subject_type="commitment",
                subject_id=10_000 + n,
                record={"deletion": {"n": n}},
            )
            for n in range(length)
        ]
        # (1) the chain's lock (PostgreSQL; SQLite serialises writers itself), (2) the head,
        # (3) the insert.
        expected = 3 if connection.vendor == "postgresql" else 2
        with transaction.atomic(), django_assert_num_queries(expected):
            ledger.append_many(entries)
    assert ledger.verify() is None


@pytest.mark.django_db(transaction=True)
def test_appending_outside_a_transaction_is_refused(state_a):
    with pytest.raises(RuntimeError, match="transaction"):
        ledger.append(
            kind=LedgerEntry.Kind.DELETION,
            state=state_a.code,
            subject_type="commitment",
            subject_id=1,
            record={},
        )


def test_the_model_refuses_to_change_or_delete_an_entry(chain):
    entry = LedgerEntry.objects.get(sequence=1)
    entry.kind = "deletion"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        LedgerEntry.objects.filter(sequence=1).update(kind="deletion")


@postgres_only
@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE commitments_ledgerentry SET kind = 'deletion' WHERE sequence = 1",
        "DELETE FROM commitments_ledgerentry WHERE sequence = 1",
    ],
)
def test_postgresql_refuses_update_and_delete_of_the_ledger(chain, sql):
    from django.db import InternalError, ProgrammingError

    with (
        pytest.raises((InternalError, ProgrammingError), match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(sql)


# --- Tampering, detected by verify_ledger and by the standalone script --------------------------


def _raw(sql, params=()):
    """Raw SQL by someone with the database's keys (the trigger switched off first)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE commitments_ledgerentry DISABLE TRIGGER USER")
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE commitments_ledgerentry ENABLE TRIGGER USER")


def _verify_command() -> str:
    with pytest.raises(CommandError) as caught:
        call_command("verify_ledger", stdout=io.StringIO())
    assert caught.value.returncode == 1
    return str(caught.value)


def _zip_bytes() -> bytes:
    from tracker import exports

    buffer = io.BytesIO()
    exports.write_open_data_zip(buffer, "test", built_at=timezone.now())
    return buffer.getvalue()


def _run_tool(tmp_path, data: bytes, *args, name="dump.zip"):
    path = tmp_path / name
    path.write_bytes(data)
    return subprocess.run(
        [sys.executable, str(TOOL), str(path), *args], capture_output=True, text=True, check=False
    )


def test_an_intact_chain_verifies_with_both_tools(chain, tmp_path):
    out = io.StringIO()
    call_command("verify_ledger", stdout=out)
    assert "6 entries" in out.getvalue()
    result = _run_tool(tmp_path, _zip_bytes())
    assert result.returncode == 0, result.stderr
    assert "OK: 6 entries" in result.stdout


def test_a_public_row_changed_by_raw_sql_is_detected_naming_its_entry(chain):
    update = chain.updates.order_by("pk").first()
    _raw(
        "UPDATE commitments_progressupdate SET narrative = %s WHERE id = %s",
        ["Quietly rewritten.", update.pk],
    )
    entry = LedgerEntry.objects.get(subject_type="update", subject_id=update.pk)
    assert f"sequence {entry.sequence}" in _verify_command()
    assert f"update {update.pk} differs" in _verify_command()


def test_a_moved_target_changed_back_by_raw_sql_is_detected(chain):
    Commitment.objects.filter(pk=chain.pk).update(target_date=datetime.date(2026, 6, 30))
    revised = LedgerEntry.objects.get(kind=LedgerEntry.Kind.COMMITMENT_REVISED)
    assert f"sequence {revised.sequence}" in _verify_command()


def test_one_changed_byte_in_a_ledger_entry_is_detected_by_both_tools(chain, tmp_path):
    _raw(
        "UPDATE commitments_ledgerentry SET record = REPLACE(record, 'Started.', 'Started!') "
        "WHERE sequence = 2"
    )
    assert "sequence 2: hash does not match" in _verify_command()
    result = _run_tool(tmp_path, _zip_bytes())
    assert result.returncode == 1
    assert "BROKEN at sequence 2" in result.stderr


def test_a_stored_record_rewritten_out_of_canonical_form_is_detected(chain):
    _raw(
        "UPDATE commitments_ledgerentry SET record = REPLACE(record, '\":', '\": ') "
        "WHERE sequence = 3"
    )
    assert "sequence 3: hash does not match" in _verify_command()


def test_a_deleted_entry_is_detected_by_both_tools(chain, tmp_path):
    _raw("DELETE FROM commitments_ledgerentry WHERE sequence = 3")
    assert "sequence 4: expected sequence 3" in _verify_command()
    result = _run_tool(tmp_path, _zip_bytes())
    assert result.returncode == 1
    assert "BROKEN at sequence 4: expected sequence 3" in result.stderr


def test_reordered_entries_are_detected_by_both_tools(chain, tmp_path):
    # Swap the contents of entries 2 and 3 (each keeps its own hash): the links break.
    _raw("UPDATE commitments_ledgerentry SET sequence = 1000 WHERE sequence = 2")
    _raw("UPDATE commitments_ledgerentry SET sequence = 2 WHERE sequence = 3")
    _raw("UPDATE commitments_ledgerentry SET sequence = 3 WHERE sequence = 1000")
    assert "sequence 2: previous hash" in _verify_command()
    result = _run_tool(tmp_path, _zip_bytes())
    assert "BROKEN at sequence 2" in result.stderr


def test_a_lost_ledger_entry_of_a_row_is_detected(chain):
    orphan = ProgressUpdateFactory(commitment=chain)  # written around the services
    message = _verify_command()
    assert f"update {orphan.pk} has no ledger entry" in message


def test_yesterdays_head_is_verified_as_a_prefix_of_todays_chain(
    chain, secretariat, focal_point_a, tmp_path
):
    held = ledger.head()
    _update(focal_point_a, chain)
    today = _zip_bytes()
    ok = _run_tool(tmp_path, today, "--head", f"{held.sequence}:{held.hash}")
    assert ok.returncode == 0, ok.stderr
    assert "is part of this chain" in ok.stdout
    forged = _run_tool(tmp_path, today, "--head", f"{held.sequence}:{'a' * 64}")
    assert forged.returncode == 1
    assert f"BROKEN at sequence {held.sequence}" in forged.stderr


def test_the_tool_reads_api_pages_and_refuses_a_head_beyond_the_chain(chain, client, tmp_path):
    page = client.get("/api/v1/ledger/?limit=4").content
    rest = client.get("/api/v1/ledger/?after=4").content
    (tmp_path / "p1.json").write_bytes(page)
    (tmp_path / "p2.json").write_bytes(rest)
    result = subprocess.run(
        [sys.executable, str(TOOL), str(tmp_path / "p1.json"), str(tmp_path / "p2.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    head = ledger.head()
    beyond = subprocess.run(
        [
            sys.executable,
            str(TOOL),
            str(tmp_path / "p1.json"),
            "--head",
            f"{head.sequence}:{head.hash}",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert beyond.returncode == 1


def test_a_zip_whose_datapackage_head_was_edited_is_detected(chain, tmp_path):
    source = zipfile.ZipFile(io.BytesIO(_zip_bytes()))
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w") as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "datapackage.json":
                package = json.loads(data)
                package["ledger_head"]["hash"] = "b" * 64
                data = json.dumps(package).encode()
            out.writestr(info.filename, data)
    result = _run_tool(tmp_path, edited.getvalue())
    assert result.returncode == 1
    assert "datapackage.json names a head" in result.stderr


def test_the_tool_uses_only_the_standard_library():
    source = TOOL.read_text()
    imported = {
        line.split()[1].split(".")[0]
        for line in source.splitlines()
        if line.startswith(("import ", "from ")) and not line.startswith("from __future__")
    }
    assert imported <= set(sys.stdlib_module_names)


# --- Backfill and bulk data -----------------------------------------------------------------------


def test_the_backfill_builds_the_ledger_once_in_order_with_a_note(state_a):
    older = CommitmentFactory(state=state_a)
    ProgressUpdateFactory(commitment=older)
    newer = CommitmentFactory(state=state_a)
    call_command("ledger_backfill", stdout=io.StringIO())

    entries = list(LedgerEntry.objects.order_by("sequence"))
    assert len(entries) == 3
    assert "The ledger starts here" in json.loads(entries[0].record)["note"]
    assert [e.subject_id for e in entries if e.subject_type == "commitment"] == [older.pk, newer.pk]
    assert ledger.verify() is None
    with pytest.raises(CommandError, match="only once"):
        call_command("ledger_backfill", stdout=io.StringIO())


def test_synthetic_benchmark_data_gets_its_ledger(state_a):
    from commitments import demo

    MemberStateFactory(code="KEN")
    PreventionStepFactory()
    demo.seed_synthetic(6, batch_size=4)
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.COMMITMENT_RECORDED).count() == 6
    assert ledger.verify() is None
    demo.remove_demo_data()
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.DELETION).count() == 6
    assert ledger.verify() is None


# --- Concurrency: two publications at once never fork the chain ----------------------------------


@postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_publications_never_fork_the_chain(focal_point_a, secretariat, state_a):
    commitments = [_record(secretariat, state_a, f"C{n}") for n in range(2)]
    barrier = threading.Barrier(2)
    errors = []

    def publish(commitment):
        from django.db import connections

        try:
            for _ in range(5):
                with transaction.atomic():
                    barrier.wait(timeout=10)
                    _update(focal_point_a, commitment)
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=publish, args=(c,)) for c in commitments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    previous = list(LedgerEntry.objects.values_list("previous_hash", flat=True))
    assert len(previous) == len(set(previous)) == 12  # 2 recorded + 10 published, no fork
    assert ledger.verify() is None
