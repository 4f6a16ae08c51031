import graphene
from django.core.exceptions import ValidationError

from portal.graphql.mutations import VIA, ActionMutation, by_slug
from teams.models import Team

from .. import actions
from ..models import Api, DataDomain, Dependency, Resource, Service
from .types import (
    ApiConsumptionType,
    ApiKind,
    ApiType,
    ApiVersionType,
    Criticality,
    DataDomainType,
    DependencyKind,
    DependencyType,
    LifecycleEnum,
    ResourceKind,
    ResourceType,
    Runtime,
    ServiceKind,
    ServiceType,
)

# --- inputs -----------------------------------------------------------------------------------


class ServiceFields:
    name = graphene.String()
    description = graphene.String()
    lifecycle = LifecycleEnum()
    tier = graphene.Int(description="Criticality: 1 is the most critical, 4 the least.")
    kind = ServiceKind()
    language = graphene.String()
    framework = graphene.String()
    runtime = Runtime()
    scaling_factor = graphene.String()
    repository_url = graphene.String()
    pipeline_url = graphene.String()
    docs_url = graphene.String()
    runbook_url = graphene.String()
    tags = graphene.List(graphene.NonNull(graphene.String))
    data_domain = graphene.String(description="Slug of the data domain.")


class CreateServiceInput(ServiceFields, graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    owner_team = graphene.String(required=True, description="Slug of the owning team.")


class UpdateServiceInput(ServiceFields, graphene.InputObjectType):
    slug = graphene.String(required=True, description="The service to change.")


class TransferServiceInput(graphene.InputObjectType):
    slug = graphene.String(required=True)
    owner_team = graphene.String(required=True, description="Slug of the new owning team.")


class SlugInput(graphene.InputObjectType):
    slug = graphene.String(required=True)


class CreateApiInput(graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    provider = graphene.String(required=True, description="Slug of the providing service.")
    type = ApiKind(required=True)
    description = graphene.String()
    lifecycle = LifecycleEnum()


class PublishApiVersionInput(graphene.InputObjectType):
    api = graphene.String(required=True, description="Slug of the API.")
    version = graphene.String(required=True)
    spec = graphene.String(required=True, description="The specification text (JSON or YAML).")


class DependencyTarget(graphene.InputObjectType):
    source = graphene.String(required=True, description="Slug of the depending service.")
    target_service = graphene.String(description="Slug of the service depended on.")
    target_resource = graphene.String(description="Slug of the resource depended on.")


class AddDependencyInput(DependencyTarget):
    kind = DependencyKind()
    criticality = Criticality()
    description = graphene.String()


class AddApiConsumptionInput(graphene.InputObjectType):
    consumer = graphene.String(required=True, description="Slug of the consuming service.")
    api = graphene.String(required=True, description="Slug of the API.")
    version_requirement = graphene.String()


class CreateDomainInput(graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    owner_service = graphene.String(required=True, description="Slug of the system of record.")
    description = graphene.String()


class CreateResourceInput(graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    kind = ResourceKind(required=True)
    service = graphene.String(required=True, description="Slug of the owning service.")
    data_domain = graphene.String(description="Slug of the data domain.")
    description = graphene.String()


# --- mutations --------------------------------------------------------------------------------


class CreateService(ActionMutation):
    service = graphene.Field(ServiceType)
    nullable = {"data_domain"}

    class Arguments:
        input = CreateServiceInput(required=True)

    @classmethod
    def perform(cls, info, actor, owner_team, data_domain=None, **fields):
        service = actions.create_service(
            actor=actor,
            via=VIA,
            owner_team=by_slug(info, Team, owner_team, "owner_team"),
            data_domain=by_slug(info, DataDomain, data_domain, "data_domain"),
            **fields,
        )
        return {"service": service}


class UpdateService(ActionMutation):
    service = graphene.Field(ServiceType)
    nullable = {"data_domain"}

    class Arguments:
        input = UpdateServiceInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug, **changes):
        service = by_slug(info, Service, slug, "slug")
        if "data_domain" in changes:
            changes["data_domain"] = by_slug(
                info, DataDomain, changes["data_domain"], "data_domain"
            )
        return {"service": actions.update_service(service, actor=actor, via=VIA, **changes)}


class TransferService(ActionMutation):
    service = graphene.Field(ServiceType)

    class Arguments:
        input = TransferServiceInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug, owner_team):
        service = by_slug(info, Service, slug, "slug")
        new_owner = by_slug(info, Team, owner_team, "owner_team")
        service = actions.transfer_service(service, new_owner=new_owner, actor=actor, via=VIA)
        return {"service": service}


class DeleteService(ActionMutation):
    slug = graphene.String(description="The slug of the deleted service.")

    class Arguments:
        input = SlugInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug):
        actions.delete_service(by_slug(info, Service, slug, "slug"), actor=actor, via=VIA)
        return {"slug": slug}


class CreateApi(ActionMutation):
    api = graphene.Field(ApiType)

    class Arguments:
        input = CreateApiInput(required=True)

    @classmethod
    def perform(cls, info, actor, provider, **fields):
        provider = by_slug(info, Service, provider, "provider")
        return {"api": actions.create_api(actor=actor, via=VIA, provider=provider, **fields)}


class PublishApiVersion(ActionMutation):
    api_version = graphene.Field(ApiVersionType)

    class Arguments:
        input = PublishApiVersionInput(required=True)

    @classmethod
    def perform(cls, info, actor, api, version, spec):
        api = by_slug(info, Api, api, "api")
        published = actions.publish_api_version(
            api, actor=actor, via=VIA, version=version, spec=spec
        )
        return {"api_version": published}


def _targets(info, target_service, target_resource) -> dict:
    return {
        "target_service": by_slug(info, Service, target_service, "target_service"),
        "target_resource": by_slug(info, Resource, target_resource, "target_resource"),
    }


class AddDependency(ActionMutation):
    dependency = graphene.Field(DependencyType)
    nullable = {"target_service", "target_resource"}

    class Arguments:
        input = AddDependencyInput(required=True)

    @classmethod
    def perform(cls, info, actor, source, target_service=None, target_resource=None, **fields):
        dependency = actions.add_dependency(
            actor=actor,
            via=VIA,
            source=by_slug(info, Service, source, "source"),
            **_targets(info, target_service, target_resource),
            **fields,
        )
        return {"dependency": dependency}


class RemoveDependency(ActionMutation):
    source = graphene.Field(ServiceType, description="The service that no longer depends.")
    nullable = {"target_service", "target_resource"}

    class Arguments:
        input = DependencyTarget(required=True)

    @classmethod
    def perform(cls, info, actor, source, target_service=None, target_resource=None):
        source = by_slug(info, Service, source, "source")
        dependency = Dependency.objects.filter(
            source=source, **_targets(info, target_service, target_resource)
        ).first()
        if dependency is None:
            raise ValidationError(f"{source.slug} has no such dependency.")
        actions.remove_dependency(dependency, actor=actor, via=VIA)
        return {"source": source}


class AddApiConsumption(ActionMutation):
    consumption = graphene.Field(ApiConsumptionType)

    class Arguments:
        input = AddApiConsumptionInput(required=True)

    @classmethod
    def perform(cls, info, actor, consumer, api, **fields):
        consumption = actions.add_consumption(
            actor=actor,
            via=VIA,
            consumer=by_slug(info, Service, consumer, "consumer"),
            api=by_slug(info, Api, api, "api"),
            **fields,
        )
        return {"consumption": consumption}


class CreateDomain(ActionMutation):
    domain = graphene.Field(DataDomainType)

    class Arguments:
        input = CreateDomainInput(required=True)

    @classmethod
    def perform(cls, info, actor, owner_service, **fields):
        owner = by_slug(info, Service, owner_service, "owner_service")
        return {
            "domain": actions.create_domain(actor=actor, via=VIA, owner_service=owner, **fields)
        }


class CreateResource(ActionMutation):
    resource = graphene.Field(ResourceType)
    nullable = {"data_domain"}

    class Arguments:
        input = CreateResourceInput(required=True)

    @classmethod
    def perform(cls, info, actor, service, data_domain=None, **fields):
        resource = actions.create_resource(
            actor=actor,
            via=VIA,
            service=by_slug(info, Service, service, "service"),
            data_domain=by_slug(info, DataDomain, data_domain, "data_domain"),
            **fields,
        )
        return {"resource": resource}


class CatalogMutation(graphene.ObjectType):
    create_service = CreateService.Field()
    update_service = UpdateService.Field()
    transfer_service = TransferService.Field()
    delete_service = DeleteService.Field()
    create_api = CreateApi.Field()
    publish_api_version = PublishApiVersion.Field()
    add_dependency = AddDependency.Field()
    remove_dependency = RemoveDependency.Field()
    add_api_consumption = AddApiConsumption.Field()
    create_domain = CreateDomain.Field()
    create_resource = CreateResource.Field()
