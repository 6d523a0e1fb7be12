"""Data versions maintained on write (D-16-1).

A trigger on every versioned table bumps that table's :class:`tracker.models.DataVersion` row in
the same transaction as the write: PostgreSQL once per statement (``INSERT … ON CONFLICT`` on the
row, which also serialises the bump with the commit order), SQLite once per row. Readers then
learn "has anything this list shows changed?" from a primary-key lookup of a few rows, whatever
the size of the tables — never a ``COUNT`` or ``MAX`` over them.

A table whose rows appear in a public answer must be listed in a migration that calls
:func:`install_triggers` (tests/tracker/test_data_versions.py checks every table a view names).

On PostgreSQL the bump also sends a notification (``NOTIFY tracker_data_versions``, delivered at
commit), so that a web worker can keep the versions it has read in memory until something is
written (D-16-29): a response that cannot be a ``304`` labels itself from that memory without a
round trip; whether a ``304`` is due is always asked of the database
(:func:`versions_and_ledger_head`).
"""

import hashlib
from collections.abc import Iterable

from django.db import connection

from tracker.db import prepared_cursor

VERSION_TABLE = "tracker_dataversion"
_FUNCTION = "tracker_bump_data_version"
# The channel every bump notifies (tracker/postgresql keeps the workers' memory of versions by it).
NOTIFY_CHANNEL = "tracker_data_versions"


def _trigger(table: str, event: str = "") -> str:
    return f"tracker_version_{table}{event}"[:63]


def _postgresql_function() -> str:
    # clock_timestamp(), kept monotonic: the time of the write, never earlier than the last one.
    # The notification is sent at commit, once per transaction (PostgreSQL folds repeats), and
    # never for a write that is rolled back.
    return f"""
        CREATE OR REPLACE FUNCTION {_FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            INSERT INTO {VERSION_TABLE} ("table", version, changed_at)
            VALUES (TG_TABLE_NAME, 1, clock_timestamp())
            ON CONFLICT ("table") DO UPDATE
            SET version = {VERSION_TABLE}.version + 1,
                changed_at = GREATEST(clock_timestamp(), {VERSION_TABLE}.changed_at);
            PERFORM pg_notify('{NOTIFY_CHANNEL}', '');
            RETURN NULL;
        END
        $$
        """  # noqa: S608 - identifiers are constants and table names from migrations


def install_function(schema_editor) -> None:
    """(Re-)create the bump function the triggers call: a change of its body reaches every
    table at once (tracker/migrations/0006 added the notification)."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(_postgresql_function(), params=None)


def _postgresql_sql(tables: Iterable[str]) -> list[str]:
    statements = [_postgresql_function()]
    for table in tables:
        statements += [
            f'DROP TRIGGER IF EXISTS {_trigger(table)} ON "{table}"',
            f"CREATE TRIGGER {_trigger(table)} AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
            f'ON "{table}" FOR EACH STATEMENT EXECUTE FUNCTION {_FUNCTION}()',
        ]
    return statements


def _sqlite_sql(tables: Iterable[str]) -> list[str]:
    statements = []
    for table in tables:
        for event in ("INSERT", "UPDATE", "DELETE"):
            name = _trigger(table, "_" + event.lower())
            statements += [
                f"DROP TRIGGER IF EXISTS {name}",
                f'CREATE TRIGGER {name} AFTER {event} ON "{table}" BEGIN '  # noqa: S608
                f'INSERT INTO {VERSION_TABLE} ("table", version, changed_at) '
                f"VALUES ('{table}', 1, strftime('%Y-%m-%d %H:%M:%f', 'now')) "
                f'ON CONFLICT ("table") DO UPDATE SET version = version + 1, '
                f"changed_at = max(excluded.changed_at, changed_at); END",
            ]
    return statements


def install_triggers(schema_editor, tables: Iterable[str]) -> None:
    """Create (or re-create) the version triggers on ``tables`` and their rows."""
    tables = list(tables)
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        statements = _postgresql_sql(tables)
    elif vendor == "sqlite":
        statements = _sqlite_sql(tables)
    else:  # pragma: no cover - the project runs on PostgreSQL and SQLite only
        raise NotImplementedError(f"data version triggers for {vendor}")
    for statement in statements:
        schema_editor.execute(statement, params=None)
    now = "clock_timestamp()" if vendor == "postgresql" else "strftime('%Y-%m-%d %H:%M:%f','now')"
    for table in tables:
        schema_editor.execute(
            f'INSERT INTO {VERSION_TABLE} ("table", version, changed_at) '  # noqa: S608
            f"VALUES ('{table}', 1, {now}) ON CONFLICT (\"table\") DO NOTHING",
            params=None,
        )


def remove_triggers(schema_editor, tables: Iterable[str]) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f'DROP TRIGGER IF EXISTS {_trigger(table)} ON "{table}"')
        else:
            for event in ("insert", "update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table, '_' + event)}")


def table_names(*sources) -> tuple[str, ...]:
    """The tables of models (or many-to-many ``through`` models), sorted and unique."""
    return tuple(sorted({source._meta.db_table for source in sources}))


def versions(tables: Iterable[str]) -> tuple[str, object]:
    """``(key, last_changed)`` of ``tables``: one primary-key lookup. The key changes whenever
    any of them is written; ``last_changed`` is the latest write (None if never recorded)."""
    from tracker.models import DataVersion

    tables = tuple(tables)
    rows = sorted(
        DataVersion.objects.filter(table__in=tables).values_list("table", "version", "changed_at")
    )
    stamps = [changed for _table, _version, changed in rows if changed is not None]
    basis = repr([(t, v, c and c.isoformat()) for t, v, c in rows])
    key = hashlib.sha256(basis.encode()).hexdigest()[:24]
    return key, (max(stamps) if stamps else None)


# The validators' statement by the tables it reads, compiled once per process: lists ask it
# on every request, and compiling it cost more than running it (measured, D-16-21).
_STATEMENTS: dict[tuple[str, ...], tuple] = {}


def _version_rows(tables: tuple[str, ...]) -> list[tuple]:
    """Each table's ``(table, version, changed_at, head sequence, head hash)``, sorted."""
    from django.db.models import Subquery

    from commitments.models import LedgerEntry
    from tracker.models import DataVersion

    statement = _STATEMENTS.get(tables)
    if statement is None:
        latest = LedgerEntry.objects.order_by("-sequence")
        queryset = (
            DataVersion.objects.filter(table__in=tables)
            .annotate(
                head_sequence=Subquery(latest.values("sequence")[:1]),
                head_hash=Subquery(latest.values("hash")[:1]),
            )
            .values_list("table", "version", "changed_at", "head_sequence", "head_hash")
        )
        statement = _STATEMENTS[tables] = (queryset, *queryset.query.sql_with_params())
    queryset, sql, params = statement
    if connection.vendor != "postgresql":  # SQLite's times need the ORM's converters
        return sorted(queryset.all())
    with prepared_cursor() as cursor:
        cursor.execute(sql, params)
        return sorted(cursor.fetchall())


def versions_and_ledger_head(tables: Iterable[str], *, remembered: bool = False):
    """:func:`versions` and the ledger head (``commitments.ledger.Head``) in the same single
    query: the head rides on the version rows as two uncorrelated sub-queries (index lookups,
    evaluated once), so a list's validators and its ``X-Ledger-Head`` still cost one query.

    ``remembered``: the answer may come from the connection's memory, without a query (on
    PostgreSQL; see ``remembered_versions`` in tracker/postgresql). Only for a response that
    cannot be a ``304``: its labels may then predate a write committed a moment before, which
    costs its client one more full response, never a missed change (D-16-29)."""
    tables = tuple(tables)
    remember = getattr(connection, "remembered_versions", None) if remembered else None
    if remember is not None:
        return remember(tables, lambda: _versions_and_ledger_head(tables))
    return _versions_and_ledger_head(tables)


def _versions_and_ledger_head(tables: tuple[str, ...]):
    from commitments import ledger

    rows = _version_rows(tables)
    if not rows:  # no version recorded yet: nothing to ride on
        key, last = versions(())
        return key, last, ledger.head()
    stamps = [row[2] for row in rows if row[2] is not None]
    basis = repr([(t, v, c and c.isoformat()) for t, v, c, _s, _h in rows])
    key = hashlib.sha256(basis.encode()).hexdigest()[:24]
    sequence, hash_ = rows[0][3], rows[0][4]
    head = ledger.Head(sequence, hash_) if sequence else ledger.Head(0, ledger.GENESIS_HASH)
    return key, (max(stamps) if stamps else None), head


def installed_triggers() -> set[str]:
    """The tables that have a version trigger (for the tests and checks)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT DISTINCT event_object_table FROM information_schema.triggers "
                "WHERE trigger_name LIKE 'tracker_version_%%'"
            )
        else:
            cursor.execute(
                "SELECT DISTINCT tbl_name FROM sqlite_master "
                "WHERE type = 'trigger' AND name LIKE 'tracker_version_%'"
            )
        return {row[0] for row in cursor.fetchall()}
