"""Edit forms call the same actions as the API: owners may, others are refused, errors sit
next to their fields and nothing changes when a form is refused."""

import pytest
from django.urls import reverse

from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.models import ApiConsumption, ApiVersion, Dependency, Service
from portal.factories import UserFactory
from portal.models import ChangeRecord, Interface
from teams.factories import MembershipFactory
from teams.models import Membership

from .markup import remove_forms

EDIT = "catalog:service-edit"


def form_data(service, **overrides):
    data = {
        "name": service.name, "description": service.description, "lifecycle": service.lifecycle,
        "tier": service.tier, "kind": service.kind, "language": service.language,
        "framework": service.framework, "runtime": service.runtime,
        "scaling_factor": service.scaling_factor, "repository_url": service.repository_url,
        "pipeline_url": service.pipeline_url, "docs_url": service.docs_url,
        "runbook_url": service.runbook_url, "tags": "", "data_domain": "",
    }  # fmt: skip
    data.update(overrides)
    return data


@pytest.mark.django_db
def test_owner_edits_a_service_through_the_action(service, member, member_page):
    url = reverse(EDIT, args=[service.slug])
    assert member_page.get(url).status_code == 200
    response = member_page.post(
        url,
        form_data(
            service, tier=1, tags="pci, payments", pipeline_url="https://ci.example.com/checkout"
        ),
    )
    assert response.status_code == 302 and response["Location"] == service.get_absolute_url()
    service.refresh_from_db()
    assert service.tier == 1 and service.pipeline_url == "https://ci.example.com/checkout"
    assert sorted(t.name for t in service.tags.all()) == ["payments", "pci"]
    record = ChangeRecord.objects.filter(action="update").latest("id")
    assert record.actor == member and record.interface == Interface.UI
    assert set(record.changed_fields) == {"pipeline_url", "tags", "tier"}


@pytest.mark.django_db
def test_edit_controls_are_shown_to_owners_only(service, member_page, outsider_page):
    edit_url = reverse(EDIT, args=[service.slug])
    assert edit_url in member_page.get(service.get_absolute_url()).content.decode()
    assert edit_url not in outsider_page.get(service.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_a_user_outside_the_team_is_refused_and_nothing_changes(service, outsider_page):
    url = reverse(EDIT, args=[service.slug])
    assert outsider_page.get(url).status_code == 403
    response = outsider_page.post(url, form_data(service, tier=1))
    assert response.status_code == 403
    assert b"Only members of team payments" in response.content
    service.refresh_from_db()
    assert service.tier == 3


@pytest.mark.django_db
def test_staff_may_edit_any_service(service, staff_page):
    response = staff_page.post(
        reverse(EDIT, args=[service.slug]), form_data(service, name="Checkout v2")
    )
    assert response.status_code == 302
    assert Service.objects.get(pk=service.pk).name == "Checkout v2"


@pytest.mark.django_db
def test_errors_are_shown_next_to_their_fields_and_nothing_is_saved(service, member_page):
    before = ChangeRecord.objects.count()
    response = member_page.post(
        reverse(EDIT, args=[service.slug]),
        form_data(service, tier=1, repository_url="not a url", tags="Not A Slug!"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "repository_url" in form.errors
    html = response.content.decode()
    assert 'id="id_repository_url_error"' in html
    service.refresh_from_db()
    assert service.tier == 3 and ChangeRecord.objects.count() == before


@pytest.mark.django_db
def test_action_validation_errors_land_on_the_form(service, member_page):
    response = member_page.post(
        reverse(EDIT, args=[service.slug]), form_data(service, tags="Not A Slug!")
    )
    assert response.status_code == 200
    assert "use lower-case letters" in response.context["form"].errors["tags"][0]
    assert not service.tags.exists()


@pytest.mark.django_db
def test_owner_adds_and_removes_dependencies(service, member_page):
    target = ServiceFactory(slug="ledger")
    resource = ResourceFactory(slug="checkout-db", service=service)
    add = reverse("catalog:service-dependency-add", args=[service.slug])
    assert (
        member_page.get(reverse("catalog:service-connections", args=[service.slug])).status_code
        == 200
    )

    response = member_page.post(
        add, {"target_service": "ledger", "kind": "sync", "criticality": "high"}
    )
    assert response.status_code == 302
    edge = Dependency.objects.get(source=service, target_service=target)
    assert edge.criticality == "high"

    response = member_page.post(
        add, {"target_service": "ledger", "kind": "sync", "criticality": "high"}
    )
    assert response.status_code == 400
    assert "already exists" in " ".join(
        response.context["dependency_form"].errors["target_service"]
    )

    response = member_page.post(
        add, {"target_service": "nope", "kind": "sync", "criticality": "low"}
    )
    assert "There is no service 'nope'" in " ".join(
        response.context["dependency_form"].errors["target_service"]
    )

    response = member_page.post(add, {"kind": "sync", "criticality": "low"})
    assert response.status_code == 400 and response.context["dependency_form"].errors

    response = member_page.post(
        add, {"target_resource": resource.slug, "kind": "data", "criticality": "low"}
    )
    assert response.status_code == 302

    remove = reverse("catalog:service-dependency-remove", args=[service.slug, edge.pk])
    asked = member_page.post(remove)
    assert asked.status_code == 200 and b"Remove the dependency" in asked.content
    assert Dependency.objects.filter(pk=edge.pk).exists()
    assert member_page.post(remove, {"confirmed": "yes"}).status_code == 302
    assert not Dependency.objects.filter(pk=edge.pk).exists()


@pytest.mark.django_db
def test_owner_records_and_removes_a_consumed_api(service, member_page):
    api = ApiFactory(slug="ledger-api")
    response = member_page.post(
        reverse("catalog:service-consumption-add", args=[service.slug]),
        {"api": "ledger-api", "version_requirement": "^1"},
    )
    assert response.status_code == 302
    consumption = ApiConsumption.objects.get(consumer=service, api=api)
    assert Dependency.objects.filter(source=service, target_service=api.provider).exists()

    own = ApiFactory(slug="own-api", provider=service)
    response = member_page.post(
        reverse("catalog:service-consumption-add", args=[service.slug]), {"api": own.slug}
    )
    assert response.status_code == 400
    assert "does not consume its own API" in " ".join(
        response.context["consumption_form"].errors["api"]
    )

    remove = reverse("catalog:service-consumption-remove", args=[service.slug, consumption.pk])
    assert member_page.post(remove).status_code == 200  # asks first
    assert ApiConsumption.objects.filter(pk=consumption.pk).exists()
    assert member_page.post(remove, {"confirmed": "yes"}).status_code == 302
    assert not ApiConsumption.objects.filter(pk=consumption.pk).exists()


@pytest.mark.django_db
def test_connections_are_refused_to_outsiders(service, outsider_page):
    target = ServiceFactory(slug="ledger")
    assert (
        outsider_page.get(reverse("catalog:service-connections", args=[service.slug])).status_code
        == 403
    )
    response = outsider_page.post(
        reverse("catalog:service-dependency-add", args=[service.slug]),
        {"target_service": target.slug, "kind": "sync", "criticality": "low"},
    )
    assert response.status_code == 403
    assert not Dependency.objects.filter(source=service).exists()


@pytest.mark.django_db
def test_owner_publishes_an_api_version(service, member_page):
    from catalog.factories import openapi_document

    api = ApiFactory(slug="checkout-rest", provider=service)
    url = reverse("catalog:api-publish", args=[api.slug])
    assert member_page.get(url).status_code == 200
    response = member_page.post(
        url, {"version": "2.0.0", "spec": openapi_document("Checkout", "2.0.0")}
    )
    assert response.status_code == 302 and response["Location"].endswith("?version=2.0.0")
    assert ApiVersion.objects.get(api=api).version == "2.0.0"

    response = member_page.post(url, {"version": "2.1.0", "spec": '{"openapi": "2.0"}'})
    assert response.status_code == 400
    assert "OpenAPI 3.0 or 3.1" in " ".join(response.context["form"].errors["spec"])
    response = member_page.post(
        url, {"version": "2.0.0", "spec": openapi_document("Checkout", "2.0.0")}
    )
    assert "already published" in " ".join(response.context["form"].errors["version"])
    assert ApiVersion.objects.filter(api=api).count() == 1


@pytest.mark.django_db
def test_publishing_from_an_uploaded_file(service, member_page):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from catalog.factories import openapi_document

    api = ApiFactory(slug="checkout-rest", provider=service)
    upload = SimpleUploadedFile("spec.json", openapi_document("Checkout").encode())
    response = member_page.post(
        reverse("catalog:api-publish", args=[api.slug]), {"version": "1.0.0", "spec_file": upload}
    )
    assert response.status_code == 302


@pytest.mark.django_db
def test_publishing_is_refused_to_outsiders(service, outsider_page, member_page):
    api = ApiFactory(slug="checkout-rest", provider=service)
    assert outsider_page.get(reverse("catalog:api-publish", args=[api.slug])).status_code == 403
    assert (
        reverse("catalog:api-publish", args=[api.slug])
        not in outsider_page.get(api.get_absolute_url()).content.decode()
    )
    assert (
        reverse("catalog:api-publish", args=[api.slug])
        in member_page.get(api.get_absolute_url()).content.decode()
    )


@pytest.mark.django_db
def test_lead_manages_membership(team, lead, member, lead_page):
    url = reverse("teams:members", args=[team.slug])
    assert lead_page.get(url).status_code == 200
    newcomer = UserFactory(username="newcomer")
    assert lead_page.post(url, {"user": "newcomer", "role": "member"}).status_code == 302
    assert Membership.objects.filter(team=team, user=newcomer).exists()

    response = lead_page.post(url, {"user": "newcomer", "role": "member"})
    assert response.status_code == 400
    assert "already a member" in " ".join(response.context["form"].errors["user"])
    response = lead_page.post(url, {"user": "ghost", "role": "member"})
    assert "There is no user" in " ".join(response.context["form"].errors["user"])

    change = reverse("teams:member-change", args=[team.slug, "newcomer"])
    lead_page.post(change, {"op": "role", "role": "lead"})
    assert Membership.objects.get(team=team, user=newcomer).role == "lead"
    lead_page.post(change, {"op": "remove"})
    assert Membership.objects.filter(team=team, user=newcomer).exists()  # asked first
    lead_page.post(change, {"op": "remove", "confirmed": "yes"})
    assert not Membership.objects.filter(team=team, user=newcomer).exists()

    # the last lead cannot step down while others remain: the refusal is shown, nothing changes
    response = lead_page.post(
        reverse("teams:member-change", args=[team.slug, lead.username]),
        {"op": "remove", "confirmed": "yes"},
        follow=True,
    )
    assert b"last lead" in response.content
    assert Membership.objects.filter(team=team, user=lead).exists()


@pytest.mark.django_db
def test_team_size_limit_is_shown_on_the_form(team, lead, lead_page, settings):
    settings.KEEL_TEAM_SIZE_LIMIT = 1
    UserFactory(username="one-too-many")
    response = lead_page.post(
        reverse("teams:members", args=[team.slug]), {"user": "one-too-many", "role": "member"}
    )
    assert response.status_code == 400
    assert b"two pizzas" in response.content


@pytest.mark.django_db
def test_members_cannot_manage_membership(team, member, member_page):
    assert member_page.get(reverse("teams:members", args=[team.slug])).status_code == 403
    response = member_page.post(
        reverse("teams:members", args=[team.slug]), {"user": member.username, "role": "lead"}
    )
    assert response.status_code == 403
    assert (
        reverse("teams:members", args=[team.slug])
        not in member_page.get(team.get_absolute_url()).content.decode()
    )


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["connections", "members"])
def test_every_remove_button_asks_before_it_removes(page, catalog, lead, lead_page):
    # Given a page with Remove buttons (a dependency and a consumption; a team's members)
    service = catalog["service"]
    if page == "connections":
        DependencyFactory(source=service, target_service=catalog["storefront"])
        ApiConsumptionFactory(consumer=service, api=ApiFactory(slug="ledger-api"))
        url = reverse("catalog:service-connections", args=[service.slug])
        rows = lambda: Dependency.objects.count() + ApiConsumption.objects.count()  # noqa: E731
    else:
        MembershipFactory(team=service.owner_team)
        url = reverse("teams:members", args=[service.owner_team.slug])
        rows = Membership.objects.count
    before = rows()
    forms = remove_forms(lead_page.get(url).content.decode())
    assert forms
    for action, fields in forms:
        # When someone presses Remove
        asked = lead_page.post(action, fields)
        # Then a page asks, with a button that repeats the request confirmed; nothing is gone
        assert asked.status_code == 200, action
        assert '<input type="hidden" name="confirmed" value="yes">' in asked.content.decode()
        assert rows() == before
