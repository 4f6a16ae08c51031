"""A breaking version waiting on a team shows on its members' home pages until acknowledged."""

import pytest
from django.test import Client

from catalog import actions as catalog_actions
from contracts import actions
from contracts.models import ConsumerImpact
from portal.models import Interface

from .conftest import SDL_BREAKING

pytestmark = pytest.mark.django_db


def _waiting(user):
    client = Client()
    client.force_login(user)
    response = client.get("/")
    return [p for p in response.context["pending"] if p.kind == "Acknowledge"], response


def test_the_consumer_team_sees_what_waits_on_it_until_it_acknowledges(
    api, member, shop_consumes, shop_member
):
    catalog_actions.publish_api_version(
        api, actor=member, via=Interface.API, version="2.0.0", spec=SDL_BREAKING
    )
    [item], response = _waiting(shop_member)
    assert item.label == "pets 2.0.0 for shop-web" and item.url == "/apis/pets/breaking/2.0.0/"
    assert 'href="/apis/pets/breaking/2.0.0/"' in response.content.decode()
    assert _waiting(member)[0] == []  # the provider's team acknowledges nothing

    impact = ConsumerImpact.objects.get()
    actions.acknowledge_breaking_version(impact, actor=shop_member, via=Interface.UI)
    assert _waiting(shop_member)[0] == []
