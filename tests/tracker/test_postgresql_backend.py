"""The project's PostgreSQL backend (tracker/postgresql). Its health check (D-16-24): a reused
connection the server still serves is usable without a round trip; one the server has closed is
not, and Django opens a new one before the request's first statement. Its connections let
tracker/db.py prepare the statements every API list runs, and only those (D-16-26)."""

import select
import time

import pytest
from django.db import connection, connections
from django.db.backends.postgresql import base as django_postgresql

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the health check of the PostgreSQL backend"
)


@pytest.fixture
def reused(db):
    """A second connection to the test database, as a worker keeps one between requests."""
    wrapper = connections.create_connection("default")
    wrapper.ensure_connection()
    yield wrapper
    wrapper.close()


def test_the_backend_is_the_projects():
    assert type(connections["default"]).__module__ == "tracker.postgresql.base"


def test_a_live_connection_is_usable_without_a_statement(reused, monkeypatch):
    def round_trip(self):
        raise AssertionError("the check ran a statement")

    monkeypatch.setattr(django_postgresql.DatabaseWrapper, "is_usable", round_trip)
    assert reused.is_usable()


def terminate(wrapper) -> None:
    pid = wrapper.connection.info.backend_pid
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    poller = select.poll()  # the server's farewell reaches the socket
    poller.register(wrapper.connection.fileno(), select.POLLIN)
    assert poller.poll(5000), "the backend did not end"


def test_a_connection_the_server_closed_is_not_usable(reused):
    terminate(reused)
    assert not reused.is_usable()


def test_the_next_request_reconnects_after_the_server_closed_the_connection(reused):
    reused.health_check_enabled, reused.health_check_done = True, False
    old_pid = reused.connection.info.backend_pid
    terminate(reused)
    with reused.cursor() as cursor:  # the first statement of a request
        cursor.execute("SELECT pg_backend_pid()")
        new_pid = cursor.fetchone()[0]
    assert new_pid != old_pid


def test_a_pending_message_asks_the_server(reused, monkeypatch):
    """Something to read that is not a farewell (here a notification) runs Django's check,
    which reads it and finds the connection alive."""
    asked = []
    real = django_postgresql.DatabaseWrapper.is_usable
    monkeypatch.setattr(
        django_postgresql.DatabaseWrapper,
        "is_usable",
        lambda self: asked.append(1) or real(self),
    )
    reused.connection.execute("LISTEN tracker_health_check_test")
    sender = connections.create_connection("default")  # outside the test's transaction
    try:
        with sender.cursor() as cursor:
            cursor.execute("NOTIFY tracker_health_check_test")
    finally:
        sender.close()
    deadline = time.monotonic() + 5
    while reused.is_usable() and not asked and time.monotonic() < deadline:
        time.sleep(0.02)
    assert asked and reused.is_usable()


def prepared_statements() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


def test_the_lists_statements_are_prepared_and_only_they(client, db):
    connection.ensure_connection()
    assert connection.connection.prepare_threshold is not None
    cursor = "eyJvIjpbImlkIl0sInYiOlswXX0"  # {"o":["id"],"v":[0]}
    for _ in range(2):
        assert client.get(f"/api/v1/commitments/?cursor={cursor}").status_code == 200
        assert client.get(f"/api/v1/commitments/?cursor={cursor}&page_size=7").status_code == 200
    statements = prepared_statements()
    assert any("tracker_dataversion" in statement for statement in statements)
    pages = [s for s in statements if s.startswith('SELECT "commitments_commitment"."id"')]
    # The default page size's limit is written in (D-16-28); another size's is a parameter.
    limits = sorted(statement.rsplit("LIMIT", 1)[1].strip()[:1] for statement in pages)
    assert limits == ["$", "1"] and any(s.endswith("LIMIT 101") for s in pages)
    # Django's own statements (sessions, the pages' queries) are never prepared.
    assert client.get("/commitments/").status_code == 200
    assert all(
        "tracker_dataversion" in statement or "LIMIT" in statement
        for statement in prepared_statements()
    )


def test_the_default_pages_statement_is_planned_once(client, db):
    """With its limit written in, PostgreSQL can cost the generic plan and keeps it after five
    custom plans; with a parameter it planned every execution again (D-16-28)."""
    cursor = "eyJvIjpbImlkIl0sInYiOlswXX0"  # {"o":["id"],"v":[0]}
    for _ in range(8):
        assert client.get(f"/api/v1/commitments/?cursor={cursor}").status_code == 200
    with connection.cursor() as db_cursor:
        db_cursor.execute(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements "
            "WHERE statement LIKE %s",
            ['SELECT "commitments_commitment"."id"%LIMIT 101'],
        )
        ((generic, custom),) = db_cursor.fetchall()
    assert custom <= 5 and generic >= 3


def test_without_prepared_statements_the_connection_prepares_nothing(settings, db):
    settings.DB_PREPARED_STATEMENTS = False
    wrapper = connections.create_connection("default")
    try:
        wrapper.ensure_connection()
        assert wrapper.connection.prepare_threshold is None
    finally:
        wrapper.close()
