"""Every publish is diffed once; a breaking change needs a major version; a breaking version
reaches its consumers only once they are ready (acknowledged, range moved, or a sunset)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from catalog import actions as catalog_actions
from catalog.factories import ApiConsumptionFactory, ServiceFactory
from catalog.models import Api
from contracts import actions
from contracts.gate import current_of
from contracts.models import BreakingRelease, ConsumerImpact, ContractPolicy, VersionDiff
from portal.audit import history_for
from portal.models import ChangeRecord, Interface
from teams.factories import MembershipFactory, TeamFactory

from .conftest import SDL_ADDITIVE, SDL_BREAKING, SDL_V1

VIA = Interface.API


def publish(api, actor, version, spec):
    return catalog_actions.publish_api_version(
        api, actor=actor, via=VIA, version=version, spec=spec
    )


def current(api) -> str:
    return Api.objects.get(pk=api.pk).current_version


def test_every_publish_stores_its_diff_against_the_version_before(api, member):
    first = api.versions.get()
    assert (first.diff.base_version, first.diff.verdict) == ("", "first")
    second = publish(api, member, "2.0.0", SDL_BREAKING)
    diff = VersionDiff.objects.get(version=second)
    assert (diff.base_version, diff.verdict, diff.bump, diff.breaking_count) == (
        "1.0.0", "breaking", "major", 2,
    )  # fmt: skip
    breaking = {c["location"] for c in diff.changes if c["level"] == "breaking"}
    assert breaking == {"Query.pet", "Pet.tag"}
    assert all(c["rule"].startswith("graphql.") and c["message"] for c in diff.changes)
    assert current(api) == "2.0.0"  # no consumer waits


def test_a_breaking_change_without_a_major_version_is_refused_and_says_what_to_do(api, member):
    with pytest.raises(ValidationError) as refused:
        publish(api, member, "1.1.0", SDL_BREAKING)
    message = refused.value.message_dict["version"][0]
    assert "2 breaking changes from 1.0.0" in message and "Query.pet was removed" in message
    assert "Publish it as 2.0.0" in message
    assert api.versions.count() == 1 and VersionDiff.objects.count() == 1


def test_a_label_that_is_no_version_cannot_carry_a_breaking_change(api, member):
    with pytest.raises(ValidationError, match="not a semantic version"):
        publish(api, member, "next", SDL_BREAKING)


def test_below_one_the_minor_number_is_the_breaking_one(provider, member):
    api = catalog_actions.create_api(
        actor=member, via=VIA, provider=provider, slug="beta", name="Beta", type="graphql"
    )
    publish(api, member, "0.2.0", SDL_V1)
    with pytest.raises(ValidationError):
        publish(api, member, "0.2.1", SDL_BREAKING)
    assert publish(api, member, "v0.3", SDL_BREAKING).diff.bump == "major"


def test_under_a_warning_policy_it_is_published_and_noted(api, member):
    actions.set_contract_policy(api, semver="warn", actor=member, via=VIA)
    version = publish(api, member, "1.1.0", SDL_BREAKING)
    assert version.diff.policy == "warn"
    assert "Published although the policy warns" in version.diff.notes[0]


def test_the_default_policy_follows_the_providers_tier(api, member, team):
    low = ServiceFactory(slug="low", owner_team=team, tier=3)
    other = catalog_actions.create_api(
        actor=member, via=VIA, provider=low, slug="low-api", name="Low", type="graphql"
    )
    publish(other, member, "1.0.0", SDL_V1)
    assert publish(other, member, "1.0.1", SDL_BREAKING).diff.policy == "warn"
    with pytest.raises(ValidationError):
        publish(api, member, "1.0.1", SDL_BREAKING)  # tier 2: enforced


def test_a_major_version_without_breaking_changes_is_allowed_and_noted(api, member):
    version = publish(api, member, "2.0.0", SDL_ADDITIVE)
    assert "no breaking change from 1.0.0" in version.diff.notes[0]
    assert current(api) == "2.0.0"


def test_a_fix_to_an_old_major_is_compared_with_that_major(api, member):
    publish(api, member, "2.0.0", SDL_BREAKING)
    backport = publish(api, member, "1.0.1", SDL_ADDITIVE)
    assert backport.diff.base_version == "1.0.0" and not backport.diff.breaking_count
    assert current(api) == "2.0.0"  # current never moves backwards


# --- the gate ---------------------------------------------------------------------------------


@pytest.fixture
def search_team(db):
    return TeamFactory(slug="search-team")


@pytest.fixture
def search_member(search_team):
    return MembershipFactory(team=search_team).user


@pytest.fixture
def consumers(api, shop_consumes, search_team):
    search = ServiceFactory(slug="search-web", owner_team=search_team)
    wide = ServiceFactory(slug="wide", owner_team=search_team)
    return {
        "shop": shop_consumes,
        "search": ApiConsumptionFactory(consumer=search, api=api, version_requirement=""),
        "wide": ApiConsumptionFactory(consumer=wide, api=api, version_requirement=">=1"),
    }


def test_a_breaking_version_lists_every_consumer_and_waits_for_the_affected(api, member, consumers):
    publish(api, member, "2.0.0", SDL_BREAKING)
    release = BreakingRelease.objects.get()
    impacts = {
        i.consumer_slug: (i.version_requirement, i.includes_version) for i in release.impacts.all()
    }
    assert impacts == {"shop-web": ("^1.0", False), "search-web": ("", None), "wide": (">=1", True)}
    assert release.state == "open" and current(api) == "1.0.0"
    # a later non-breaking version of the new major waits with it
    publish(api, member, "2.1.0", SDL_ADDITIVE)
    assert current(api) == "1.0.0"
    # a fix of the old major reaches consumers at once
    publish(api, member, "1.0.1", SDL_ADDITIVE)
    assert current(api) == "1.0.1"


def test_current_moves_when_every_affected_team_has_acknowledged(
    api, member, consumers, shop_member, search_member
):
    publish(api, member, "2.0.0", SDL_BREAKING)
    publish(api, member, "2.1.0", SDL_ADDITIVE)
    shop, search = (
        ConsumerImpact.objects.get(consumption=consumers[k]) for k in ("shop", "search")
    )
    actions.acknowledge_breaking_version(shop, actor=shop_member, via=VIA)
    assert current(api) == "1.0.0"
    actions.acknowledge_breaking_version(search, actor=search_member, via=VIA)
    release = BreakingRelease.objects.get()
    assert (release.state, release.released_because) == ("released", "ready")
    assert current(api) == "2.1.0"
    records = history_for(api).filter(action=ChangeRecord.Action.UPDATE)
    assert any(r.after.get("current_version") == "2.1.0" for r in records)
    acknowledged = ChangeRecord.objects.filter(after__acknowledged_by=search_member.username)
    assert acknowledged.get().object_id == search.pk
    with pytest.raises(ValidationError, match="already"):
        actions.acknowledge_breaking_version(search, actor=search_member, via=VIA)


def test_only_the_consumers_team_acknowledges_decided_on_the_locked_row(
    api, member, shop_consumes, shop_member, outsider, shop
):
    publish(api, member, "2.0.0", SDL_BREAKING)
    impact = ConsumerImpact.objects.get()
    for stranger in (outsider, member):  # another team, and the provider's own team
        with pytest.raises(PermissionDenied):
            actions.acknowledge_breaking_version(impact, actor=stranger, via=VIA)
    # the service moves to another team after the impact was read: its old team may not
    catalog_actions.transfer_service(
        shop, new_owner=TeamFactory(slug="new-owners"), actor=shop_member, via=VIA
    )
    with pytest.raises(PermissionDenied):
        actions.acknowledge_breaking_version(impact, actor=shop_member, via=VIA)
    assert ConsumerImpact.objects.get().acknowledged_at is None and current(api) == "1.0.0"


def test_a_consumer_that_moves_its_range_releases_the_version(
    api, member, shop_consumes, shop_member
):
    publish(api, member, "2.0.0", SDL_BREAKING)
    catalog_actions.update_consumption(
        shop_consumes, actor=shop_member, via=VIA, version_requirement="^1.0 || ^2.0"
    )
    assert ConsumerImpact.objects.get().includes_version is True
    assert BreakingRelease.objects.get().released_because == "ready"
    assert current(api) == "2.0.0"


def test_a_consumer_that_stops_consuming_holds_nothing_back(
    api, member, shop_consumes, shop_member
):
    publish(api, member, "2.0.0", SDL_BREAKING)
    catalog_actions.remove_consumption(shop_consumes, actor=shop_member, via=VIA)
    assert ConsumerImpact.objects.get().consumption is None
    assert current(api) == "2.0.0"


def test_a_deleted_consumer_holds_nothing_back(api, member, shop_consumes, shop_member, shop):
    publish(api, member, "2.0.0", SDL_BREAKING)
    catalog_actions.delete_service(shop, actor=shop_member, via=VIA)
    impact = ConsumerImpact.objects.get()
    assert impact.consumption is None
    assert current(api) == "2.0.0"
    # the impact's change is in the history too, by the person who deleted the service
    record = history_for(impact).get(action=ChangeRecord.Action.UPDATE)
    assert record.actor == shop_member and record.after["consumption"] is None


def test_a_consumer_that_changes_its_range_is_recorded_on_the_impact(
    api, member, shop_consumes, shop_member
):
    publish(api, member, "2.0.0", SDL_BREAKING)
    catalog_actions.update_consumption(
        shop_consumes, actor=shop_member, via=VIA, version_requirement="^1.0 || ^2.0"
    )
    impact = ConsumerImpact.objects.get()
    record = history_for(impact).get(action=ChangeRecord.Action.UPDATE)
    assert record.after["version_requirement"] == "^1.0 || ^2.0" and record.actor == shop_member


def test_a_sunset_far_enough_away_releases_it_and_only_the_provider_sets_it(
    api, member, shop_consumes, shop_member, settings
):
    settings.KEEL_CONTRACT_SUNSET_MIN_DAYS = 30
    publish(api, member, "2.0.0", SDL_BREAKING)
    release = BreakingRelease.objects.get()
    soon = timezone.localdate() + timedelta(days=29)
    with pytest.raises(ValidationError) as too_soon:
        actions.set_sunset(release, sunset_on=soon, actor=member, via=VIA)
    assert "at least 30 days" in too_soon.value.message_dict["sunset_on"][0]
    later = soon + timedelta(days=1)
    with pytest.raises(PermissionDenied):
        actions.set_sunset(release, sunset_on=later, actor=shop_member, via=VIA)
    actions.set_sunset(release, sunset_on=later, actor=member, via=VIA)
    release.refresh_from_db()
    assert (release.state, release.released_because, release.sunset_on) == (
        "released",
        "sunset",
        later,
    )
    assert current(api) == "2.0.0"
    assert ChangeRecord.objects.filter(
        object_id=release.pk, after__sunset_on=later.isoformat()
    ).exists()


def test_when_no_consumer_is_affected_the_release_is_open_to_all(
    api, member, shop_consumes, shop_member
):
    catalog_actions.update_consumption(
        shop_consumes, actor=shop_member, via=VIA, version_requirement="*"
    )
    publish(api, member, "2.0.0", SDL_BREAKING)
    assert BreakingRelease.objects.get().released_because == "unaffected"
    assert current(api) == "2.0.0"


def test_the_policy_is_the_providers_to_set(api, member, shop_member):
    with pytest.raises(PermissionDenied):
        actions.set_contract_policy(api, semver="warn", actor=shop_member, via=VIA)
    actions.set_contract_policy(api, semver="warn", actor=member, via=VIA)
    actions.set_contract_policy(api, semver="enforce", actor=member, via=VIA)
    assert ContractPolicy.objects.get(api=api).semver == "enforce"


@pytest.mark.parametrize(
    ("labels", "held", "now", "expected"),
    [
        (["1.0.0", "2.0.0", "2.1.0"], {"2.0.0"}, "1.0.0", "1.0.0"),
        (["1.0.0", "2.0.0", "1.1.0"], {"2.0.0"}, "1.0.0", "1.1.0"),
        (["1.0.0", "3.0.0", "2.5.0", "3.1.0"], {"2.5.0"}, "3.0.0", "3.1.0"),
        (["import-1", "import-2", "import-3"], {"import-2"}, "import-1", "import-1"),
        (["import-1", "import-2"], set(), "import-1", "import-2"),
        (["1.0.0"], set(), "", "1.0.0"),
    ],
)
def test_current_is_the_highest_version_below_the_lowest_open_release(labels, held, now, expected):
    assert current_of(labels, held, now) == expected


def test_a_range_that_admits_an_unannounced_break_does_not_let_it_through(
    api, member, shop_consumes
):
    # ^1.0 admits 1.1.0; published under a warning, the break would reach shop-web unawares
    actions.set_contract_policy(api, semver="warn", actor=member, via=VIA)
    publish(api, member, "1.1.0", SDL_BREAKING)
    impact = ConsumerImpact.objects.get()
    assert (impact.includes_version, impact.affected) == (True, True)
    assert current(api) == "1.0.0"


def test_a_publish_compares_without_validating_again_and_finds_the_same():
    from catalog.factories import openapi_document
    from contracts.diffing import compare, compare_valid

    pairs = [
        ("graphql", SDL_V1, SDL_BREAKING),
        ("openapi", openapi_document("P", resource="pets"), openapi_document("P", resource="cats")),
    ]
    for api_type, base, revision in pairs:
        assert (
            compare_valid(api_type, base, revision).as_dict()
            == compare(api_type, base, revision).as_dict()
        )
    # a text that does not read gets the full comparison's reasons
    unreadable = compare_valid("graphql", SDL_V1, "type {")
    assert not unreadable.comparable and unreadable.problems
