"""Importing descriptors into the catalog: what each kind becomes, and the sync rules
(unchanged input writes nothing, changes are recorded, conflicts and orphans reported)."""

import textwrap

import pytest
from django.core.exceptions import ValidationError

from catalog.models import Api, ApiConsumption, BusinessDomain, Dependency, Service, System
from descriptors import actions, importing
from descriptors.models import Entity, ImportProblem, ImportRun, Location
from portal.models import ChangeRecord, Interface
from teams.factories import MembershipFactory, TeamFactory
from teams.models import Membership, Team

CATALOG = """
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: platform}
spec: {type: department, children: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: payments, description: Money in and out}
spec: {type: team, children: [], members: [jane.doe]}
---
apiVersion: backstage.io/v1alpha1
kind: User
metadata: {name: jane.doe}
spec: {profile: {email: jane@example.com, displayName: Jane Doe}, memberOf: [payments]}
---
apiVersion: backstage.io/v1alpha1
kind: Domain
metadata: {name: commerce}
spec: {owner: payments}
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata: {name: checkout}
spec: {owner: group:payments, domain: commerce}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: cart
  tags: [python, checkout]
  annotations: {backstage.io/source-location: "url:https://git.example.com/cart"}
spec:
  type: service
  lifecycle: production
  owner: payments
  system: checkout
  providesApis: [cart-api]
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: till}
spec:
  type: website
  lifecycle: experimental
  owner: user:jane.doe
  consumesApis: [cart-api]
  dependsOn: [component:cart, component:ghost]
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: cart-api}
spec:
  type: openapi
  lifecycle: production
  owner: payments
  system: checkout
  definition: |
    openapi: 3.0.3
    info: {title: Cart, version: 1.2.0}
    paths: {}
---
apiVersion: backstage.io/v1alpha1
kind: Template
metadata: {name: python-service}
spec: {owner: payments, type: service}
"""


def _location(actor, content, slug="upload", owner_team=None):
    return actions.create_location(
        actor=actor,
        via=Interface.API,
        slug=slug,
        name=slug,
        type=Location.Type.UPLOAD,
        entry="catalog-info.yaml",
        content=textwrap.dedent(content),
        owner_team=owner_team,
    )


def _run(location, actor):
    return importing.run(location, actor=actor, via=Interface.IMPORT, trigger="manual")


def _problems(run, level=None):
    problems = run.problems.all()
    if level:
        problems = problems.filter(level=level)
    return [p.message for p in problems]


@pytest.fixture
def imported(staff):
    location = _location(staff, CATALOG)
    return location, _run(location, staff)


def test_each_kind_becomes_its_keel_row(imported):
    location, run = imported
    assert run.status == ImportRun.Status.SUCCEEDED
    assert (run.read, run.created, run.refused) == (9, 9, 0), _problems(run)
    payments = Team.objects.get(slug="payments")
    assert payments.parent.slug == "platform" and payments.description == "Money in and out"
    assert list(payments.members.values_list("username", flat=True)) == ["jane.doe"]
    jane = payments.members.get()
    assert jane.email == "jane@example.com" and not jane.has_usable_password()
    checkout = System.objects.get(slug="checkout")
    assert checkout.owner_team == payments and checkout.business_domain.slug == "commerce"
    assert BusinessDomain.objects.get(slug="commerce").owner_team == payments
    cart = Service.objects.get(slug="cart")
    assert (cart.owner_team, cart.system, cart.lifecycle) == (payments, checkout, "production")
    assert cart.repository_url == "https://git.example.com/cart"
    assert sorted(cart.tags.values_list("name", flat=True)) == ["checkout", "python"]
    till = Service.objects.get(slug="till")
    assert till.owner_team == payments  # owned by a user in exactly one team
    assert till.kind == "website"
    api = Api.objects.get(slug="cart-api")
    assert (api.provider, api.system, api.type) == (cart, checkout, "openapi")
    assert list(api.versions.values_list("version", flat=True)) == ["1.2.0"]
    assert ApiConsumption.objects.filter(consumer=till, api=api).exists()
    assert Dependency.objects.filter(source=till, target_service=cart).count() == 1
    template = Entity.objects.get(ref="template:default/python-service")
    assert template.target_id is None and template.owner_team == payments
    assert Entity.objects.filter(location=location).count() == 9
    # a relation to an entity that does not exist is kept (in the descriptor) and reported
    assert any("ghost" in m for m in _problems(run, ImportProblem.Level.WARNING))


def test_every_created_row_has_its_history(imported):
    records = ChangeRecord.objects.filter(interface=Interface.IMPORT)
    for model in (Team, Service, Api, System, BusinessDomain, ApiConsumption, Dependency):
        for obj in model.objects.all():
            assert records.filter(object_id=obj.pk, content_type__model=model._meta.model_name)
    assert records.filter(action=ChangeRecord.Action.ADD_MEMBER).count() == 1
    assert (
        records.filter(action=ChangeRecord.Action.PUBLISH).exists()
        or records.filter(content_type__model="apiversion").exists()
    )


def test_importing_unchanged_input_writes_nothing(imported, staff):
    location, _ = imported
    before = ChangeRecord.objects.count()
    run = _run(location, staff)
    assert (run.unchanged, run.created, run.updated, run.orphaned) == (9, 0, 0, 0)
    assert ChangeRecord.objects.count() == before


def test_a_changed_entity_is_updated_with_before_and_after(imported, staff):
    location, _ = imported
    location.content = textwrap.dedent(CATALOG).replace(
        "lifecycle: experimental", "lifecycle: deprecated"
    )
    location.save()
    run = _run(location, staff)
    assert (run.updated, run.unchanged) == (1, 8), _problems(run)
    till = Service.objects.get(slug="till")
    assert till.lifecycle == "deprecated"
    record = ChangeRecord.objects.filter(object_id=till.pk, action="update").latest("id")
    assert (record.before["lifecycle"], record.after["lifecycle"]) == ("experimental", "deprecated")
    assert record.interface == Interface.IMPORT


def test_a_removed_relation_is_removed_with_history(imported, staff):
    location, _ = imported
    location.content = textwrap.dedent(CATALOG).replace(
        "  consumesApis: [cart-api]\n  dependsOn: [component:cart, component:ghost]\n", ""
    )
    location.save()
    run = _run(location, staff)
    assert run.updated == 1, _problems(run)
    till = Service.objects.get(slug="till")
    assert not till.consumptions.exists() and not till.dependencies.exists()
    assert ChangeRecord.objects.filter(action="delete", content_type__model="apiconsumption")


def test_an_entity_that_disappears_becomes_an_orphan(imported, staff):
    location, _ = imported
    location.content = textwrap.dedent(CATALOG).split(
        "---\napiVersion: backstage.io/v1alpha1\nkind: Template"
    )[0]
    location.save()
    run = _run(location, staff)
    assert run.orphaned == 1
    template = Entity.objects.get(ref="template:default/python-service")
    assert template.orphaned_at is not None
    assert Service.objects.filter(slug="cart").exists()  # orphans are kept


def test_an_entity_claimed_by_two_locations_is_a_conflict(imported, staff):
    other = _location(staff, CATALOG.split("---")[5], slug="other")
    run = _run(other, staff)
    assert run.refused == 1 and run.created == 0
    assert "already managed by location upload" in _problems(run)[0]
    assert Entity.objects.get(ref="component:default/cart").location.slug == "upload"


def test_one_bad_entity_does_not_stop_the_others(staff):
    bad = CATALOG.replace("owner: user:jane.doe", "owner: group:nobody")
    run = _run(_location(staff, bad), staff)
    assert run.refused == 1 and run.created == 8
    assert "group:default/nobody, which is not a team" in " ".join(_problems(run))
    assert not Service.objects.filter(slug="till").exists()


def test_a_team_location_writes_only_what_its_team_owns(db, member, team):
    TeamFactory(slug="search")
    content = """
    apiVersion: backstage.io/v1alpha1
    kind: Component
    metadata: {name: ours}
    spec: {type: service, lifecycle: production, owner: payments}
    ---
    apiVersion: backstage.io/v1alpha1
    kind: Component
    metadata: {name: theirs}
    spec: {type: service, lifecycle: production, owner: search}
    """
    run = _run(_location(member, content, owner_team=team), member)
    assert (run.created, run.refused) == (1, 1), _problems(run)
    assert Service.objects.filter(slug="ours", owner_team=team).exists()
    assert "may only write what its own team owns" in " ".join(_problems(run))


def test_an_outsider_cannot_import_into_a_team_location(db, member, team, outsider):
    location = _location(member, CATALOG, owner_team=team)
    run = _run(location, outsider)
    assert run.status == ImportRun.Status.FAILED and "payments" in run.message
    assert run.step == "" and not Service.objects.exists()


def test_a_user_in_several_teams_cannot_own(staff):
    user = MembershipFactory(team=TeamFactory(slug="alpha"), user__username="sam").user
    MembershipFactory(team=TeamFactory(slug="beta"), user=user)
    content = """
    apiVersion: backstage.io/v1alpha1
    kind: Component
    metadata: {name: lonely}
    spec: {type: service, lifecycle: production, owner: user:sam}
    """
    run = _run(_location(staff, content), staff)
    assert run.refused == 1
    assert "more than one team" in _problems(run)[0]


def test_a_group_past_the_size_limit_is_imported_up_to_it(staff, settings):
    settings.KEEL_TEAM_SIZE_LIMIT = 2
    users = "\n".join(
        f"---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {{name: u{n}}}\nspec: {{memberOf: [crowd]}}"
        for n in range(4)
    )
    content = (
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: crowd}\nspec: {type: team, children: []}\n"
        + users
    )
    run = _run(_location(staff, content), staff)
    assert Membership.objects.filter(team__slug="crowd").count() == 2
    warning = " ".join(_problems(run, ImportProblem.Level.WARNING))
    assert "2 not added (u2, u3)" in warning


def test_a_git_location_is_read_at_its_commit(staff, settings, tmp_path):
    from tests.descriptors.test_git_checkout import hosted

    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    commit = hosted(
        "orders",
        {
            "catalog-info.yaml": b"apiVersion: backstage.io/v1alpha1\nkind: Location\n"
            b"metadata: {name: root}\nspec: {targets: [./svc/catalog-info.yaml]}\n",
            "svc": {"catalog-info.yaml": CATALOG.split("---")[1].encode()},
        },
    )
    location = actions.create_location(
        actor=staff, via=Interface.API, slug="orders-repo", name="orders",
        type=Location.Type.GIT, target="keel:orders",
    )  # fmt: skip
    run = _run(location, staff)
    assert (run.status, run.commit, run.files, run.created) == ("succeeded", commit, 2, 2)
    assert Team.objects.filter(slug="payments").exists()


def test_an_unreadable_location_fails_its_run_and_changes_nothing(staff, settings, tmp_path):
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    location = actions.create_location(
        actor=staff, via=Interface.API, slug="gone", name="gone",
        type=Location.Type.GIT, target="keel:missing",
    )  # fmt: skip
    before = ChangeRecord.objects.count()
    run = _run(location, staff)
    assert run.status == ImportRun.Status.FAILED and "missing" in run.message
    assert ChangeRecord.objects.count() == before


def test_what_a_location_manages_is_changed_in_its_descriptor(imported, staff, api_client):
    from catalog import actions as catalog_actions
    from teams import actions as team_actions

    cart = Service.objects.get(slug="cart")
    with pytest.raises(ValidationError, match="managed by location upload: change its descriptor"):
        catalog_actions.update_service(cart, actor=staff, via=Interface.UI, tier=1)
    with pytest.raises(ValidationError, match="cart is managed"):  # what hangs under it
        catalog_actions.create_resource(
            actor=staff, via=Interface.UI, service=cart, slug="cart-db", name="db", kind="database"
        )
    with pytest.raises(ValidationError, match="managed by location upload"):
        team_actions.update_team(Team.objects.get(slug="payments"), actor=staff, via="ui", name="x")
    api_client.force_authenticate(staff)
    response = api_client.patch("/api/v1/services/cart/", {"tier": 1}, format="json")
    assert response.status_code == 400 and "managed by location upload" in str(response.json())
    # acting as a managed team is not changing it: its members still start services
    catalog_actions.create_service(
        actor=staff, via=Interface.UI, owner_team=cart.owner_team, slug="fresh", name="Fresh"
    )


def test_an_orphan_is_no_longer_managed(imported, staff):
    from catalog import actions as catalog_actions

    location, _ = imported
    location.content = ""
    location.save()
    _run(location, staff)
    cart = catalog_actions.update_service(
        Service.objects.get(slug="cart"), actor=staff, via=Interface.UI, tier=1
    )
    assert cart.tier == 1


def test_a_location_that_removes_orphans_deletes_them_through_the_actions(imported, staff):
    location, _ = imported
    location.remove_orphans = True
    location.content = CATALOG.replace("  consumesApis: [cart-api]\n", "").split(
        "---\napiVersion: backstage.io/v1alpha1\nkind: API"
    )[0]  # cart-api and the template are gone
    location.save()
    run = _run(location, staff)
    assert (run.removed, run.orphaned) == (2, 0), _problems(run)
    assert not Api.objects.filter(slug="cart-api").exists()
    assert not Entity.objects.filter(
        ref__in=["api:default/cart-api", "template:default/python-service"]
    )
    assert ChangeRecord.objects.filter(action="delete", content_type__model="api").exists()


def test_a_refused_removal_leaves_the_orphan(imported, staff):
    location, _ = imported
    location.remove_orphans = True
    # cart goes, but till still depends on it: the service cannot be deleted
    location.content = CATALOG.replace(
        "kind: Component\nmetadata:\n  name: cart", "kind: Component\nmetadata:\n  name: cart-gone"
    )
    location.save()
    run = _run(location, staff)
    assert Service.objects.filter(slug="cart").exists()
    assert Entity.objects.get(ref="component:default/cart").orphaned_at is not None
    assert any("stays as an orphan" in m for m in _problems(run, ImportProblem.Level.WARNING))


def test_a_file_that_cannot_be_read_orphans_nothing(imported, staff):
    location, _ = imported
    location.content = "kind: [unclosed\n"
    location.save()
    run = _run(location, staff)
    assert run.orphaned == 0 and run.status == ImportRun.Status.SUCCEEDED
    assert not Entity.objects.filter(orphaned_at__isnull=False).exists()
    assert run.problems.filter(level=ImportProblem.Level.ERROR).exists()


def test_the_descriptor_scaffolding_writes_is_read_back_with_its_api(
    staff, team, settings, tmp_path
):
    """Keel's own ``keel/v1`` Service, as ``scaffolding.pipelines.descriptor`` writes it, with
    its API's definition read from the file it names."""
    import yaml

    from scaffolding.pipelines import descriptor
    from scaffolding.registry import get_template
    from tests.descriptors.test_git_checkout import hosted

    template = get_template("python-http-service")
    parameters = {"owner_team": "payments", "name": "Orders", "description": "Takes orders"}
    written = descriptor("orders", parameters, template, "http://127.0.0.1/git/orders.git")
    spec_path = template.provides_api["path"]
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    # the rendered template's specification, as scaffolding pushes it next to the descriptor
    spec = b"openapi: 3.0.3\ninfo: {title: Orders, version: 0.1.0}\npaths: {}\n"
    files = {"catalog-info.yaml": yaml.safe_dump(written).encode(), spec_path: spec}
    hosted("orders", files)
    location = actions.create_location(
        actor=staff, via=Interface.API, slug="orders-repo", name="orders",
        type=Location.Type.GIT, target="keel:orders",
    )  # fmt: skip
    run = _run(location, staff)
    assert run.refused == 0, _problems(run)
    orders = Service.objects.get(slug="orders")
    assert (orders.owner_team, orders.name, orders.description) == (team, "Orders", "Takes orders")
    assert orders.template == "" and orders.language == template.language
    api = Api.objects.get(slug="orders-api")
    assert api.provider == orders and api.versions.count() == 1
    assert Entity.objects.get(ref="service:default/orders").target_id == orders.pk


def test_what_is_kept_as_an_entity_only_has_its_history(imported):
    template = Entity.objects.get(ref="template:default/python-service")
    record = ChangeRecord.objects.get(content_type__model="entity", object_id=template.pk)
    assert (record.action, record.interface) == ("create", Interface.IMPORT)
    assert record.after["owner_team"] == "payments" and "descriptor" not in record.after
