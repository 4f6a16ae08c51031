"""Import of a generated Backstage catalog until every entity and relation is queryable.

Generates the catalog with ``gen_catalog.py --n N --seed 42`` (``../shared/bench``'s, copied here) (one file, and
split into files of ``--split`` entities behind a root Location), then, in a fresh database
each time it imports from nothing: imports it through ``manage.py import_catalog`` (the same
import every location uses), imports it again unchanged, and again with 1 % of the entities
changed. Each step is a separate process, so its peak memory is its own. Prints one JSON
document of wall time, peak RSS and the run's counts per step; figures are printed, never
asserted.

It empties the database it is given (``DATABASE_URL``, else a throw-away SQLite file): point it
at a benchmark database.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/keel_bench \\
        .venv/bin/python benchmarks/catalog_import.py [--n 10000] [--split 100]
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GENERATOR = ROOT / "benchmarks" / "gen_catalog.py"  # a copy of ../shared/bench/gen_catalog.py
MANAGE = [sys.executable, str(ROOT / "manage.py")]
_SUMMARY = re.compile(r"read (\d+) entities from (\d+) files in ([\d.]+) s: (.*)")


def _manage(*args, env) -> str:
    return subprocess.run(
        [*MANAGE, *args], env=env, check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout


def _fresh(env) -> None:
    _manage("flush", "--no-input", env=env)
    _manage("migrate", "-v0", env=env)
    _manage(
        "shell",
        "-c",
        "from django.contrib.auth import get_user_model; "
        "get_user_model().objects.create_user('bench', is_staff=True)",
        env=env,
    )


def _import(path: Path, env, profile: Path | None = None) -> dict:
    """One ``import_catalog`` process: wall time, peak RSS, and what the run reported.
    ``profile``: run it under cProfile, its statistics written there (the figures then
    include the profiler's own cost)."""
    manage = (
        MANAGE
        if profile is None
        else [*MANAGE[:1], "-m", "cProfile", "-o", str(profile), *MANAGE[1:]]
    )
    started = time.perf_counter()
    process = subprocess.run(
        ["/usr/bin/time", "-f", "%M", *manage, "import_catalog", str(path), "--user", "bench",
         "--location", "bench"],
        env=env, capture_output=True, text=True, cwd=ROOT,
    )  # fmt: skip
    wall = time.perf_counter() - started
    if process.returncode:
        raise SystemExit(process.stdout + process.stderr)
    summary = _SUMMARY.search(process.stdout)
    return {
        "process_seconds": round(wall, 2),
        "import_seconds": float(summary.group(3)),
        "peak_rss_mb": round(int(process.stderr.strip().splitlines()[-1]) / 1024),
        "read": int(summary.group(1)),
        "files": int(summary.group(2)),
        "outcome": summary.group(4),
    }


def _changed(source: Path, target: Path, share: float) -> None:
    """The same catalog with ``share`` of its entities' descriptions changed."""
    text = source.read_text()
    documents = text.split("\n---\n")
    step = max(1, round(1 / share))
    for index in range(0, len(documents), step):
        documents[index] = documents[index].replace(
            'description: "Generated', 'description: "Changed', 1
        )
    target.write_text("\n---\n".join(documents))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--split", type=int, default=100, help="entities per file; 0: skip")
    parser.add_argument(
        "--profile", type=Path, help="a folder for each step's cProfile statistics (STEP.prof)"
    )
    parser.add_argument(
        "--steps", default="one_file,unchanged,one_percent_changed,split",
        help="the steps to run, comma-separated (the unchanged and changed ones follow one_file)",
    )  # fmt: skip
    args = parser.parse_args()
    steps = set(args.steps.split(","))
    if args.profile:
        args.profile.mkdir(parents=True, exist_ok=True)

    def profile(step: str) -> Path | None:
        return args.profile / f"{step}.prof" if args.profile else None

    work = Path(tempfile.mkdtemp(prefix="keel-import-bench-"))
    env = {**os.environ, "KEEL_DATA_DIR": str(work / "data"), "DJANGO_DEBUG": "false",
           "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY", "x" * 60)}  # fmt: skip
    one = work / "catalog.yaml"
    stats = work / "stats.json"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--n", str(args.n), "--seed", str(args.seed),
         "--out", str(one), "--stats", str(stats)],
        check=True,
    )  # fmt: skip
    changed = work / "changed.yaml"
    _changed(one, changed, 0.01)
    figures = {
        "n": args.n,
        "database": env.get("DATABASE_URL", "sqlite").split("@")[-1],
        "load_average": os.getloadavg()[0],
    }

    if steps & {"one_file", "unchanged", "one_percent_changed"}:
        _fresh(env)
        figures["one_file"] = _import(one, env, profile("one_file"))
        if "unchanged" in steps:
            figures["unchanged"] = _import(one, env, profile("unchanged"))
        if "one_percent_changed" in steps:
            # the changed copy is another path: import it under the same location
            one.write_text(changed.read_text())
            figures["one_percent_changed"] = _import(one, env, profile("one_percent_changed"))
    if args.split and "split" in steps:
        split = work / "split" / "catalog.yaml"
        split.parent.mkdir()
        subprocess.run(
            [sys.executable, str(GENERATOR), "--n", str(args.n), "--seed", str(args.seed),
             "--out", str(split), "--split", str(args.split)],
            check=True,
        )  # fmt: skip
        _fresh(env)
        figures[f"split_{args.split}"] = _import(split, env, profile("split"))
    figures["expected"] = json.loads(stats.read_text())
    figures["load_average_after"] = os.getloadavg()[0]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
