"""Deploy, check, bake and roll back an environment; the stages of the delivery pipeline.

Keel writes this placeholder so that every stage runs from day one: it verifies the artifact
against ``dist/provenance.json`` and checks the environment's health endpoint when
``<ENVIRONMENT>_URL`` is set (e.g. ``STAGING_URL``). Replace the ``deploy`` and ``rollback``
functions with your platform's commands. Standard library only.
"""

import argparse
import hashlib
import json
import os
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def verify_artifact():
    provenance = json.loads((ROOT / "dist" / "provenance.json").read_text())
    artifact = ROOT / "dist" / provenance["artifact"]["file"]
    digest = hashlib.sha256(artifact.read_bytes()).hexdigest()
    if digest != provenance["artifact"]["sha256"]:
        sys.exit(f"{artifact.name}: sha256 {digest} does not match its provenance record")
    return artifact


def healthy(environment):
    url = os.environ.get(f"{environment.upper()}_URL")
    if not url:
        print(f"{environment.upper()}_URL is not set: health check skipped")
        return True
    try:
        with urllib.request.urlopen(f"{url.rstrip('/')}/healthz", timeout=5) as reply:
            return reply.status == 200
    except OSError as error:
        print(f"{url}: {error}")
        return False


def deploy(environment):
    print(f"deploying {verify_artifact().name} to {environment}")


def rollback(environment):
    print(f"rolling {environment} back to the previous release")


def smoke(environment):
    if not healthy(environment):
        sys.exit(f"{environment} is not healthy after the deployment")


def bake(environment, minutes):
    deadline = time.monotonic() + minutes * 60
    while True:
        if not healthy(environment):
            sys.exit(f"{environment} became unhealthy while baking: stopping the pipeline")
        if time.monotonic() >= deadline or not os.environ.get(f"{environment.upper()}_URL"):
            break
        time.sleep(30)
    print(f"{environment} stayed healthy for {minutes} minutes")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("action", choices=["deploy", "smoke", "bake", "rollback"])
    parser.add_argument("--environment", required=True, choices=["staging", "production"])
    parser.add_argument("--minutes", type=float, default=10)
    args = parser.parse_args()
    if args.action == "bake":
        bake(args.environment, args.minutes)
    else:
        {"deploy": deploy, "smoke": smoke, "rollback": rollback}[args.action](args.environment)


if __name__ == "__main__":
    main()
