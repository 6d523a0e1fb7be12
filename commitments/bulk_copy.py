"""Writing many rows at once on PostgreSQL: ``COPY … FROM STDIN`` through psycopg 3 (D-16-10).

For bulk loaders only (synthetic scale data). ``COPY`` fires the tables' triggers like an
``INSERT`` (so the data versions of ``tracker.versions`` are bumped once per statement) and
checks constraints (foreign keys are deferred to the commit, as Django declares them); it skips
Django's signals and ``save()``, so a caller sets every value a save would (times, derived
fields) itself, from the same rules.
"""

from collections.abc import Iterable, Sequence

from django.db import connection


def reserve_ids(model, count: int) -> int:
    """Reserve ``count`` consecutive primary keys of ``model``'s sequence; returns the first.
    Call inside a transaction that holds :func:`lock_for_load` on the table, so no other
    writer takes a key in between."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence(%s, %s), "
            "nextval(pg_get_serial_sequence(%s, %s)) + %s - 1)",
            [table, column, table, column, count],
        )
        last = cursor.fetchone()[0]
    return last - count + 1


def lock_for_load(models: Sequence) -> None:
    """Keep other writers out of these tables until the loading transaction ends (readers go
    on): they would otherwise take keys from the sequences between reservations."""
    tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {tables} IN SHARE ROW EXCLUSIVE MODE")


def copy_rows(model, rows: Iterable[dict]) -> int:
    """``COPY`` rows into ``model``'s table. Each row maps attribute names (``state_id``) to
    values — a model instance's ``__dict__`` will do; a missing name takes the field's default.
    Returns how many rows were written."""
    fields = model._meta.concrete_fields
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    plan = [(field.attname, field.get_default()) for field in fields]
    table = connection.ops.quote_name(model._meta.db_table)
    written = 0
    sql = f"COPY {table} ({columns}) FROM STDIN"
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row.get(name, default) for name, default in plan])
            written += 1
    return written
