"""The search page reads only what it shows of each kind (``portal.search._sources``): a hit
of every kind renders with the same queries however many hits there are."""

import pytest
from django.urls import reverse

from catalog.factories import (
    ApiFactory,
    ApiVersionFactory,
    BusinessDomainFactory,
    DataDomainFactory,
    ResourceFactory,
    ServiceFactory,
    SystemFactory,
    openapi_document,
)
from teams.factories import MembershipFactory, TeamFactory


def _one_of_each(n: int) -> None:
    team = TeamFactory(slug=f"zeta-team-{n}", name=f"Zeta team {n}")
    service = ServiceFactory(slug=f"zeta-svc-{n}", owner_team=team, description="Zeta work")
    api = ApiFactory(slug=f"zeta-api-{n}", provider=service)
    ApiVersionFactory(api=api, spec=openapi_document("Zeta", resource=f"zetas{n}"))  # 3 operations
    DataDomainFactory(slug=f"zeta-domain-{n}", owner_service=service)
    ResourceFactory(slug=f"zeta-db-{n}", service=service, kind="database")
    SystemFactory(slug=f"zeta-system-{n}", owner_team=team)
    BusinessDomainFactory(slug=f"zeta-area-{n}", owner_team=team)
    MembershipFactory(team=team, user__username=f"zeta-person-{n}", user__first_name="Zed")


@pytest.mark.django_db
def test_the_page_shows_every_kind_with_the_same_queries_at_any_size(
    member_page, django_assert_num_queries
):
    _one_of_each(0)
    page = reverse("search")
    member_page.get(page, {"q": "zeta"})  # the session is read once a request: warm it
    with django_assert_num_queries(12):  # session, user, the unread count, one per kind
        html = member_page.get(page, {"q": "zeta"}).content.decode()
    assert "owned by Zeta team 0" in html and "by zeta-svc-0" in html
    assert ">System<" in html and ">Business domain<" in html and ">Person<" in html
    assert "system of record zeta-svc-0" in html and "database of zeta-svc-0 (Zeta team 0)" in html
    for n in range(1, 4):
        _one_of_each(n)
    with django_assert_num_queries(12):
        html = member_page.get(page, {"q": "zeta"}).content.decode()
    assert "44 results" in html and "operation of" in html
