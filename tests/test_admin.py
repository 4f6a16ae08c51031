"""The admin writes only through the actions, and history stays read-only."""

import pytest
from django.apps import apps
from django.urls import reverse

from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    BusinessDomainFactory,
    DataDomainFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
    SystemFactory,
)
from catalog.models import Service, System
from portal.models import ChangeRecord, Interface
from teams.factories import MembershipFactory, TeamFactory
from teams.models import Membership


def inline(prefix: str, rows: list[dict], initial: int = 0) -> dict:
    """POST data for an inline formset: its management form and its rows."""
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows),
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    return data


def service_form(team, **overrides) -> dict:
    return {
        "slug": "ledger",
        "name": "Ledger",
        "description": "",
        "owner_team": team.pk,
        "lifecycle": "production",
        "tier": 1,
        "kind": "service",
        "language": "go",
        "framework": "",
        "runtime": "container",
        "scaling_factor": "",
        "repository_url": "",
        "pipeline_url": "",
        "docs_url": "",
        "runbook_url": "",
        "data_domain": "",
        **overrides,
    }


def history(obj, action):
    return ChangeRecord.objects.filter(object_repr=str(obj), action=action)


def test_creating_a_service_goes_through_the_action(admin_client, admin_user, team):
    response = admin_client.post(reverse("admin:catalog_service_add"), service_form(team))

    assert response.status_code == 302, response.context["adminform"].form.errors
    service = Service.objects.get(slug="ledger")
    record = history(service, ChangeRecord.Action.CREATE).get()
    assert (record.interface, record.actor) == (Interface.ADMIN, admin_user)


def test_an_invalid_service_is_refused_on_the_form(admin_client, team):
    response = admin_client.post(
        reverse("admin:catalog_service_add"), service_form(team, slug="Not A Slug", tier=7)
    )

    assert response.status_code == 200
    assert set(response.context["adminform"].form.errors) == {"slug", "tier"}
    assert not Service.objects.exists()


def test_the_slug_cannot_be_changed(admin_client, service):
    url = reverse("admin:catalog_service_change", args=[service.pk])
    assert "slug" not in admin_client.get(url).context["adminform"].form.fields

    data = service_form(service.owner_team, slug="renamed", name="Checkout v2")
    response = admin_client.post(
        url, {**data, **inline("provided_apis", []), **inline("dependencies", [])}
    )

    assert response.status_code == 302
    service.refresh_from_db()
    assert (service.slug, service.name) == ("checkout", "Checkout v2")
    assert history(service, ChangeRecord.Action.UPDATE).get().interface == Interface.ADMIN


def test_changing_the_owner_is_a_transfer(admin_client, service):
    new_owner = TeamFactory(slug="platform")
    data = service_form(new_owner, name=service.name)

    admin_client.post(
        reverse("admin:catalog_service_change", args=[service.pk]),
        {**data, **inline("provided_apis", []), **inline("dependencies", [])},
    )

    service.refresh_from_db()
    assert service.owner_team == new_owner
    transfer = history(service, ChangeRecord.Action.TRANSFER).get()
    assert (transfer.interface, transfer.after["owner_team"]) == (Interface.ADMIN, "platform")


def test_deleting_a_service_is_recorded(admin_client, service):
    admin_client.post(reverse("admin:catalog_service_delete", args=[service.pk]), {"post": "yes"})

    assert not Service.objects.filter(pk=service.pk).exists()
    assert history(service, ChangeRecord.Action.DELETE).get().interface == Interface.ADMIN


def test_a_system_is_created_transferred_and_deleted_through_the_actions(
    admin_client, admin_user, team
):
    form = {"slug": "shop", "name": "Shop", "description": "", "owner_team": team.pk,
            "business_domain": "", **inline("services", []), **inline("apis", [])}  # fmt: skip
    admin_client.post(reverse("admin:catalog_system_add"), form)
    system = System.objects.get()
    ServiceFactory(owner_team=team, system=system)
    admin_client.post(
        reverse("admin:catalog_system_change", args=[system.pk]),
        {**form, "owner_team": TeamFactory(slug="platform").pk},
    )
    admin_client.post(reverse("admin:catalog_system_delete", args=[system.pk]), {"post": "yes"})

    actions = [ChangeRecord.Action.CREATE, ChangeRecord.Action.TRANSFER, ChangeRecord.Action.DELETE]
    for action in actions:
        record = history(system, action).get()
        assert (record.interface, record.actor) == (Interface.ADMIN, admin_user)
    assert not System.objects.exists() and Service.objects.get().system is None


def team_form(team) -> dict:
    return {
        "slug": team.slug,
        "name": team.name,
        "description": team.description,
        "parent": "",
        "chat_channel": team.chat_channel,
        "email": team.email,
        "oncall_url": team.oncall_url,
    }


def test_membership_rows_become_member_actions(admin_client, team, lead, member, user):
    memberships = list(Membership.objects.filter(team=team).order_by("pk"))
    rows = [{"id": m.pk, "team": team.pk, "user": m.user.pk, "role": m.role} for m in memberships]
    rows[1].update(role="lead")  # promote the member
    rows[0].update(DELETE="on")  # and remove the old lead in the same save
    rows.append({"team": team.pk, "user": user.pk, "role": "member"})

    response = admin_client.post(
        reverse("admin:teams_team_change", args=[team.pk]),
        {**team_form(team), **inline("memberships", rows, initial=2)},
    )

    assert response.status_code == 302
    assert dict(Membership.objects.filter(team=team).values_list("user", "role")) == {
        member.pk: "lead",
        user.pk: "member",
    }
    actions = ChangeRecord.objects.filter(interface=Interface.ADMIN).values_list(
        "action", flat=True
    )
    assert sorted(actions) == ["add_member", "change_role", "remove_member"]


def test_a_refused_action_is_an_error_message(admin_client, settings, team, lead):
    settings.KEEL_TEAM_SIZE_LIMIT = 2
    newcomers = [MembershipFactory().user, MembershipFactory().user]
    rows = [{"id": lead.memberships.get().pk, "team": team.pk, "user": lead.pk, "role": "lead"}]
    rows += [{"team": team.pk, "user": u.pk, "role": "member"} for u in newcomers]
    url = reverse("admin:teams_team_change", args=[team.pk])

    response = admin_client.post(
        url, {**team_form(team), **inline("memberships", rows, initial=1)}, follow=True
    )

    assert response.redirect_chain == [(url, 302)]
    assert "the limit is 2" in " ".join(str(m) for m in response.context["messages"])
    assert team.memberships.count() == 1  # the whole save was rolled back


def test_history_can_be_read_but_not_changed(admin_client, service):
    record = ChangeRecord.objects.first()
    change_url = reverse("admin:portal_changerecord_change", args=[record.pk])

    assert admin_client.get(reverse("admin:portal_changerecord_changelist")).status_code == 200
    page = admin_client.get(change_url)
    assert page.status_code == 200 and not page.context["has_change_permission"]
    assert admin_client.post(change_url, {"object_repr": "rewritten"}).status_code == 403
    assert admin_client.get(reverse("admin:portal_changerecord_add")).status_code == 403
    delete_url = reverse("admin:portal_changerecord_delete", args=[record.pk])
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    record.refresh_from_db()
    assert record.object_repr == "Checkout"


@pytest.mark.parametrize(
    "model", ["team", "service", "api", "apiversion", "datadomain", "resource", "dependency",
              "apiconsumption", "tag", "changerecord", "system", "businessdomain"],
)  # fmt: skip
def test_every_model_has_list_add_and_change_pages(admin_client, model):
    consumption = ApiConsumptionFactory(consumer=ServiceFactory(tags=["pci"]))
    ApiVersionFactory(api=consumption.api)
    ResourceFactory(service=consumption.consumer)
    DataDomainFactory(owner_service=consumption.consumer)
    SystemFactory(business_domain=BusinessDomainFactory())
    app = {"team": "teams", "changerecord": "portal"}.get(model, "catalog")
    obj = apps.get_model(app, model).objects.first()

    assert admin_client.get(reverse(f"admin:{app}_{model}_changelist")).status_code == 200
    assert (
        admin_client.get(reverse(f"admin:{app}_{model}_change", args=[obj.pk])).status_code == 200
    )
    readonly = model in {"tag", "changerecord"}
    assert admin_client.get(reverse(f"admin:{app}_{model}_add")).status_code == (
        403 if readonly else 200
    )


def test_a_service_page_lists_its_apis_and_dependencies(admin_client, service):
    # Given a service that provides an API and depends on another service
    ApiFactory(slug="checkout-api", provider=service)
    DependencyFactory(source=service, target_service=ServiceFactory(slug="ledger", name="Ledger"))
    # When an admin opens its change page
    response = admin_client.get(reverse("admin:catalog_service_change", args=[service.pk]))
    # Then both read-only tables show their rows
    rows = {
        formset.formset.prefix: [form.original for form in formset]
        for formset in response.context["inline_admin_formsets"]
    }
    assert [str(api.slug) for api in rows["provided_apis"]] == ["checkout-api"]
    assert [d.target_service.slug for d in rows["dependencies"]] == ["ledger"]
    assert "Ledger" in response.content.decode()
