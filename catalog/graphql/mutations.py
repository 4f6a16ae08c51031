import graphene
from django.core.exceptions import ValidationError

from portal.graphql.mutations import VIA, ActionMutation, by_slug
from teams.models import Team

from .. import actions
from ..models import Api, BusinessDomain, DataDomain, Dependency, Resource, Service, System
from .types import (
    ApiConsumptionType,
    ApiKind,
    ApiType,
    ApiVersionType,
    BusinessDomainType,
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
    SystemType,
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
    system = graphene.String(description="Slug of the system it is part of.")


class CreateServiceInput(ServiceFields, graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    owner_team = graphene.String(required=True, description="Slug of the owning team.")


class UpdateServiceInput(ServiceFields, graphene.InputObjectType):
    slug = graphene.String(required=True, description="The service to change.")


class TransferInput(graphene.InputObjectType):
    """Hand the object named by its slug to another team."""

    slug = graphene.String(required=True)
    owner_team = graphene.String(required=True, description="Slug of the new owning team.")


class TransferServiceInput(TransferInput):
    pass


class SlugInput(graphene.InputObjectType):
    slug = graphene.String(required=True)


class ApiFields:
    name = graphene.String()
    description = graphene.String()
    lifecycle = LifecycleEnum()
    system = graphene.String(description="Slug of the system it is part of.")


class CreateApiInput(ApiFields, graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    provider = graphene.String(required=True, description="Slug of the providing service.")
    type = ApiKind(required=True)


class UpdateApiInput(ApiFields, graphene.InputObjectType):
    slug = graphene.String(required=True, description="The API to change.")


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
    type = graphene.String(description="The type as a descriptor names it, when not the kind.")
    owner_team = graphene.String(description="Slug of the owning team (the service's team).")
    service = graphene.String(description="Slug of the service it belongs to, if any.")
    system = graphene.String(description="Slug of the system it is part of.")
    data_domain = graphene.String(description="Slug of the data domain.")
    description = graphene.String()


class CreateSystemInput(graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    owner_team = graphene.String(required=True, description="Slug of the owning team.")
    description = graphene.String()
    business_domain = graphene.String(description="Slug of the business domain.")


class UpdateSystemInput(graphene.InputObjectType):
    slug = graphene.String(required=True, description="The system to change.")
    name = graphene.String()
    description = graphene.String()
    business_domain = graphene.String(description="Slug of the business domain; null for none.")


class CreateBusinessDomainInput(graphene.InputObjectType):
    slug = graphene.String(required=True)
    name = graphene.String(required=True)
    owner_team = graphene.String(required=True, description="Slug of the owning team.")
    description = graphene.String()


class UpdateBusinessDomainInput(graphene.InputObjectType):
    slug = graphene.String(required=True, description="The business domain to change.")
    name = graphene.String()
    description = graphene.String()


# --- mutations --------------------------------------------------------------------------------


def _related(info, fields: dict, models: dict) -> dict:
    """``fields`` with each related slug among them (named in ``models``) resolved."""
    return {
        name: by_slug(info, models[name], value, name) if name in models else value
        for name, value in fields.items()
    }


_SERVICE_RELATIONS = {"data_domain": DataDomain, "system": System}


class CreateService(ActionMutation):
    service = graphene.Field(ServiceType)
    nullable = {"data_domain", "system"}

    class Arguments:
        input = CreateServiceInput(required=True)

    @classmethod
    def perform(cls, info, actor, owner_team, **fields):
        service = actions.create_service(
            actor=actor,
            via=VIA,
            owner_team=by_slug(info, Team, owner_team, "owner_team"),
            **_related(info, fields, _SERVICE_RELATIONS),
        )
        return {"service": service}


class UpdateService(ActionMutation):
    service = graphene.Field(ServiceType)
    nullable = {"data_domain", "system"}

    class Arguments:
        input = UpdateServiceInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug, **changes):
        service = by_slug(info, Service, slug, "slug")
        changes = _related(info, changes, _SERVICE_RELATIONS)
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
    nullable = {"system"}

    class Arguments:
        input = CreateApiInput(required=True)

    @classmethod
    def perform(cls, info, actor, provider, **fields):
        provider = by_slug(info, Service, provider, "provider")
        fields = _related(info, fields, {"system": System})
        return {"api": actions.create_api(actor=actor, via=VIA, provider=provider, **fields)}


class UpdateApi(ActionMutation):
    api = graphene.Field(ApiType)
    nullable = {"system"}

    class Arguments:
        input = UpdateApiInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug, **changes):
        api = by_slug(info, Api, slug, "slug")
        changes = _related(info, changes, {"system": System})
        return {"api": actions.update_api(api, actor=actor, via=VIA, **changes)}


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
    nullable = {"owner_team", "service", "system", "data_domain"}

    class Arguments:
        input = CreateResourceInput(required=True)

    @classmethod
    def perform(
        cls, info, actor, owner_team=None, service=None, system=None, data_domain=None, **fields
    ):
        resource = actions.create_resource(
            actor=actor,
            via=VIA,
            owner_team=by_slug(info, Team, owner_team, "owner_team"),
            service=by_slug(info, Service, service, "service"),
            system=by_slug(info, System, system, "system"),
            data_domain=by_slug(info, DataDomain, data_domain, "data_domain"),
            **fields,
        )
        return {"resource": resource}


class CreateSystem(ActionMutation):
    system = graphene.Field(SystemType)
    nullable = {"business_domain"}

    class Arguments:
        input = CreateSystemInput(required=True)

    @classmethod
    def perform(cls, info, actor, owner_team, **fields):
        system = actions.create_system(
            actor=actor,
            via=VIA,
            owner_team=by_slug(info, Team, owner_team, "owner_team"),
            **_related(info, fields, {"business_domain": BusinessDomain}),
        )
        return {"system": system}


class UpdateSystem(ActionMutation):
    system = graphene.Field(SystemType)
    nullable = {"business_domain"}

    class Arguments:
        input = UpdateSystemInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug, **changes):
        system = by_slug(info, System, slug, "slug")
        changes = _related(info, changes, {"business_domain": BusinessDomain})
        return {"system": actions.update_system(system, actor=actor, via=VIA, **changes)}


class TransferSystem(ActionMutation):
    system = graphene.Field(SystemType)

    class Arguments:
        input = TransferInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug, owner_team):
        system = by_slug(info, System, slug, "slug")
        new_owner = by_slug(info, Team, owner_team, "owner_team")
        return {
            "system": actions.transfer_system(system, new_owner=new_owner, actor=actor, via=VIA)
        }


class DeleteSystem(ActionMutation):
    slug = graphene.String(description="The slug of the deleted system.")

    class Arguments:
        input = SlugInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug):
        actions.delete_system(by_slug(info, System, slug, "slug"), actor=actor, via=VIA)
        return {"slug": slug}


class CreateBusinessDomain(ActionMutation):
    business_domain = graphene.Field(BusinessDomainType)

    class Arguments:
        input = CreateBusinessDomainInput(required=True)

    @classmethod
    def perform(cls, info, actor, owner_team, **fields):
        domain = actions.create_business_domain(
            actor=actor, via=VIA, owner_team=by_slug(info, Team, owner_team, "owner_team"), **fields
        )
        return {"business_domain": domain}


class UpdateBusinessDomain(ActionMutation):
    business_domain = graphene.Field(BusinessDomainType)

    class Arguments:
        input = UpdateBusinessDomainInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug, **changes):
        domain = by_slug(info, BusinessDomain, slug, "slug")
        domain = actions.update_business_domain(domain, actor=actor, via=VIA, **changes)
        return {"business_domain": domain}


class TransferBusinessDomain(ActionMutation):
    business_domain = graphene.Field(BusinessDomainType)

    class Arguments:
        input = TransferInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug, owner_team):
        domain = by_slug(info, BusinessDomain, slug, "slug")
        new_owner = by_slug(info, Team, owner_team, "owner_team")
        domain = actions.transfer_business_domain(domain, new_owner=new_owner, actor=actor, via=VIA)
        return {"business_domain": domain}


class DeleteBusinessDomain(ActionMutation):
    slug = graphene.String(description="The slug of the deleted business domain.")

    class Arguments:
        input = SlugInput(required=True)

    @classmethod
    def perform(cls, info, actor, slug):
        domain = by_slug(info, BusinessDomain, slug, "slug")
        actions.delete_business_domain(domain, actor=actor, via=VIA)
        return {"slug": slug}


class CatalogMutation(graphene.ObjectType):
    create_service = CreateService.Field()
    update_service = UpdateService.Field()
    transfer_service = TransferService.Field()
    delete_service = DeleteService.Field()
    create_api = CreateApi.Field()
    update_api = UpdateApi.Field()
    publish_api_version = PublishApiVersion.Field()
    add_dependency = AddDependency.Field()
    remove_dependency = RemoveDependency.Field()
    add_api_consumption = AddApiConsumption.Field()
    create_domain = CreateDomain.Field()
    create_resource = CreateResource.Field()
    create_system = CreateSystem.Field()
    update_system = UpdateSystem.Field()
    transfer_system = TransferSystem.Field()
    delete_system = DeleteSystem.Field()
    create_business_domain = CreateBusinessDomain.Field()
    update_business_domain = UpdateBusinessDomain.Field()
    transfer_business_domain = TransferBusinessDomain.Field()
    delete_business_domain = DeleteBusinessDomain.Field()
