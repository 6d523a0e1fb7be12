"""Django's PostgreSQL backend (psycopg 3), with a connection health check that costs no round
trip (D-16-24), connections on which tracker/db.py can prepare its statements (D-16-26), and a
memory of the data versions kept fresh by the server's notifications (D-16-29).

With ``CONN_HEALTH_CHECKS``, Django checks a reused connection before the first statement of
every request by running ``SELECT 1`` — a round trip to the server on every request, a tenth of
a 100-row API page on a loaded 2-core machine (docs/performance.md). A connection that the
server has closed (a restart, ``pg_terminate_backend``, an idle timeout, a reset) has something
to read on its socket: the server's last message, or the end of the stream. An idle connection
the server still serves has nothing. So: nothing to read, the connection is usable, no round
trip; anything to read, Django's own check runs and decides. A peer that vanished without a
word (a cable cut) is no better detected by ``SELECT 1`` than by this — both learn it from the
first statement that fails.
"""

import select

import psycopg
from django.conf import settings
from django.db.backends.postgresql import base

from tracker.versions import NOTIFY_CHANNEL

# Django opens psycopg connections with ``prepare_threshold=None``, which turns preparation off
# for good: psycopg then ignores even ``execute(..., prepare=True)``. A threshold no statement
# reaches by count keeps Django's own statements unprepared (its client-side binding cursors
# never prepare anyway) and lets tracker/db.py prepare the few it asks for.
_PREPARE_ONLY_WHEN_ASKED = 2**31


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._versions: dict = {}
        self._versions_written = 0  # notifications seen: a count, so a read can tell it missed one
        self._listening = False

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if settings.DB_PREPARED_STATEMENTS and connection.prepare_threshold is None:
            connection.prepare_threshold = _PREPARE_ONLY_WHEN_ASKED
        # A new session has heard nothing: it forgets what the last one remembered.
        self._forget()
        self._listening = False
        connection.add_notify_handler(self._written)
        return connection

    def _forget(self) -> None:
        self._versions.clear()
        self._versions_written += 1

    def _written(self, _notification) -> None:
        # psycopg calls this for a notification it reads while running any statement.
        self._forget()

    def remembered_versions(self, key, read):
        """``read()`` — the data versions of some tables (``key``), read from the database — or
        what an earlier call with the same ``key`` returned, if no write has been committed since.

        The server notifies every bump of a version at commit (tracker/versions.py); this
        connection listens once, and before answering from memory takes what has arrived on its
        socket without waiting (a microsecond). A notification read while ``read()`` runs means
        its answer may predate a write, so that answer is not kept. A commit's notification can
        reach the socket a little after the commit (measured: 7 % of commits, at most about a
        millisecond), so callers use this only where an answer that old does no harm: the labels
        of a response that cannot be a ``304`` (D-16-29). Inside a transaction, on a connection
        that is not kept between requests, or with ``DATA_VERSION_CACHE`` off, it always reads.
        """
        if (
            not settings.DATA_VERSION_CACHE
            or self.settings_dict["CONN_MAX_AGE"] == 0
            or self.in_atomic_block
        ):
            return read()
        self.close_if_health_check_failed()
        self.ensure_connection()
        if not self.get_autocommit():
            return read()
        if not self._listening:
            with self.cursor() as cursor:
                cursor.execute(f"LISTEN {NOTIFY_CHANNEL}")
            self._listening = True
        elif not self._drain():
            return read()
        answer = self._versions.get(key)
        if answer is None:
            written = self._versions_written
            answer = read()
            if written == self._versions_written:
                self._versions[key] = answer
        return answer

    def _drain(self) -> bool:
        """Take the notifications waiting on the socket, without blocking; False if the
        connection cannot tell (then nothing is remembered)."""
        pgconn = self.connection.pgconn
        try:
            pgconn.consume_input()
        except psycopg.Error:  # a broken connection: the read will report it
            self._forget()
            return False
        while pgconn.notifies() is not None:
            self._forget()
        return True

    def is_usable(self):
        connection = self.connection
        if connection is None or connection.closed or connection.broken:
            return False
        try:
            poller = select.poll()
            poller.register(connection.fileno(), select.POLLIN | select.POLLPRI)
            waiting = poller.poll(0)
        except (OSError, ValueError):
            return False
        if not waiting:
            return True
        return super().is_usable()
