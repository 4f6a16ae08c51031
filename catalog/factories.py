"""Factories for the catalog, used by the tests and the demo loader (see portal.factories)."""

import json

import factory

from portal.factories import ActionFactory
from teams.factories import TeamFactory

from . import actions
from .models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    DataDomain,
    Dependency,
    Resource,
    Service,
    System,
)


def openapi_document(title: str, version: str = "1.0.0", resource: str = "items") -> str:
    """A small but complete OpenAPI 3.1 document for a CRUD resource, as JSON text."""
    item = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "name": {"type": "string"},
            "created_at": {"type": "string", "format": "date-time"},
        },
    }
    ref = {"$ref": "#/components/schemas/Item"}
    document = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version},
        "paths": {
            f"/{resource}": {
                "get": {
                    "operationId": f"list_{resource}",
                    "summary": f"List {resource}",
                    "responses": {
                        "200": {
                            "description": "A page of results",
                            "content": {
                                "application/json": {"schema": {"type": "array", "items": ref}}
                            },
                        }
                    },
                },
                "post": {
                    "operationId": f"create_{resource}",
                    "requestBody": {"content": {"application/json": {"schema": ref}}},
                    "responses": {"201": {"description": "Created"}},
                },
            },
            f"/{resource}/{{id}}": {
                "get": {
                    "operationId": f"get_{resource}",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}
                    ],
                    "responses": {
                        "200": {
                            "description": "The item",
                            "content": {"application/json": {"schema": ref}},
                        },
                        "404": {"description": "Not found"},
                    },
                }
            },
        },
        "components": {"schemas": {"Item": item}},
    }
    return json.dumps(document, indent=2)


class ServiceFactory(ActionFactory):
    class Meta:
        model = Service

    slug = factory.Sequence(lambda n: f"service-{n}")
    name = factory.LazyAttribute(lambda s: s.slug.replace("-", " ").title())
    # Derived, not random: free-text search tests must not match a random word ("knowledge"
    # contains "ledg").
    description = factory.LazyAttribute(lambda s: f"Runs {s.name}.")
    owner_team = factory.SubFactory(TeamFactory)
    lifecycle = Service._meta.get_field("lifecycle").default
    tier = 3
    kind = Service.Kind.SERVICE
    language = "python"
    runtime = Service.Runtime.CONTAINER
    repository_url = factory.LazyAttribute(lambda s: f"https://git.example.com/{s.slug}")

    _action = staticmethod(actions.create_service)


class DataDomainFactory(ActionFactory):
    class Meta:
        model = DataDomain

    slug = factory.Sequence(lambda n: f"domain-{n}")
    name = factory.LazyAttribute(lambda d: d.slug.replace("-", " ").title())
    description = factory.LazyAttribute(lambda d: f"The records of {d.name}.")
    owner_service = factory.SubFactory(ServiceFactory)

    _action = staticmethod(actions.create_domain)


class ApiFactory(ActionFactory):
    class Meta:
        model = Api

    slug = factory.Sequence(lambda n: f"api-{n}")
    name = factory.LazyAttribute(lambda a: f"{a.slug.replace('-', ' ').title()} API")
    description = factory.LazyAttribute(lambda a: f"The contract of {a.name}.")
    provider = factory.SubFactory(ServiceFactory)
    type = Api.Type.OPENAPI

    _action = staticmethod(actions.create_api)


class ApiVersionFactory(ActionFactory):
    class Meta:
        model = ApiVersion

    api = factory.SubFactory(ApiFactory)
    version = "1.0.0"
    spec = factory.LazyAttribute(lambda v: openapi_document(v.api.name, v.version))

    _action = staticmethod(lambda *, api, **kw: actions.publish_api_version(api, **kw))


class ResourceFactory(ActionFactory):
    class Meta:
        model = Resource

    slug = factory.Sequence(lambda n: f"resource-{n}")
    name = factory.LazyAttribute(lambda r: r.slug.replace("-", " ").title())
    kind = Resource.Kind.DATABASE
    service = factory.SubFactory(ServiceFactory)

    _action = staticmethod(actions.create_resource)


class DependencyFactory(ActionFactory):
    class Meta:
        model = Dependency

    source = factory.SubFactory(ServiceFactory)
    target_service = factory.SubFactory(ServiceFactory)
    kind = Dependency.Kind.SYNC

    _action = staticmethod(actions.add_dependency)


class ApiConsumptionFactory(ActionFactory):
    class Meta:
        model = ApiConsumption

    consumer = factory.SubFactory(ServiceFactory)
    api = factory.SubFactory(ApiFactory)

    _action = staticmethod(actions.add_consumption)


class BusinessDomainFactory(ActionFactory):
    class Meta:
        model = BusinessDomain

    slug = factory.Sequence(lambda n: f"business-domain-{n}")
    name = factory.LazyAttribute(lambda d: d.slug.replace("-", " ").title())
    description = factory.LazyAttribute(lambda d: f"The business of {d.name}.")
    owner_team = factory.SubFactory(TeamFactory)

    _action = staticmethod(actions.create_business_domain)


class SystemFactory(ActionFactory):
    class Meta:
        model = System

    slug = factory.Sequence(lambda n: f"system-{n}")
    name = factory.LazyAttribute(lambda s: s.slug.replace("-", " ").title())
    description = factory.LazyAttribute(lambda s: f"What {s.name} offers.")
    owner_team = factory.SubFactory(TeamFactory)

    _action = staticmethod(actions.create_system)
