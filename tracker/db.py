"""A cursor for the statements every API list request runs (issue 16, D-16-22).

Django binds parameters on the client and never prepares (so that connection poolers work):
PostgreSQL parses and plans every statement again. For the few statements compiled once per
process and run on every list request — the data versions (tracker/versions.py) and the mirror
pages (tracker/api/mirror.py) — planning cost as much as running (0.3–0.45 ms of about 1 ms,
measured with ``EXPLAIN ANALYZE``), so they are bound on the server and prepared once per
connection (the project's backend lets psycopg prepare them: D-16-26). The cursor is wrapped
like Django's own: query logging, ``CaptureQueriesContext`` and execute wrappers see its
statements.
"""

from django.conf import settings
from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from psycopg import sql
from psycopg.types.datetime import TimestamptzLoader


class PreparingCursor(ServerBindingCursor):
    """psycopg's server-side binding cursor (Django's own mixin), preparing what it runs and
    reading times with psycopg's own loader: Django's wraps it in a Python call per value to
    set the connection's time zone (0.7 ms of a 100-row page, measured), which the session's
    ``TimeZone`` — set by Django from the same setting — already gives."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.adapters.register_loader("timestamptz", TimestamptzLoader)

    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


def prepared_cursor():
    """A cursor whose statements PostgreSQL prepares (Django's own cursor elsewhere, or when
    ``DB_PREPARED_STATEMENTS`` is off)."""
    if connection.vendor != "postgresql" or not settings.DB_PREPARED_STATEMENTS:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    with connection.wrap_database_errors:
        return connection._prepare_cursor(PreparingCursor(connection.connection))


def sql_literal(value) -> str:
    """``value`` written as a PostgreSQL literal, quoted by psycopg as it would bind it (for
    constants from the code written into a statement compiled once: never a request's value)."""
    connection.ensure_connection()
    return sql.Literal(value).as_string(connection.connection)
