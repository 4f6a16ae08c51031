from django.conf import settings

from portal.graphql.limits import MAX_DOCUMENT_CHARS

from .hostile import aliases, nested


def test_a_query_at_the_depth_limit_runs(member_gql, service):
    # given a query exactly as deep as allowed
    query = nested(settings.KEEL_GRAPHQL_MAX_DEPTH)
    # when it is sent
    data = member_gql(query)
    # then it is answered
    assert data["service"] is not None


def test_a_query_beyond_the_depth_limit_is_refused(member_gql, service):
    # given a query one level deeper than allowed
    query = nested(settings.KEEL_GRAPHQL_MAX_DEPTH + 1)
    # when it is sent
    response = member_gql.post(query)
    # then it is refused before anything runs, saying why
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"] == (
        f"The query is {settings.KEEL_GRAPHQL_MAX_DEPTH + 1} levels deep; "
        f"the limit is {settings.KEEL_GRAPHQL_MAX_DEPTH}."
    )


def test_queries_within_the_alias_limit_run(member_gql, service):
    data = member_gql(aliases(settings.KEEL_GRAPHQL_MAX_ALIASES))
    assert data["a0"]["totalCount"] == 1


def test_a_query_with_too_many_aliases_is_refused(member_gql, service):
    # given a query repeating an expensive field under more aliases than allowed
    query = aliases(settings.KEEL_GRAPHQL_MAX_ALIASES + 1)
    # when it is sent
    response = member_gql.post(query)
    # then it is refused with one clear error
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert [e["message"] for e in errors] == [
        f"The query uses more than {settings.KEEL_GRAPHQL_MAX_ALIASES} aliases."
    ]


def test_aliases_inside_nested_fields_count_too(member_gql, service):
    nested = " ".join(
        f"t{n}: ownerTeam {{ slug }}" for n in range(settings.KEEL_GRAPHQL_MAX_ALIASES)
    )
    response = member_gql.post(f'{{ s: service(slug: "checkout") {{ {nested} }} }}')
    assert response.status_code == 400


def test_a_huge_query_document_is_refused_before_parsing(member_gql):
    # given a document longer than the limit (a comment costs nothing to write)
    query = "{ services { totalCount } }\n#" + "x" * MAX_DOCUMENT_CHARS
    # when it is sent
    response = member_gql.post(query)
    # then it is refused with 400 and a message
    assert response.status_code == 400
    assert "longer than" in response.json()["errors"][0]["message"]


def test_the_standard_validation_rules_still_apply(member_gql):
    response = member_gql.post("{ services { edges { node { noSuchField } } } }")
    assert response.status_code == 400
    assert "Cannot query field 'noSuchField'" in response.json()["errors"][0]["message"]


def test_connection_pages_are_capped(member_gql, service):
    # given a request for more than the maximum page size
    limit = settings.GRAPHENE["RELAY_CONNECTION_MAX_LIMIT"]
    response = member_gql.post(f"{{ services(first: {limit + 1}) {{ totalCount }} }}")
    # then it is refused before anything runs, with the limit named, and no data
    assert response.status_code == 400
    assert response.json() == {
        "errors": [
            {
                "message": f"Requesting {limit + 1} records on the `services` connection "
                f"exceeds the limit of {limit} records.",
                "locations": [{"line": 1, "column": 3}],
            }
        ]
    }
