"""``manage.py import_catalog`` on a catalog split into files behind a root Location, shaped
like the benchmark's (``../shared/bench/gen_catalog.py --split``)."""

from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from catalog.models import Api, ApiConsumption, Dependency, Service
from descriptors.models import Entity, ImportRun
from teams.models import Team

V1 = "backstage.io/v1alpha1"


def _entities():
    yield {"apiVersion": V1, "kind": "Group", "metadata": {"name": "team-0000"},
           "spec": {"type": "team", "children": []}}  # fmt: skip
    yield {"apiVersion": V1, "kind": "System", "metadata": {"name": "system-0000"},
           "spec": {"owner": "group:default/team-0000"}}  # fmt: skip
    for n in range(6):
        spec = {"type": "service", "lifecycle": "production", "owner": "group:default/team-0000",
                "system": "system:default/system-0000", "providesApis": [f"api:default/api-{n}"]}  # fmt: skip
        if n:
            spec["consumesApis"] = [f"api:default/api-{n - 1}"]
            spec["dependsOn"] = ["component:default/svc-0"]
        yield {
            "apiVersion": V1,
            "kind": "Component",
            "metadata": {"name": f"svc-{n}"},
            "spec": spec,
        }
        yield {"apiVersion": V1, "kind": "API", "metadata": {"name": f"api-{n}"},
               "spec": {"type": "openapi", "lifecycle": "production",
                        "owner": "group:default/team-0000", "definition": "# none\n"}}  # fmt: skip


@pytest.fixture
def split_catalog(tmp_path):
    entities = list(_entities())
    parts = tmp_path / "catalog.yaml.d"
    parts.mkdir()
    targets = []
    for index in range(0, len(entities), 4):
        name = f"part-{index // 4:04d}.yaml"
        (parts / name).write_text(yaml.safe_dump_all(entities[index : index + 4]))
        targets.append(f"./catalog.yaml.d/{name}")
    root = tmp_path / "catalog.yaml"
    root.write_text(
        yaml.safe_dump(
            {
                "apiVersion": V1,
                "kind": "Location",
                "metadata": {"name": "root"},
                "spec": {"type": "file", "targets": targets},
            }
        )  # fmt: skip
    )
    return root, len(entities), len(targets)


def test_a_split_catalog_is_read_through_its_locations(split_catalog, staff):
    root, count, parts = split_catalog
    output = StringIO()
    call_command("import_catalog", str(root), user=staff.username, stdout=output)
    run = ImportRun.objects.get()
    assert (run.files, run.read) == (parts + 1, count + 1)  # and the root Location
    assert run.refused == 0, list(run.problems.values_list("message", flat=True))
    assert Entity.objects.count() == count + 1
    assert Team.objects.count() == 1 and Service.objects.count() == 6 and Api.objects.count() == 6
    assert ApiConsumption.objects.count() == 5
    # svc-1 both depends on svc-0 and consumes its API: one edge
    assert Dependency.objects.count() == 5 + 4
    assert f"read {count + 1} entities from {parts + 1} files" in output.getvalue()
    call_command("import_catalog", str(root), user=staff.username, stdout=StringIO())
    assert ImportRun.objects.latest("id").unchanged == count + 1


def test_the_command_needs_an_existing_user_and_path(tmp_path, staff):
    with pytest.raises(CommandError, match="No active user"):
        call_command("import_catalog", str(tmp_path), user="nobody")
    with pytest.raises(CommandError, match="does not exist"):
        call_command("import_catalog", str(tmp_path / "missing.yaml"), user=staff.username)
