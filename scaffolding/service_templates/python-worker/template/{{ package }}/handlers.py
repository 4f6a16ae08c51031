"""What the worker does with each message. Replace ``handle`` with your own logic."""

import logging

log = logging.getLogger(__name__)


class PermanentError(Exception):
    """The message can never succeed: dead-letter it without retrying."""


def handle(body):
    """Handle one message; raise to retry it, raise PermanentError to dead-letter it."""
    if "type" not in body:
        raise PermanentError("a message needs a 'type'")
    log.info("handled %s", body["type"])
    return body["type"]
