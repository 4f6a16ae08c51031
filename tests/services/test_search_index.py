"""Search on PostgreSQL asks the GIN index of each kind for its full-text matches: the index
(made by the ``search_indexes`` migrations) is the expression the query uses, so the planner
can use it and no row's text vector is computed to find the matches."""

import pytest
from django.db import connection

from catalog.factories import ServiceFactory
from catalog.models import Api, DataDomain, Resource, Service
from portal import search
from teams.models import Team

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("model", "index"),
    [
        (Service, "service_search"),
        (Team, "team_search"),
        (Api, "api_search"),
        (DataDomain, "datadomain_search"),
        (Resource, "resource_search"),
    ],
)
def test_the_full_text_match_is_answered_from_the_index(model, index, member):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table would be scanned
    kind = {Service: "service", Team: "team", Api: "api", DataDomain: "domain"}.get(model)
    queryset = search._ranked(model.objects.all(), "payments", search.ATTRIBUTES.get(kind))

    assert f"Bitmap Index Scan on {index}" in queryset.explain()


def test_indexed_search_finds_by_stemmed_words_and_ranks_names_first(member, team):
    ServiceFactory(slug="ledger", name="Ledger", description="Keeps the payments", owner_team=team)
    ServiceFactory(slug="payments", name="Payments", description="Takes money", owner_team=team)

    hits = [h.obj.slug for h in search.search("payment", member) if h.kind == "service"]

    assert hits == ["payments", "ledger"]
