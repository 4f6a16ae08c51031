"""One name rule on every path (issue 8, point 14): service create over REST and GraphQL,
the scaffold form, scaffold REST, and the repository folder itself. Each refuses the same
names with the same message, and nothing is trimmed on the way in."""

import pytest
from django.test import RequestFactory

from catalog import actions as catalog_actions
from catalog.factories import ServiceFactory
from catalog.models import Service
from portal.names import name_problem
from scaffolding.models import ScaffoldRun
from scaffolding.providers.local import repositories_root
from scaffolding.safety import check_repository_name

from .conftest import http_params
from .graphql import execute, schema

pytestmark = [pytest.mark.urls("tests.scaffolding.urls"), pytest.mark.usefixtures("eager_celery")]

REFUSED = ["con", "nul", "aux", "com1", "lpt1", "0", "a", "1abc", "a--b", "abc\n", " abc"]
CREATE_SERVICE = """
mutation($input: CreateServiceInput!) {
  createService(input: $input) { service { slug } errors { field messages } }
}"""


def _nothing_written():
    return not Service.objects.exists() and not ScaffoldRun.objects.exists()


@pytest.mark.parametrize("slug", REFUSED)
def test_rest_service_create_refuses_the_name_with_the_rules_message(member_client, team, slug):
    response = member_client.post(
        "/api/v1/services/", {"slug": slug, "name": "X", "owner_team": team.slug}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["slug"] == [name_problem(slug)]
    assert _nothing_written()


def test_rest_refuses_a_json_number_instead_of_turning_it_into_text(member_client, team):
    response = member_client.post(
        "/api/v1/services/", {"slug": 12345, "name": "X", "owner_team": team.slug}, format="json"
    )

    assert response.status_code == 400
    assert response.json()["slug"] == [
        "A name is text, not int. " + name_problem("0").split(". ")[1]
    ]
    assert _nothing_written()


@pytest.mark.parametrize("slug", REFUSED)
def test_graphql_service_create_refuses_the_same_names_with_the_same_message(member, team, slug):
    data = execute(
        member, CREATE_SERVICE, input={"slug": slug, "name": "X", "ownerTeam": team.slug}
    )["createService"]

    assert data["service"] is None
    assert data["errors"] == [{"field": "slug", "messages": [name_problem(slug)]}]
    assert _nothing_written()


def test_graphql_refuses_a_number_for_a_name(member, team):
    result = schema().execute(
        CREATE_SERVICE,
        variables={"input": {"slug": 12345, "name": "X", "ownerTeam": team.slug}},
        context_value=_request(member),
    )

    assert "String cannot represent a non string value: 12345" in str(result.errors)
    assert _nothing_written()


def _request(user):
    request = RequestFactory().post("/graphql/")
    request.user = user
    return request


@pytest.mark.parametrize("slug", ["con", "lpt1", "a--b", "abc\n"])
def test_scaffolding_over_rest_refuses_the_same_names(member_client, slug):
    response = member_client.post(
        "/api/v1/scaffold-runs/",
        {"template": "python-http-service", "parameters": http_params(slug=slug)},
        format="json",
    )

    assert response.status_code == 400
    assert name_problem(slug) in response.json()["slug"]
    assert _nothing_written()
    assert not list(repositories_root().iterdir())


def test_the_scaffold_form_keeps_the_name_as_typed_and_refuses_it(client, member):
    client.force_login(member)
    response = client.post(
        "/create/?template=python-http-service",
        {"template": "python-http-service", **http_params(slug="orders\n"), "tier": 3,
         "lifecycle": "experimental", "python_version": "3.11", "port": 8080},
    )  # fmt: skip

    assert response.status_code == 400
    assert response.context["form"].errors["slug"] == [name_problem("orders\n")]
    assert _nothing_written()


@pytest.mark.parametrize("slug", ["con", "com1", "a--b", "--upload-pack=x", "../x", "a"])
def test_no_repository_folder_is_made_for_a_name_outside_the_rule(slug):
    with pytest.raises(Exception, match="slug"):
        check_repository_name(slug)


def test_names_inside_the_rule_pass_everywhere(member_client, team):
    response = member_client.post(
        "/api/v1/services/",
        {"slug": "console", "name": "X", "owner_team": team.slug},
        format="json",
    )
    assert response.status_code == 201 and response.json()["slug"] == "console"
    assert check_repository_name("com10") == "com10"


def test_a_name_stored_before_the_rule_does_not_block_other_edits(member, team):
    # Given a service whose slug was valid under the old rule
    service = ServiceFactory(slug="orders", owner_team=team)
    Service.objects.filter(pk=service.pk).update(slug="1abc")
    service = Service.objects.get(pk=service.pk)

    # When its owner renames it, the edit goes through and the slug stays
    catalog_actions.update_service(service, actor=member, via="api", name="Orders v2")
    assert Service.objects.get(pk=service.pk).name == "Orders v2"
