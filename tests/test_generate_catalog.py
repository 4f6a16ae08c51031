"""The synthetic benchmark catalog: the requested size, and every model constraint kept."""

from collections import Counter

import pytest
from django.core.management import CommandError, call_command
from django.db.models import F

from catalog.demo.synthetic import PREFIX
from catalog.models import Api, ApiConsumption, ApiVersion, Dependency, Service
from catalog.spec_summaries import summarise
from catalog.specs import validate_spec
from teams.models import Team


@pytest.fixture
def generated(db):
    call_command("generate_catalog", services=50, dependencies=200, seed=7)


def test_the_catalog_has_the_requested_size(generated):
    assert Service.objects.count() == 50
    assert Dependency.objects.count() == 200
    assert Api.objects.count() == ApiVersion.objects.count() == 50 // 4
    assert ApiConsumption.objects.exists()
    for team in Team.objects.all():
        assert 5 <= team.memberships.count() <= 9
        assert team.memberships.filter(role="lead").count() == 1


def test_constraints_hold(generated):
    assert not Dependency.objects.filter(source=F("target_service")).exists()
    edges = Counter(Dependency.objects.values_list("source", "target_service"))
    assert max(edges.values()) == 1
    for consumption in ApiConsumption.objects.select_related("api"):
        assert consumption.consumer_id != consumption.api.provider_id
        assert Dependency.objects.filter(
            source=consumption.consumer_id, target_service=consumption.api.provider_id
        ).exists()
    for service in Service.objects.all():
        service.full_clean()
    for version in ApiVersion.objects.select_related("api"):
        parsed = validate_spec(version.api.type, version.spec)
        assert version.summary == summarise(version.api.type, parsed)


def test_a_few_services_are_depended_on_heavily(generated):
    fan_in = sorted(Counter(Dependency.objects.values_list("target_service", flat=True)).values())

    assert fan_in[-1] >= 5 * (sum(fan_in) / 50)


def test_the_same_seed_gives_the_same_catalog(generated):
    first = list(Dependency.objects.values_list("source__slug", "target_service__slug"))

    call_command("generate_catalog", services=50, dependencies=200, seed=7, clear=True)

    assert list(Dependency.objects.values_list("source__slug", "target_service__slug")) == first


def test_generating_again_needs_clear(generated):
    with pytest.raises(CommandError, match="--clear"):
        call_command("generate_catalog", services=50)


def test_clear_removes_only_generated_data(generated, service):
    call_command("generate_catalog", services=10, dependencies=20, clear=True)

    assert Service.objects.exclude(slug__startswith=PREFIX).get() == service
    assert Service.objects.filter(slug__startswith=PREFIX).count() == 10
