"""Request metrics in the Prometheus text format, served at ``GET /metrics``.

A WSGI middleware counts every request by status code (``http_requests_total{code="500"}``)
and its duration in a histogram (``http_request_duration_seconds``), which is what Keel's bake
stage, or any Prometheus, watches: the 5xx and 429 rates and the p99 latency. Health checks and
scrapes are probes, not traffic, so they are not counted. Standard library only; one lock
keeps the counts right under a threaded server.
"""

import threading
import time

# Prometheus' default buckets, in seconds.
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
PROBES = frozenset({"/healthz", "/metrics"})
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


class Metrics:
    def __init__(self, buckets=BUCKETS):
        self.buckets = tuple(sorted(buckets))
        self._lock = threading.Lock()
        self._codes = {}
        self._bucket_counts = [0] * len(self.buckets)
        self._count = 0
        self._sum = 0.0

    def observe(self, code: str, seconds: float) -> None:
        with self._lock:
            self._codes[code] = self._codes.get(code, 0) + 1
            for i, bound in enumerate(self.buckets):
                if seconds <= bound:
                    self._bucket_counts[i] += 1
            self._count += 1
            self._sum += seconds

    def render(self) -> str:
        with self._lock:
            codes, buckets = dict(self._codes), list(self._bucket_counts)
            count, total = self._count, self._sum
        lines = [
            "# HELP http_requests_total Requests answered, by status code.",
            "# TYPE http_requests_total counter",
            *(f'http_requests_total{{code="{code}"}} {codes[code]}' for code in sorted(codes)),
            "# HELP http_request_duration_seconds Time to answer a request.",
            "# TYPE http_request_duration_seconds histogram",
            *(
                f'http_request_duration_seconds_bucket{{le="{bound!r}"}} {n}'
                for bound, n in zip(self.buckets, buckets, strict=True)
            ),
            f'http_request_duration_seconds_bucket{{le="+Inf"}} {count}',
            f"http_request_duration_seconds_sum {total!r}",
            f"http_request_duration_seconds_count {count}",
        ]
        return "\n".join(lines) + "\n"


def instrument(app, metrics: Metrics):
    """``app`` (any WSGI application), with each request's status and time counted.

    The time is until the application returned its response: for Bottle, the whole body
    unless it is streamed. An exception that escapes ``app`` counts as a 500."""

    def counted(environ, start_response):
        if environ.get("PATH_INFO") in PROBES:
            return app(environ, start_response)
        started = time.perf_counter()
        status = ["500"]

        def start(line, headers, exc_info=None):
            status[0] = line.split(" ", 1)[0]
            return start_response(line, headers, exc_info)

        try:
            return app(environ, start)
        finally:
            metrics.observe(status[0], time.perf_counter() - started)

    return counted
