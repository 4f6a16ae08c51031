"""``manage.py import_catalog`` on files generated like the benchmark's catalog."""

import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog.models import Api, ApiConsumption, Service
from descriptors.models import Entity, ImportRun
from teams.models import Team

GENERATOR = Path(__file__).resolve().parents[3] / "shared" / "bench" / "gen_catalog.py"


@pytest.fixture
def generated(tmp_path):
    out = tmp_path / "catalog.yaml"
    subprocess.run(
        [sys.executable, str(GENERATOR), "--n", "100", "--seed", "7", "--out", str(out),
         "--split", "30", "--json", str(tmp_path / "catalog.json")],
        check=True,
    )  # fmt: skip
    return out, json.loads((tmp_path / "catalog.json").read_text())


def test_a_split_catalog_is_read_through_its_locations(generated, staff):
    root, entities = generated
    output = StringIO()
    call_command("import_catalog", str(root), user=staff.username, stdout=output)
    run = ImportRun.objects.get()
    assert run.files == 5 and run.read == 101  # 100 entities and the root Location
    assert run.refused == 0, list(run.problems.values_list("message", flat=True))
    assert Entity.objects.count() == 101
    components = [e for e in entities if e["kind"] == "Component"]
    assert Service.objects.count() == len(components)
    assert Team.objects.count() == sum(e["kind"] == "Group" for e in entities)
    assert Api.objects.count() == sum(e["kind"] == "API" for e in entities)
    declared = sum(len(e["spec"].get("consumesApis", [])) for e in components)
    assert ApiConsumption.objects.count() == declared
    assert "read 101 entities from 5 files" in output.getvalue()
    # again: nothing to do
    call_command("import_catalog", str(root), user=staff.username, stdout=StringIO())
    assert ImportRun.objects.latest("id").unchanged == 101


def test_the_command_needs_an_existing_user_and_path(tmp_path, staff):
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_catalog", str(tmp_path), user="nobody")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_catalog", str(tmp_path / "missing.yaml"), user=staff.username)
