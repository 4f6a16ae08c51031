"""The gate under concurrent writers (PostgreSQL's row locks): the last two consumer teams
acknowledging at the same moment release the version once, and current moves."""

import pytest

from catalog import actions as catalog_actions
from catalog.factories import ApiConsumptionFactory, ApiFactory, ApiVersionFactory, ServiceFactory
from catalog.models import Api
from contracts import actions
from contracts.models import BreakingRelease, ConsumerImpact
from portal.models import ChangeRecord
from teams.factories import MembershipFactory, TeamFactory
from tests.services.test_concurrency import _race

from .conftest import SDL_BREAKING, SDL_V1

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_the_last_acknowledgements_at_once_release_the_version_once():
    provider_team = TeamFactory()
    provider = ServiceFactory(owner_team=provider_team, tier=1)
    api = ApiFactory(slug="pets", provider=provider, type=Api.Type.GRAPHQL)
    ApiVersionFactory(api=api, version="1.0.0", spec=SDL_V1)
    members = []
    for i in range(4):
        team = TeamFactory()
        members.append(MembershipFactory(team=team).user)
        ApiConsumptionFactory(
            consumer=ServiceFactory(slug=f"consumer-{i}", owner_team=team),
            api=api,
            version_requirement="^1",
        )
    publisher = MembershipFactory(team=provider_team).user
    catalog_actions.publish_api_version(
        Api.objects.get(pk=api.pk), actor=publisher, via="api", version="2.0.0", spec=SDL_BREAKING
    )
    impacts = {i.consumer_slug: i for i in ConsumerImpact.objects.all()}

    outcomes = _race(
        4,
        lambda i: actions.acknowledge_breaking_version(
            impacts[f"consumer-{i}"], actor=members[i], via="api"
        ),
    )

    assert not [o for o in outcomes if isinstance(o, Exception)], outcomes
    release = BreakingRelease.objects.get()
    assert (release.state, release.released_because) == ("released", "ready")
    assert Api.objects.get(pk=api.pk).current_version == "2.0.0"
    released = ChangeRecord.objects.filter(object_id=release.pk, after__state="released")
    assert released.count() == 1
