"""Settings come from the environment; production refuses to start without a secret."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_debug_off_without_secret_key_stops_with_a_clear_message(tmp_path):
    result = _manage("check", DJANGO_DEBUG="false", KEEL_DATA_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off" in result.stderr


def test_deploy_check_passes_with_production_variables(tmp_path):
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(50),
        DJANGO_ALLOWED_HOSTS="keel.example.com",
        KEEL_DATA_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_database_url_selects_the_database(tmp_path):
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        "from django.db import connection; print(connection.vendor, connection.settings_dict['NAME'])",
        DATABASE_URL="postgres://keel@db.example.com:5432/keel",
        KEEL_DATA_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["postgresql", "keel"]


def _database_options(tmp_path, **env) -> list[str]:
    script = (
        "from django.db import connection; s = connection.settings_dict; "
        "print(s['ENGINE'], s['OPTIONS'].get('server_side_binding'), "
        "s['OPTIONS'].get('prepare_threshold'), s['CONN_HEALTH_CHECKS'])"
    )
    result = _manage(
        "shell",
        "--no-imports",
        "-c",
        script,
        DATABASE_URL="postgres://keel@db.example.com:5432/keel",
        KEEL_DATA_DIR=str(tmp_path),
        **env,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_postgresql_keeps_plans_and_checks_connections_without_a_round_trip(tmp_path):
    assert _database_options(tmp_path) == ["portal.postgres", "True", "5", "True"]


def test_prepared_statements_can_be_turned_off_for_pgbouncer(tmp_path):
    options = _database_options(tmp_path, DATABASE_PREPARED_STATEMENTS="false")

    assert options == ["portal.postgres", "None", "None", "True"]
