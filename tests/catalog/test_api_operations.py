"""An API's operations are read from each version when it is published, stored once (capped),
and found by search by operationId, path and summary, linked to their place on the API page;
they rank below the other kinds' name matches. Runs on SQLite and in the PostgreSQL tier."""

import importlib
import json

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from catalog import actions, spec_operations
from catalog.factories import ApiFactory, ServiceFactory
from catalog.models import Api, ApiOperation
from catalog.specs import validate_spec
from portal import search
from portal.audit import system_actor
from portal.models import Interface

pytestmark = pytest.mark.django_db


def _openapi(paths: dict, version: str = "1.0.0") -> str:
    return json.dumps(
        {"openapi": "3.0.3", "info": {"title": "Billing", "version": version}, "paths": paths}
    )


def _operation(operation_id: str, summary: str = "") -> dict:
    return {
        "operationId": operation_id,
        "summary": summary,
        "responses": {"200": {"description": "OK"}},
    }


BILLING = {
    "/invoices": {"get": _operation("listInvoices", "Every invoice of an account")},
    "/invoices/{invoiceId}/refunds": {
        "parameters": [
            {"name": "invoiceId", "in": "path", "required": True, "schema": {"type": "string"}}
        ],
        "post": _operation("refundInvoice", "Refund a settled payment"),
    },
}

ASYNCAPI_3 = """\
asyncapi: 3.0.0
info: {title: Orders, version: 1.0.0}
channels:
  created:
    address: orders.created
    messages:
      placed: {payload: {type: object}}
operations:
  announceOrder:
    action: send
    summary: Tell the warehouse about a new order
    channel: {$ref: '#/channels/created'}
"""

GRAPHQL = """\
type Query { order(id: ID!): Order }
type Mutation {
  "Cancel an order that has not shipped"
  cancelOrder(id: ID!): Order
}
type Order { id: ID! }
"""

PROTO = """\
syntax = "proto3";
package orders.v1;
service Orders { rpc GetOrder (Req) returns (Req); }
message Req { string id = 1; }
"""


def _publish(api, spec, version="1.0.0"):
    return actions.publish_api_version(
        api, actor=system_actor(), via=Interface.API, version=version, spec=spec
    )


@pytest.fixture
def member_page(member):
    client = Client()
    client.force_login(member)
    return client


@pytest.fixture
def billing(team, member):
    provider = ServiceFactory(slug="billing", owner_team=team)
    api = ApiFactory(slug="billing-api", name="Billing API", provider=provider, type="openapi")
    _publish(api, _openapi(BILLING))
    return api


def _operations(query, user):
    return [h for h in search.search(query, user) if h.kind == "operation"]


def test_publishing_stores_each_operation_with_its_method_path_id_and_summary(billing):
    rows = ApiOperation.objects.filter(api=billing).values_list(
        "position", "method", "path", "identifier", "summary"
    )
    assert list(rows) == [
        (0, "GET", "/invoices", "listInvoices", "Every invoice of an account"),
        (1, "POST", "/invoices/{invoiceId}/refunds", "refundInvoice", "Refund a settled payment"),
    ]


@pytest.mark.parametrize(
    "query", ["refundInvoice", "refundinvoice", "{invoiceId}/refunds", "settled payment"]
)
def test_search_finds_an_operation_by_its_id_a_path_fragment_or_summary_words(
    billing, member, query
):
    [hit] = _operations(query, member)

    assert hit.obj.identifier == "refundInvoice" and hit.label == "Operation"
    assert hit.name == "POST /invoices/{invoiceId}/refunds"
    assert hit.url == "/apis/billing-api/?version=1.0.0&page=1#op-1"


def test_the_link_opens_the_page_of_the_list_the_operation_is_on(
    team, member, member_page, settings
):
    settings.KEEL_SPEC_PAGE_SIZE = 2
    api = ApiFactory(slug="many", provider=ServiceFactory(owner_team=team), type="openapi")
    _publish(api, _openapi({f"/r{n}": {"get": _operation(f"op{n}")} for n in range(5)}))
    [hit] = _operations("op4", member)
    assert hit.url == "/apis/many/?version=1.0.0&page=3#op-4"

    assert 'id="op-4"' in member_page.get(hit.url.split("#")[0]).content.decode()


def test_an_operation_ranks_below_an_exact_name_match_of_another_kind(billing, member, team):
    ServiceFactory(slug="refunds", name="Refunds", owner_team=team)
    hits = search.search("refunds", member)
    assert [(h.kind, h.obj.slug) for h in hits][:2] == [
        ("service", "refunds"),
        ("operation", "refundInvoice"),
    ]


def test_only_the_current_versions_operations_are_found(billing, member):
    _publish(billing, _openapi({"/invoices": {"get": _operation("listInvoices")}}), "2.0.0")
    billing.refresh_from_db()
    assert billing.current_version == "2.0.0"

    assert _operations("refundInvoice", member) == []
    [hit] = _operations("listInvoices", member)
    assert hit.obj.version.version == "2.0.0"
    assert ApiOperation.objects.filter(api=billing).count() == 3  # 1.0.0 keeps its two


def test_rest_and_graphql_give_operations_as_the_page_does(billing, member_client, member_page):
    rest = member_client.get("/api/v1/search/", {"q": "listInvoices"}).json()
    assert {"kind": "operation", "slug": "listInvoices", "label": "Operation"}.items() <= rest[
        0
    ].items()
    query = 'query { search(query: "listInvoices", kinds: [OPERATION]) { kind slug url } }'
    data = member_page.post("/graphql/", {"query": query}, content_type="application/json")
    assert data.json()["data"]["search"] == [
        {"kind": "OPERATION", "slug": "listInvoices", "url": rest[0]["url"]}
    ]


def test_the_page_and_the_suggestions_show_the_operation_with_its_api(billing, member_page):
    page = member_page.get(reverse("search"), {"q": "settled"}).content.decode()
    assert "POST /invoices/{invoiceId}/refunds" in page and "operation of Billing API 1.0.0" in page
    suggestions = member_page.get(reverse("search"), {"q": "settled"}, HTTP_HX_REQUEST="true")
    assert "/apis/billing-api/?version=1.0.0&amp;page=1#op-1" in suggestions.content.decode()


@pytest.mark.parametrize(
    ("api_type", "spec", "expected"),
    [
        (
            "asyncapi",
            ASYNCAPI_3,
            [
                (
                    0,
                    "send",
                    "orders.created",
                    "announceOrder",
                    "Tell the warehouse about a new order",
                )
            ],
        ),
        (
            "graphql",
            GRAPHQL,
            [
                (0, "query", "Query", "order", ""),
                (0, "mutation", "Mutation", "cancelOrder", "Cancel an order that has not shipped"),
            ],
        ),
        ("grpc", PROTO, [(0, "rpc", "/orders.v1.Orders/GetOrder", "GetOrder", "")]),
    ],
)
def test_asyncapi_operations_graphql_root_fields_and_grpc_methods_are_stored(
    team, member, api_type, spec, expected
):
    api = ApiFactory(provider=ServiceFactory(owner_team=team), type=api_type)
    _publish(api, spec)
    rows = ApiOperation.objects.filter(api=api).values_list(
        "position", "method", "path", "identifier", "summary"
    )
    assert list(rows) == expected
    [hit] = _operations(expected[-1][3], member)
    assert hit.url.startswith(f"{api.get_absolute_url()}?version=1.0.0")


def test_a_huge_spec_stores_at_most_the_cap_and_cuts_long_texts(team, monkeypatch):
    monkeypatch.setattr(spec_operations, "MAX_OPERATIONS", 3)
    api = ApiFactory(provider=ServiceFactory(owner_team=team), type="openapi")
    paths = {f"/r{n}": {"get": _operation(f"op{n}", "word " * 200)} for n in range(10)}
    _publish(api, _openapi(paths))

    stored = list(ApiOperation.objects.filter(api=api).values_list("identifier", "summary"))
    assert [identifier for identifier, _ in stored] == ["op0", "op1", "op2"]
    assert all(len(summary) == spec_operations.LIMITS["summary"] for _, summary in stored)


def test_a_refused_publish_stores_no_operations(billing):
    with pytest.raises(ValidationError):
        _publish(billing, _openapi(BILLING), version="1.0.0")  # already published
    assert ApiOperation.objects.filter(api=billing).count() == 2


def test_the_migration_stores_the_operations_of_versions_published_before_it(billing):
    ApiOperation.objects.all().delete()
    migration = importlib.import_module("catalog.migrations.0011_api_operations")
    migration.store_published(apps, None)

    assert ApiOperation.objects.filter(api=billing).count() == 2
    assert (
        spec_operations.extract("openapi", validate_spec("openapi", _openapi(BILLING)))[1][
            "identifier"
        ]
        == "refundInvoice"
    )


def test_search_reads_operations_in_one_query_whatever_matches(
    billing, member, django_assert_num_queries
):
    for n in range(3):
        api = ApiFactory(provider=billing.provider, type=Api.Type.OPENAPI)
        _publish(api, _openapi({f"/refunds/{n}": {"get": _operation(f"refund{n}")}}))
    with django_assert_num_queries(1):
        hits = search.search("refund", member, kinds={"operation"})
        assert len(hits) == 4 and all(h.obj.api.provider.slug for h in hits)
        assert all(h.url for h in hits)


def test_the_importers_bulk_publish_stores_the_operations_too(staff, member):
    from tests.descriptors.test_importing import CATALOG, _location, _run

    document = CATALOG.replace(
        "    paths: {}",
        "    paths:\n      /carts:\n        get: {operationId: listCarts, responses: {'200': {description: OK}}}",
    )
    _run(_location(staff, document), staff)

    [hit] = _operations("listCarts", member)
    assert hit.obj.api.slug == "cart-api" and hit.name == "GET /carts"
