"""Django's PostgreSQL backend (psycopg 3), with a connection health check that costs no round
trip (D-16-24), and connections on which tracker/db.py can prepare its statements (D-16-26).

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

from django.conf import settings
from django.db.backends.postgresql import base

# Django opens psycopg connections with ``prepare_threshold=None``, which turns preparation off
# for good: psycopg then ignores even ``execute(..., prepare=True)``. A threshold no statement
# reaches by count keeps Django's own statements unprepared (its client-side binding cursors
# never prepare anyway) and lets tracker/db.py prepare the few it asks for.
_PREPARE_ONLY_WHEN_ASKED = 2**31


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if settings.DB_PREPARED_STATEMENTS and connection.prepare_threshold is None:
            connection.prepare_threshold = _PREPARE_ONLY_WHEN_ASKED
        return connection

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
