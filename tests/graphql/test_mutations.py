import pytest

from catalog.factories import ApiFactory, DependencyFactory, ServiceFactory, openapi_document
from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    DataDomain,
    Dependency,
    Resource,
    Service,
)
from portal.models import ChangeRecord, Interface
from teams.models import Membership, Team

CREATE_SERVICE = """
mutation($input: CreateServiceInput!) {
  createService(input: $input) {
    service { slug tier lifecycle tags ownerTeam { slug } }
    errors { field messages }
  }
}"""


def _state():
    """Everything a rejected mutation must leave as it was."""
    return (
        list(Service.objects.values_list("slug", "name", "tier", "owner_team__slug")),
        Api.objects.count(),
        ApiVersion.objects.count(),
        Dependency.objects.count(),
        ApiConsumption.objects.count(),
        DataDomain.objects.count(),
        Resource.objects.count(),
        list(Membership.objects.values_list("team__slug", "user__username", "role")),
        ChangeRecord.objects.count(),
    )


def _errors(payload) -> dict:
    return {error["field"]: error["messages"] for error in payload["errors"]}


def test_a_member_creates_a_service_for_their_team(member_gql, member, team):
    # when a member of payments registers a service owned by payments
    data = member_gql(
        CREATE_SERVICE,
        {"input": {"slug": "refunds", "name": "Refunds", "ownerTeam": "payments", "tier": 2,
                   "lifecycle": "PRODUCTION", "tags": ["pci", "Money"]}},
    )  # fmt: skip
    # then it exists, and the change is recorded as theirs, made through GraphQL
    payload = data["createService"]
    assert payload["errors"] == []
    assert payload["service"] == {
        "slug": "refunds", "tier": 2, "lifecycle": "PRODUCTION", "tags": ["money", "pci"],
        "ownerTeam": {"slug": "payments"},
    }  # fmt: skip
    record = ChangeRecord.objects.filter(object_repr="Refunds").get()
    assert (record.actor, record.interface, record.action) == (member, Interface.GRAPHQL, "create")


def test_an_outsider_cannot_create_a_service_for_another_team(gql, outsider, team):
    # given a user in team search
    gql.client.force_login(outsider)
    before = _state()
    # when they try to register a service owned by payments
    response = gql.post(
        CREATE_SERVICE, {"input": {"slug": "sneaky", "name": "Sneaky", "ownerTeam": "payments"}}
    )
    # then a GraphQL error says who may, no service comes back and nothing changed
    body = response.json()
    assert body["data"]["createService"] is None
    assert body["errors"][0]["message"].startswith("Only members of team payments")
    assert _state() == before


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"ownerTeam": "nowhere"}, "ownerTeam", "No team has the slug 'nowhere'."),
        ({"dataDomain": "nowhere"}, "dataDomain", "No data domain has the slug 'nowhere'."),
        ({"slug": "Not A Slug"}, "slug", "Use a DNS label"),
        ({"slug": "checkout"}, "slug", "This slug is already taken"),
        ({"name": "x" * 100_000}, "name", "at most 200 characters"),
        ({"tier": 9}, "tier", "less than or equal to 4"),
        ({"repositoryUrl": "not a url"}, "repositoryUrl", "Enter a valid URL."),
        ({"tags": ["no spaces allowed"]}, "tags", "use lower-case letters"),
        ({"description": "nul\x00byte"}, "description", "Null characters are not allowed."),
        ({"description": None}, "description", "cannot be null"),
    ],
)
def test_bad_service_input_comes_back_as_field_errors(member_gql, service, fields, field, message):
    # given input that breaks one rule
    before = _state()
    data = {"slug": "new-service", "name": "New", "ownerTeam": "payments", **fields}
    # when it is sent
    payload = member_gql(CREATE_SERVICE, {"input": data})["createService"]
    # then the payload names the field and says why, with no service, and nothing changed
    assert payload["service"] is None
    assert message in " ".join(_errors(payload).get(field, [])), payload
    assert _state() == before


@pytest.mark.parametrize(
    "variables",
    [
        {"input": {"slug": "x", "name": "X", "ownerTeam": "payments", "tier": "one"}},
        {"input": {"slug": "x", "name": "X", "ownerTeam": "payments", "lifecycle": "SUNSET"}},
        {"input": {"slug": "x", "name": "X", "ownerTeam": "payments", "tier": 2**40}},
        {"input": {"slug": "x", "name": "X"}},
        {"input": {"slug": "x", "name": "X", "ownerTeam": "payments", "unknown": 1}},
        {"input": None},
    ],
)
def test_ill_typed_input_is_refused_with_400(member_gql, team, variables):
    before = _state()
    response = member_gql.post(CREATE_SERVICE, variables)
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"]
    assert _state() == before


def test_update_service_changes_only_what_is_given(member_gql, service):
    data = member_gql(
        'mutation { updateService(input: {slug: "checkout", tier: 1, tags: ["pci"]}) { service { tier tags name } errors { field } } }'
    )
    assert data["updateService"] == {
        "service": {"tier": 1, "tags": ["pci"], "name": "Checkout"}, "errors": []
    }  # fmt: skip


def test_update_of_an_unknown_service_is_a_field_error(member_gql, team):
    data = member_gql(
        'mutation { updateService(input: {slug: "ghost", tier: 1}) { service { slug } errors { field messages } } }'
    )
    assert _errors(data["updateService"]) == {"slug": ["No service has the slug 'ghost'."]}


def test_outsiders_cannot_update_delete_or_transfer_a_service(gql, outsider, service):
    gql.client.force_login(outsider)
    before = _state()
    for mutation in (
        'updateService(input: {slug: "checkout", tier: 1}) { errors { field } }',
        'deleteService(input: {slug: "checkout"}) { errors { field } }',
        'transferService(input: {slug: "checkout", ownerTeam: "search"}) { errors { field } }',
    ):
        body = gql.post(f"mutation {{ {mutation} }}").json()
        assert "Only members of team payments" in body["errors"][0]["message"]
    assert _state() == before


def test_transfer_and_delete_a_service(member_gql, service, outsider):
    data = member_gql(
        'mutation { transferService(input: {slug: "checkout", ownerTeam: "search"}) { service { ownerTeam { slug } } errors { field } } }'
    )
    assert data["transferService"]["service"]["ownerTeam"] == {"slug": "search"}
    # the payments member no longer owns it, so cannot delete it
    body = member_gql.post('mutation { deleteService(input: {slug: "checkout"}) { slug } }').json()
    assert "Only members of team search" in body["errors"][0]["message"]
    member_gql.client.force_login(outsider)
    data = member_gql(
        'mutation { deleteService(input: {slug: "checkout"}) { slug errors { field } } }'
    )
    assert data["deleteService"] == {"slug": "checkout", "errors": []}
    assert not Service.objects.filter(slug="checkout").exists()


def test_a_service_others_depend_on_cannot_be_deleted(member_gql, service):
    DependencyFactory(target_service=service)
    before = _state()
    data = member_gql(
        'mutation { deleteService(input: {slug: "checkout"}) { slug errors { field messages } } }'
    )
    payload = data["deleteService"]
    assert payload["slug"] is None
    assert "cannot be deleted while these depend on it" in _errors(payload)[None][0]
    assert _state() == before


def test_apis_versions_consumption_and_dependencies(member_gql, service, outsider):
    # given a member of payments, owner of checkout, and billing owned by search
    billing = ServiceFactory(slug="billing", owner_team=outsider.teams.get())
    create = member_gql(
        'mutation { createApi(input: {slug: "checkout-api", name: "Checkout API", provider: "checkout", type: OPENAPI}) { api { slug type lifecycle provider { slug } } errors { field } } }'
    )
    assert create["createApi"]["api"] == {
        "slug": "checkout-api", "type": "OPENAPI", "lifecycle": "EXPERIMENTAL",
        "provider": {"slug": "checkout"},
    }  # fmt: skip
    publish = """mutation($input: PublishApiVersionInput!) {
      publishApiVersion(input: $input) { apiVersion { version digest api { slug } } errors { field messages } }
    }"""
    spec = openapi_document("Checkout API")
    good = member_gql(publish, {"input": {"api": "checkout-api", "version": "1.0.0", "spec": spec}})
    assert good["publishApiVersion"]["apiVersion"]["version"] == "1.0.0"
    assert len(good["publishApiVersion"]["apiVersion"]["digest"]) == 64
    # an invalid specification and a duplicate version are field errors
    bad = member_gql(
        publish,
        {"input": {"api": "checkout-api", "version": "2.0.0", "spec": '{"openapi": "3.1.0"}'}},
    )
    assert "Invalid OpenAPI" in _errors(bad["publishApiVersion"])["spec"][0]
    again = member_gql(
        publish, {"input": {"api": "checkout-api", "version": "1.0.0", "spec": spec}}
    )
    assert "already published" in _errors(again["publishApiVersion"])["version"][0]
    # the member's checkout consumes its own API? refused; billing's owners are not them
    own = member_gql(
        'mutation { addApiConsumption(input: {consumer: "checkout", api: "checkout-api"}) { errors { field messages } } }'
    )
    assert _errors(own["addApiConsumption"]) == {"api": ["A service does not consume its own API."]}
    other = member_gql.post(
        'mutation { addApiConsumption(input: {consumer: "billing", api: "checkout-api"}) { errors { field } } }'
    )
    assert "Only members of team search" in other.json()["errors"][0]["message"]
    # and checkout may depend on billing, then stop depending on it
    added = member_gql(
        'mutation { addDependency(input: {source: "checkout", targetService: "billing", criticality: HIGH}) { dependency { kind criticality source { slug } targetService { slug } } errors { field } } }'
    )
    assert added["addDependency"]["dependency"] == {
        "kind": "SYNC", "criticality": "HIGH", "source": {"slug": "checkout"},
        "targetService": {"slug": "billing"},
    }  # fmt: skip
    duplicate = member_gql(
        'mutation { addDependency(input: {source: "checkout", targetService: "billing"}) { errors { field messages } } }'
    )
    assert _errors(duplicate["addDependency"]) == {
        "targetService": ["This dependency already exists."]
    }
    removed = member_gql(
        'mutation { removeDependency(input: {source: "checkout", targetService: "billing"}) { source { dependencies { service { slug } } } errors { field } } }'
    )
    assert removed["removeDependency"] == {"source": {"dependencies": []}, "errors": []}
    assert not billing.dependents.exists()


def test_add_api_consumption_adds_the_implied_dependency(gql, outsider, service):
    api = ApiFactory(slug="checkout-api", provider=service)
    ServiceFactory(slug="billing", owner_team=outsider.teams.get())
    gql.client.force_login(outsider)
    data = gql(
        'mutation { addApiConsumption(input: {consumer: "billing", api: "checkout-api", versionRequirement: "^1"}) { consumption { versionRequirement consumer { dependencies { service { slug } } } api { slug } } errors { field } } }'
    )
    consumption = data["addApiConsumption"]["consumption"]
    assert consumption["api"] == {"slug": api.slug}
    assert consumption["consumer"]["dependencies"] == [{"service": {"slug": "checkout"}}]


def test_self_dependency_and_missing_target_are_field_errors(member_gql, service):
    before = _state()
    own = member_gql(
        'mutation { addDependency(input: {source: "checkout", targetService: "checkout"}) { errors { field messages } } }'
    )
    assert _errors(own["addDependency"]) == {
        "targetService": ["A service cannot depend on itself."]
    }
    none = member_gql(
        'mutation { addDependency(input: {source: "checkout"}) { errors { field messages } } }'
    )
    assert (
        "exactly one service or one resource" in _errors(none["addDependency"])["targetService"][0]
    )
    gone = member_gql(
        'mutation { removeDependency(input: {source: "checkout", targetResource: "db"}) { errors { field messages } } }'
    )
    assert _errors(gone["removeDependency"]) == {
        "targetResource": ["No resource has the slug 'db'."]
    }
    assert _state() == before


def test_create_domain_and_resource(member_gql, service):
    domain = member_gql(
        'mutation { createDomain(input: {slug: "orders", name: "Orders", ownerService: "checkout"}) { domain { slug ownerService { slug } } errors { field } } }'
    )
    assert domain["createDomain"]["domain"] == {
        "slug": "orders",
        "ownerService": {"slug": "checkout"},
    }
    resource = member_gql(
        'mutation { createResource(input: {slug: "orders-db", name: "Orders DB", kind: DATABASE, service: "checkout", dataDomain: "orders"}) { resource { kind dataDomain { slug } service { slug } } errors { field } } }'
    )
    assert resource["createResource"]["resource"] == {
        "kind": "DATABASE", "dataDomain": {"slug": "orders"}, "service": {"slug": "checkout"}
    }  # fmt: skip


def test_a_team_creates_a_resource_no_service_holds(member_gql, gql, outsider, service):
    created = member_gql(
        'mutation { createResource(input: {slug: "events", name: "Events", kind: OTHER, type: "kinesis-stream", ownerTeam: "payments"}) { resource { kind type ownerTeam { slug } service { slug } } errors { field } } }'
    )
    assert created["createResource"]["resource"] == {
        "kind": "OTHER", "type": "kinesis-stream", "ownerTeam": {"slug": "payments"}, "service": None
    }  # fmt: skip
    mismatch = member_gql(
        'mutation { createResource(input: {slug: "stray-cache", name: "X", kind: CACHE, service: "checkout", ownerTeam: "search"}) { resource { slug } errors { field messages } } }'
    )
    assert mismatch["createResource"]["resource"] is None
    assert mismatch["createResource"]["errors"][0]["field"] == "ownerTeam"
    gql.client.force_login(outsider)
    body = gql.post(
        'mutation { createResource(input: {slug: "other-cache", name: "Y", kind: CACHE, ownerTeam: "payments"}) { errors { field } } }'
    ).json()
    assert "payments" in body["errors"][0]["message"]


def test_outsiders_cannot_add_domains_resources_or_apis(gql, outsider, service):
    gql.client.force_login(outsider)
    before = _state()
    for mutation in (
        'createDomain(input: {slug: "d", name: "D", ownerService: "checkout"}) { errors { field } }',
        'createResource(input: {slug: "r", name: "R", kind: CACHE, service: "checkout"}) { errors { field } }',
        'createApi(input: {slug: "a", name: "A", provider: "checkout", type: GRPC}) { errors { field } }',
        'addDependency(input: {source: "checkout", targetService: "checkout"}) { errors { field } }',
    ):
        body = gql.post(f"mutation {{ {mutation} }}").json()
        assert "Only members of team payments" in body["errors"][0]["message"], mutation
    assert _state() == before


# --- teams ------------------------------------------------------------------------------------


def test_any_user_creates_a_team_and_becomes_its_lead(gql, user):
    gql.client.force_login(user)
    data = gql(
        'mutation { createTeam(input: {slug: "platform", name: "Platform", email: "p@example.com"}) { team { slug members { role user { username } } } errors { field } } }'
    )
    assert data["createTeam"]["team"] == {
        "slug": "platform", "members": [{"role": "LEAD", "user": {"username": user.username}}]
    }  # fmt: skip


def test_team_input_errors(gql, user, team):
    gql.client.force_login(user)
    before = _state()
    data = gql(
        'mutation { createTeam(input: {slug: "payments", name: "P", email: "nope", parent: "ghost"}) { team { slug } errors { field messages } } }'
    )
    assert _errors(data["createTeam"]) == {"parent": ["No team has the slug 'ghost'."]}
    data = gql(
        'mutation { createTeam(input: {slug: "payments", name: "P", email: "nope"}) { team { slug } errors { field messages } } }'
    )
    assert set(_errors(data["createTeam"])) == {"slug", "email"}
    assert _state() == before


def test_leads_manage_membership_and_members_cannot(member_gql, member, lead, user, team):
    add = "mutation($input: AddTeamMemberInput!) { addTeamMember(input: $input) { membership { role user { username } team { slug } } errors { field messages } } }"
    # a plain member may not add people
    refused = member_gql.post(add, {"input": {"team": "payments", "username": user.username}})
    assert "Only leads of team payments" in refused.json()["errors"][0]["message"]
    # the lead may, with a default role of member
    member_gql.client.force_login(lead)
    added = member_gql(add, {"input": {"team": "payments", "username": user.username}})
    assert added["addTeamMember"]["membership"] == {
        "role": "MEMBER", "user": {"username": user.username}, "team": {"slug": "payments"}
    }  # fmt: skip
    twice = member_gql(add, {"input": {"team": "payments", "username": user.username}})
    assert _errors(twice["addTeamMember"]) == {
        "username": ["This user is already a member of the team."]
    }
    nobody = member_gql(add, {"input": {"team": "payments", "username": "nobody"}})
    assert _errors(nobody["addTeamMember"]) == {"username": ["There is no user 'nobody'."]}
    # promote, then remove
    role = member_gql(
        f'mutation {{ changeTeamMemberRole(input: {{team: "payments", username: "{member.username}", role: LEAD}}) {{ membership {{ role }} errors {{ field }} }} }}'
    )
    assert role["changeTeamMemberRole"]["membership"] == {"role": "LEAD"}
    removed = member_gql(
        f'mutation {{ removeTeamMember(input: {{team: "payments", username: "{user.username}"}}) {{ team {{ members {{ user {{ username }} }} }} errors {{ field }} }} }}'
    )
    usernames = {m["user"]["username"] for m in removed["removeTeamMember"]["team"]["members"]}
    assert usernames == {member.username, lead.username}


def test_the_last_lead_cannot_step_down(member_gql, member, lead, team):
    member_gql.client.force_login(lead)
    data = member_gql(
        f'mutation {{ changeTeamMemberRole(input: {{team: "payments", username: "{lead.username}", role: MEMBER}}) {{ membership {{ role }} errors {{ field messages }} }} }}'
    )
    assert "last lead" in _errors(data["changeTeamMemberRole"])["username"][0]
    assert Membership.objects.get(user=lead).role == Membership.Role.LEAD


def test_team_size_limit_is_a_whole_input_error(
    member_gql, lead, team, settings, django_user_model
):
    settings.KEEL_TEAM_SIZE_LIMIT = 1
    django_user_model.objects.create(username="newcomer")
    member_gql.client.force_login(lead)
    data = member_gql(
        'mutation { addTeamMember(input: {team: "payments", username: "newcomer"}) { errors { field messages } } }'
    )
    assert "the limit is 1" in _errors(data["addTeamMember"])[None][0]


def test_update_team_by_lead_only(member_gql, lead, team):
    body = member_gql.post(
        'mutation { updateTeam(input: {slug: "payments", name: "Pay"}) { errors { field } } }'
    ).json()
    assert "Only leads of team payments" in body["errors"][0]["message"]
    member_gql.client.force_login(lead)
    data = member_gql(
        'mutation { updateTeam(input: {slug: "payments", name: "Pay", parent: "payments"}) { team { name } errors { field messages } } }'
    )
    assert _errors(data["updateTeam"]) == {"parent": ["A team cannot be its own ancestor."]}
    data = member_gql(
        'mutation { updateTeam(input: {slug: "payments", name: "Pay"}) { team { name } errors { field } } }'
    )
    assert data["updateTeam"]["team"] == {"name": "Pay"}
    assert Team.objects.get(slug="payments").name == "Pay"


def test_mutations_are_refused_over_get(member_gql, team):
    response = member_gql.client.get(
        "/graphql/",
        {"query": 'mutation { createTeam(input: {slug: "x", name: "X"}) { errors { field } } }'},
    )
    assert response.status_code == 405
    assert not Team.objects.filter(slug="x").exists()
