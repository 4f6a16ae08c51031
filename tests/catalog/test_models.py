"""The catalog's invariants: they hold on every write path, with messages a person can act on."""

import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

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
from portal.audit import system_actor
from portal.models import ChangeRecord
from teams.factories import TeamFactory

pytestmark = pytest.mark.django_db

VALID_SLUGS = ["ab", "checkout", "checkout-2", "a2fa", "a-b-c", "x" * 63, "a-" * 31 + "b"]
INVALID_SLUGS = [
    pytest.param("Checkout", id="uppercase"),
    pytest.param("check_out", id="underscore"),
    pytest.param("-checkout", id="leading-hyphen"),
    pytest.param("checkout-", id="trailing-hyphen"),
    pytest.param("x" * 64, id="64-chars"),
    pytest.param("", id="empty"),
    pytest.param("café", id="unicode"),
    pytest.param("ｃheckout", id="fullwidth-unicode"),
    pytest.param("check out", id="space"),
    pytest.param("checkout\n", id="trailing-newline"),
    pytest.param("check.out", id="dot"),
    pytest.param("a", id="one-letter"),
    pytest.param("0", id="digit"),
    pytest.param("2024", id="all-digits"),
    pytest.param("1abc", id="leading-digit"),
    pytest.param("a--b", id="double-hyphen"),
    pytest.param("con", id="windows-device"),
    pytest.param("lpt1", id="windows-printer"),
]

# Every slugged model, created through its action, with the field that holds its slug.
SLUGGED = {
    "service": ServiceFactory,
    "team": TeamFactory,
    "api": ApiFactory,
    "domain": DataDomainFactory,
    "resource": ResourceFactory,
}


def _messages(excinfo) -> dict:
    return excinfo.value.message_dict


# --- slugs ----------------------------------------------------------------------------------


@pytest.mark.parametrize("slug", VALID_SLUGS)
def test_dns_label_slugs_are_accepted(team, slug):
    service = ServiceFactory(slug=slug, owner_team=team)

    assert Service.objects.get(pk=service.pk).slug == slug


@pytest.mark.parametrize("slug", INVALID_SLUGS)
def test_slugs_that_are_not_dns_labels_are_refused_and_nothing_is_written(team, slug):
    records = ChangeRecord.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        ServiceFactory(slug=slug, name="Checkout", repository_url="", owner_team=team)

    assert list(_messages(excinfo)) == ["slug"]
    assert not Service.objects.exists()
    assert ChangeRecord.objects.count() == records


@pytest.mark.parametrize("slug", ["Checkout", "check_out", "-a", "a-", "x" * 64, "café"])
def test_invalid_slug_message_explains_the_dns_label_rule(team, slug):
    with pytest.raises(ValidationError) as excinfo:
        ServiceFactory(slug=slug, owner_team=team)

    assert any("DNS label" in m for m in _messages(excinfo)["slug"])


@pytest.mark.parametrize("kind", sorted(SLUGGED))
def test_every_slugged_model_refuses_an_invalid_slug(kind):
    with pytest.raises(ValidationError) as excinfo:
        SLUGGED[kind](slug="Not_A_Label")

    assert "slug" in _messages(excinfo)


@pytest.mark.parametrize("kind", sorted(SLUGGED))
def test_every_slugged_model_refuses_a_slug_taken_in_another_case(kind):
    # Given an object with a slug
    existing = SLUGGED[kind](slug="orders")
    model = type(existing)
    count = model.objects.count()

    # When another is created with the same slug
    with pytest.raises(ValidationError) as excinfo:
        SLUGGED[kind](slug="orders")

    # Then the slug field says why, and nothing was written
    assert _messages(excinfo)["slug"] == [
        "This slug is already taken (slugs are unique regardless of case)."
    ]
    assert model.objects.count() == count


def test_the_same_slug_may_name_objects_of_different_kinds(team):
    service = ServiceFactory(slug="payments", owner_team=team)

    assert service.slug == team.slug == "payments"


def test_database_refuses_a_slug_differing_only_in_case_on_update(team, service):
    other = ServiceFactory(slug="billing", owner_team=team)

    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=other.pk).update(slug="Checkout")

    assert Service.objects.get(pk=other.pk).slug == "billing"


def test_database_refuses_a_slug_differing_only_in_case_on_raw_create(team, service):
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(slug="CHECKOUT", name="Upper", owner_team=team)

    assert list(Service.objects.values_list("slug", flat=True)) == ["checkout"]


def test_model_validation_reports_a_case_insensitive_duplicate_on_the_slug_field(service):
    candidate = Service(slug="checkout", name="Copy", owner_team=service.owner_team)

    with pytest.raises(ValidationError) as excinfo:
        candidate.full_clean()

    assert "already taken" in _messages(excinfo)["slug"][0]


def test_validating_an_existing_object_does_not_count_itself_as_a_duplicate(service):
    Service.objects.get(pk=service.pk).full_clean()  # no error


# --- a slug never changes -------------------------------------------------------------------


def test_update_action_refuses_to_change_a_slug(service):
    records = ChangeRecord.objects.count()

    with pytest.raises(ValidationError) as excinfo:
        actions.update_service(service, actor=system_actor(), via="api", slug="checkout-v2")

    assert _messages(excinfo) == {"slug": ["A slug never changes once created."]}
    assert Service.objects.get(pk=service.pk).slug == "checkout"
    assert ChangeRecord.objects.count() == records


def test_full_clean_refuses_a_changed_slug_on_a_loaded_object(service):
    loaded = Service.objects.get(pk=service.pk)
    loaded.slug = "checkout-v2"

    with pytest.raises(ValidationError) as excinfo:
        loaded.full_clean()

    assert _messages(excinfo)["slug"] == ["A slug never changes once created."]


@pytest.mark.parametrize("kind", sorted(SLUGGED))
def test_full_clean_refuses_a_changed_slug_on_the_object_an_action_returned(kind):
    # The instance returned by a create action was never loaded from the database.
    obj = SLUGGED[kind](slug="first")
    obj.slug = "second"

    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()

    assert _messages(excinfo)["slug"] == ["A slug never changes once created."]


def test_full_clean_accepts_an_unchanged_slug_and_other_edits(service):
    loaded = Service.objects.get(pk=service.pk)
    loaded.name = "Checkout v2"

    loaded.full_clean()  # no error


# --- services and their owning team ---------------------------------------------------------


def test_a_service_cannot_be_created_without_an_owning_team():
    with pytest.raises(ValidationError) as excinfo:
        ServiceFactory(owner_team=None)

    assert "owner_team" in _messages(excinfo)
    assert not Service.objects.exists()


def test_a_signed_in_user_gets_a_validation_error_not_a_crash_without_an_owning_team(member):
    with pytest.raises(ValidationError) as excinfo:
        actions.create_service(actor=member, via="ui", owner_team=None, slug="x", name="X")

    assert "owner_team" in _messages(excinfo)


def test_the_database_refuses_a_service_without_owner(team):
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.create(slug="orphan", name="Orphan", owner_team=None)


def test_the_owning_team_is_not_changed_by_an_update_only_by_a_transfer(service):
    other = TeamFactory()

    with pytest.raises(ValidationError) as excinfo:
        actions.update_service(service, actor=system_actor(), via="ui", owner_team=other)

    assert _messages(excinfo) == {"owner_team": ["This field cannot be changed here."]}
    assert Service.objects.get(pk=service.pk).owner_team == service.owner_team


def test_a_team_owning_services_cannot_be_deleted_by_the_orm_either(service):
    with pytest.raises(ProtectedError), transaction.atomic():
        service.owner_team.delete()


@pytest.mark.parametrize("tier", [0, 5])
def test_tier_is_between_one_and_four(team, tier):
    with pytest.raises(ValidationError) as excinfo:
        ServiceFactory(owner_team=team, tier=tier)

    assert "tier" in _messages(excinfo)


def test_database_refuses_a_tier_out_of_range(service):
    with pytest.raises(IntegrityError), transaction.atomic():
        Service.objects.filter(pk=service.pk).update(tier=9)


def test_tags_are_normalised_and_invalid_tags_refused(team):
    service = ServiceFactory(owner_team=team, tags=["PCI", "payments", "pci "])
    assert sorted(service.tags.values_list("name", flat=True)) == ["payments", "pci"]

    with pytest.raises(ValidationError) as excinfo:
        ServiceFactory(owner_team=team, tags=["not a tag"])
    assert "tags" in _messages(excinfo)


# --- data domains and resources -------------------------------------------------------------


def test_a_data_domain_needs_an_owning_service():
    with pytest.raises(ValidationError) as excinfo:
        DataDomainFactory(owner_service=None)

    assert "owner_service" in _messages(excinfo)
    assert not DataDomain.objects.exists()


def test_a_signed_in_user_gets_a_validation_error_for_a_domain_without_owner(member):
    with pytest.raises(ValidationError) as excinfo:
        actions.create_domain(actor=member, via="ui", owner_service=None, slug="d", name="D")

    assert "owner_service" in _messages(excinfo)


def test_a_data_domain_has_exactly_one_owner_which_only_a_transfer_changes(service):
    domain = DataDomainFactory(owner_service=service)
    other = ServiceFactory(owner_team=service.owner_team)

    with pytest.raises(ValidationError):
        actions.update_domain(domain, actor=system_actor(), via="ui", owner_service=other)
    moved = actions.transfer_domain(domain, new_owner=other, actor=system_actor(), via="ui")

    assert DataDomain.objects.get(pk=domain.pk).owner_service == other == moved.owner_service
    assert list(other.owned_domains.all()) == [domain]
    assert not service.owned_domains.exists()


def test_transferring_a_domain_to_its_owner_is_refused(service):
    domain = DataDomainFactory(owner_service=service)

    with pytest.raises(ValidationError) as excinfo:
        actions.transfer_domain(domain, new_owner=service, actor=system_actor(), via="ui")

    assert "already owned by checkout" in _messages(excinfo)["owner_service"][0]


def test_a_resource_belongs_to_a_team_and_to_at_most_one_service_of_that_team(service):
    with pytest.raises(ValidationError) as excinfo:
        ResourceFactory(service=None)
    assert "owning team" in _messages(excinfo)["owner_team"][0]
    with pytest.raises(ValidationError) as excinfo:
        ResourceFactory(service=service, owner_team=TeamFactory())
    assert _messages(excinfo)["owner_team"] == [
        f"A resource of service checkout is owned by its team, {service.owner_team.slug}."
    ]
    shared = ResourceFactory(service=None, owner_team=service.owner_team)
    assert (shared.service, shared.owner_team) == (None, service.owner_team)

    resource = ResourceFactory(service=service)
    with pytest.raises(ValidationError) as excinfo:
        actions.update_resource(resource, actor=system_actor(), via="ui", service=ServiceFactory())
    assert _messages(excinfo) == {"service": ["This field cannot be changed here."]}
    assert Resource.objects.get(pk=resource.pk).service == service


# --- dependencies ---------------------------------------------------------------------------


def test_a_service_cannot_depend_on_itself(service):
    with pytest.raises(ValidationError) as excinfo:
        DependencyFactory(source=service, target_service=service)

    assert _messages(excinfo) == {"target_service": ["A service cannot depend on itself."]}
    assert not Dependency.objects.exists()


def test_the_database_refuses_a_self_dependency(service):
    with pytest.raises(IntegrityError), transaction.atomic():
        Dependency.objects.create(source=service, target_service=service)


def test_a_duplicate_service_edge_is_refused(team):
    a, b = ServiceFactory(owner_team=team), ServiceFactory(owner_team=team)
    DependencyFactory(source=a, target_service=b)

    with pytest.raises(ValidationError) as excinfo:
        DependencyFactory(source=a, target_service=b, kind=Dependency.Kind.ASYNC)

    assert _messages(excinfo) == {"target_service": ["This dependency already exists."]}
    assert Dependency.objects.count() == 1


def test_a_duplicate_resource_edge_is_refused(team):
    a = ServiceFactory(owner_team=team)
    db = ResourceFactory(service=ServiceFactory(owner_team=team))
    DependencyFactory(source=a, target_service=None, target_resource=db)

    with pytest.raises(ValidationError) as excinfo:
        DependencyFactory(source=a, target_service=None, target_resource=db)

    assert _messages(excinfo) == {"target_resource": ["This dependency already exists."]}
    assert Dependency.objects.count() == 1


def test_the_database_refuses_duplicate_edges(team):
    a, b = ServiceFactory(owner_team=team), ServiceFactory(owner_team=team)
    db = ResourceFactory(service=b)
    Dependency.objects.create(source=a, target_service=b)
    Dependency.objects.create(source=a, target_resource=db)

    with pytest.raises(IntegrityError), transaction.atomic():
        Dependency.objects.create(source=a, target_service=b)
    with pytest.raises(IntegrityError), transaction.atomic():
        Dependency.objects.create(source=a, target_resource=db)


def test_the_same_source_may_depend_on_a_service_and_on_its_resource(team):
    a, b = ServiceFactory(owner_team=team), ServiceFactory(owner_team=team)
    db = ResourceFactory(service=b)

    DependencyFactory(source=a, target_service=b)
    DependencyFactory(source=a, target_service=None, target_resource=db)

    assert Dependency.objects.filter(source=a).count() == 2


@pytest.mark.parametrize("targets", ["none", "both"])
def test_a_dependency_has_exactly_one_target(team, targets):
    a, b = ServiceFactory(owner_team=team), ServiceFactory(owner_team=team)
    db = ResourceFactory(service=b)
    fields = (
        {"target_service": None, "target_resource": None}
        if targets == "none"
        else {"target_service": b, "target_resource": db}
    )

    with pytest.raises(ValidationError) as excinfo:
        DependencyFactory(source=a, **fields)

    assert "exactly one service or one resource" in _messages(excinfo)["target_service"][0]
    assert not Dependency.objects.exists()


def test_the_database_refuses_a_dependency_with_two_targets(team):
    a, b = ServiceFactory(owner_team=team), ServiceFactory(owner_team=team)
    db = ResourceFactory(service=b)

    with pytest.raises(IntegrityError), transaction.atomic():
        Dependency.objects.create(source=a, target_service=b, target_resource=db)


def test_cycles_are_allowed(team):
    a, b, c = (ServiceFactory(owner_team=team) for _ in range(3))

    DependencyFactory(source=a, target_service=b)
    DependencyFactory(source=b, target_service=a)
    DependencyFactory(source=b, target_service=c)
    DependencyFactory(source=c, target_service=a)

    assert Dependency.objects.count() == 4


# --- API consumption ------------------------------------------------------------------------


def test_a_service_does_not_consume_its_own_api(service):
    api = ApiFactory(provider=service)

    with pytest.raises(ValidationError) as excinfo:
        ApiConsumptionFactory(consumer=service, api=api)

    assert _messages(excinfo) == {"api": ["A service does not consume its own API."]}
    assert not ApiConsumption.objects.exists()
    assert not Dependency.objects.exists()


def test_a_duplicate_consumption_is_refused(team, service):
    api = ApiFactory(provider=service)
    web = ServiceFactory(owner_team=team)
    ApiConsumptionFactory(consumer=web, api=api)

    with pytest.raises(ValidationError) as excinfo:
        ApiConsumptionFactory(consumer=web, api=api, version_requirement=">=2")

    assert _messages(excinfo) == {"api": ["This service already consumes this API."]}
    assert ApiConsumption.objects.count() == 1
    assert Dependency.objects.count() == 1


# --- API versions ---------------------------------------------------------------------------


def test_publishing_a_version_stores_the_sha256_digest_of_the_spec(service):
    version = ApiVersionFactory(api=ApiFactory(provider=service), version="1.0.0")

    stored = ApiVersion.objects.get(pk=version.pk)
    assert stored.digest == hashlib.sha256(stored.spec.encode()).hexdigest()
    assert len(stored.digest) == 64


def test_a_version_cannot_be_published_twice(service):
    api = ApiFactory(provider=service)
    ApiVersionFactory(api=api, version="1.0.0")

    with pytest.raises(ValidationError) as excinfo:
        ApiVersionFactory(api=api, version="1.0.0")

    assert _messages(excinfo) == {
        "version": ["This version is already published; publish a new version instead."]
    }
    assert api.versions.count() == 1


def test_the_same_version_number_may_exist_on_two_apis(service):
    ApiVersionFactory(api=ApiFactory(provider=service), version="1.0.0")
    ApiVersionFactory(api=ApiFactory(provider=service), version="1.0.0")

    assert ApiVersion.objects.filter(version="1.0.0").count() == 2


@pytest.mark.parametrize("version", ["", "1 0", "../etc", "-1", "v" * 51])
def test_version_labels_use_a_url_safe_alphabet(service, version):
    with pytest.raises(ValidationError) as excinfo:
        ApiVersionFactory(api=ApiFactory(provider=service), version=version)

    assert "version" in _messages(excinfo)


def test_an_api_type_must_be_known(service):
    with pytest.raises(ValidationError) as excinfo:
        ApiFactory(provider=service, type="soap")

    assert "type" in _messages(excinfo)
    assert not Api.objects.exists()
