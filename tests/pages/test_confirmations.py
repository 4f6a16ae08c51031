"""Every page that deletes or removes something asks first, on a page of its own that names
what goes: a link (GET) or a stray POST only shows the question; the POST it makes, with
``confirmed=yes``, removes."""

import pytest
from django.urls import reverse

from accounts import actions as account_actions
from accounts.models import SavedView
from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    BusinessDomainFactory,
    DependencyFactory,
    SystemFactory,
)
from catalog.models import ApiConsumption, BusinessDomain, Dependency, System
from notifications import actions as notification_actions
from notifications.models import TeamWebhook
from portal.models import Interface
from teams.factories import MembershipFactory
from teams.models import Membership

pytestmark = pytest.mark.django_db


def dependency(service, lead):
    edge = DependencyFactory(source=service, target_service=ApiFactory(slug="ledger-api").provider)
    url = reverse("catalog:service-dependency-remove", args=[service.slug, edge.pk])
    return url, {}, Dependency.objects.filter(pk=edge.pk), "leaves the dependency graph"


def consumption(service, lead):
    used = ApiConsumptionFactory(consumer=service, api=ApiFactory(slug="ledger-api"))
    url = reverse("catalog:service-consumption-remove", args=[service.slug, used.pk])
    return url, {}, ApiConsumption.objects.filter(pk=used.pk), "told about changes to ledger-api"


def system(service, lead):
    found = SystemFactory(slug="shop", owner_team=service.owner_team)
    service.system = found
    service.save()
    url = reverse("catalog:system-delete", args=[found.slug])
    return url, {}, System.objects.filter(pk=found.pk), "Its 1 services, 0 APIs"


def business_domain(service, lead):
    found = BusinessDomainFactory(slug="commerce", owner_team=service.owner_team)
    url = reverse("catalog:business-domain-delete", args=[found.slug])
    return url, {}, BusinessDomain.objects.filter(pk=found.pk), "Its 0 systems stay"


def member(service, lead):
    gone = MembershipFactory(team=service.owner_team)
    url = reverse("teams:member-change", args=[service.owner_team.slug, gone.user.username])
    return url, {"op": "remove"}, Membership.objects.filter(pk=gone.pk), "notifications"


def webhook(service, lead):
    team = service.owner_team
    notification_actions.set_team_webhook(
        team, url="https://93.184.215.14/keel", actor=lead, via=Interface.UI
    )
    url = reverse("notifications:webhook-remove", args=[team.slug])
    return url, {}, TeamWebhook.objects.filter(team=team), "no longer be POSTed"


def saved_view(service, lead):
    view = account_actions.save_view(
        actor=lead,
        via=Interface.UI,
        list_name="catalog:service-list",
        name="mine",
        query="lifecycle=production",
    )
    url = reverse("accounts:saved-view-delete", args=[view.pk])
    return url, {}, SavedView.objects.filter(pk=view.pk), "only this shortcut to them goes"


@pytest.mark.parametrize(
    "build", [dependency, consumption, system, business_domain, member, webhook, saved_view]
)
def test_it_asks_naming_what_goes_and_removes_only_once_confirmed(build, service, lead, lead_page):
    url, fields, rows, consequence = build(service, lead)

    linked = lead_page.get(url, fields)
    stray = lead_page.post(url, fields)

    for asked in (linked, stray):
        text = asked.content.decode()
        assert asked.status_code == 200 and consequence in text
        assert '<input type="hidden" name="confirmed" value="yes">' in text
        assert all(f'name="{name}" value="{value}"' in text for name, value in fields.items())
    assert rows.exists()

    done = lead_page.post(url, {**fields, "confirmed": "yes"})
    assert done.status_code == 302 and not rows.exists()
