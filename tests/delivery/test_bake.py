"""The bake stage against a real HTTP server whose /healthz and /metrics change between
scrapes: passing, each threshold breached, a counter reset, unhealthy, too few requests,
unreadable or oversized metrics, an unreachable release. ``ci/deploy.py bake`` (external CI)
is judged on the same texts and must agree."""

import importlib.util
import math
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from delivery import bake as baking
from delivery import stages
from delivery.models import Deployment, Environment, PipelineRun, StageRun
from scaffolding import pipelines

DEPLOY_PY = Path(pipelines.FILES_DIR) / "deploy.py"
spec = importlib.util.spec_from_file_location("ci_deploy", DEPLOY_PY)
ci_deploy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ci_deploy)

FAST = {0.05: 0, 0.1: 0, 0.5: 0, 1.0: 0}  # a histogram's finite buckets, all empty


def metrics(codes: dict, latencies: dict | None = None) -> str:
    """A Prometheus text like the template's: requests by code, and a histogram whose
    observations are ``latencies`` ({bucket upper bound: requests in it}); by default every
    request is in the first bucket."""
    total = sum(codes.values())
    latencies = latencies or {0.05: total}
    lines = ["# TYPE http_requests_total counter"]
    lines += [f'http_requests_total{{code="{c}"}} {n}' for c, n in codes.items()]
    lines.append("# TYPE http_request_duration_seconds histogram")
    running = 0
    for bound in sorted({**FAST, **latencies}):
        running += latencies.get(bound, 0)
        lines.append(f'http_request_duration_seconds_bucket{{le="{bound}"}} {running}')
    lines.append(f'http_request_duration_seconds_bucket{{le="+Inf"}} {total}')
    lines.append(f"http_request_duration_seconds_sum {total * 0.01}")
    lines.append(f"http_request_duration_seconds_count {total}")
    return "\n".join(lines) + "\n"


class Release:
    """What the fake release answers: each GET takes the next scripted answer, the last one
    repeating. An answer is ``(status, body)`` or ``(status, body, delay seconds)``."""

    def __init__(self):
        self.answers = {"/healthz": [(200, '{"status": "ok"}')], "/metrics": []}
        self.hits = {"/healthz": 0, "/metrics": 0}
        self.lock = threading.Lock()

    def script(self, texts=(), *, health=None, answers=None):
        self.answers["/metrics"] = answers or [(200, text) for text in texts]
        if health is not None:
            self.answers["/healthz"] = [(status, "{}") for status in health]

    def answer(self, path):
        with self.lock:
            script = self.answers.get(path)
            if not script:
                return 404, "", 0
            index = min(self.hits[path], len(script) - 1)
            self.hits[path] += 1
        status, body, *delay = script[index]
        return status, body, delay[0] if delay else 0


@pytest.fixture
def release():
    script = Release()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            status, body, delay = script.answer(self.path)
            time.sleep(delay)
            data = body.encode() if isinstance(body, str) else body
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the bake gave up on a slow or oversized answer

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    script.url = f"http://127.0.0.1:{server.server_address[1]}"
    yield script
    server.shutdown()
    server.server_close()


@pytest.fixture
def bake_limits(settings):
    settings.KEEL_DELIVERY_BAKE_HEALTH_FAILURES = 2
    settings.KEEL_DELIVERY_BAKE_REQUEST_SECONDS = 2
    return settings


def deployed(repository, url, **bake):
    """The pipeline bakes for 0.6 s every 0.2 s (4 scrapes) unless told otherwise, against
    a release serving at ``url``; returns the bake stage's row."""
    pipeline = repository.pipeline
    pipeline.definition = {
        **pipeline.definition,
        "spec": {
            **pipeline.definition.get("spec", {}),
            "bake": {
                "seconds": 0.6,
                "interval_seconds": 0.2,
                "thresholds": {"min_requests": 20},
                **bake,
            },
        },
    }
    pipeline.save(update_fields=["definition"])
    staging = Environment.objects.create(pipeline=pipeline, name="staging", position=0)
    staging.current = Deployment.objects.create(
        environment=staging, status=Deployment.Status.LIVE, artifact_digest="a" * 64, url=url
    )
    staging.save(update_fields=["current"])
    run = PipelineRun.objects.create(
        pipeline=pipeline, number=1, trigger="manual", commit_sha="b" * 40,
        status=PipelineRun.Status.RUNNING,
    )  # fmt: skip
    return StageRun.objects.create(
        run=run, position=3, name="bake", status=StageRun.Status.RUNNING, attempts=1
    )


def run_bake(row):
    stage = stages.Stage(row)
    try:
        return "passed", baking.bake(stage), stage
    except stages.StageFailed as error:
        return str(error), error.result, stage


def test_a_release_within_the_thresholds_passes(repository, release, bake_limits):
    release.script(
        [
            metrics({"200": 0}),
            metrics({"200": 60, "404": 10}),
            metrics({"200": 120, "404": 10, "500": 1}),
        ]
    )
    row = deployed(repository, release.url)

    outcome, result, stage = run_bake(row)

    assert outcome == "passed"
    assert result["verdict"] == "passed" and result["breaches"] == []
    assert result["observed"]["requests"] == 131 and result["observed"]["errors"] == 1
    assert result["observed"]["error_rate"] == pytest.approx(1 / 131, abs=1e-6)
    assert result["observed"]["p99_ms"] <= 50 and result["observed"]["rates_judged"]
    assert result["thresholds"]["error_rate"] == 0.01 and result["thresholds"]["p99_ms"] == 500
    assert 0.6 <= result["seconds"] < 3
    assert (
        release.hits["/metrics"] == release.hits["/healthz"] == result["observed"]["scrapes"] >= 3
    )
    log = stage.log.text()
    assert (
        "Baking staging" in log and log.count("healthy · ") >= 4 and "within the thresholds" in log
    )


def test_a_high_error_rate_stops_the_pipeline(repository, release, bake_limits):
    release.script([metrics({"200": 0}), metrics({"200": 90, "500": 7, "503": 3})])
    row = deployed(repository, release.url)

    outcome, result, _ = run_bake(row)

    assert result["verdict"] == "breached" and result["observed"]["errors"] == 10
    assert outcome == "The 5xx rate was 10.00% of 100 requests, above the threshold of 1.00%."
    assert result["breaches"] == [outcome]


def test_throttling_above_its_threshold_is_a_breach(repository, release, bake_limits):
    release.script([metrics({"200": 10}), metrics({"200": 100, "429": 10})])
    row = deployed(repository, release.url, thresholds={"throttle_rate": 0.05, "min_requests": 20})

    outcome, result, _ = run_bake(row)

    assert result["verdict"] == "breached" and result["observed"]["throttled"] == 10
    assert result["observed"]["throttle_rate"] == 0.1
    assert outcome == "The 429 rate was 10.00% of 100 requests, above the threshold of 5.00%."


def test_a_slow_p99_is_a_breach(repository, release, bake_limits):
    release.script(
        [metrics({"200": 0}), metrics({"200": 100}, {0.05: 90, 1.0: 10})],
    )
    row = deployed(repository, release.url)

    outcome, result, _ = run_bake(row)

    # Rank 99 of 100 falls in (0.5 s, 1 s], which holds requests 91-100: 0.5 + 0.5 * 9/10.
    assert result["observed"]["p99_ms"] == pytest.approx(950)
    assert outcome == "The p99 latency was 950 ms, above the threshold of 500 ms."


def test_a_counter_reset_counts_what_the_restarted_process_served(repository, release, bake_limits):
    release.script(
        [
            metrics({"200": 1000, "500": 0}),
            metrics({"200": 1050, "500": 0}),
            metrics({"200": 20, "500": 30}),  # the process restarted between scrapes
        ]
    )
    row = deployed(repository, release.url)

    outcome, result, _ = run_bake(row)

    assert result["observed"]["requests"] == 100 and result["observed"]["errors"] == 30
    assert result["verdict"] == "breached" and "5xx rate was 30.00% of 100" in outcome


def test_failing_health_checks_stop_the_bake_at_once(repository, release, bake_limits):
    release.script([metrics({"200": 0})], health=[200, 503])
    row = deployed(repository, release.url, seconds=30)
    started = time.monotonic()

    outcome, result, stage = run_bake(row)

    assert time.monotonic() - started < 5  # two failed checks, not the 30 s bake
    assert result["verdict"] == "unhealthy"
    assert outcome == (
        f"The release failed 2 checks in a row; the last: {release.url}/healthz answered 503."
    )
    assert "check failed (1 of 2 in a row)" in stage.log.text()


def test_one_failed_check_between_good_ones_is_not_unhealthy(repository, release, bake_limits):
    release.script([metrics({"200": 0}), metrics({"200": 100})], health=[200, 503, 200])

    outcome, result, _ = run_bake(deployed(repository, release.url))

    assert outcome == "passed" and result["observed"]["requests"] == 100


def test_too_few_requests_are_not_judged_and_the_log_says_so(repository, release, bake_limits):
    release.script([metrics({"200": 0}), metrics({"200": 5, "500": 5})])
    row = deployed(repository, release.url)

    outcome, result, stage = run_bake(row)

    assert outcome == "passed" and result["verdict"] == "passed"
    assert result["observed"]["error_rate"] == 0.5 and not result["observed"]["rates_judged"]
    assert "Only 10 requests in the bake window, fewer than 20" in stage.log.text()


def test_metrics_that_are_not_prometheus_text_fail_clearly(repository, release, bake_limits):
    release.script(["<html><body>Welcome</body></html>"])
    row = deployed(repository, release.url)

    outcome, result, _ = run_bake(row)

    assert result["verdict"] == "unhealthy"
    assert "/metrics is not Prometheus text format (invalid metric name" in outcome


def test_an_oversized_metrics_body_is_cut_off(repository, release, bake_limits):
    bake_limits.KEEL_DELIVERY_BAKE_METRICS_BYTES = 10_000
    release.script([metrics({"200": 1}) + "# padding\n" * 100_000])
    row = deployed(repository, release.url)

    outcome, result, _ = run_bake(row)

    assert result["verdict"] == "unhealthy"
    assert outcome.endswith(f"{release.url}/metrics answered more than 10000 bytes.")


def test_a_metrics_endpoint_slower_than_the_request_bound_fails(repository, release, bake_limits):
    bake_limits.KEEL_DELIVERY_BAKE_REQUEST_SECONDS = 0.2
    release.script(answers=[(200, metrics({"200": 1}), 1.0)])
    row = deployed(repository, release.url)
    started = time.monotonic()

    outcome, result, _ = run_bake(row)

    assert time.monotonic() - started < 3
    assert outcome.endswith(f"{release.url}/metrics took longer than 0.2 s to answer.")


def test_an_unreachable_release_is_unhealthy(repository, bake_limits):
    row = deployed(repository, "http://127.0.0.1:9")  # the discard port: nothing listens

    outcome, result, _ = run_bake(row)

    assert result["verdict"] == "unhealthy"
    assert "http://127.0.0.1:9/healthz could not be reached" in outcome


def test_nothing_deployed_means_nothing_to_bake(repository, bake_limits):
    row = deployed(repository, "")

    with pytest.raises(stages.StageFailed, match="Nothing serves in staging"):
        baking.bake(stages.Stage(row))


def test_a_breach_is_recorded_on_the_stage_and_fails_the_run(repository, release, bake_limits):
    release.script([metrics({"200": 0}), metrics({"200": 50, "500": 50})])
    row = deployed(repository, release.url)

    assert stages.execute(row) == StageRun.Status.FAILED

    row.refresh_from_db()
    assert row.result["verdict"] == "breached" and row.result["observed"]["errors"] == 50
    assert "Breach: The 5xx rate was 50.00%" in row.log
    assert row.run.status == PipelineRun.Status.FAILED and "5xx rate" in row.run.message


def test_a_bad_bake_definition_fails_the_stage_with_the_reason(repository, bake_limits):
    row = deployed(repository, "http://127.0.0.1:9", thresholds={"error_rate": "low"})

    assert stages.execute(row) == StageRun.Status.FAILED

    row.refresh_from_db()
    assert "spec.bake.thresholds.error_rate" in row.run.message
    assert "must be a number, not 'low'" in row.run.message


# --- the formulas, Keel's and ci/deploy.py's ---------------------------------------------------

SEQUENCES = [
    [metrics({"200": 0}), metrics({"200": 120, "500": 1})],
    [metrics({"200": 0}), metrics({"200": 90, "500": 7, "503": 3})],
    [metrics({"200": 10}), metrics({"200": 100, "429": 10})],
    [metrics({"200": 0}), metrics({"200": 100}, {0.05: 90, 1.0: 10})],
    [metrics({"200": 1000}), metrics({"200": 1050}), metrics({"200": 20, "500": 30})],
    [metrics({"200": 0}), metrics({"200": 5, "500": 5})],
    [metrics({"200": 100}, {10.0: 100})],  # beyond the last finite bucket: p99 is its bound
    [metrics({}), metrics({})],
]
THRESHOLDS = {"error_rate": 0.01, "throttle_rate": 0.05, "p99_ms": 500, "min_requests": 20}


@pytest.mark.parametrize("texts", SEQUENCES)
def test_keel_and_the_ci_script_judge_the_same_texts_alike(texts):
    keel = baking.observe([baking.read_metrics(text) for text in texts])
    ci = ci_deploy.observe([ci_deploy.read_metrics(text) for text in texts])

    assert keel == ci
    assert baking.breaches(keel, THRESHOLDS) == ci_deploy.breaches(ci, THRESHOLDS)


def test_the_formulas_give_the_expected_figures():
    observed = [baking.observe([baking.read_metrics(t) for t in texts]) for texts in SEQUENCES]

    assert [o["requests"] for o in observed] == [121, 100, 100, 100, 100, 10, 0, 0]
    assert [o["errors"] for o in observed] == [1, 10, 0, 0, 30, 5, 0, 0]
    assert observed[6]["p99_ms"] is None  # one scrape is no window
    assert baking.quantile(0.99, {1.0: 0, 10.0: 100, math.inf: 100}) == pytest.approx(9.91)
    assert baking.quantile(0.99, {1.0: 90, math.inf: 100}) == 1.0  # in +Inf: the last bound
    assert baking.quantile(0.99, {math.inf: 0}) is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("<html>hi</html>", "invalid metric name"),
        ('http_requests_total{code="200"} NaN', "not a count"),
        ('http_requests_total{code="200"} -4', "not a count"),
        ('http_request_duration_seconds_bucket{le="soon"} 1', "not a number"),
        ('http_requests_total{code="200" 3', None),
    ],
)
def test_unreadable_texts_are_refused_by_both(text, message):
    with pytest.raises(baking.Unreadable, match=message):
        baking.read_metrics(text)
    with pytest.raises(ValueError):
        ci_deploy.read_metrics(text)


def test_other_labels_are_summed_and_other_metrics_ignored():
    text = (
        'http_requests_total{code="200",method="GET"} 3\n'
        'http_requests_total{code="200",method="POST"} 2\n'
        "process_cpu_seconds_total 12.5\n"
    )
    assert baking.read_metrics(text) == ({"200": 5}, {})
    assert ci_deploy.read_metrics(text) == ({"200": 5}, {})


@pytest.mark.parametrize(
    "texts, health, verdict",
    [
        ([metrics({"200": 0}), metrics({"200": 120})], [200], 0),
        ([metrics({"200": 0}), metrics({"200": 90, "500": 10})], [200], 1),
        ([metrics({"200": 0})], [503], 1),
    ],
)
def test_the_ci_bake_command_stops_the_pipeline_as_keel_would(release, texts, health, verdict):
    release.script(texts, health=health)
    command = pipelines.bake_command(
        {"seconds": 0.4, "interval_seconds": 0.2, "thresholds": THRESHOLDS}
    )
    args = command.replace("ci/deploy.py", str(DEPLOY_PY)).split()
    args[0] = sys.executable

    done = subprocess.run(
        args, capture_output=True, text=True, timeout=30, env={"STAGING_URL": release.url}
    )

    assert done.returncode == verdict, done.stdout + done.stderr
    if verdict:
        assert "Stopping the pipeline" in done.stderr or "stopping the pipeline" in done.stderr


def test_a_release_url_that_is_no_url_is_unhealthy(repository, bake_limits):
    outcome, result, _ = run_bake(deployed(repository, "staging.internal:8080"))

    assert result["verdict"] == "unhealthy" and "could not be reached" in outcome


def test_the_run_page_shows_the_bake_verdict_and_breaches(
    client, member, repository, release, bake_limits
):
    release.script([metrics({"200": 0}), metrics({"200": 50, "500": 50})])
    row = deployed(repository, release.url)
    stages.execute(row)
    client.force_login(member)

    page = client.get(row.run.get_absolute_url()).content.decode()

    assert 'data-bake-verdict="breached"' in page
    assert "<li>The 5xx rate was 50.00% of 100 requests, above the threshold of 1.00%.</li>" in page
    assert '<td class="num">0.5000</td><td class="num">0.01</td>' in page
