"""Backstage Resources become Keel resources: owned by a team (a user owner by the user's one
team), ``spec.type`` a kind (an unknown type kept as written), ``spec.system``, and the
dependencies declared on either end (a component's ``dependsOn``, a resource's
``dependencyOf``) as the components' dependencies on the resource."""

import textwrap

import pytest

from catalog.models import Dependency, Resource
from descriptors import actions, importing
from descriptors.models import Location
from portal.audit import history_parent, snapshot
from portal.models import ChangeRecord, Interface
from teams.factories import MembershipFactory, TeamFactory

CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments}
spec: {type: team, children: []}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: checkout}
spec: {owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: cart}
spec:
  type: service
  lifecycle: production
  owner: payments
  dependsOn: [resource:cart-db, component:till]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: till}
spec: {type: website, lifecycle: production, owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: cart-db, description: Carts}
spec: {type: database, owner: group:payments, system: checkout}
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: receipts}
spec:
  type: s3-bucket
  owner: payments
  dependencyOf: [component:till]
---
apiVersion: backstage.io/v1alpha1
kind: Resource
metadata: {name: ledger-stream}
spec: {type: kinesis-stream, owner: payments}
"""


def _location(actor, content, slug="upload"):
    return actions.create_location(
        actor=actor, via=Interface.API, slug=slug, name=slug, type=Location.Type.UPLOAD,
        entry="catalog-info.yaml", content=textwrap.dedent(content),
    )  # fmt: skip


def _run(location, actor):
    return importing.run(location, actor=actor, via=Interface.IMPORT, trigger="manual")


def _problems(run):
    return [p.message for p in run.problems.all()]


def _edges():
    return sorted(
        Dependency.objects.filter(target_resource__isnull=False).values_list(
            "source__slug", "target_resource__slug"
        )
    )


@pytest.fixture
def imported(staff):
    location = _location(staff, CATALOG)
    run = _run(location, staff)
    assert run.refused == 0, _problems(run)
    return location


def test_a_resource_is_owned_by_its_group_with_its_kind_and_system(imported):
    db = Resource.objects.get(slug="cart-db")
    assert (db.owner_team.slug, db.kind, db.type, db.system.slug) == (
        "payments", "database", "", "checkout"
    )  # fmt: skip
    assert db.service is None and db.description == "Carts"


def test_a_type_keel_does_not_name_is_kept_as_written(imported):
    assert Resource.objects.filter(slug="receipts").values_list("kind", "type").get() == (
        "bucket",
        "s3-bucket",
    )
    assert Resource.objects.filter(slug="ledger-stream").values_list("kind", "type").get() == (
        "other",
        "kinesis-stream",
    )


def test_dependencies_declared_on_either_end_become_the_components(imported):
    assert _edges() == [("cart", "cart-db"), ("till", "receipts")]
    assert Dependency.objects.filter(source__slug="cart", target_service__slug="till").exists()


def test_importing_unchanged_resources_writes_nothing(imported, staff):
    before = ChangeRecord.objects.count()
    run = _run(imported, staff)
    assert (run.created, run.updated, run.unchanged) == (0, 0, 7), _problems(run)
    assert ChangeRecord.objects.count() == before


def test_a_dependency_dropped_from_either_end_is_removed_with_history(imported, staff):
    imported.content = (
        textwrap.dedent(CATALOG)
        .replace("dependsOn: [resource:cart-db, component:till]", "dependsOn: [component:till]")
        .replace("  dependencyOf: [component:till]\n", "")
    )
    imported.save()
    run = _run(imported, staff)
    assert run.updated == 2, _problems(run)
    assert _edges() == []
    removed = ChangeRecord.objects.filter(action="delete", content_type__model="dependency")
    assert removed.count() == 2
    assert Dependency.objects.filter(source__slug="cart", target_service__slug="till").exists()


def test_a_changed_resource_is_updated_with_before_and_after(imported, staff):
    imported.content = textwrap.dedent(CATALOG).replace("type: database", "type: redis")
    imported.save()
    run = _run(imported, staff)
    assert (run.updated, run.unchanged) == (1, 6), _problems(run)
    db = Resource.objects.get(slug="cart-db")
    record = ChangeRecord.objects.filter(object_id=db.pk, action="update").latest("id")
    assert (record.before["kind"], record.after["kind"]) == ("database", "cache")
    assert (record.before["type"], record.after["type"]) == ("", "redis")
    assert record.interface == Interface.IMPORT


def test_a_resource_owned_by_a_user_in_one_team_is_that_teams(staff):
    MembershipFactory(team=TeamFactory(slug="alpha"), user__username="sam")
    content = """
    apiVersion: backstage.io/v1alpha1
    kind: Resource
    metadata: {name: sams-cache}
    spec: {type: cache, owner: user:sam}
    """
    run = _run(_location(staff, content), staff)
    assert run.refused == 0, _problems(run)
    assert Resource.objects.get(slug="sams-cache").owner_team.slug == "alpha"


def test_a_resource_owned_by_a_user_in_several_teams_is_refused(staff):
    user = MembershipFactory(team=TeamFactory(slug="alpha"), user__username="sam").user
    MembershipFactory(team=TeamFactory(slug="beta"), user=user)
    content = """
    apiVersion: backstage.io/v1alpha1
    kind: Resource
    metadata: {name: sams-cache}
    spec: {type: cache, owner: user:sam}
    """
    run = _run(_location(staff, content), staff)
    assert run.refused == 1
    assert "more than one team" in _problems(run)[0]
    assert not Resource.objects.exists()


def test_a_resource_names_its_service_only_when_the_service_has_its_team(imported, staff):
    other = TeamFactory(slug="other")
    content = """
    apiVersion: backstage.io/v1alpha1
    kind: Resource
    metadata:
      name: till-cache
      annotations: {keel/service: till}
    spec: {type: cache, owner: payments}
    ---
    apiVersion: backstage.io/v1alpha1
    kind: Resource
    metadata:
      name: stray-cache
      annotations: {keel/service: till}
    spec: {type: cache, owner: other}
    """
    run = _run(_location(staff, content, slug="more"), staff)
    assert run.refused == 0, _problems(run)
    assert Resource.objects.get(slug="till-cache").service.slug == "till"
    stray = Resource.objects.get(slug="stray-cache")
    assert (stray.service, stray.owner_team) == (None, other)
    assert any("another team owns" in message for message in _problems(run))


def test_a_dependency_on_a_missing_resource_is_dangling(staff):
    content = """
    apiVersion: backstage.io/v1alpha1
    kind: Group
    metadata: {name: payments}
    spec: {type: team, children: []}
    ---
    apiVersion: backstage.io/v1alpha1
    kind: Component
    metadata: {name: cart}
    spec: {type: service, lifecycle: production, owner: payments, dependsOn: [resource:ghost]}
    """
    run = _run(_location(staff, content), staff)
    assert run.refused == 0
    assert any("resource ghost" in message and "dangling" in message for message in _problems(run))


def test_each_imported_resource_and_edge_is_recorded_as_a_save_records_it(staff):
    content = textwrap.dedent(CATALOG) + textwrap.dedent("""\
    ---
    apiVersion: backstage.io/v1alpha1
    kind: Resource
    metadata:
      name: till-cache
      annotations: {keel/service: till}
    spec: {type: cache, owner: payments}
    """)
    run = _run(_location(staff, content), staff)
    assert run.refused == 0, _problems(run)
    objs = [*Resource.objects.all(), *Dependency.objects.filter(target_resource__isnull=False)]
    assert len(objs) == 6
    for obj in objs:
        record = ChangeRecord.objects.filter(
            content_type__model=obj._meta.model_name, object_id=obj.pk, action="create"
        ).get()
        parent = history_parent(obj)
        assert record.after == snapshot(obj), obj
        assert record.object_repr == str(obj)[:200]
        assert record.parent_object_id == (parent.pk if parent else None)
        assert (record.interface, record.actor) == (Interface.IMPORT, staff)
    assert history_parent(Resource.objects.get(slug="till-cache")).slug == "till"
