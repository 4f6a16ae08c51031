"""Django's PostgreSQL backend with a health check that costs no round trip.

With persistent connections (``CONN_MAX_AGE``), ``CONN_HEALTH_CHECKS`` makes Django send
``SELECT 1`` before the first query of every request, so that a connection the server has
dropped (a restart, a failover, ``pg_terminate_backend``) is replaced instead of failing the
request. On a cached API read that ping was a third of the request. A server that drops a
connection first sends the client an error and closes the socket, so an idle connection whose
socket has something to read has been hung up on: this backend checks that with a zero-timeout
``poll`` instead. Anything else unusual (unread data the server sent unasked) also just costs
a reconnect. After a query fails, Django still asks ``is_usable``, which keeps its round trip.
"""

import select

from django.db.backends.postgresql import base


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        if (
            self.connection is None
            or not self.health_check_enabled
            or self.health_check_done
            or self.pool  # the pool checks its own connections
        ):
            return
        if self._hung_up():
            self.close()
        self.health_check_done = True

    def _hung_up(self) -> bool:
        if self.connection.closed or self.connection.broken:
            return True
        poller = select.poll()
        poller.register(self.connection.fileno(), select.POLLIN)
        return bool(poller.poll(0))
