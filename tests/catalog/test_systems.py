"""Systems and business domains through the write layer: who may write them, what is refused
with which message, the history every write leaves, and what a deletion leaves behind."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from catalog import actions
from catalog.factories import ApiFactory, BusinessDomainFactory, ServiceFactory, SystemFactory
from catalog.models import BusinessDomain, System
from portal.audit import history_for
from portal.models import ChangeRecord
from teams.factories import TeamFactory

pytestmark = pytest.mark.django_db

A = ChangeRecord.Action


@pytest.fixture
def shop(team):
    return SystemFactory(slug="shop", name="Shop", owner_team=team)


@pytest.fixture
def commerce(team):
    return BusinessDomainFactory(slug="commerce", name="Commerce", owner_team=team)


# --- who may write --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("create", "model"),
    [(actions.create_system, System), (actions.create_business_domain, BusinessDomain)],
)
def test_a_member_creates_for_their_team_and_the_history_says_so(team, member, create, model):
    created = create(actor=member, via="ui", owner_team=team, slug="shop", name="Shop")

    (record,) = history_for(created)
    assert (record.actor, record.interface, record.action) == (member, "ui", A.CREATE)
    assert record.after["owner_team"] == "payments"
    assert model.objects.get().owner_team == team


@pytest.mark.parametrize("create", [actions.create_system, actions.create_business_domain])
def test_an_outsider_cannot_create_for_another_team_and_nothing_is_written(team, outsider, create):
    with pytest.raises(PermissionDenied, match="Only members of team payments"):
        create(actor=outsider, via="api", owner_team=team, slug="shop", name="Shop")
    assert not System.objects.exists() and not BusinessDomain.objects.exists()
    assert not ChangeRecord.objects.filter(action=A.CREATE, object_repr="Shop").exists()


@pytest.mark.parametrize("create", [actions.create_system, actions.create_business_domain])
def test_staff_create_for_any_team(team, staff, create):
    assert create(actor=staff, via="admin", owner_team=team, slug="shop", name="Shop").pk


def test_anonymous_is_asked_to_sign_in(team):
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied, match="Sign in first"):
        actions.create_system(
            actor=AnonymousUser(), via="api", owner_team=team, slug="shop", name="Shop"
        )


def test_only_the_owners_change_a_system_decided_on_the_stored_owner(shop, member, outsider):
    with pytest.raises(PermissionDenied, match="Only members of team payments .* system shop"):
        actions.update_system(shop, actor=outsider, via="api", name="Stolen")
    updated = actions.update_system(shop, actor=member, via="api", name="The shop")

    assert System.objects.get().name == updated.name == "The shop"
    update = history_for(shop).get(action=A.UPDATE)
    assert (update.before["name"], update.after["name"]) == ("Shop", "The shop")


def test_a_transfer_is_the_current_owners_and_recorded(shop, member, outsider):
    search = TeamFactory(slug="elsewhere")
    with pytest.raises(PermissionDenied):
        actions.transfer_system(shop, new_owner=search, actor=outsider, via="api")
    actions.transfer_system(shop, new_owner=search, actor=member, via="api")

    record = history_for(shop).get(action=A.TRANSFER)
    assert (record.before["owner_team"], record.after["owner_team"]) == ("payments", "elsewhere")
    with pytest.raises(PermissionDenied):  # the former owners no longer decide
        actions.update_system(shop, actor=member, via="api", name="Mine again")


def test_a_business_domain_is_changed_transferred_and_deleted_by_its_owners(
    commerce, member, outsider
):
    with pytest.raises(PermissionDenied):
        actions.delete_business_domain(commerce, actor=outsider, via="api")
    actions.update_business_domain(commerce, actor=member, via="api", description="Selling.")
    actions.transfer_business_domain(
        commerce, new_owner=TeamFactory(slug="sales"), actor=member, via="api"
    )

    assert [r.action for r in history_for(commerce)] == [A.TRANSFER, A.UPDATE, A.CREATE]


# --- what is refused, and how it is said ----------------------------------------------------


@pytest.mark.parametrize(
    ("create", "taken"),
    [(actions.create_system, "shop"), (actions.create_business_domain, "commerce")],
)
def test_bad_and_duplicate_slugs_and_missing_owners_are_refused_with_messages(
    team, member, shop, commerce, create, taken
):
    with pytest.raises(ValidationError) as bad:
        create(actor=member, via="api", owner_team=team, slug="Not a slug", name="X")
    with pytest.raises(ValidationError) as duplicate:
        create(actor=member, via="api", owner_team=team, slug=taken, name="X")
    with pytest.raises(ValidationError) as ownerless:
        create(actor=member, via="api", owner_team=None, slug="other", name="X")

    assert list(bad.value.message_dict) == ["slug"]
    assert duplicate.value.message_dict == {
        "slug": ["This slug is already taken (slugs are unique regardless of case)."]
    }
    assert list(ownerless.value.message_dict) == ["owner_team"]
    assert "needs an owning team" in ownerless.value.message_dict["owner_team"][0]
    assert System.objects.count() == BusinessDomain.objects.count() == 1


def test_slug_and_owner_do_not_change_in_an_update(shop, member):
    with pytest.raises(ValidationError) as error:
        actions.update_system(shop, actor=member, via="api", slug="store", owner_team=None)
    assert error.value.message_dict == {
        "slug": ["A slug never changes once created."],
        "owner_team": ["This field cannot be changed here."],
    }


def test_a_transfer_to_the_current_owner_is_refused(shop, member, team):
    with pytest.raises(ValidationError, match="shop is already owned by payments"):
        actions.transfer_system(shop, new_owner=team, actor=member, via="api")


# --- services and APIs in a system ------------------------------------------------------------


def test_a_service_and_an_api_join_a_system_of_another_team_by_their_own_owners(
    team, member, outsider
):
    """Backstage lets a component be part of another team's system; in Keel, as with a data
    domain, that is the service's owners' decision, not the system's."""
    theirs = SystemFactory(slug="search-system", owner_team=TeamFactory(slug="other"))
    service = ServiceFactory(slug="checkout", owner_team=team)
    api = ApiFactory(slug="checkout-api", provider=service)

    actions.update_service(service, actor=member, via="ui", system=theirs)
    actions.update_api(api, actor=member, via="ui", system=theirs)
    with pytest.raises(PermissionDenied):
        actions.update_service(service, actor=outsider, via="ui", system=None)

    assert list(theirs.services.all()) == [service] and list(theirs.apis.all()) == [api]
    record = history_for(service).get(action=A.UPDATE, object_repr=service.name)
    assert (record.before["system"], record.after["system"]) == (None, "search-system")


def test_deleting_a_system_leaves_its_services_and_apis_without_one_each_recorded(shop, member):
    service = ServiceFactory(slug="checkout", owner_team=shop.owner_team, system=shop)
    api = ApiFactory(slug="checkout-api", provider=service, system=shop)

    actions.delete_system(shop, actor=member, via="ui")

    service.refresh_from_db()
    api.refresh_from_db()
    assert (service.system, api.system) == (None, None)
    assert not System.objects.exists()
    for obj in (service, api):
        record = history_for(obj).get(action=A.UPDATE)
        assert (record.before["system"], record.after["system"]) == ("shop", None)
        assert (record.actor, record.interface) == (member, "ui")
    assert history_for(shop).filter(action=A.DELETE).count() == 1


def test_deleting_a_business_domain_leaves_its_systems_outside_any(commerce, shop, member):
    actions.update_system(shop, actor=member, via="api", business_domain=commerce)

    actions.delete_business_domain(commerce, actor=member, via="api")

    shop.refresh_from_db()
    assert shop.business_domain is None
    record = history_for(shop).filter(action=A.UPDATE).first()
    assert (record.before["business_domain"], record.after["business_domain"]) == (
        "commerce",
        None,
    )


def test_a_team_that_owns_a_system_is_not_deleted(lead, shop):
    from teams import actions as team_actions

    with pytest.raises(ValidationError, match="depend on it: Shop"):
        team_actions.delete_team(shop.owner_team, actor=lead, via="api")
