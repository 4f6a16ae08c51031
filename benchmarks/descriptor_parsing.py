"""Reading a generated Backstage catalog without the database: parse, validate, relate.

Generates the catalog with ``gen_catalog.py`` (a copy of ``../shared/bench/gen_catalog.py``) (``--n``, ``--seed``) three ways
(one YAML file, the same split into files of ``--split`` entities under a root Location, and
the JSON array) and times, best of ``--repeat`` runs each:

- ``load``: ``yaml_loading.load_documents`` of the one file (YAML and JSON);
- ``read``: ``entities.read_entities`` of its documents;
- ``relations``: ``relations.relations`` of its entities;
- ``tree``: ``trees.read_tree`` of the split catalog, then its relations (what an import of a
  repository does before it writes).

Each figure is a pair: wall-clock seconds and CPU seconds of this process.

Checks that the relations equal the generator's ``expected_stitched_relations`` (every edge on
both ends). Prints one JSON document; figures are printed, never asserted (DESIGN.md). The
importer's budget for this part at 10,000 entities is about 1.5 s of its 10 s.

    .venv/bin/python benchmarks/descriptor_parsing.py
    .venv/bin/python benchmarks/descriptor_parsing.py --n 100000 --repeat 1
"""

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from descriptors.entities import read_entities  # noqa: E402
from descriptors.relations import relations  # noqa: E402
from descriptors.trees import read_tree  # noqa: E402
from descriptors.yaml_loading import load_documents  # noqa: E402


def generator() -> Path:
    """``benchmarks/gen_catalog.py``: the shared generator, copied into the repository."""
    return ROOT / "benchmarks" / "gen_catalog.py"


def best(repeat: int, work):
    """The fastest of ``repeat`` runs of ``work()`` (wall clock, and this process's CPU time,
    which other work on the machine disturbs less), and its result."""
    timings, result = [], None
    for _ in range(repeat):
        started, cpu = time.perf_counter(), time.process_time()
        result = work()
        timings.append((time.perf_counter() - started, time.process_time() - cpu))
    return tuple(round(min(column), 3) for column in zip(*timings, strict=True)), result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--split", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        one, split, array, stats = (
            folder / "cat.yaml",
            folder / "split.yaml",
            folder / "cat.json",
            folder / "stats.json",
        )
        common = [
            sys.executable,
            str(generator()),
            "--n",
            str(options.n),
            "--seed",
            str(options.seed),
        ]
        subprocess.run(
            [*common, "--out", one, "--json", array, "--stats", stats],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            [*common, "--out", split, "--split", str(options.split)],
            check=True,
            capture_output=True,
        )
        expected = json.loads(stats.read_text())["expected_stitched_relations"]
        text, json_text = one.read_text(), array.read_text()

        load_yaml, (documents, problems) = best(
            options.repeat, lambda: load_documents(text, source="cat.yaml")
        )
        load_json, _ = best(options.repeat, lambda: load_documents(json_text, source="cat.json"))
        read, (entities, more) = best(options.repeat, lambda: read_entities(documents))
        relate, found = best(options.repeat, lambda: relations(entities))

        def tree():
            reading = read_tree(folder, "split.yaml")
            return reading, relations(reading.entities)

        tree_time, (reading, tree_relations) = best(options.repeat, tree)
    figures = {
        "entities": options.n,
        "bytes": len(text.encode()),
        "files_in_tree": len(reading.files_read),
        "seconds_wall_cpu": {
            "load_yaml": load_yaml,
            "load_json": load_json,
            "read_entities": read,
            "relations": relate,
            "one_file_total": [
                round(sum(part[i] for part in (load_yaml, read, relate)), 3) for i in (0, 1)
            ],
            "tree_with_relations": tree_time,
        },
        "relations": len(found),
        "expected_stitched_relations": expected,
        "relations_match": len(found) == expected and len(tree_relations) == expected,
        "problems": len(problems) + len(more) + len(reading.problems),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
