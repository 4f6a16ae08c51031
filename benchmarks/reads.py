"""Keel's read questions (issue 9) against a live server, with wrk and a different URL for
every request: requests per second, p50/p95/p99 latency and CPU per request, beside the
``/healthz`` ceiling measured in the same run at the same concurrency.

Run it with the same environment as the server (``DATABASE_URL`` and the ``DJANGO_*``
variables; see benchmarks/README.md): it reads the catalog through the ORM to write the URL
lists (every service, every team, the filter combinations that fill a first page, the most
depended-on services), then checks a sample of each list over HTTP before any load.

The load is ``wrk`` (``apt-get install wrk``) with ``reads.lua`` beside this file: each
request is formatted once, so the load generator costs little of the two cores it shares
with the server. Each concurrency runs a ``/healthz`` window, every question (after an
unmeasured warm-up), and ``/healthz`` again; the ceiling is the mean of the two. A question's
URLs are sent in turn from where its previous window stopped, so a URL comes round again only
once all of its list has been asked; the report says when that happened (``laps``). The
GraphQL question sends the same document every time (a server without result caches runs it
every time); ``--graphql-numbered`` numbers its operation name per request instead.

CPU per request is read from ``/proc`` before each window and once the server has finished
the requests wrk left in flight (utime + stime, clock ticks): the server is the process listening on the base URL's port and its children (the
gunicorn master's own time includes the workers it has reaped, so a restarted worker still
counts); PostgreSQL is the backends whose client sockets belong to those processes, plus
PostgreSQL's own processes (checkpointer, writers, ...). Backends of other clients, such as
another server on the same database, are left out, and so is everything else on the machine:
that is reported as ``other`` (busy CPU of the whole machine less all of the above and wrk),
to tell a quiet window from a busy one. wrk's own CPU is reported on its own. Connections to
PostgreSQL over a Unix socket cannot be told apart: use a TCP ``DATABASE_URL``.

Prints a table, or one JSON document with ``--json``. Figures are printed, never asserted
(DESIGN.md, test tiers). Bounded: every window is ``--seconds`` long and wrk times a request
out after 30 s.
"""

import argparse
import itertools
import json
import operator
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from subprocess import PIPE
from urllib.parse import urlencode, urlsplit

from catalog_api import GRAPHQL_QUERY, Connection, setup_django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

LUA = Path(__file__).with_name("reads.lua")
TICK_MS = 1000 / os.sysconf("SC_CLK_TCK")
FULL_PAGE = 20  # a filter combination is used when it fills the first page of the list
GRAPHQL_BODIES = 20_000  # numbered operation names, with --graphql-numbered
# At most this many URLs a question (a random sample of its list): more than a run at 2,000
# req/s sends, and few enough for wrk to format them all up front in a fraction of a second.
MAX_URLS = 50_000

QUESTIONS = {
    "detail": "service detail /api/v1/services/<slug>/, every service",
    "list": "first 20 of a filtered list sorted by name",
    "team": "50 services owned by a team, every team",
    "dependents": "first page of transitive dependents of the most depended-on service",
    "dependents-top": "the same, for each of the --top most depended-on services",
    "blast": "blast radius of every service (typical)",
    "blast-hub": "blast radius of the most depended-on service",
    "graphql": "the GraphQL query of catalog_api.py, 100 services",
}

# Issue 9's targets: (question, concurrency) -> [(figure, bound, value[, label])]. Latency
# targets are read as the median at concurrency 1 (the issue says so for GraphQL).
TARGETS = {
    ("detail", 1): [("rps", ">=", 600)],
    ("detail", 8): [("rps", ">=", 1700), ("rps", ">=", 500, "full detail")],
    ("list", 8): [("rps", ">=", 460)],
    ("team", 8): [("rps", ">=", 1360)],
    ("dependents", 1): [("p50_ms", "<=", 20)],
    ("blast", 1): [("p50_ms", "<=", 10)],
    ("blast-hub", 1): [("p50_ms", "<=", 100)],
    ("graphql", 1): [("p50_ms", "<=", 25)],
}
BOUNDS = {">=": operator.ge, "<=": operator.le}


@dataclass
class Question:
    name: str
    requests: list[tuple[str, str, str]]  # (method, path, body or "")
    position: int = 0  # the next request to send: windows carry on from each other


# --- URL lists from the catalog ---------------------------------------------------------


def catalog_questions(args, rng: random.Random) -> tuple[dict[str, Question], dict]:
    """Every question's requests, read from the catalog through the ORM."""
    from django.db.models import Count

    from catalog.filters import ServiceFilterSet
    from catalog.models import Dependency, Service
    from teams.models import Team

    slugs = list(Service.objects.order_by("slug").values_list("slug", flat=True))
    if not slugs:
        sys.exit("The catalog is empty: run manage.py generate_catalog first.")
    hubs = list(
        Dependency.objects.filter(target_service__isnull=False)
        .values_list("target_service__slug")
        .annotate(dependents=Count("id"))
        .order_by("-dependents", "target_service__slug")[: args.top]
    )
    if not hubs:
        sys.exit("The catalog has no dependencies: generate_catalog --dependencies N.")
    teams = list(
        Team.objects.filter(services__isnull=False)
        .distinct()
        .order_by("slug")
        .values_list("slug", flat=True)
    )
    sorts = sorted(ServiceFilterSet.base_filters["ordering"].orders)
    team_orders = [{}] + [{"ordering": f"{sign}{name}"} for name in sorts for sign in ("", "-")]
    api = "/api/v1/services/"

    def shuffled(items):
        items = list(items)
        rng.shuffle(items)
        return items

    def gets(paths):
        return [("GET", path, "") for path in shuffled(paths)[:MAX_URLS]]

    names = [f"BenchServices{i}" for i in range(GRAPHQL_BODIES)] if args.graphql_numbered else []
    bodies = [
        json.dumps({"query": GRAPHQL_QUERY.replace("BenchServices", name)})
        for name in names or ["BenchServices"]
    ]
    questions = {
        "detail": gets(f"{api}{slug}/" for slug in slugs),
        "list": gets(f"{api}?{query}" for query in filtered_lists()),
        "team": gets(
            f"{api}?{urlencode({'owner_team': team, 'page_size': 50, **order})}"
            for team in teams
            for order in team_orders
        ),
        "dependents": gets([f"{api}{hubs[0][0]}/dependents/?transitive=true"]),
        "dependents-top": gets(f"{api}{slug}/dependents/?transitive=true" for slug, _ in hubs),
        "blast": gets(f"{api}{slug}/blast-radius/" for slug in slugs),
        "blast-hub": gets([f"{api}{hubs[0][0]}/blast-radius/"]),
        "graphql": [("POST", "/graphql/", b) for b in bodies],
        "healthz": [("GET", "/healthz", "")],
    }
    catalog = {
        "services": len(slugs),
        "dependencies": Dependency.objects.count(),
        "teams_owning_services": len(teams),
        "most_depended_on": [{"slug": slug, "direct_dependents": n} for slug, n in hubs],
    }
    return {name: Question(name, requests) for name, requests in questions.items()}, catalog


def filtered_lists() -> list[str]:
    """Query strings of filtered lists sorted by name (both ways), one for every combination
    of real filters that fills a first page of 20: any of lifecycle, tier, kind, language
    and tag, or a word of the service names (``q``) with or without lifecycle and tier.
    Counted in Python from one pass over the services; a word's count is a lower bound (``q``
    also matches slugs and descriptions), which is all "fills a page" needs."""
    from catalog.models import Service

    tags = defaultdict(list)
    for service, tag in Service.tags.through.objects.values_list("service_id", "tag__name"):
        tags[service].append(tag)
    counts = Counter()
    services = Service.objects.values_list("id", "lifecycle", "tier", "kind", "language", "name")
    for pk, lifecycle, tier, kind, language, name in services.iterator(chunk_size=5000):
        for combination in itertools.product(
            (None, lifecycle), (None, tier), (None, kind), (None, language), (None, *tags[pk])
        ):
            counts[("lifecycle", "tier", "kind", "language", "tag"), combination] += 1
        for word in {w.lower() for w in re.findall(r"[A-Za-z]{4,}", name)}:
            for combination in itertools.product((None, lifecycle), (None, tier)):
                counts[("lifecycle", "tier", "q"), (*combination, word)] += 1
    queries = []
    for (names, values), count in sorted(counts.items(), key=str):
        filters = [(n, v) for n, v in zip(names, values, strict=True) if v is not None]
        if count >= FULL_PAGE and filters:
            for ordering in ("name", "-name"):
                queries.append(
                    urlencode([*filters, ("ordering", ordering), ("page_size", FULL_PAGE)])
                )
    return queries


def check(base_url: str, token: str, question: Question, rng: random.Random, sample: int = 8):
    """Send a sample of the question's requests once: each must answer 200 (and GraphQL
    without errors), or the run stops before any load."""
    conn = Connection(base_url, token)
    for method, path, body in rng.sample(question.requests, min(sample, len(question.requests))):
        try:
            conn.send((method, path, body or None))
        except (OSError, RuntimeError) as error:
            sys.exit(f"{question.name}: {method} {path} failed before any load: {error}")


# --- CPU from /proc ---------------------------------------------------------------------


def _stat(pid: int) -> tuple[int, list[str]] | None:
    """(parent pid, fields after the command name) of a process, None once it has gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), fields


def _ticks(fields: list[str], reaped: bool = False) -> int:
    """utime + stime (fields 14 and 15 of stat), plus cutime + cstime when ``reaped``."""
    own = int(fields[11]) + int(fields[12])
    return own + (int(fields[13]) + int(fields[14]) if reaped else 0)


def _pids() -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit()]


def _sockets(pid: int) -> set[int]:
    """Inodes of the sockets a process holds open."""
    found = set()
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(fd.path)
            except OSError:
                continue
            if target.startswith("socket:["):
                found.add(int(target[8:-1]))
    except OSError:
        pass
    return found


def _tcp() -> list[tuple[int, int, str, int]]:
    """(local port, remote port, state, inode) of every TCP socket on the machine."""
    rows = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            local, remote = parts[1].rsplit(":", 1)[1], parts[2].rsplit(":", 1)[1]
            rows.append((int(local, 16), int(remote, 16), parts[3], int(parts[9])))
    return rows


def server_master(port: int) -> int | None:
    """The process listening on ``port`` whose parent does not (gunicorn's master)."""
    listening = {inode for lport, _, state, inode in _tcp() if state == "0A" and lport == port}
    holders = {pid for pid in _pids() if _sockets(pid) & listening}
    masters = [pid for pid in holders if (_stat(pid) or (0,))[0] not in holders]
    return min(masters) if masters else None


@dataclass
class Sample:
    """CPU ticks at one moment, per process group."""

    server: int = 0
    postgres: dict[int, int] = field(default_factory=dict)  # pid -> ticks, counted processes
    busy: int = 0  # the whole machine, from /proc/stat
    wrk: float = 0.0  # ms, this process's reaped children
    at: float = field(default_factory=time.monotonic)


class Meter:
    """Reads the CPU of the server, its PostgreSQL backends and the machine."""

    def __init__(self, master: int | None, pg_port: int):
        self.master, self.pg_port = master, pg_port
        self.seen: dict[int, int] = {}  # PostgreSQL pid -> ticks when last seen, this window

    def begin(self) -> Sample:
        self.seen = {}
        return self.sample()

    def watch(self) -> None:
        """Note the counted PostgreSQL processes' ticks (called every second during a
        window): a backend that exits before the window ends (``CONN_MAX_AGE`` recycles
        connections) still counts what it did up to the last look."""
        self.seen.update(self.sample().postgres)

    def end(self) -> Sample:
        now = self.sample()
        now.postgres = {**self.seen, **now.postgres}
        return now

    def sample(self) -> Sample:
        stats = {pid: s for pid in _pids() if (s := _stat(pid))}
        now = Sample(busy=self._busy(), wrk=self._children_ms())
        if self.master is None or self.master not in stats:
            return now
        now.server, server = self._server(stats)
        inodes = set().union(*(_sockets(pid) for pid in server))
        ports = {lp for lp, rp, _, inode in _tcp() if inode in inodes and rp == self.pg_port}
        for pid, (_, fields) in stats.items():
            if self._postgres(pid, ports):
                now.postgres[pid] = _ticks(fields)
        return now

    def settle(self, limit: float = 60) -> bool:
        """Wait until the server has finished the requests wrk left in flight when it stopped
        (its CPU stops moving), so that they count in this window and not the next."""
        if self.master is None:
            time.sleep(1)
            return False
        deadline, last = time.monotonic() + limit, None
        while time.monotonic() < deadline:
            now = self.sample()
            self.seen.update(now.postgres)
            if last is not None and now.server - last <= 1:
                return True
            last = now.server
            time.sleep(0.25)
        return False

    def _server(self, stats: dict) -> tuple[int, list[int]]:
        """Ticks of the master (with the workers it has reaped) and its children, and their
        pids."""
        if self.master not in stats:
            return 0, []
        server = [self.master] + [pid for pid, (ppid, _) in stats.items() if ppid == self.master]
        ticks = _ticks(stats[self.master][1], reaped=True)
        return ticks + sum(_ticks(stats[pid][1]) for pid in server[1:]), server

    @staticmethod
    def _postgres(pid: int, ports: set[int]) -> bool:
        """A backend of one of ``ports``, or one of PostgreSQL's own processes."""
        try:
            if Path(f"/proc/{pid}/comm").read_text().strip() != "postgres":
                return False
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            return False
        client = re.search(r"\((\d+)\)", cmdline)
        if client:
            return int(client.group(1)) in ports
        return "[local]" not in cmdline  # the postmaster and its helpers, not a backend

    @staticmethod
    def _busy() -> int:
        cpu = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
        user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, cpu[:8])
        return user + nice + system + irq + softirq + steal

    @staticmethod
    def _children_ms() -> float:
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (usage.ru_utime + usage.ru_stime) * 1000


def cpu_between(before: Sample, after: Sample) -> dict:
    """Milliseconds of CPU spent between two samples."""
    postgres = sum(t - before.postgres.get(pid, 0) for pid, t in after.postgres.items())
    server, wrk = (after.server - before.server) * TICK_MS, after.wrk - before.wrk
    busy = (after.busy - before.busy) * TICK_MS
    return {
        "server": server,
        "postgres": postgres * TICK_MS,
        "wrk": wrk,
        "other": max(0.0, busy - server - postgres * TICK_MS - wrk),
        "wall": (after.at - before.at) * 1000,
    }


# --- windows ----------------------------------------------------------------------------


def run_wrk(args, question: Question, path: Path, concurrency: int, seconds: int, watch=None):
    """One wrk window on ``question``, calling ``watch`` every second while it runs; moves
    the question's position on by the requests sent. Returns wrk's figures."""
    threads = min(args.threads, concurrency)
    command = [
        args.wrk,
        f"-t{threads}",
        f"-c{concurrency}",
        f"-d{seconds}s",
        "--timeout",
        "30s",
        "-s",
        str(LUA),
        args.base_url,
        "--",
        str(path),
        str(question.position),
        str(threads),
    ]
    env = {**os.environ, "KEEL_BENCH_TOKEN": args.token}
    deadline = time.monotonic() + seconds + 60
    with subprocess.Popen(command, stdout=PIPE, stderr=PIPE, text=True, env=env) as wrk:
        while True:
            try:
                stdout, stderr = wrk.communicate(timeout=1)
                break
            except subprocess.TimeoutExpired:
                if time.monotonic() > deadline:
                    wrk.kill()
                    sys.exit("wrk did not stop")
                if watch:
                    watch()
    line = next((x for x in stdout.splitlines() if x.startswith("KEEL-WRK ")), None)
    if wrk.returncode or line is None:
        sys.exit(f"wrk failed ({wrk.returncode}): {stderr or stdout}")
    result = json.loads(line.removeprefix("KEEL-WRK "))
    question.position += result["requests"]
    return result


def window(args, meter: Meter, question: Question, path: Path, concurrency: int) -> dict:
    """Warm-up (unmeasured), then one measured window with the CPU read around it.

    wrk stops with ``concurrency`` requests in flight (a closed loop always has that many
    out), and the server finishes them after wrk has gone. So the CPU is read once the server
    has settled, and divided by the requests completed plus those ``concurrency``: for the
    slow questions (a few requests a window) that matters, for the others it does not."""
    if args.warmup:
        run_wrk(args, question, path, concurrency, args.warmup)
        meter.settle()
    start = question.position
    before = meter.begin()
    result = run_wrk(args, question, path, concurrency, args.seconds, watch=meter.watch)
    settled = meter.settle()
    cpu = cpu_between(before, meter.end())
    done = result["requests"]
    served = done + concurrency
    seconds = result["duration_us"] / 1e6
    per_request = {k: round(v / served, 2) for k, v in cpu.items()}
    errors = sum(result["errors"].values())

    def ms(us):
        return round(result[us] / 1000, 2) if done else None

    return {
        "question": question.name,
        "concurrency": concurrency,
        "urls": len(question.requests),
        "requests": done,
        "laps": round((start + done) / len(question.requests), 2),
        "rps": round(done / seconds, 1) if seconds else 0.0,
        "p50_ms": ms("p50_us"),
        "p95_ms": ms("p95_us"),
        "p99_ms": ms("p99_us"),
        "mean_ms": ms("mean_us"),
        "max_ms": ms("max_us"),
        "errors": errors,
        "error_kinds": {k: v for k, v in result["errors"].items() if v},
        "cpu_ms_per_request": {
            "server": per_request["server"] if meter.master else None,
            "postgres": per_request["postgres"] if meter.master else None,
            "total": (
                round(per_request["server"] + per_request["postgres"], 2) if meter.master else None
            ),
            "wrk": per_request["wrk"],
        },
        "server_settled": settled,
        "other_cpu_share": round(cpu["other"] / (cpu["wall"] * (os.cpu_count() or 1)), 2),
    }


def verdicts(row: dict) -> list[dict]:
    found = []
    for target in TARGETS.get((row["question"], row["concurrency"]), []):
        figure, bound, value, *label = target
        actual = row[figure]
        met = actual is not None and BOUNDS[bound](actual, value)  # None: none completed
        unit = " req/s" if figure == "rps" else " ms median"
        text = f"{bound.replace('>=', '≥').replace('<=', '≤')} {value:,}{unit}"
        found.append({"target": text + (f" ({label[0]})" if label else ""), "met": met})
    return found


def measure(args, questions: dict[str, Question], paths: dict[str, Path], meter: Meter):
    rows, ceilings = [], {}
    health = questions["healthz"]
    for concurrency in args.concurrency:
        first = window(args, meter, health, paths["healthz"], concurrency)
        measured = [
            window(args, meter, questions[name], paths[name], concurrency) for name in args.only
        ]
        last = window(args, meter, health, paths["healthz"], concurrency)
        ceiling = round((first["rps"] + last["rps"]) / 2, 1)
        ceilings[concurrency] = {"rps": ceiling, "before": first, "after": last}
        for row in measured:
            row["ceiling_rps"] = ceiling
            row["ratio_to_ceiling"] = round(row["rps"] / ceiling, 3) if ceiling else None
            row["targets"] = verdicts(row)
        rows += measured
    return rows, ceilings


# --- output -----------------------------------------------------------------------------


def print_table(report: dict) -> None:
    catalog, settings = report["catalog"], report["settings"]
    hub = catalog["most_depended_on"][0]
    print(
        f"Keel reads against {report['server']}: {catalog['services']:,} services, "
        f"{catalog['dependencies']:,} edges, most depended-on {hub['slug']} "
        f"({hub['direct_dependents']:,} direct)"
    )
    print(
        f"windows of {settings['seconds']} s after {settings['warmup']} s of warm-up, "
        f"wrk {settings['threads']} thread(s), GraphQL operation name "
        f"{'numbered per request' if settings['graphql_numbered'] else 'the same every time'}, "
        f"load average {report['machine']['load_average']}"
    )
    head = (
        f"{'c':>2} {'question':<14} {'URLs':>7} {'laps':>5} {'req/s':>8} {'p50':>7} {'p95':>7} "
        f"{'p99':>7} {'err':>4} {'cpu/req':>7} {'(srv':>6} {'+ pg)':>6} {'wrk':>5} "
        f"{'other':>5} {'ceiling':>8} {'ratio':>6}  target"
    )
    print(head)
    print(f"{'':>2} {'':<14} {'':>7} {'':>5} {'':>8} {'ms':>7} {'ms':>7} {'ms':>7} {'':>4} "
          f"{'ms':>7} {'':>6} {'':>6} {'ms':>5} {'cpu':>5} {'req/s':>8}")  # fmt: skip

    def ms(value):
        return "–" if value is None else f"{value:.2f}"

    def line(row, ceiling="", ratio=""):
        cpu = row["cpu_ms_per_request"]
        laps = row["laps"] if row["urls"] > 1 else "–"  # one URL: every request repeats it
        targets = "; ".join(
            f"{t['target']}: {'met' if t['met'] else 'NOT met'}" for t in row.get("targets", [])
        )
        print(
            f"{row['concurrency']:>2} {row['question']:<14} {row['urls']:>7,} {laps:>5} "
            f"{row['rps']:>8,.1f} {ms(row['p50_ms']):>7} {ms(row['p95_ms']):>7} "
            f"{ms(row['p99_ms']):>7} {row['errors']:>4} {ms(cpu['total']):>7} "
            f"{ms(cpu['server']):>6} {ms(cpu['postgres']):>6} {ms(cpu['wrk']):>5} "
            f"{row['other_cpu_share']:>5.0%} {ceiling:>8} {ratio:>6}  {targets}"
        )

    for concurrency, ceiling in report["ceilings"].items():
        line(ceiling["before"])
        for row in (r for r in report["windows"] if r["concurrency"] == int(concurrency)):
            line(row, f"{row['ceiling_rps']:,.0f}", f"{row['ratio_to_ceiling']:.1%}")
        line(ceiling["after"], f"{ceiling['rps']:,.0f}")
    print(
        "cpu/req: ms of CPU per request, server + PostgreSQL; wrk: the load generator's.\n"
        "other: the rest of the machine's CPU, a share of all cores (~0% on a quiet machine).\n"
        "laps: times the question's URL list has been gone through by the end of the window\n"
        "(up to 1, no URL has been asked twice in the run). ratio: req/s over the ceiling, the\n"
        "mean of the /healthz windows before and after at the same concurrency."
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="questions: " + "; ".join(f"{k}: {v}" for k, v in QUESTIONS.items()),
    )
    parser.add_argument(
        "--base-url", default=os.environ.get("KEEL_BENCH_URL", "http://127.0.0.1:8765")
    )
    parser.add_argument("--token", default=os.environ.get("KEEL_BENCH_TOKEN"))
    parser.add_argument("--seconds", type=int, default=10, help="length of a measured window")
    parser.add_argument("--warmup", type=int, default=2, help="seconds of warm-up per window")
    parser.add_argument(
        "--concurrency", default="1,8", help="comma-separated connection counts (default 1,8)"
    )
    parser.add_argument(
        "--only",
        default=",".join(QUESTIONS),
        help=f"comma-separated questions, of: {', '.join(QUESTIONS)} (/healthz always runs)",
    )
    parser.add_argument(
        "--top", type=int, default=5, help="most depended-on services for dependents-top"
    )
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (at most -c)")
    parser.add_argument(
        "--graphql-numbered",
        action="store_true",
        help="number the GraphQL operation name per request (for a server that caches results)",
    )
    parser.add_argument(
        "--server-pid", type=int, help="the server's master process (default: found by port)"
    )
    parser.add_argument("--seed", type=int, default=9, help="shuffles the URL lists")
    parser.add_argument("--json", action="store_true", help="print one JSON document")
    args = parser.parse_args()
    if not args.token:
        parser.error("pass --token or set KEEL_BENCH_TOKEN (manage.py create_token ...)")
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    args.only = [name.strip() for name in args.only.split(",") if name.strip()]
    unknown = [name for name in args.only if name not in QUESTIONS]
    if unknown:
        parser.error(
            f"unknown question(s) {', '.join(unknown)}; choose from {', '.join(QUESTIONS)}"
        )
    args.wrk = shutil.which("wrk")
    if not args.wrk:
        sys.exit("wrk is not installed: apt-get install wrk")

    setup_django()
    from django.db import connection

    rng = random.Random(args.seed)
    questions, catalog = catalog_questions(args, rng)
    pg_port = int(connection.settings_dict.get("PORT") or 5432)
    connection.close()
    for name in ["healthz", *args.only]:
        check(args.base_url, args.token, questions[name], rng)
    port = urlsplit(args.base_url).port or 80
    master = args.server_pid or server_master(port)
    if master is None:
        print(f"no process found listening on port {port}: CPU is not measured", file=sys.stderr)
    prefix = urlsplit(args.base_url).path.rstrip("/")
    with tempfile.TemporaryDirectory(prefix="keel-reads-") as folder:
        paths = {}
        for name, question in questions.items():
            paths[name] = Path(folder) / f"{name}.tsv"
            paths[name].write_text(
                "".join(
                    "\t".join([method, prefix + path, *([body] if body else [])]) + "\n"
                    for method, path, body in question.requests
                )
            )
        load = os.getloadavg()
        rows, ceilings = measure(args, questions, paths, Meter(master, pg_port))
    report = {
        "server": args.base_url,
        "catalog": catalog,
        "settings": {
            "seconds": args.seconds,
            "warmup": args.warmup,
            "threads": args.threads,
            "concurrency": args.concurrency,
            "graphql_numbered": args.graphql_numbered,
            "server_master_pid": master,
        },
        "machine": {"cpus": os.cpu_count(), "load_average": round(load[0], 2)},
        "ceilings": ceilings,
        "windows": rows,
    }
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print_table(report)


if __name__ == "__main__":
    main()
