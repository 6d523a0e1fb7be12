"""Web workers remember the data versions between writes (D-16-29): every bump of a version
notifies at commit, a worker's connection listens, and a response that cannot be a ``304`` labels
itself from that memory without a query. Whether a ``304`` is due is always asked of the
database. These tests commit (``transactional_db``): inside a transaction nothing is remembered."""

import select
import time

import psycopg
import pytest
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from commitments.models import Commitment
from tests.factories import CommitmentFactory
from tracker.versions import NOTIFY_CHANNEL

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="LISTEN/NOTIFY of the PostgreSQL backend"
)

PAGE = "/api/v1/commitments/?cursor=eyJvIjpbImlkIl0sInYiOlswXX0"  # {"o":["id"],"v":[0]}


@pytest.fixture
def commitment(transactional_db, state_a):
    return CommitmentFactory(state=state_a, title="Before")


def statements(client, url, **headers):
    """The response and the statements it ran (a prepared statement's text is not captured:
    ``""``)."""
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    assert response.status_code in (200, 304)
    return response, [query["sql"] or "" for query in captured.captured_queries]


def reads_versions(sqls) -> bool:
    """A mirror page runs its own statement, and the versions' unless it remembers them."""
    return len([sql for sql in sqls if not sql.startswith("LISTEN")]) == 2


def write_elsewhere(pk: int, title: str) -> None:
    """Commit a change on another connection, as another worker or a management command does."""
    other = connections.create_connection("default")
    try:
        with other.cursor() as cursor:
            cursor.execute(
                "UPDATE commitments_commitment SET title = %s WHERE id = %s", [title, pk]
            )
    finally:
        other.close()


def wait_for_notification() -> None:
    """The notification of a commit reaches the listening socket a moment after the commit."""
    poller = select.poll()
    poller.register(connection.connection.fileno(), select.POLLIN)
    assert poller.poll(5000), "no notification arrived"


def test_a_full_response_reads_no_versions_while_nothing_is_written(client, commitment):
    first, sqls = statements(client, PAGE)
    assert reads_versions(sqls)
    assert any(sql == f"LISTEN {NOTIFY_CHANNEL}" for sql in sqls)
    second, sqls = statements(client, PAGE)
    assert not reads_versions(sqls) and len(sqls) == 1  # the page's own statement, nothing else
    assert second["ETag"] == first["ETag"]
    assert second["X-Ledger-Head"] == first["X-Ledger-Head"]
    assert second["Last-Modified"] == first["Last-Modified"]
    # The general path (a filter) remembers too: one statement fewer than with a condition.
    general = "/api/v1/commitments/?member_state=GHA"
    for _ in range(2):  # the second finds its page count cached
        _response, read = statements(client, general, HTTP_IF_NONE_MATCH='"other"')
    _response, remembered = statements(client, general)
    assert len(remembered) == len(read) - 1


def test_a_write_committed_elsewhere_relabels_the_next_response(client, commitment):
    before, _sqls = statements(client, PAGE)
    write_elsewhere(commitment.pk, "After")
    wait_for_notification()
    after, sqls = statements(client, PAGE)
    assert reads_versions(sqls)
    assert after["ETag"] != before["ETag"]
    assert after.json()["results"][0]["title"] == "After"


def test_a_write_on_the_same_connection_relabels_the_next_response(client, commitment):
    before, _sqls = statements(client, PAGE)
    Commitment.objects.filter(pk=commitment.pk).update(title="After")  # its own notification
    after, sqls = statements(client, PAGE)
    assert reads_versions(sqls)
    assert after["ETag"] != before["ETag"]


def test_a_ledger_entry_alone_relabels_the_next_response(client, commitment):
    """The ledger head rides on the remembered versions: the ledger notifies too."""
    from commitments import ledger

    before, _sqls = statements(client, PAGE)
    with transaction.atomic():
        ledger.append_commitment(commitment)
    after, _sqls = statements(client, PAGE)
    assert after["X-Ledger-Head"] != before["X-Ledger-Head"]


def test_a_rolled_back_write_is_not_notified(client, commitment):
    before, _sqls = statements(client, PAGE)
    with pytest.raises(RuntimeError), transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(title="Never")
        raise RuntimeError
    after, sqls = statements(client, PAGE)
    assert not reads_versions(sqls) and after["ETag"] == before["ETag"]


def test_a_conditional_request_is_always_decided_by_the_database(client, commitment, monkeypatch):
    """Even a worker whose memory missed a write (a notification not yet on its socket) answers a
    conditional request from the database: a 304 is never given for data that changed."""
    before, _sqls = statements(client, PAGE)
    # The worst case: the worker's memory never hears of the write.
    monkeypatch.setattr(type(connections["default"]), "_forget", lambda self: None)
    write_elsewhere(commitment.pk, "After")
    wait_for_notification()
    stale, _sqls = statements(client, PAGE)
    assert stale["ETag"] == before["ETag"]  # a full response, labelled from memory
    answer, sqls = statements(client, PAGE, HTTP_IF_NONE_MATCH=before["ETag"])
    assert reads_versions(sqls)
    assert answer.status_code == 200 and answer["ETag"] != before["ETag"]
    assert answer.json()["results"][0]["title"] == "After"
    unchanged, sqls = statements(client, PAGE, HTTP_IF_NONE_MATCH=answer["ETag"])
    assert unchanged.status_code == 304 and len(sqls) == 1  # the versions, and no page


def test_a_notification_read_during_the_read_is_not_remembered(commitment):
    reads = []

    def read():
        reads.append(1)
        connection._written(None)  # a commit's notification arrives while the versions are read
        return "versions"

    assert connection.remembered_versions(("t",), read) == "versions"
    assert connection.remembered_versions(("t",), read) == "versions"
    assert len(reads) == 2
    steady = []
    assert connection.remembered_versions(("t",), lambda: steady.append(1) or "v") == "v"
    assert connection.remembered_versions(("t",), lambda: steady.append(1) or "v") == "v"
    assert len(steady) == 1


def test_inside_a_transaction_the_versions_are_always_read(commitment):
    reads = []
    with transaction.atomic():
        for _ in range(2):
            connection.remembered_versions(("t",), lambda: reads.append(1) or "v")
    assert len(reads) == 2


def test_with_the_setting_off_every_response_reads_the_versions(client, commitment, settings):
    settings.DATA_VERSION_CACHE = False
    statements(client, PAGE)
    _response, sqls = statements(client, PAGE)
    assert reads_versions(sqls) and not any(sql.startswith("LISTEN") for sql in sqls)


def test_a_new_connection_forgets_and_listens_again(client, commitment):
    statements(client, PAGE)
    connection.close()
    _response, sqls = statements(client, PAGE)
    assert reads_versions(sqls) and any(sql.startswith("LISTEN") for sql in sqls)


def test_every_bump_notifies_at_commit(commitment):
    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as listener:
        listener.execute(f"LISTEN {NOTIFY_CHANNEL}")
        Commitment.objects.filter(pk=commitment.pk).update(title="After")
        deadline, heard = time.monotonic() + 5, []
        while not heard and time.monotonic() < deadline:
            heard = list(listener.notifies(timeout=0.1, stop_after=1))
        assert [n.channel for n in heard] == [NOTIFY_CHANNEL]
