"""Saved views: a person saves a list's current filters under a name (the one name rule),
optionally shared with one of their teams; the list page offers them, opening one is the
list's own URL; deleting asks first; every write has history; filters that stop validating
are shown as such, never a 500."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from accounts import actions
from accounts.models import SavedView
from catalog.factories import ServiceFactory
from portal.audit import history_for
from portal.models import ChangeRecord, Interface
from teams.factories import MembershipFactory, TeamFactory

from .conftest import signed_in

pytestmark = pytest.mark.django_db

SERVICES = reverse("catalog:service-list")
SAVE = reverse("accounts:saved-views")


def _save(client, name="tier-one", query="tier=1&lifecycle=production", team=""):
    data = {"name": name, "list_name": "catalog:service-list", "query": query, "team": team}
    return client.post(SAVE, data)


def test_the_list_offers_to_save_its_filters_and_the_saved_view_opens_them(member_page, catalog):
    page = member_page.get(SERVICES, {"lifecycle": "production", "tier": "1", "page": "1"})
    form = page.context["save_view_form"]
    assert form.initial == {
        "list_name": "catalog:service-list",
        "query": "lifecycle=production&tier=1",
    }
    assert "Save these filters as" in page.content.decode()

    response = _save(member_page, query=form.initial["query"])
    view = SavedView.objects.get()
    assert response.status_code == 302
    assert (
        response["Location"] == view.get_absolute_url() == f"{SERVICES}?lifecycle=production&tier=1"
    )

    opened = member_page.get(response["Location"])
    assert opened.context["saved_view"] == view
    assert [s.slug for s in opened.context["object_list"]] == ["storefront"]
    assert 'aria-current="true">tier-one</a>' in opened.content.decode()


def test_an_unfiltered_list_offers_no_save(member_page, catalog):
    assert member_page.get(SERVICES).context["save_view_form"] is None


@pytest.mark.parametrize(
    ("name", "field", "message"),
    [
        ("Tier One", "name", "is not a valid name"),
        ("x", "name", "is not a valid name"),
        ("con", "name", "reserved"),
    ],
)
def test_a_name_outside_the_name_rule_is_refused_beside_its_field(
    member_page, name, field, message
):
    response = _save(member_page, name=name)
    assert response.status_code == 400
    assert message in " ".join(response.context["form"].errors[field])
    assert not SavedView.objects.exists()


def test_filters_the_list_refuses_are_not_saved(member_page):
    response = _save(member_page, query="lifecycle=retired")
    assert response.status_code == 400
    [error] = response.context["form"].errors["query"]
    assert error.startswith("These filters do not apply: Lifecycle: Select a valid choice.")
    assert "retired" in response.content.decode()


def test_a_page_that_is_not_a_list_is_refused(member_page):
    response = member_page.post(SAVE, {"name": "home", "list_name": "home", "query": ""})
    assert response.status_code == 400
    assert response.context["form"].errors["list_name"] == [
        "This is not a list whose filters can be saved."
    ]


def test_the_same_name_twice_on_one_list_is_refused(member_page):
    _save(member_page)
    response = _save(member_page, query="tier=2")
    assert response.context["form"].errors["name"] == [
        "You already have a view of this list with this name."
    ]


def test_a_view_shared_with_a_team_shows_on_its_members_list_only(
    member, member_page, team, outsider_page
):
    _save(member_page, team=team.slug)
    colleague = signed_in(MembershipFactory(team=team).user)

    [shared] = colleague.get(SERVICES).context["saved_views"]
    assert shared.user == member and shared.team == team
    assert outsider_page.get(SERVICES).context["saved_views"] == []
    assert "Delete the saved view" not in colleague.get(SERVICES).content.decode()


def test_sharing_with_a_team_one_is_not_in_is_refused(member_page):
    other = TeamFactory()
    response = _save(member_page, team=other.slug)
    assert response.status_code == 400 and "team" in response.context["form"].errors
    with pytest.raises(ValidationError, match="only with a team you belong to"):
        actions.save_view(
            actor=response.wsgi_request.user,
            via=Interface.API,
            list_name="catalog:service-list",
            name="mine",
            query="",
            team=other,
        )


def test_deleting_asks_first_then_removes_it_with_history(member, member_page):
    _save(member_page)
    view = SavedView.objects.get()
    url = reverse("accounts:saved-view-delete", args=[view.pk])

    asked = member_page.post(url, {"next": SERVICES})
    assert asked.status_code == 200 and "Delete the saved view tier-one?" in asked.content.decode()
    assert SavedView.objects.exists()

    done = member_page.post(url, {"next": SERVICES, "confirmed": "yes"})
    assert done.status_code == 302 and done["Location"] == SERVICES
    assert not SavedView.objects.exists()
    actions_recorded = list(
        ChangeRecord.objects.filter(object_repr="tier-one").values_list("action", "actor")
    )
    assert sorted(actions_recorded) == [("create", member.pk), ("delete", member.pk)]


def test_only_the_owner_deletes_a_view(member_page, team):
    _save(member_page, team=team.slug)
    view = SavedView.objects.get()
    colleague = signed_in(MembershipFactory(team=team).user)
    url = reverse("accounts:saved-view-delete", args=[view.pk])

    response = colleague.post(url, {"confirmed": "yes"})
    assert response.status_code == 403
    assert SavedView.objects.exists()


def test_a_saved_view_that_no_longer_validates_says_so_instead_of_failing(
    member, member_page, catalog
):
    view = SavedView.objects.create(
        user=member, list_name="catalog:service-list", name="gone", query="lifecycle=retired"
    )  # as if "retired" had been a lifecycle once
    page = member_page.get(view.get_absolute_url())
    assert page.status_code == 200
    text = page.content.decode()
    assert "The saved view <strong>gone</strong> no longer applies." in text
    assert "Lifecycle: Select a valid choice." in text
    assert list(page.context["object_list"]) == []

    listing = member_page.get(SAVE)
    assert listing.status_code == 200
    assert "No longer applies: These filters do not apply: Lifecycle" in listing.content.decode()


def test_the_saved_views_page_lists_a_persons_views_with_their_lists(member_page, team):
    _save(member_page, name="prod", query="lifecycle=production")
    member_page.post(
        SAVE, {"name": "graphql", "list_name": "catalog:api-list", "query": "type=graphql"}
    )
    page = member_page.get(SAVE)
    assert [v.name for v in page.context["views"]] == ["graphql", "prod"]
    assert f'href="{reverse("catalog:api-list")}?type=graphql"' in page.content.decode()


def test_list_pages_read_saved_views_in_constant_queries(
    member, member_page, team, django_assert_max_num_queries
):
    for n in range(3):
        ServiceFactory(owner_team=team, tier=1)
        SavedView.objects.create(
            user=member, team=team, list_name="catalog:service-list", name=f"v-{n}", query="tier=1"
        )
    with django_assert_max_num_queries(20) as few:
        member_page.get(SERVICES, {"tier": "1"})
    for n in range(3, 30):
        ServiceFactory(owner_team=team, tier=1)
        SavedView.objects.create(
            user=member, team=team, list_name="catalog:service-list", name=f"v-{n}", query="tier=1"
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = member_page.get(SERVICES, {"tier": "1"})
    assert len(page.context["saved_views"]) == 30


def test_history_of_a_view_is_kept(member_page):
    _save(member_page)
    [record] = history_for(SavedView.objects.get())
    assert record.after["query"] == "tier=1&lifecycle=production" and record.interface == "ui"
