"""A GraphQL API with consumers in other teams, and SDL documents that change it."""

import pytest

from catalog.factories import ApiConsumptionFactory, ApiFactory, ApiVersionFactory, ServiceFactory
from catalog.models import Api
from teams.factories import MembershipFactory, TeamFactory

SDL_V1 = """
type Query {
  pets(limit: Int): [Pet!]!
  pet(id: ID!): Pet
}

type Pet {
  id: ID!
  name: String!
  tag: String
}
"""

# Adds a field: nothing breaks.
SDL_ADDITIVE = SDL_V1.replace("  tag: String\n", "  tag: String\n  age: Int\n")

# Removes Query.pet and Pet.tag: two breaking changes.
SDL_BREAKING = """
type Query {
  pets(limit: Int): [Pet!]!
}

type Pet {
  id: ID!
  name: String!
}
"""


@pytest.fixture
def provider(team):
    return ServiceFactory(slug="petstore", owner_team=team, tier=2)


@pytest.fixture
def api(provider):
    api = ApiFactory(slug="pets", provider=provider, type=Api.Type.GRAPHQL)
    ApiVersionFactory(api=api, version="1.0.0", spec=SDL_V1)
    api.refresh_from_db()
    return api


@pytest.fixture
def shop_team(db):
    return TeamFactory(slug="shop", name="Shop")


@pytest.fixture
def shop_member(shop_team):
    return MembershipFactory(team=shop_team).user


@pytest.fixture
def shop(shop_team):
    return ServiceFactory(slug="shop-web", owner_team=shop_team)


@pytest.fixture
def shop_consumes(shop, api):
    return ApiConsumptionFactory(consumer=shop, api=api, version_requirement="^1.0")
