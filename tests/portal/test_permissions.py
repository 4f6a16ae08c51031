"""One permission path: who may view, change, delete, contribute to and manage what.

Every ownable kind is checked for the allowed (owning team's members, staff), the forbidden
(anonymous, inactive) and the out-of-scope (a member of another team), through ``can``,
``require`` with its message, ``restrict``, and the actions that rely on them.
"""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from catalog import actions
from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    DataDomainFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    DataDomain,
    Dependency,
    Resource,
    Service,
)
from portal import permissions
from portal.audit import history_for
from portal.factories import UserFactory
from portal.models import ChangeRecord
from teams.factories import MembershipFactory, TeamFactory
from teams.models import Membership, Team

pytestmark = pytest.mark.django_db

CHANGE, DELETE, VIEW = permissions.CHANGE, permissions.DELETE, permissions.VIEW
CONTRIBUTE, MANAGE = permissions.CONTRIBUTE, permissions.MANAGE


def _deactivated(person):
    """Someone who joined a team and has left the company since."""
    person.is_active = False
    person.save(update_fields=["is_active"])
    return person


def _build_world() -> dict:
    """One object of every ownable kind owned by team payments, the same kinds owned by team
    search (to tell "mine" from "everything"), and a user in every position."""
    user = lambda name, **kw: UserFactory(username=name, password="!", **kw)  # noqa: E731
    team, search = TeamFactory(slug="payments"), TeamFactory(slug="search")
    people = {
        "lead": MembershipFactory(team=team, user=user("lead"), role=Membership.Role.LEAD).user,
        "member": MembershipFactory(team=team, user=user("member")).user,
        "inactive": _deactivated(MembershipFactory(team=team, user=user("inactive")).user),
        "outsider": MembershipFactory(team=search, user=user("outsider")).user,
        "staff": user("staff", is_staff=True),
    }
    service = ServiceFactory(slug="checkout", name="Checkout", owner_team=team)
    web = ServiceFactory(slug="web", owner_team=TeamFactory(slug="web-team"))
    # GraphQL contracts: their specs validate in a fraction of an OpenAPI document's time
    api = ApiFactory(provider=service, slug="orders-api", type=Api.Type.GRAPHQL)
    objects = {
        "service": service,
        "api": api,
        "api version": ApiVersionFactory(api=api, spec=SDL),
        "resource": ResourceFactory(service=service, slug="checkout-db"),
        "dependency": DependencyFactory(source=service, target_service=web),
        "consumption": ApiConsumptionFactory(consumer=service, api=ApiFactory(provider=web)),
        "domain": DataDomainFactory(owner_service=service, slug="orders"),
    }
    theirs = ServiceFactory(slug="search-svc", owner_team=search)
    their_api = ApiFactory(provider=theirs, type=Api.Type.GRAPHQL)
    ApiVersionFactory(api=their_api, spec=SDL)
    ResourceFactory(service=theirs)
    DependencyFactory(source=theirs, target_service=service)
    DataDomainFactory(owner_service=theirs)
    ApiConsumptionFactory(consumer=theirs, api=api)
    return {
        "objects": {kind: obj.pk for kind, obj in objects.items()},
        "people": {name: person.pk for name, person in people.items()},
    }


@pytest.fixture(scope="module")
def _world_pks(django_db_setup, django_db_blocker):
    """Built once for the module, inside a transaction rolled back at its end; each test
    runs in its own savepoint on top, so what one test writes the next never sees."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(db, _world_pks):
    """Fresh instances of the module's objects and actors for one test."""
    objects = {kind: MODELS[kind].objects.get(pk=pk) for kind, pk in _world_pks["objects"].items()}
    User = get_user_model()  # noqa: N806
    actors = {name: User.objects.get(pk=pk) for name, pk in _world_pks["people"].items()}
    return objects, {**actors, "anonymous": AnonymousUser(), "none": None}


@pytest.fixture
def team(world):
    return Team.objects.get(slug="payments")


@pytest.fixture
def lead(world):
    return world[1]["lead"]


@pytest.fixture
def member(world):
    return world[1]["member"]


@pytest.fixture
def outsider(world):
    return world[1]["outsider"]


@pytest.fixture
def staff(world):
    return world[1]["staff"]


SDL = "type Query { order(id: ID!): String }"
KINDS = ["service", "api", "api version", "resource", "dependency", "consumption", "domain"]
ALLOWED = ["lead", "member", "staff"]
FORBIDDEN = ["outsider", "inactive", "anonymous", "none"]


# --- can ------------------------------------------------------------------------------------


@pytest.mark.parametrize("action", [CHANGE, DELETE])
@pytest.mark.parametrize("kind", KINDS)
def test_the_owning_team_and_staff_may_change_and_delete(world, kind, action):
    objects, actors = world

    allowed = {
        name for name, actor in actors.items() if permissions.can(actor, action, objects[kind])
    }

    assert allowed == set(ALLOWED)


@pytest.mark.parametrize("kind", KINDS)
def test_every_active_user_may_view_and_nobody_else(world, kind):
    objects, actors = world

    allowed = {
        name for name, actor in actors.items() if permissions.can(actor, VIEW, objects[kind])
    }

    assert allowed == {"lead", "member", "staff", "outsider"}


def test_owning_team_is_followed_along_the_declared_path(world, team):
    objects, _ = world

    assert {kind: permissions.owning_team(obj) for kind, obj in objects.items()} == {
        kind: team for kind in objects
    }
    assert permissions.owning_team(team) == team


@pytest.mark.parametrize(
    ("action", "expected"),
    [
        (CONTRIBUTE, {"lead", "member", "staff"}),
        (MANAGE, {"lead", "staff"}),
        (CHANGE, {"lead", "staff"}),
        (DELETE, {"lead", "staff"}),
        (VIEW, {"lead", "member", "staff", "outsider"}),
    ],
)
def test_on_a_team_members_contribute_and_only_leads_manage(world, team, action, expected):
    _, actors = world

    allowed = {name for name, actor in actors.items() if permissions.can(actor, action, team)}

    assert allowed == expected


def test_membership_of_one_team_gives_nothing_in_another(world, member):
    objects, _ = world
    theirs = Service.objects.get(slug="search-svc")

    assert permissions.can(member, CHANGE, objects["service"])
    assert not permissions.can(member, CHANGE, theirs)
    assert not permissions.can(member, CONTRIBUTE, theirs.owner_team)


# --- require and its messages ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("service", "Only members of team payments (or staff) may change service checkout."),
        ("api", "Only members of team payments (or staff) may change api orders-api."),
        ("resource", "Only members of team payments (or staff) may change resource checkout-db."),
        ("domain", "Only members of team payments (or staff) may change data domain orders."),
        (
            "api version",
            "Only members of team payments (or staff) may change api version orders-api 1.0.0.",
        ),
    ],
)
def test_a_refusal_says_who_may_act(world, kind, expected):
    objects, actors = world

    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require(actors["outsider"], CHANGE, objects[kind])

    assert str(excinfo.value) == expected


def test_a_refusal_on_a_team_says_only_leads_may_manage_it(world, team):
    _, actors = world

    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require(actors["member"], CHANGE, team)

    assert str(excinfo.value) == "Only leads of team payments (or staff) may change team payments."


@pytest.mark.parametrize("who", ["anonymous", "none", "inactive"])
def test_signed_out_and_inactive_users_are_asked_to_sign_in(world, who):
    objects, actors = world

    with pytest.raises(PermissionDenied) as excinfo:
        permissions.require(actors[who], CHANGE, objects["service"])

    assert str(excinfo.value) == "Sign in first."


@pytest.mark.parametrize("who", ALLOWED)
def test_require_lets_the_allowed_through(world, who):
    objects, actors = world

    for obj in objects.values():
        permissions.require(actors[who], CHANGE, obj)  # no error


# --- actions enforce it ---------------------------------------------------------------------


def _change(kind, obj):
    """The change action of each kind, ready to run as an actor (publishing a version is
    the change of an API; adding a consumption is a change of the consumer)."""
    if kind == "service":
        return lambda actor: actions.update_service(obj, actor=actor, via="ui", tier=1)
    if kind == "api":
        return lambda actor: actions.update_api(obj, actor=actor, via="ui", lifecycle="production")
    if kind == "api version":
        return lambda actor: actions.publish_api_version(
            obj.api, actor=actor, via="ui", version="2.0.0", spec=SDL
        )
    if kind == "resource":
        return lambda actor: actions.update_resource(obj, actor=actor, via="ui", kind="cache")
    if kind == "dependency":
        return lambda actor: actions.update_dependency(
            obj, actor=actor, via="ui", criticality="high"
        )
    if kind == "consumption":
        other = ApiFactory(provider=obj.api.provider)
        return lambda actor: actions.add_consumption(
            actor=actor, via="ui", consumer=obj.consumer, api=other
        )
    if kind == "domain":
        return lambda actor: actions.update_domain(obj, actor=actor, via="ui", name="Ledger")
    raise AssertionError(kind)


def _delete(kind, obj, actor):
    if kind == "service":
        # only the service's own things hold on to it in this world: release them first
        for domain in obj.owned_domains.all():
            DataDomain.objects.filter(pk=domain.pk).delete()
        Dependency.objects.filter(target_service=obj).delete()
        ApiConsumption.objects.filter(api__provider=obj).delete()
        Dependency.objects.filter(target_resource__service=obj).delete()
        return actions.delete_service(obj, actor=actor, via="ui")
    if kind == "api":
        ApiConsumption.objects.filter(api=obj).delete()
        return actions.delete_api(obj, actor=actor, via="ui")
    if kind == "resource":
        Dependency.objects.filter(target_resource=obj).delete()
        return actions.delete_resource(obj, actor=actor, via="ui")
    if kind == "dependency":
        # a consumption implies this edge: it goes first
        ApiConsumption.objects.filter(consumer=obj.source, api__provider=obj.target).delete()
        return actions.remove_dependency(obj, actor=actor, via="ui")
    if kind == "consumption":
        return actions.remove_consumption(obj, actor=actor, via="ui")
    if kind == "domain":
        return actions.delete_domain(obj, actor=actor, via="ui")
    raise AssertionError(kind)


MODELS = {
    "service": Service,
    "api": Api,
    "api version": ApiVersion,
    "resource": Resource,
    "dependency": Dependency,
    "consumption": ApiConsumption,
    "domain": DataDomain,
}


@pytest.mark.parametrize("kind", KINDS)
def test_change_actions_refuse_the_forbidden_and_write_nothing(world, kind):
    objects, actors = world
    attempt = _change(kind, objects[kind])
    records = ChangeRecord.objects.count()
    rows = MODELS[kind].objects.count()

    for who in FORBIDDEN:
        with pytest.raises(PermissionDenied):
            attempt(actors[who])

    assert ChangeRecord.objects.count() == records
    assert MODELS[kind].objects.count() == rows


@pytest.mark.parametrize("who", ["member", "staff"])
@pytest.mark.parametrize("kind", KINDS)
def test_change_actions_let_the_allowed_through_and_record_them(world, kind, who):
    objects, actors = world

    result = _change(kind, objects[kind])(actors[who])

    record = history_for(result).first()
    assert record.actor == actors[who]
    assert record.action in {"create", "update", "publish"}


@pytest.mark.parametrize("kind", [k for k in KINDS if k != "api version"])
def test_delete_actions_refuse_the_forbidden(world, kind):
    objects, actors = world
    obj = objects[kind]

    for who in FORBIDDEN:
        with pytest.raises(PermissionDenied):
            _delete(kind, obj, actors[who])

    assert MODELS[kind].objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("who", ["member", "staff"])
@pytest.mark.parametrize("kind", [k for k in KINDS if k != "api version"])
def test_delete_actions_let_the_allowed_through(world, kind, who):
    objects, actors = world
    obj = objects[kind]

    _delete(kind, obj, actors[who])

    assert not MODELS[kind].objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("who", ["outsider", "inactive", "anonymous"])
def test_only_members_may_create_a_service_for_a_team(world, team, who):
    _, actors = world

    with pytest.raises(PermissionDenied):
        actions.create_service(actor=actors[who], via="ui", owner_team=team, slug="new", name="N")

    assert not Service.objects.filter(slug="new").exists()


@pytest.mark.parametrize("who", ["lead", "member", "staff"])
def test_members_and_staff_may_create_a_service_for_a_team(world, team, who):
    _, actors = world

    service = actions.create_service(
        actor=actors[who], via="ui", owner_team=team, slug="new", name="N"
    )

    assert service.owner_team == team


def test_consuming_another_teams_api_needs_only_the_consumer_side(world, member):
    # The consumer's team decides what it calls; the provider is not asked.
    objects, _ = world
    their_api = Api.objects.get(provider__slug="search-svc")

    consumption = actions.add_consumption(
        actor=member, via="ui", consumer=objects["service"], api=their_api
    )

    assert consumption.api == their_api


def test_transfer_is_decided_by_the_current_owners(world, outsider, member):
    objects, _ = world
    search = outsider.teams.get()

    with pytest.raises(PermissionDenied):
        actions.transfer_service(objects["service"], new_owner=search, actor=outsider, via="ui")
    actions.transfer_service(objects["service"], new_owner=search, actor=member, via="ui")

    assert Service.objects.get(pk=objects["service"].pk).owner_team == search


# --- restrict -------------------------------------------------------------------------------


@pytest.mark.parametrize("action", [VIEW, CHANGE, DELETE, CONTRIBUTE, MANAGE])
def test_restrict_agrees_with_can_for_every_kind_and_user(world, action):
    _, actors = world
    disagreements = []

    for model in [*MODELS.values(), Team]:
        for who, actor in actors.items():
            restricted = [o.pk for o in permissions.restrict(model.objects.all(), actor, action)]
            allowed = [o.pk for o in model.objects.all() if permissions.can(actor, action, o)]
            if sorted(restricted) != sorted(allowed):
                disagreements.append((model.__name__, who))
            assert len(restricted) == len(set(restricted)), "no duplicates from the join"

    assert disagreements == []


def test_restrict_gives_members_their_own_teams_services_to_change(world, member, outsider, staff):
    qs = Service.objects.all()

    assert set(permissions.restrict(qs, member, CHANGE).values_list("slug", flat=True)) == {
        "checkout"
    }
    assert set(permissions.restrict(qs, outsider, CHANGE).values_list("slug", flat=True)) == {
        "search-svc"
    }
    assert permissions.restrict(qs, staff, CHANGE).count() == qs.count() == 3
    assert permissions.restrict(qs, member, VIEW).count() == 3
    assert not permissions.restrict(qs, AnonymousUser(), VIEW).exists()
    assert not permissions.restrict(qs, None, VIEW).exists()


def test_restrict_gives_leads_their_teams_to_manage(world, team, lead, member):
    assert list(permissions.restrict(Team.objects.all(), lead, MANAGE)) == [team]
    assert list(permissions.restrict(Team.objects.all(), member, MANAGE)) == []
    assert list(permissions.restrict(Team.objects.all(), member, CONTRIBUTE)) == [team]


def test_restrict_does_not_repeat_a_team_for_a_user_in_it_twice_over(world, team, member):
    second = MembershipFactory(team=team, role=Membership.Role.LEAD).user

    assert permissions.restrict(Service.objects.all(), second, CHANGE).count() == 1
    assert permissions.restrict(Team.objects.all(), member, VIEW).count() == Team.objects.count()


# --- one rule for staff: the admin asks the same rules (portal.backends) ---------------------

PERMS = {VIEW: "view", CHANGE: "change", DELETE: "delete"}


@pytest.mark.parametrize("action", [VIEW, CHANGE, DELETE])
def test_djangos_has_perm_on_an_object_is_can(world, action):
    objects, actors = world
    disagreements = [
        (kind, who)
        for kind, obj in objects.items()
        for who, actor in actors.items()
        if actor is not None
        if actor.has_perm(f"{obj._meta.app_label}.{PERMS[action]}_{obj._meta.model_name}", obj)
        != permissions.can(actor, action, obj)
    ]
    assert disagreements == []


def test_a_model_permission_granted_in_the_admin_gives_no_right_the_rules_do_not(world, outsider):
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="change_service"))
    outsider = get_user_model().objects.get(pk=outsider.pk)  # permissions are cached per user
    checkout = world[0]["service"]

    assert not outsider.has_perm("catalog.change_service")
    assert not outsider.has_perm("catalog.change_service", checkout)
    assert not permissions.can(outsider, CHANGE, checkout)


def test_staff_administer_keels_records_in_the_admin_as_in_rest(world, staff, client):
    checkout = world[0]["service"]
    client.force_login(staff)  # staff, with no Django model permission at all

    assert not staff.user_permissions.exists()
    assert client.get(f"/admin/catalog/service/{checkout.pk}/change/").status_code == 200
    assert client.get("/admin/teams/team/add/").status_code == 200
    assert permissions.can(staff, CHANGE, checkout)


def test_accounts_stay_with_djangos_permissions_so_staff_cannot_grant_themselves_more(
    world, staff, client
):
    client.force_login(staff)

    assert client.get("/admin/auth/user/").status_code == 403
    assert client.get(f"/admin/auth/user/{staff.pk}/change/").status_code == 403
    assert not staff.has_perm("auth.change_user")


def test_superusers_administer_keel_like_staff(world):
    root = UserFactory(username="root", is_superuser=True)  # not staff: no admin sign-in
    checkout = world[0]["service"]

    assert permissions.administers(root)
    assert permissions.can(root, CHANGE, checkout)
    assert permissions.restrict(Team.objects.all(), root, MANAGE).count() == Team.objects.count()


# --- scaffolding asks the same rules ----------------------------------------------------------


def test_the_teams_one_may_create_services_for_are_those_one_may_contribute_to(world):
    from scaffolding.actions import teams_for

    _, actors = world
    root = UserFactory(username="root", is_superuser=True)
    for actor in [*actors.values(), root]:
        allowed = permissions.restrict(Team.objects.all(), actor, CONTRIBUTE)
        assert teams_for(actor) == sorted(allowed.values_list("slug", flat=True))
    assert teams_for(actors["member"]) == ["payments"]
    assert len(teams_for(root)) == Team.objects.count()
