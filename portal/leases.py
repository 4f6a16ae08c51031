"""Keeping a job's lease alive while it works: jobs hold their run through a short lease that
a heartbeat thread renews, so a dead worker's run is noticed one lease after its last beat
(scaffold runs, descriptor imports)."""

import logging
import threading
from collections.abc import Callable
from contextlib import contextmanager

from django.db import connections

log = logging.getLogger(__name__)


@contextmanager
def renewing(renew: Callable[[], object], *, every: float, name: str):
    """Call ``renew`` every ``every`` seconds from a thread while the block runs. A failed
    renewal is logged and the next one tried: a missed beat is what the lease is for."""
    stop = threading.Event()

    def beat():
        try:
            while not stop.wait(every):
                try:
                    renew()
                except Exception:  # noqa: BLE001 - see above
                    log.warning("%s: a heartbeat failed", name, exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections

    thread = threading.Thread(target=beat, name=name, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=10)
