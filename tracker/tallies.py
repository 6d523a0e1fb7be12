# ruff: noqa: S608 - every statement is built from the constant table and column names below
"""Whole-table counts maintained on write (D-16-70): :class:`tracker.models.CommitmentTally`,
:class:`tracker.models.UpdateTally` and :class:`tracker.models.ReviewTally`.

Database triggers keep them, in the same transaction as the write, like the data versions
(D-16-1): every writer — the services, the admin, the imports, ``seed_demo``'s ``COPY`` batches,
``QuerySet.update``, raw SQL — moves them, and nothing in Python has to remember to. The
triggers only count raw column values (a State, a step, a status, the quarter of a date); every
rule (active, complete, disagreement, overdue) is applied when the figures are read, by the same
``Q`` functions as before, so no business rule lives in SQL.

PostgreSQL: one trigger per statement with its transition tables (a ``COPY`` of 50,000 updates
is one grouped upsert). SQLite: row triggers. An update counts under its commitment's State: a
commitment's insert, delete or change of State moves the counts of the updates it already has,
and an update is counted only while its commitment exists, so either order of writing or
deleting the two (deferred foreign keys) gives the same counts.

:func:`verify` recounts everything from the source tables in Python (independently of the
trigger SQL) and lists the differences; :func:`rebuild` replaces the tallies with the recount
(``manage.py verify_tallies [--rebuild]``). The tests compare the two after every kind of write.
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Iterable

from django.db import connection, transaction

COMMITMENTS = "commitments_commitment"
UPDATES = "commitments_progressupdate"
REVIEWS = "commitments_answeredreview"
COMMITMENT_TALLY = "tracker_commitmenttally"
UPDATE_TALLY = "tracker_updatetally"
REVIEW_TALLY = "tracker_reviewtally"

_COMMITMENT_KEY = ("state_id", "step_id", "status", "independent_status")
_UPDATE_KEY = ("state_id", "quarter")
_REVIEW_KEY = ("due_quarter", "due_last_day", "answered_quarter", "late")


def quarter_start(day: datetime.date) -> datetime.date:
    return datetime.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def _last_day_of_quarter(day: datetime.date) -> bool:
    return quarter_start(day + datetime.timedelta(days=1)) != quarter_start(day)


# --- PostgreSQL: statement triggers with transition tables ---------------------------------------


def _pg_upsert(table: str, keys: tuple, sums: tuple, deltas: list[str]) -> str:
    """Add the grouped ``deltas`` (SELECTs of the keys and signed sums) to ``table``'s rows, in key
    order (so concurrent writers lock rows in the same order)."""
    columns = ", ".join(keys + sums)
    key = ", ".join(keys)
    summed = ", ".join(f"SUM({s})" for s in sums)
    nonzero = " OR ".join(f"SUM({s}) <> 0" for s in sums)
    add = ", ".join(f"{s} = {table}.{s} + EXCLUDED.{s}" for s in sums)
    union = " UNION ALL ".join(deltas)
    return (
        f"INSERT INTO {table} ({columns}) SELECT {key}, {summed} FROM ({union}) d "
        f"GROUP BY {key} HAVING {nonzero} ORDER BY {key} "
        f"ON CONFLICT ({key}) DO UPDATE SET {add};"
    )


def _pg_commitment_rows(rows: str, sign: str) -> str:
    return f"SELECT state_id, step_id, status, independent_status, {sign}1 AS n FROM {rows}"


def _pg_updates_of(commitments: str, sign: str, where: str = "") -> str:
    # LATERAL: one index probe per commitment, never a scan of every update.
    return (
        f"SELECT c.state_id, date_trunc('quarter', u.reported_on)::date AS quarter, "
        f"{sign}1 AS updates, CASE WHEN u.corrects_id IS NULL THEN 0 ELSE {sign}1 END "
        f"AS corrections FROM {commitments} c {where} CROSS JOIN LATERAL "
        f"(SELECT reported_on, corrects_id FROM {UPDATES} WHERE commitment_id = c.id) u"
    )


def _pg_update_rows(rows: str, sign: str) -> str:
    return (
        f"SELECT c.state_id, date_trunc('quarter', u.reported_on)::date AS quarter, "
        f"{sign}1 AS updates, CASE WHEN u.corrects_id IS NULL THEN 0 ELSE {sign}1 END "
        f"AS corrections FROM {rows} u JOIN {COMMITMENTS} c ON c.id = u.commitment_id"
    )


def _pg_review_rows(rows: str, sign: str) -> str:
    quarter = "date_trunc('quarter', due_on)::date"
    return (
        f"SELECT {quarter} AS due_quarter, "
        f"due_on = ({quarter} + interval '3 months' - interval '1 day')::date AS due_last_day, "
        f"date_trunc('quarter', reported_on)::date AS answered_quarter, "
        f"reported_on > due_on AS late, {sign}1 AS n FROM {rows}"
    )


def _pg_function(name: str, on_insert: list[str], on_delete: list[str], on_update: list[str]):
    return f"""
        CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN {" ".join(on_insert)}
            ELSIF TG_OP = 'DELETE' THEN {" ".join(on_delete)}
            ELSE {" ".join(on_update)}
            END IF;
            RETURN NULL;
        END
        $$
    """


def _pg_triggers(table: str, function: str, truncate: list[str]) -> list[str]:
    statements = []
    for event, referencing in (
        ("INSERT", "NEW TABLE AS new_rows"),
        ("DELETE", "OLD TABLE AS old_rows"),
        ("UPDATE", "OLD TABLE AS old_rows NEW TABLE AS new_rows"),
    ):
        name = f"tracker_tally_{table}_{event.lower()}"[:63]
        statements += [
            f'DROP TRIGGER IF EXISTS {name} ON "{table}"',
            f'CREATE TRIGGER {name} AFTER {event} ON "{table}" REFERENCING {referencing} '
            f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        ]
    # TRUNCATE has no transition table: it empties the tallies it feeds.
    name = f"tracker_tally_{table}_truncate"[:63]
    statements += [
        f"""CREATE OR REPLACE FUNCTION {function}_truncate() RETURNS trigger LANGUAGE plpgsql
        AS $$ BEGIN {" ".join(f"DELETE FROM {t};" for t in truncate)} RETURN NULL; END $$""",
        f'DROP TRIGGER IF EXISTS {name} ON "{table}"',
        f'CREATE TRIGGER {name} AFTER TRUNCATE ON "{table}" '
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}_truncate()",
    ]
    return statements


def _postgresql_sql() -> list[str]:
    upd_sums = ("updates", "corrections")
    moved = "JOIN {other} o ON o.id = c.id AND o.state_id <> c.state_id"
    commitment_function = _pg_function(
        "tracker_tally_commitments",
        on_insert=[
            _pg_upsert(
                COMMITMENT_TALLY, _COMMITMENT_KEY, ("n",), [_pg_commitment_rows("new_rows", "")]
            ),
            _pg_upsert(UPDATE_TALLY, _UPDATE_KEY, upd_sums, [_pg_updates_of("new_rows", "")]),
        ],
        on_delete=[
            _pg_upsert(
                COMMITMENT_TALLY, _COMMITMENT_KEY, ("n",), [_pg_commitment_rows("old_rows", "-")]
            ),
            _pg_upsert(UPDATE_TALLY, _UPDATE_KEY, upd_sums, [_pg_updates_of("old_rows", "-")]),
        ],
        on_update=[
            _pg_upsert(
                COMMITMENT_TALLY,
                _COMMITMENT_KEY,
                ("n",),
                [_pg_commitment_rows("old_rows", "-"), _pg_commitment_rows("new_rows", "")],
            ),
            # A commitment that changed State takes its updates' counts along.
            _pg_upsert(
                UPDATE_TALLY,
                _UPDATE_KEY,
                upd_sums,
                [
                    _pg_updates_of("old_rows", "-", moved.format(other="new_rows")),
                    _pg_updates_of("new_rows", "", moved.format(other="old_rows")),
                ],
            ),
        ],
    )
    update_function = _pg_function(
        "tracker_tally_updates",
        on_insert=[
            _pg_upsert(UPDATE_TALLY, _UPDATE_KEY, upd_sums, [_pg_update_rows("new_rows", "")])
        ],
        on_delete=[
            _pg_upsert(UPDATE_TALLY, _UPDATE_KEY, upd_sums, [_pg_update_rows("old_rows", "-")])
        ],
        on_update=[
            _pg_upsert(
                UPDATE_TALLY,
                _UPDATE_KEY,
                upd_sums,
                [_pg_update_rows("old_rows", "-"), _pg_update_rows("new_rows", "")],
            )
        ],
    )
    review_function = _pg_function(
        "tracker_tally_reviews",
        on_insert=[
            _pg_upsert(REVIEW_TALLY, _REVIEW_KEY, ("n",), [_pg_review_rows("new_rows", "")])
        ],
        on_delete=[
            _pg_upsert(REVIEW_TALLY, _REVIEW_KEY, ("n",), [_pg_review_rows("old_rows", "-")])
        ],
        on_update=[
            _pg_upsert(
                REVIEW_TALLY,
                _REVIEW_KEY,
                ("n",),
                [_pg_review_rows("old_rows", "-"), _pg_review_rows("new_rows", "")],
            )
        ],
    )
    return [
        commitment_function,
        update_function,
        review_function,
        *_pg_triggers(COMMITMENTS, "tracker_tally_commitments", [COMMITMENT_TALLY, UPDATE_TALLY]),
        *_pg_triggers(UPDATES, "tracker_tally_updates", [UPDATE_TALLY]),
        *_pg_triggers(REVIEWS, "tracker_tally_reviews", [REVIEW_TALLY]),
    ]


# --- SQLite: row triggers ------------------------------------------------------------------------


def _sqlite_quarter(day: str) -> str:
    months = f"((CAST(strftime('%m', {day}) AS INTEGER) - 1) % 3)"
    return f"date({day}, 'start of month', '-' || {months} || ' months')"


def _sqlite_upsert(table: str, keys: tuple, sums: tuple, select: str) -> str:
    add = ", ".join(f"{s} = {s} + excluded.{s}" for s in sums)
    return (
        f"INSERT INTO {table} ({', '.join(keys + sums)}) {select} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {add};"
    )


def _sqlite_commitment(row: str, sign: str) -> str:
    return _sqlite_upsert(
        COMMITMENT_TALLY,
        _COMMITMENT_KEY,
        ("n",),
        f"SELECT {row}.state_id, {row}.step_id, {row}.status, {row}.independent_status, {sign}1 "
        "WHERE true",
    )


def _sqlite_updates_of(row: str, sign: str) -> str:
    quarter = _sqlite_quarter("u.reported_on")
    return _sqlite_upsert(
        UPDATE_TALLY,
        _UPDATE_KEY,
        ("updates", "corrections"),
        f"SELECT {row}.state_id, {quarter}, {sign}COUNT(*), {sign}COUNT(u.corrects_id) "
        f"FROM {UPDATES} u WHERE u.commitment_id = {row}.id GROUP BY 2",
    )


def _sqlite_update(row: str, sign: str) -> str:
    quarter = _sqlite_quarter(f"{row}.reported_on")
    return _sqlite_upsert(
        UPDATE_TALLY,
        _UPDATE_KEY,
        ("updates", "corrections"),
        f"SELECT c.state_id, {quarter}, {sign}1, "
        f"CASE WHEN {row}.corrects_id IS NULL THEN 0 ELSE {sign}1 END "
        f"FROM {COMMITMENTS} c WHERE c.id = {row}.commitment_id",
    )


def _sqlite_review(row: str, sign: str) -> str:
    quarter = _sqlite_quarter(f"{row}.due_on")
    return _sqlite_upsert(
        REVIEW_TALLY,
        _REVIEW_KEY,
        ("n",),
        f"SELECT {quarter}, {row}.due_on = date({quarter}, '+3 months', '-1 day'), "
        f"{_sqlite_quarter(f'{row}.reported_on')}, {row}.reported_on > {row}.due_on, {sign}1 "
        "WHERE true",
    )


def _sqlite_trigger(
    table: str, event: str, body: list[str], when: str = "", name: str = ""
) -> list[str]:
    name = name or f"tracker_tally_{table}_{event.split()[0].lower()}"
    condition = f" WHEN {when}" if when else ""
    return [
        f"DROP TRIGGER IF EXISTS {name}",
        f'CREATE TRIGGER {name} AFTER {event} ON "{table}"{condition} BEGIN {" ".join(body)} END',
    ]


def _sqlite_sql() -> list[str]:
    return [
        *_sqlite_trigger(
            COMMITMENTS,
            "INSERT",
            [_sqlite_commitment("NEW", ""), _sqlite_updates_of("NEW", "")],
        ),
        *_sqlite_trigger(
            COMMITMENTS,
            "DELETE",
            [_sqlite_commitment("OLD", "-"), _sqlite_updates_of("OLD", "-")],
        ),
        *_sqlite_trigger(
            COMMITMENTS,
            "UPDATE",
            [_sqlite_commitment("OLD", "-"), _sqlite_commitment("NEW", "")],
        ),
        # A second UPDATE trigger, only when the State changed: the updates' counts move along.
        *_sqlite_trigger(
            COMMITMENTS,
            "UPDATE OF state_id",
            [_sqlite_updates_of("OLD", "-"), _sqlite_updates_of("NEW", "")],
            when="OLD.state_id <> NEW.state_id",
            name=f"tracker_tally_{COMMITMENTS}_state",
        ),
        *_sqlite_trigger(UPDATES, "INSERT", [_sqlite_update("NEW", "")]),
        *_sqlite_trigger(UPDATES, "DELETE", [_sqlite_update("OLD", "-")]),
        *_sqlite_trigger(
            UPDATES, "UPDATE", [_sqlite_update("OLD", "-"), _sqlite_update("NEW", "")]
        ),
        *_sqlite_trigger(REVIEWS, "INSERT", [_sqlite_review("NEW", "")]),
        *_sqlite_trigger(REVIEWS, "DELETE", [_sqlite_review("OLD", "-")]),
        *_sqlite_trigger(
            REVIEWS, "UPDATE", [_sqlite_review("OLD", "-"), _sqlite_review("NEW", "")]
        ),
    ]


def _statements(vendor: str) -> list[str]:
    if vendor == "postgresql":
        return _postgresql_sql()
    if vendor == "sqlite":
        return _sqlite_sql()
    raise NotImplementedError(f"tally triggers for {vendor}")  # pragma: no cover


def install_triggers(schema_editor=None) -> None:
    """Create (or re-create) the tally triggers (from a migration's schema editor, or on the
    default connection). Call it again from any migration that rebuilds one of the three
    source tables on SQLite (a table rebuild drops its triggers); ``verify_tallies`` reports
    missing triggers."""
    if schema_editor is not None:
        for statement in _statements(schema_editor.connection.vendor):
            schema_editor.execute(statement, params=None)
        return
    with connection.cursor() as cursor:
        for statement in _statements(connection.vendor):
            cursor.execute(statement)


def remove_triggers(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for table in (COMMITMENTS, UPDATES, REVIEWS):
        events = ("insert", "delete", "update", "truncate", "state")
        for event in events:
            name = f"tracker_tally_{table}_{event}"[:63]
            on = f' ON "{table}"' if vendor == "postgresql" else ""
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}{on}")
    if vendor == "postgresql":
        for function in (
            "tracker_tally_commitments",
            "tracker_tally_updates",
            "tracker_tally_reviews",
        ):
            for name in (function, f"{function}_truncate"):
                schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")


def installed_triggers() -> set[str]:
    """The names of the tally triggers present in the database."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # pg_trigger, not information_schema.triggers: the latter omits TRUNCATE triggers.
            cursor.execute("SELECT tgname FROM pg_trigger WHERE tgname LIKE 'tracker_tally_%%'")
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' "
                "AND name LIKE 'tracker_tally_%'"
            )
        return {row[0] for row in cursor.fetchall()}


def expected_triggers() -> set[str]:
    if connection.vendor == "postgresql":
        events = ("insert", "delete", "update", "truncate")
    else:
        events = ("insert", "delete", "update")
    names = {f"tracker_tally_{t}_{e}"[:63] for t in (COMMITMENTS, UPDATES, REVIEWS) for e in events}
    if connection.vendor != "postgresql":
        names.add(f"tracker_tally_{COMMITMENTS}_state")
    return names


# --- Recount, verification, rebuild --------------------------------------------------------------


def recount() -> dict[str, Counter]:
    """Every tally recomputed from the source tables, in Python (not by the triggers' SQL):
    ``{table: Counter({key tuple: value tuple})}`` without zero rows."""
    from commitments.models import AnsweredReview, Commitment, ProgressUpdate

    commitments: Counter = Counter()
    state_of = {}
    for pk, *key in Commitment.objects.values_list("pk", *_COMMITMENT_KEY).iterator(
        chunk_size=5000
    ):
        commitments[tuple(key)] += 1
        state_of[pk] = key[0]
    updates: Counter = Counter()
    corrections: Counter = Counter()
    rows = ProgressUpdate.objects.values_list("commitment_id", "reported_on", "corrects_id")
    for commitment_id, reported_on, corrects_id in rows.iterator(chunk_size=5000):
        if commitment_id not in state_of:  # counted only while its commitment exists
            continue
        key = (state_of[commitment_id], quarter_start(reported_on))
        updates[key] += 1
        corrections[key] += corrects_id is not None
    reviews: Counter = Counter()
    for due_on, reported_on in AnsweredReview.objects.values_list("due_on", "reported_on").iterator(
        chunk_size=5000
    ):
        key = (
            quarter_start(due_on),
            _last_day_of_quarter(due_on),
            quarter_start(reported_on),
            reported_on > due_on,
        )
        reviews[key] += 1
    return {
        COMMITMENT_TALLY: Counter({k: (v,) for k, v in commitments.items()}),
        UPDATE_TALLY: Counter({k: (updates[k], corrections[k]) for k in updates}),
        REVIEW_TALLY: Counter({k: (v,) for k, v in reviews.items()}),
    }


def maintained() -> dict[str, Counter]:
    """The tallies as the triggers left them, zero rows left out."""
    from tracker.models import CommitmentTally, ReviewTally, UpdateTally

    def rows(model, keys, values):
        found = Counter()
        for row in model.objects.values_list(*keys, *values):
            key, value = tuple(row[: len(keys)]), tuple(row[len(keys) :])
            if any(value):
                found[key] = value
        return found

    return {
        COMMITMENT_TALLY: rows(CommitmentTally, _COMMITMENT_KEY, ("n",)),
        UPDATE_TALLY: rows(UpdateTally, _UPDATE_KEY, ("updates", "corrections")),
        REVIEW_TALLY: rows(ReviewTally, _REVIEW_KEY, ("n",)),
    }


def differences() -> list[str]:
    """What differs between the maintained tallies and a recount (empty: they are equal), and
    any missing trigger."""
    problems = [
        f"missing trigger {name}" for name in sorted(expected_triggers() - installed_triggers())
    ]
    counted, kept = recount(), maintained()
    for table, expected in counted.items():
        found = kept[table]
        for key in sorted(set(expected) | set(found), key=repr):
            if expected.get(key, ()) != found.get(key, ()):
                kept_value, counted_value = found.get(key, "-"), expected.get(key, "-")
                problems.append(f"{table} {key}: maintained {kept_value}, recount {counted_value}")
    return problems


def rebuild() -> None:
    """Replace every tally with the recount (in one transaction, tables locked on PostgreSQL so
    no write slips between the recount and the replacement)."""
    from tracker.models import CommitmentTally, ReviewTally, UpdateTally

    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {COMMITMENTS}, {UPDATES}, {REVIEWS} IN SHARE MODE")
        counted = recount()
        CommitmentTally.objects.all().delete()
        UpdateTally.objects.all().delete()
        ReviewTally.objects.all().delete()
        _create(CommitmentTally, _COMMITMENT_KEY, ("n",), counted[COMMITMENT_TALLY].items())
        _create(UpdateTally, _UPDATE_KEY, ("updates", "corrections"), counted[UPDATE_TALLY].items())
        _create(ReviewTally, _REVIEW_KEY, ("n",), counted[REVIEW_TALLY].items())


def _create(model, keys: tuple, values: tuple, rows: Iterable) -> None:
    model.objects.bulk_create(
        [model(**dict(zip(keys + values, key + value, strict=True))) for key, value in rows],
        batch_size=2000,
    )
