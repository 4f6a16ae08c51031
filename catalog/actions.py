"""Every write to the catalog. Forms, REST, GraphQL, the admin, importers and jobs call these.

Each function takes the acting user (``actor``) and the interface it came through (``via``),
checks permission first, then validates and writes in one transaction with its ChangeRecord
(see ``portal.writes``). Related objects arrive as model instances: resolving slugs is the
interface's job, deciding what is allowed is this module's.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from portal import permissions
from portal.models import ChangeRecord
from portal.writes import delete, save_changes, save_new
from teams.models import Team

from .models import Api, ApiConsumption, ApiVersion, DataDomain, Dependency, Resource, Service, Tag

SERVICE_EDITABLE = {
    "name", "description", "lifecycle", "tier", "kind", "language", "framework", "runtime",
    "scaling_factor", "repository_url", "pipeline_url", "docs_url", "runbook_url", "tags",
    "data_domain",
}  # fmt: skip
API_EDITABLE = {"name", "description", "lifecycle"}
DOMAIN_EDITABLE = {"name", "description"}
RESOURCE_EDITABLE = {"name", "description", "kind", "data_domain"}
DEPENDENCY_EDITABLE = {"kind", "criticality", "description"}
CONSUMPTION_EDITABLE = {"version_requirement"}


def _tags(names) -> list[Tag]:
    """Tags by name, created on first use; names follow the slug alphabet."""
    from portal.names import validate_label

    tags = []
    for name in dict.fromkeys(str(n).strip().lower() for n in names):
        try:
            validate_label(name)
        except ValidationError:
            raise ValidationError(
                {"tags": f"Tag {name[:60]!r}: use lower-case letters, digits and hyphens."}
            ) from None
        if len(name) > Tag._meta.get_field("name").max_length:
            raise ValidationError({"tags": f"Tag {name[:60]!r} is longer than 50 characters."})
        tags.append(Tag.objects.get_or_create(name=name)[0])
    return tags


def _required(value, field: str, message: str) -> None:
    """A missing owner is a validation error, not a question for the permission check."""
    if value is None:
        raise ValidationError({field: message})


# --- services -------------------------------------------------------------------------------


def create_service(*, actor, via: str, owner_team: Team, tags=(), **fields) -> Service:
    """Register a service; only members of the team that will own it (or staff) may."""
    _required(owner_team, "owner_team", "A service needs an owning team.")
    permissions.require(actor, permissions.CONTRIBUTE, owner_team)
    with transaction.atomic():
        return save_new(
            Service(owner_team=owner_team, **fields),
            actor=actor,
            via=via,
            m2m={"tags": _tags(tags)},
        )


def update_service(service: Service, *, actor, via: str, **changes) -> Service:
    permissions.require_stored(actor, permissions.CHANGE, service)
    with transaction.atomic():  # tags created on first use go if the update is refused
        if "tags" in changes:
            changes["tags"] = _tags(changes["tags"])
        return save_changes(service, changes, actor=actor, via=via, editable=SERVICE_EDITABLE)


def transfer_service(service: Service, *, new_owner: Team, actor, via: str) -> Service:
    """Hand a service to another team; the current owners (or staff) decide."""
    return _transfer(service, "owner_team", new_owner, actor=actor, via=via)


def delete_service(service: Service, *, actor, via: str) -> None:
    """Refused while other services depend on it, consume its APIs or it owns a data domain."""
    permissions.require_stored(actor, permissions.CHANGE, service)
    with transaction.atomic():
        # Its dependencies on its own resources go with it; left in place, they would
        # protect those resources and so block the service's own deletion.
        Dependency.objects.filter(source=service, target_resource__service=service).delete()
        delete(service, actor=actor, via=via)


# --- APIs -----------------------------------------------------------------------------------


def create_api(*, actor, via: str, provider: Service, **fields) -> Api:
    _required(provider, "provider", "An API needs a providing service.")
    permissions.require(actor, permissions.CHANGE, provider)
    return save_new(Api(provider=provider, **fields), actor=actor, via=via)


def update_api(api: Api, *, actor, via: str, **changes) -> Api:
    permissions.require_stored(actor, permissions.CHANGE, api)
    return save_changes(api, changes, actor=actor, via=via, editable=API_EDITABLE)


def delete_api(api: Api, *, actor, via: str) -> None:
    """Refused while any service still consumes the API."""
    permissions.require_stored(actor, permissions.CHANGE, api)
    delete(api, actor=actor, via=via)


def publish_api_version(api: Api, *, actor, via: str, version: str, spec: str) -> ApiVersion:
    """Publish a new, immutable version of the API's specification after validating it."""
    permissions.require(actor, permissions.CHANGE, api)
    published_by = actor if getattr(actor, "is_authenticated", False) else None
    return save_new(
        ApiVersion(api=api, version=version, spec=spec, published_by=published_by),
        actor=actor,
        via=via,
        action=ChangeRecord.Action.PUBLISH,
    )


# --- consumption ----------------------------------------------------------------------------


def add_consumption(
    *, actor, via: str, consumer: Service, api: Api, version_requirement: str = ""
) -> ApiConsumption:
    """Record that ``consumer`` calls ``api``; this implies a dependency on its provider,
    which is added (as a synchronous call) when it does not exist yet."""
    _required(consumer, "consumer", "A consumption needs a consuming service.")
    permissions.require(actor, permissions.CHANGE, consumer)
    with transaction.atomic():
        consumption = save_new(
            ApiConsumption(consumer=consumer, api=api, version_requirement=version_requirement),
            actor=actor,
            via=via,
        )
        edge_exists = Dependency.objects.filter(
            source=consumer, target_service_id=api.provider_id
        ).exists()
        if not edge_exists:
            save_new(
                Dependency(
                    source=consumer,
                    target_service_id=api.provider_id,
                    kind=Dependency.Kind.SYNC
                    if api.type != Api.Type.ASYNCAPI
                    else Dependency.Kind.ASYNC,
                    description=f"Consumes {api.slug}",
                ),
                actor=actor,
                via=via,
            )
    return consumption


def update_consumption(
    consumption: ApiConsumption, *, actor, via: str, **changes
) -> ApiConsumption:
    permissions.require_stored(actor, permissions.CHANGE, consumption)
    return save_changes(consumption, changes, actor=actor, via=via, editable=CONSUMPTION_EDITABLE)


def remove_consumption(consumption: ApiConsumption, *, actor, via: str) -> None:
    """Remove the consumption; the dependency it implied stays until removed on its own."""
    permissions.require_stored(actor, permissions.CHANGE, consumption)
    delete(consumption, actor=actor, via=via)


# --- data domains ---------------------------------------------------------------------------


def create_domain(*, actor, via: str, owner_service: Service, **fields) -> DataDomain:
    _required(owner_service, "owner_service", "A data domain needs an owning service.")
    permissions.require(actor, permissions.CHANGE, owner_service)
    return save_new(DataDomain(owner_service=owner_service, **fields), actor=actor, via=via)


def update_domain(domain: DataDomain, *, actor, via: str, **changes) -> DataDomain:
    permissions.require_stored(actor, permissions.CHANGE, domain)
    return save_changes(domain, changes, actor=actor, via=via, editable=DOMAIN_EDITABLE)


def transfer_domain(domain: DataDomain, *, new_owner: Service, actor, via: str) -> DataDomain:
    """Make another service the domain's system of record; its current owners decide."""
    return _transfer(domain, "owner_service", new_owner, actor=actor, via=via)


def _transfer(obj, owner_field: str, new_owner, *, actor, via: str):
    permissions.require_stored(actor, permissions.CHANGE, obj)
    owner = obj._meta.get_field(owner_field).related_model._meta.verbose_name
    _required(new_owner, owner_field, f"A {obj._meta.verbose_name} needs an owning {owner}.")
    if new_owner.pk == getattr(obj, f"{owner_field}_id"):
        raise ValidationError({owner_field: f"{obj.slug} is already owned by {new_owner.slug}."})
    return save_changes(
        obj,
        {owner_field: new_owner},
        actor=actor,
        via=via,
        editable={owner_field},
        action=ChangeRecord.Action.TRANSFER,
    )


def delete_domain(domain: DataDomain, *, actor, via: str) -> None:
    permissions.require_stored(actor, permissions.CHANGE, domain)
    delete(domain, actor=actor, via=via)


# --- resources ------------------------------------------------------------------------------


def create_resource(*, actor, via: str, service: Service, **fields) -> Resource:
    _required(service, "service", "A resource needs the service that owns it.")
    permissions.require(actor, permissions.CHANGE, service)
    return save_new(Resource(service=service, **fields), actor=actor, via=via)


def update_resource(resource: Resource, *, actor, via: str, **changes) -> Resource:
    permissions.require_stored(actor, permissions.CHANGE, resource)
    return save_changes(resource, changes, actor=actor, via=via, editable=RESOURCE_EDITABLE)


def delete_resource(resource: Resource, *, actor, via: str) -> None:
    """Refused while services depend on the resource."""
    permissions.require_stored(actor, permissions.CHANGE, resource)
    delete(resource, actor=actor, via=via)


# --- dependencies ---------------------------------------------------------------------------


def add_dependency(
    *,
    actor,
    via: str,
    source: Service,
    target_service: Service | None = None,
    target_resource: Resource | None = None,
    **fields,
) -> Dependency:
    """Declare that ``source`` depends on a service or a resource. Cycles are allowed
    (they are reported by ``catalog.graph``); self-edges and duplicates are not."""
    _required(source, "source", "A dependency needs a source service.")
    permissions.require(actor, permissions.CHANGE, source)
    return save_new(
        Dependency(
            source=source, target_service=target_service, target_resource=target_resource, **fields
        ),
        actor=actor,
        via=via,
    )


def update_dependency(dependency: Dependency, *, actor, via: str, **changes) -> Dependency:
    permissions.require_stored(actor, permissions.CHANGE, dependency)
    return save_changes(dependency, changes, actor=actor, via=via, editable=DEPENDENCY_EDITABLE)


def remove_dependency(dependency: Dependency, *, actor, via: str) -> None:
    permissions.require_stored(actor, permissions.CHANGE, dependency)
    delete(dependency, actor=actor, via=via)
