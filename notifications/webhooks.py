"""POSTing a signed notification to a team's webhook, without letting the URL reach inside.

A team chooses its webhook's URL, so Keel would otherwise make requests on anyone's behalf
into its own network (server-side request forgery). The host is resolved once, every address
it resolves to must be public (not loopback, private, link-local, reserved or multicast)
unless ``KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE`` is set, and the connection goes to the address
that was checked, so a second DNS answer cannot swap in another. Redirects are not followed
and each request has ``KEEL_NOTIFY_WEBHOOK_TIMEOUT_SECONDS``.
"""

import http.client
import ipaddress
import socket
import ssl
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

_MAX_ANSWER_BYTES = 64 * 1024


class AddressRefused(Exception):
    """The URL names a host Keel does not send to."""


@dataclass
class Answer:
    status: int
    body: bytes


def checked_address(url: str) -> tuple[str, str, int]:
    """``(host, address, port)`` of ``url``, its host resolved and the address allowed."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise AddressRefused("Only http and https URLs with a host are allowed.")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(f"{parts.hostname} cannot be resolved: {error}.") from error
    addresses = [info[4][0] for info in found]
    if not settings.KEEL_NOTIFY_WEBHOOK_ALLOW_PRIVATE:
        for address in addresses:
            ip = ipaddress.ip_address(address.split("%", 1)[0])
            if not ip.is_global or ip.is_multicast:
                raise AddressRefused(
                    f"{parts.hostname} resolves to {address}, an internal address: webhooks "
                    "go to public addresses only."
                )
    return parts.hostname, addresses[0], port


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self):
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host, address, port, timeout):
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self):
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict) -> Answer:
    """POST ``body`` to ``url`` (checked first); the answer's status and first bytes."""
    host, address, port = checked_address(url)
    parts = urlsplit(url)
    kind = _PinnedHTTPSConnection if parts.scheme == "https" else _PinnedHTTPConnection
    connection = kind(host, address, port, settings.KEEL_NOTIFY_WEBHOOK_TIMEOUT_SECONDS)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        return Answer(response.status, response.read(_MAX_ANSWER_BYTES))
    finally:
        connection.close()
