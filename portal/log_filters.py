"""Logging filters for the server's log lines."""

import logging


class ClientErrorsWithoutTraceback(logging.Filter):
    """A 4xx answer (403, 404, 400) is the client's mistake, not the server's: Django logs it
    with the exception that produced it, which prints a traceback for every ordinary refusal.
    Keep the one line; 5xx keep their tracebacks."""

    def filter(self, record: logging.LogRecord) -> bool:
        if 400 <= getattr(record, "status_code", 500) < 500:
            record.exc_info = record.exc_text = None
        return True
