"""Report this pipeline's progress to Keel as signed CDEvents, and ask Keel before production.

    python ci/report.py pipeline started|finished [--outcome success|failure]
    python ci/report.py task started|finished <stage> [--outcome ...]
    python ci/report.py artifact                       # the package in dist/provenance.json
    python ci/report.py deployed <environment>         # service.deployed of that package
    python ci/report.py can-promote <environment>      # exit 1 when Keel says no

Events go to ``$KEEL_URL/api/v1/delivery/events/``, signed with ``$KEEL_EVENTS_SECRET``
(HMAC-SHA256 over ``<timestamp>.<body>``), for the pipeline ``$KEEL_PIPELINE`` (by default the
service in ``.keel/service.json``). ``can-promote`` asks with ``$KEEL_TOKEN``. The run is
``$GITHUB_RUN_ID-$GITHUB_RUN_ATTEMPT`` or ``$CI_PIPELINE_ID``, the commit ``$GITHUB_SHA`` or
``$CI_COMMIT_SHA``; ``--outcome`` defaults to ``$CI_JOB_STATUS`` (GitLab's after_script).

Exit status: 0 reported (or, for a progress report, Keel could not take it: a warning, the
build goes on), 1 a deployment Keel refuses or a promotion it does not allow, 2 nothing to
report with (no URL or secret, no package). Standard library only; written by Keel.
"""

import argparse
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 30
SOURCE = "keel/ci/report.py"


def setting(name, default=""):
    return os.environ.get(name, "").strip() or default


def pipeline_slug():
    service = ROOT / ".keel" / "service.json"
    default = json.loads(service.read_text())["service"] if service.exists() else ""
    return setting("KEEL_PIPELINE", default)


def run_id():
    if setting("GITHUB_RUN_ID"):
        return f"{setting('GITHUB_RUN_ID')}-{setting('GITHUB_RUN_ATTEMPT', '1')}"
    return setting("CI_PIPELINE_ID", "local")


def commit():
    return setting("GITHUB_SHA") or setting("CI_COMMIT_SHA")


def committed_at(sha):
    """The commit's time (where Keel's lead time starts), when this is a git checkout."""
    try:
        done = subprocess.run(["git", "-C", str(ROOT), "log", "-1", "--format=%cI", sha or "HEAD"],
                              capture_output=True, text=True, timeout=10, check=True)  # fmt: skip
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip()


def outcome(given):
    value = (given or setting("CI_JOB_STATUS", "success")).lower()
    return "success" if value in {"success", "succeeded", "passed"} else "failure"


def digest():
    provenance = ROOT / "dist" / "provenance.json"
    if not provenance.exists():
        raise SystemExit(f"{provenance} is missing: package first (python ci/package.py).")
    return json.loads(provenance.read_text())["artifact"]["sha256"]


def event(kind, subject_id, content, custom=None):
    subject, predicate = kind.split(".")
    body = {
        "context": {
            "version": "0.4.1",
            "id": str(uuid.uuid4()),
            "source": SOURCE,
            "type": f"dev.cdevents.{subject}.{predicate}.0.2.0",
            "timestamp": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        },
        "subject": {"id": subject_id, "source": SOURCE, "content": content},
    }
    if custom:
        body["customData"] = custom
    return body


def build(args):
    """The CDEvent the command line asks for."""
    run = {"id": run_id(), "source": SOURCE}
    if args.what == "pipeline":
        content = {"pipelineName": pipeline_slug()}
        if args.action == "finished":
            content["outcome"] = outcome(args.outcome)
        custom = None
        if args.action == "started":
            custom = {"commit": commit(), "committedAt": committed_at(commit())}
            custom = {key: value for key, value in custom.items() if value}
        return event(f"pipelinerun.{args.action}", run_id(), content, custom)
    if args.what == "task":
        content = {"taskName": args.name, "pipelineRun": run}
        if args.action == "finished":
            content["outcome"] = outcome(args.outcome)
        return event(f"taskrun.{args.action}", f"{run_id()}-{args.name}", content)
    if args.what == "artifact":
        purl = f"pkg:generic/{pipeline_slug()}@sha256%3A{digest()}"
        return event("artifact.packaged", purl, {}, {"pipelineRun": run_id()})
    content = {
        "environment": {"id": args.name},
        "artifactId": f"pkg:generic/{pipeline_slug()}@sha256%3A{digest()}",
    }
    return event("service.deployed", pipeline_slug(), content, {"pipelineRun": run_id()})


def signed_post(url, secret, pipeline, body):
    timestamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    request = urllib.request.Request(
        f"{url.rstrip('/')}/api/v1/delivery/events/",
        data=body,
        headers={
            "Content-Type": "application/json",
            "X-Keel-Pipeline": pipeline,
            "X-Keel-Timestamp": timestamp,
            "X-Keel-Signature": f"sha256={signature.hexdigest()}",
        },
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - our URL
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.load(error)
        except ValueError:
            return error.code, {"detail": error.reason}


def can_promote(url, token, pipeline, environment):
    query = urllib.parse.urlencode({"artifact": digest(), "environment": environment})
    request = urllib.request.Request(
        f"{url.rstrip('/')}/api/v1/pipelines/{pipeline}/can-promote/?{query}",
        headers={"Authorization": f"Token {token}"},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - our URL
        return json.load(response)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("what", choices=["pipeline", "task", "artifact", "deployed", "can-promote"])
    parser.add_argument("action", nargs="?", default="")
    parser.add_argument("name", nargs="?", default="")
    parser.add_argument("--outcome", default="")
    args = parser.parse_args(argv)
    branch, main_branch = setting("CI_COMMIT_BRANCH"), setting("CI_DEFAULT_BRANCH")
    if args.what != "can-promote" and branch and main_branch and branch != main_branch:
        print(f"{branch} is not {main_branch}: Keel follows the main branch only; not reported.")
        return 0
    if args.what in {"deployed", "can-promote"}:
        args.name = args.action
    url, pipeline = setting("KEEL_URL"), pipeline_slug()
    if args.what == "can-promote":
        token = setting("KEEL_TOKEN")
        if not url or not token:
            print("KEEL_URL and KEEL_TOKEN are needed to ask Keel.", file=sys.stderr)
            return 2
        answer = can_promote(url, token, pipeline, args.name)
        for reason in answer["reasons"]:
            print(f"  - {reason}")
        print(f"{args.name}: {'allowed' if answer['allowed'] else 'refused by Keel'}")
        return 0 if answer["allowed"] else 1
    secret = setting("KEEL_EVENTS_SECRET")
    if not url or not secret:
        print("KEEL_URL and KEEL_EVENTS_SECRET are needed to report to Keel.", file=sys.stderr)
        return 2
    body = json.dumps(build(args)).encode()
    status, answer = signed_post(url, secret, pipeline, body)
    print(f"Keel answered {status}: {answer.get('effect') or answer.get('detail', '')}")
    for reason in answer.get("reasons", []):
        print(f"  - {reason}")
    if status == 422:
        return 1
    if status >= 400:
        print(f"warning: Keel did not take the report: {answer}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
