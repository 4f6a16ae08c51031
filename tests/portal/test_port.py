"""KEEL_PORT alone moves the portal and the links it hands out (repository, pipeline, clone)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _base_url(tmp_path, **env) -> str:
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "KEEL_"))}
    environment.update(KEEL_DATA_DIR=str(tmp_path), **env)
    result = subprocess.run(
        [sys.executable, "-c", "from django.conf import settings; print(settings.KEEL_BASE_URL)"],
        cwd=ROOT,
        env={**environment, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_links_follow_keel_port(tmp_path):
    assert _base_url(tmp_path) == "http://127.0.0.1:8000"
    assert _base_url(tmp_path, KEEL_PORT="8123") == "http://127.0.0.1:8123"
    assert _base_url(tmp_path, KEEL_PORT="8123", KEEL_BASE_URL="https://keel.example.com") == (
        "https://keel.example.com"
    )
