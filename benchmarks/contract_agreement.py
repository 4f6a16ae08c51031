"""How often Keel's contract diff agrees with another tool's verdict on the same pairs.

Takes a directory holding pairs of specifications and a manifest, ``manifest.json``:

    {
      "source": "where the pairs and verdicts come from",
      "type": "openapi",                       # optional, the API type of every pair
      "pairs": [
        {"name": "...", "base": "a.yaml", "revision": "b.yaml", "breaking": true,
         "evidence": "the test that gives the verdict"}
      ]
    }

``base`` and ``revision`` are paths relative to the directory; ``breaking`` is the other tool's
verdict. Keel's verdict is breaking when the comparison holds a breaking or potentially
breaking change (oasdiff's ERR and WARN), or could not be made. Prints each disagreement with
the changes Keel found, then the agreement as a percentage, as JSON (figures are printed, never
asserted). The pairs themselves stay outside the repository.

    .venv/bin/python benchmarks/contract_agreement.py /tmp/oasdiff
"""

import argparse
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

_BREAKING = {"breaking", "potentially-breaking"}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directory", type=Path)
    parser.add_argument("--manifest", default="manifest.json")
    arguments = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
    import django

    django.setup()
    from contracts.diffing import compare

    manifest = json.loads((arguments.directory / arguments.manifest).read_text())
    api_type = manifest.get("type", "openapi")
    agreed, disagreements = 0, []
    for pair in manifest["pairs"]:
        comparison = compare(
            api_type,
            (arguments.directory / pair["base"]).read_text(),
            (arguments.directory / pair["revision"]).read_text(),
        )
        keel = comparison.verdict in _BREAKING
        if keel == pair["breaking"]:
            agreed += 1
            continue
        disagreements.append(
            {
                "pair": pair["name"],
                "expected_breaking": pair["breaking"],
                "evidence": pair.get("evidence", ""),
                "keel_verdict": comparison.verdict,
                "keel_changes": [
                    f"{c.level} {c.rule} at {c.location}" for c in comparison.sorted()
                ],
            }
        )
    total = len(manifest["pairs"])
    print(
        json.dumps(
            {
                "source": manifest.get("source", str(arguments.directory)),
                "pairs": total,
                "agreed": agreed,
                "agreement_percent": round(100 * agreed / total, 1) if total else None,
                "disagreements": disagreements,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
