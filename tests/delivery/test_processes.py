"""The sandbox every stage command runs in: scrubbed environment, limits, time, output."""

import dataclasses
import sys
import time
from pathlib import Path

from delivery import processes

LIMITS = processes.Limits(
    cpu_seconds=30, memory_bytes=1024**3, processes=4096, file_bytes=1024**2,
    wall_seconds=30, output_bytes=4096,
)  # fmt: skip


def python(code, tmp_path, **limits):
    return processes.run(
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=processes.scrubbed_environment(tmp_path),
        limits=dataclasses.replace(LIMITS, **limits),
    )


def test_the_environment_holds_path_home_and_lang_only(tmp_path, monkeypatch):
    monkeypatch.setenv("DJANGO_SECRET_KEY", "a-portal-secret")
    monkeypatch.setenv("DATABASE_URL", "postgres://secret@db/keel")

    outcome = python("import os; print(sorted(os.environ.items()))", tmp_path)

    assert outcome.ok
    assert "a-portal-secret" not in outcome.output and "DATABASE_URL" not in outcome.output
    assert outcome.output.strip() == str(
        sorted({"HOME": str(tmp_path), "LANG": "C.UTF-8", "PATH": processes.SYSTEM_PATH}.items())
    )


def test_too_much_memory_is_refused(tmp_path):
    outcome = python("bytearray(512 * 1024 * 1024)", tmp_path, memory_bytes=256 * 1024**2)
    assert outcome.returncode != 0 and "MemoryError" in outcome.output


def test_a_command_that_runs_too_long_is_killed_with_everything_it_started(tmp_path):
    started = time.monotonic()
    code = (
        "import subprocess, time; p = subprocess.Popen(['sleep', '60']);"
        "open('child', 'w').write(str(p.pid)); time.sleep(60)"
    )

    outcome = python(code, tmp_path, wall_seconds=1)

    assert outcome.timed_out and outcome.returncode is None
    assert time.monotonic() - started < 10
    assert "stopped after 1 s" in outcome.output
    child = int((tmp_path / "child").read_text())
    assert not alive(child)  # the grandchild went with it


def alive(pid: int) -> bool:
    """Running (a killed process may stay a zombie until its new parent reaps it)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state not in {"Z", "X"}


def test_cpu_time_is_limited(tmp_path):
    outcome = python("while True: pass", tmp_path, cpu_seconds=1)
    assert outcome.returncode is not None and outcome.returncode < 0
    assert "SIGXCPU" in outcome.output or "SIGKILL" in outcome.output


def test_files_larger_than_the_limit_cannot_be_written(tmp_path):
    outcome = python("open('big', 'wb').write(b'x' * 2 * 1024 * 1024)", tmp_path)
    assert not outcome.ok
    assert (tmp_path / "big").stat().st_size <= LIMITS.file_bytes


def test_output_keeps_its_head_and_tail(tmp_path):
    outcome = python("print('first'); print('x' * 100000); print('last')", tmp_path)
    assert outcome.ok
    assert outcome.output.startswith("first") and outcome.output.rstrip().endswith("last")
    assert "bytes of output cut" in outcome.output
    assert len(outcome.output) < LIMITS.output_bytes + 200
