"""Running a stage's commands: a scrubbed environment, resource limits, a time limit and
bounded output, so that a project's tests can neither read the portal's secrets nor take
the worker down with them.

- Environment: only ``PATH``, ``HOME`` (the run's work folder) and ``LANG``; nothing of the
  portal's (``DJANGO_SECRET_KEY``, database and broker URLs, hosting tokens) is inherited.
- Limits (``resource.setrlimit`` in the child before it runs the command): CPU seconds,
  address space, processes, size of any file written (``KEEL_DELIVERY_*``). The child also
  asks the kernel to kill it when the worker that started it dies (``PR_SET_PDEATHSIG``),
  so a killed worker leaves no command running.
- Time: each command runs in its own session and the whole process group is killed at the
  wall-clock limit (``KEEL_DELIVERY_COMMAND_SECONDS``) or when the task is stopped.
- Output: stdout and stderr together, of which the first and last halves of
  ``KEEL_DELIVERY_LOG_BYTES`` are kept.

A release the embedded target runs (``spawn``) gets the same environment rules and limits but
no CPU-time limit and no parent-death signal: it serves until it is stopped, outliving the
worker that started it; its output goes to a log file bounded by the file-size limit.
Releases are told apart from a later process given the same pid by their start time.
"""

import contextlib
import ctypes
import ctypes.util
import os
import resource
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

SYSTEM_PATH = "/usr/local/bin:/usr/bin:/bin"
_PR_SET_PDEATHSIG = 1
_LIBC = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)


@dataclass(frozen=True)
class Limits:
    cpu_seconds: int
    memory_bytes: int
    processes: int
    file_bytes: int
    wall_seconds: float
    output_bytes: int

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            cpu_seconds=settings.KEEL_DELIVERY_CPU_SECONDS,
            memory_bytes=settings.KEEL_DELIVERY_MEMORY_BYTES,
            processes=settings.KEEL_DELIVERY_MAX_PROCESSES,
            file_bytes=settings.KEEL_DELIVERY_MAX_FILE_BYTES,
            wall_seconds=settings.KEEL_DELIVERY_COMMAND_SECONDS,
            output_bytes=settings.KEEL_DELIVERY_LOG_BYTES,
        )


@dataclass(frozen=True)
class Outcome:
    returncode: int | None  # None: killed at the time limit
    output: str
    seconds: float
    timed_out: bool

    @property
    def ok(self) -> bool:
        return self.returncode == 0


def scrubbed_environment(home: Path, *, path: str = SYSTEM_PATH) -> dict:
    """All a stage's process is told about the world."""
    return {"PATH": path, "HOME": str(home), "LANG": "C.UTF-8"}


def _limiter(limits: Limits, *, die_with_parent: bool = True):
    """What the child runs between fork and exec: only calls into C (no imports, no locks).
    Each limit is capped at the hard limit this process already has (raising it needs root);
    ``RLIM_INFINITY`` asks for no more than that hard limit."""
    wanted = (
        (resource.RLIMIT_CPU, limits.cpu_seconds),
        (resource.RLIMIT_AS, limits.memory_bytes),
        (resource.RLIMIT_NPROC, limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_bytes),
        (resource.RLIMIT_CORE, 0),
    )
    capped = []
    for which, value in wanted:
        hard = resource.getrlimit(which)[1]
        if value == resource.RLIM_INFINITY or hard != resource.RLIM_INFINITY and value > hard:
            value = hard
        capped.append((which, value))

    def apply():
        if die_with_parent:
            _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        for which, value in capped:
            resource.setrlimit(which, (value, value))

    return apply


class BoundedOutput:
    """The first and last ``limit // 2`` bytes of a stream, and how much was cut between."""

    def __init__(self, limit: int):
        self.half = max(limit // 2, 1)
        self.head = bytearray()
        self.tail = bytearray()
        self.cut = 0

    def add(self, chunk: bytes) -> None:
        room = self.half - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        if not chunk:
            return
        self.tail += chunk
        if len(self.tail) > self.half:
            excess = len(self.tail) - self.half
            del self.tail[:excess]
            self.cut += excess

    def text(self) -> str:
        middle = f"\n[… {self.cut} bytes of output cut …]\n" if self.cut else ""
        return (bytes(self.head).decode(errors="replace") + middle
                + bytes(self.tail).decode(errors="replace"))  # fmt: skip


def run(args: list[str], *, cwd: Path, env: dict, limits: Limits | None = None) -> Outcome:
    """Run ``args`` (no shell) in ``cwd`` with ``env`` under ``limits``."""
    limits = limits or Limits.from_settings()
    started = time.monotonic()
    output = BoundedOutput(limits.output_bytes)
    process = subprocess.Popen(
        args,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_limiter(limits),  # noqa: PLW1509 - only C calls, see _limiter
        close_fds=True,
    )
    timed_out = False
    try:
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            while True:
                left = limits.wall_seconds - (time.monotonic() - started)
                if left <= 0:
                    timed_out = True
                    break
                if not selector.select(timeout=min(left, 1.0)):
                    continue
                chunk = os.read(process.stdout.fileno(), 65536)
                if not chunk:
                    break
                output.add(chunk)
        if not timed_out:  # the output ended: give the command what is left to exit
            try:
                process.wait(timeout=max(limits.wall_seconds - (time.monotonic() - started), 0))
            except subprocess.TimeoutExpired:
                timed_out = True
    finally:
        # Whatever stopped the loop (the end of output, the time limit, the task's own soft
        # limit), nothing the command started outlives it.
        _kill_group(process)
        process.stdout.close()
    returncode = None if timed_out else process.wait()
    seconds = round(time.monotonic() - started, 3)
    text = output.text()
    if timed_out:
        text += f"\n[stopped after {limits.wall_seconds:g} s: the command's time limit]\n"
    elif returncode is not None and returncode < 0:
        text += f"\n[killed by signal {signal.Signals(-returncode).name}]\n"
    return Outcome(returncode=returncode, output=text, seconds=seconds, timed_out=timed_out)


def _kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the command's whole group, and wait (a little) until none of it runs: a killed
    process dies when the kernel next schedules it, not when ``killpg`` returns."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    deadline = time.monotonic() + 2
    while _group_runs(process.pid) and time.monotonic() < deadline:
        time.sleep(0.01)


def _group_runs(group: int) -> bool:
    """Whether a process of ``group`` still runs (zombies, waiting for their reaper, do not)."""
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):  # gone meanwhile
            continue
        if fields[2] == str(group) and fields[0] not in {"Z", "X"}:
            return True
    return False


def spawn(args: list[str], *, cwd: Path, env: dict, log_path: Path, limits: Limits) -> int:
    """Start ``args`` as a long-running process in its own session (process group) with its
    output appended to ``log_path``; returns its pid. ``subprocess`` reaps it once it exits
    (the next ``Popen`` of this process collects finished children)."""
    with open(log_path, "ab") as log:
        process = subprocess.Popen(
            args,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=_limiter(limits, die_with_parent=False),  # noqa: PLW1509 - C calls only
            close_fds=True,
        )
    return process.pid


def start_ticks(pid: int) -> int | None:
    """When ``pid`` started (clock ticks since boot), or None when no live process has it
    (gone, or a zombie waiting for its reaper)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return None if fields[0] in {"Z", "X"} else int(fields[19])


def is_running(pid: int, ticks: int | None) -> bool:
    """Whether the process started as ``pid`` at ``ticks`` still runs (not a newer one)."""
    return ticks is not None and start_ticks(pid) == ticks


def stop_group(pid: int, ticks: int | None, *, grace: float = 5.0) -> None:
    """Stop the process group led by ``pid`` (if that process is still the one recorded, or
    its group still runs): SIGTERM, up to ``grace`` seconds, then SIGKILL; returns once none
    of the group runs."""
    now = start_ticks(pid)
    if now is not None and now != ticks:
        return  # the release is gone and its pid (and so the group's id) is another's now
    if now is None and not _group_runs(pid):
        return
    for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 2.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(pid, sig)
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)  # our own child: collect it now
            if not _group_runs(pid):
                return
            time.sleep(0.02)
