"""Search on PostgreSQL answers every part of a match from an index: the stored full-text
vector, a trigram index of each kind's text, and the linked tables' (tags, people) indexes,
combined as one bitmap, so no search reads every row. The stored vector is a generated column,
so PostgreSQL keeps it equal to the row's ``document_vector`` through every write."""

import pytest
from django.db import connection

from catalog.actions import update_service
from catalog.factories import ServiceFactory
from catalog.models import Service
from portal import search

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.mark.parametrize(
    ("kind", "indexes"),
    [
        ("service", ["service_vector", "service_trigrams", "catalog_service_pkey"]),
        ("team", ["team_vector", "team_trigrams", "teams_team_pkey", "user_trigrams"]),
        ("api", ["api_vector", "api_trigrams"]),
        ("domain", ["datadomain_vector", "datadomain_trigrams"]),
        ("resource", ["resource_vector", "resource_trigrams"]),
        ("system", ["system_vector", "system_trigrams"]),
        ("business_domain", ["businessdomain_vector", "businessdomain_trigrams"]),
        ("person", ["user_trigrams"]),
    ],
)
def test_every_part_of_a_match_is_answered_from_an_index(kind, indexes, member):
    with connection.cursor() as cursor:  # tiny tables would be read whole: make that dear
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
    source = dict(search._sources(member))[kind]
    queryset = search._ranked(source, "payments ledger", search.RELATED.get(kind))

    plan = queryset.explain()
    assert all(f"Bitmap Index Scan on {index}" in plan for index in indexes), plan
    assert "Seq Scan" not in plan, plan


def test_the_stored_vector_follows_every_write(member, team):
    service = ServiceFactory(
        slug="ledger", name="Ledger", description="Keeps money", owner_team=team
    )
    update_service(service, actor=member, via="ui", description="Keeps the payments")
    rows = Service.objects.annotate(
        stored=search.StoredVector(), computed=search.document_vector()
    ).values_list("stored", "computed")

    [(stored, computed)] = rows
    assert stored == computed and "payment" in stored
    assert [h.obj for h in search.search("payment", member) if h.kind == "service"] == [service]


def test_indexed_search_finds_by_stemmed_words_and_ranks_names_first(member, team):
    ServiceFactory(slug="ledger", name="Ledger", description="Keeps the payments", owner_team=team)
    ServiceFactory(slug="payments", name="Payments", description="Takes money", owner_team=team)

    hits = [h.obj.slug for h in search.search("payment", member) if h.kind == "service"]

    assert hits == ["payments", "ledger"]


def test_a_word_in_an_operation_is_answered_from_its_trigram_index(member):
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off; SET LOCAL enable_indexscan = off")
    source = dict(search._sources(member))["operation"]
    plan = search._operations_ranked(source, "refund invoices").explain()
    assert "Bitmap Index Scan on apioperation_trigrams" in plan, plan
