"""Check this service's API contracts with Keel before they ship.

For each API in ``.keel/service.json`` (``apis``: name and definition file), asks Keel what
publishing the definition as ``version`` (the file's ``version``, or ``--version``) would do:
``POST $KEEL_URL/api/v1/apis/<name>/check/`` with ``$KEEL_TOKEN`` (a read-only API token is
enough). Prints the changes and the consumers a breaking change affects, and fails when Keel
would refuse the version (a breaking change without a new major version, or an invalid
definition). Nothing is published. Standard library only; written by Keel.

Exit status: 0 when every contract would be accepted, 1 when one would be refused, 2 when
the check itself could not be made (no URL or token, Keel unreachable, an unknown API).
"""

import argparse
import json
import os
import sys
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60


def check(url, token, api, version, spec):
    request = urllib.request.Request(
        f"{url.rstrip('/')}/api/v1/apis/{api}/check/",
        data=json.dumps({"version": version, "spec": spec}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:  # noqa: S310 - our URL
        return json.load(response)


def report(api, version, answer):
    print(f"{api} {version}: {answer['verdict']} (compared with {answer['base_version']})")
    for change in answer["changes"]:
        if change["level"] != "non-breaking":
            print(f"  {change['level']}: {change['location']}: {change['message']}")
    for consumer in answer["consumers"]:
        if consumer.get("affected"):
            print(f"  affects {consumer['consumer']} (team {consumer['owner_team']})")
    for note in answer.get("notes", []):
        print(f"  note: {note}")
    for field, messages in answer["refusals"].items():
        for message in messages:
            print(f"  refused ({field}): {message}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version", help="the version to check (default: .keel/service.json)")
    args = parser.parse_args(argv)
    url, token = os.environ.get("KEEL_URL", ""), os.environ.get("KEEL_TOKEN", "")
    if not (url and token):
        print("contract check: set KEEL_URL and KEEL_TOKEN (a read-only Keel API token)")
        return 2
    service = json.loads((ROOT / ".keel" / "service.json").read_text())
    version = args.version or service["version"]
    refused = False
    for entry in service.get("apis", []):
        spec = (ROOT / entry["definition"]).read_text()
        try:
            answer = check(url, token, entry["name"], version, spec)
        except urllib.error.HTTPError as error:
            print(f"contract check of {entry['name']}: HTTP {error.code}: {error.read()[:500]}")
            return 2
        except (urllib.error.URLError, TimeoutError) as error:
            print(f"contract check of {entry['name']}: Keel not reached: {error}")
            return 2
        report(entry["name"], version, answer)
        refused = refused or not answer["would_publish"]
    return 1 if refused else 0


if __name__ == "__main__":
    sys.exit(main())
