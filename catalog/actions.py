"""Every write to the catalog. Forms, REST, GraphQL, the admin, importers and jobs call these.

Each function takes the acting user (``actor``) and the interface it came through (``via``)
and works in one transaction (``portal.writes``): it locks the rows it decides on and checks
permission against the locked copy, then validates and writes with its ChangeRecords. Related
objects arrive as model instances: resolving slugs is the interface's job, deciding what is
allowed is this module's.
"""

from django.core.exceptions import ValidationError

from portal import permissions
from portal.audit import record_change, snapshot
from portal.models import ChangeRecord
from portal.writes import atomic_write, delete, locked, save_changes, save_new
from teams.models import Team

from . import publishing, signals
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
    Tag,
)

SERVICE_EDITABLE = {
    "name", "description", "lifecycle", "tier", "kind", "language", "framework", "runtime",
    "scaling_factor", "repository_url", "pipeline_url", "docs_url", "runbook_url", "tags",
    "data_domain", "system",
}  # fmt: skip
API_EDITABLE = {"name", "description", "lifecycle", "system"}
DOMAIN_EDITABLE = {"name", "description"}
SYSTEM_EDITABLE = {"name", "description", "business_domain"}
BUSINESS_DOMAIN_EDITABLE = {"name", "description"}
RESOURCE_EDITABLE = {"name", "description", "kind", "type", "data_domain", "system"}
DEPENDENCY_EDITABLE = {"kind", "criticality", "description"}
CONSUMPTION_EDITABLE = {"version_requirement"}


def _tags(names, *, actor, via: str) -> list[Tag]:
    """Tags by name, created (and recorded) on first use; names follow the slug alphabet."""
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
        tag, created = Tag.objects.get_or_create(name=name)
        if created:
            record_change(
                actor=actor,
                via=via,
                action=ChangeRecord.Action.CREATE,
                obj=tag,
                after=snapshot(tag),
            )
        tags.append(tag)
    return tags


def _required(value, field: str, message: str) -> None:
    """A missing owner is a validation error, not a question for the permission check."""
    if value is None:
        raise ValidationError({field: message})


# --- services -------------------------------------------------------------------------------


def create_service(*, actor, via: str, owner_team: Team, tags=(), **fields) -> Service:
    """Register a service; only members of the team that will own it (or staff) may."""
    _required(owner_team, "owner_team", "A service needs an owning team.")
    with atomic_write():
        team = locked(owner_team, actor=actor, action=permissions.CONTRIBUTE)
        return save_new(
            Service(owner_team=team, **fields),
            actor=actor,
            via=via,
            m2m={"tags": _tags(tags, actor=actor, via=via)},
        )


def update_service(service: Service, *, actor, via: str, **changes) -> Service:
    with atomic_write():  # tags created on first use go if the update is refused
        current = locked(service, actor=actor, action=permissions.CHANGE)
        if "tags" in changes:
            changes["tags"] = _tags(changes["tags"], actor=actor, via=via)
        return save_changes(current, changes, actor=actor, via=via, editable=SERVICE_EDITABLE)


def transfer_service(service: Service, *, new_owner: Team, actor, via: str) -> Service:
    """Hand a service to another team; the current owners (or staff) decide. Its resources
    go with it, each recorded (a service's resource is owned by the service's team)."""
    with atomic_write():
        moved = _transfer(service, "owner_team", new_owner, actor=actor, via=via)
        follow_service_owner([moved], actor=actor, via=via)
        return moved


def follow_service_owner(services, *, actor, via: str) -> None:
    """The resources of ``services`` (changed in this transaction) moved to each service's
    owner team, locked and each recorded as a transfer: the single and the bulk writers of
    services keep the rule of ``Resource.clean`` with this one function."""
    owners = {service.pk: service.owner_team for service in services}
    rows = (
        Resource.objects.select_for_update(no_key=True, of=("self",))
        .filter(service_id__in=list(owners))
        .select_related("owner_team", "service")
        .order_by("pk")
    )
    for resource in rows:
        team = owners[resource.service_id]
        if resource.owner_team_id != team.pk:
            save_changes(
                resource,
                {"owner_team": team},
                actor=actor,
                via=via,
                editable={"owner_team"},
                action=ChangeRecord.Action.TRANSFER,
            )


def delete_service(service: Service, *, actor, via: str) -> None:
    """Refused while other services depend on it, consume its APIs or it owns a data domain.

    Its APIs, their versions, its resources, consumptions and dependencies go with it, each
    recorded; ``signals.service_deleted`` lets other apps remove what they keep for it.
    """
    with atomic_write():
        current = locked(service, actor=actor, action=permissions.CHANGE, deleting=True)
        signals.service_deleted.send(Service, service=current, actor=actor, via=via)
        # Its dependencies on its own resources go with it; left in place, they would
        # protect those resources and so block the service's own deletion.
        own = Dependency.objects.filter(source=current, target_resource__service=current)
        delete(current, actor=actor, via=via, also=own)


# --- APIs -----------------------------------------------------------------------------------


def create_api(*, actor, via: str, provider: Service, **fields) -> Api:
    _required(provider, "provider", "An API needs a providing service.")
    with atomic_write():
        current = locked(provider, actor=actor, action=permissions.CHANGE)
        return save_new(Api(provider=current, **fields), actor=actor, via=via)


def update_api(api: Api, *, actor, via: str, **changes) -> Api:
    with atomic_write():
        current = locked(api, actor=actor, action=permissions.CHANGE)
        return save_changes(current, changes, actor=actor, via=via, editable=API_EDITABLE)


def delete_api(api: Api, *, actor, via: str) -> None:
    """Refused while any service still consumes the API."""
    _delete(api, actor=actor, via=via)


def publish_api_version(api: Api, *, actor, via: str, version: str, spec: str) -> ApiVersion:
    """Publish a new, immutable version of the API's specification after validating it.
    Recorded on the API's history. The publishing policy (``catalog.publishing``) may refuse
    it, and decides whether it becomes the API's current version."""
    published_by = actor if getattr(actor, "is_authenticated", False) else None
    with atomic_write():
        current = locked(api, actor=actor, action=permissions.CHANGE)
        new = save_new(
            ApiVersion(api=current, version=version, spec=spec, published_by=published_by),
            actor=actor,
            via=via,
            action=ChangeRecord.Action.PUBLISH,
        )
        publishing.published([new], actor=actor, via=via)
        return new


# --- consumption ----------------------------------------------------------------------------


def add_consumption(
    *, actor, via: str, consumer: Service, api: Api, version_requirement: str = ""
) -> ApiConsumption:
    """Record that ``consumer`` calls ``api``; this implies a dependency on its provider,
    which is added (as a synchronous call) when it does not exist yet."""
    _required(consumer, "consumer", "A consumption needs a consuming service.")
    with atomic_write():
        current = locked(consumer, actor=actor, action=permissions.CHANGE)
        consumption = save_new(
            ApiConsumption(consumer=current, api=api, version_requirement=version_requirement),
            actor=actor,
            via=via,
        )
        edge_exists = Dependency.objects.filter(
            source=current, target_service_id=api.provider_id
        ).exists()
        if not edge_exists:
            save_new(implied_dependency(current, api), actor=actor, via=via)
    return consumption


def implied_dependency(consumer: Service, api: Api) -> Dependency:
    """The dependency on its provider that consuming ``api`` implies, when none exists."""
    return Dependency(
        source=consumer,
        target_service_id=api.provider_id,
        kind=Dependency.Kind.ASYNC if api.type == Api.Type.ASYNCAPI else Dependency.Kind.SYNC,
        description=f"Consumes {api.slug}",
    )


def update_consumption(
    consumption: ApiConsumption, *, actor, via: str, **changes
) -> ApiConsumption:
    with atomic_write():
        current = locked(consumption, actor=actor, action=permissions.CHANGE)
        save_changes(current, changes, actor=actor, via=via, editable=CONSUMPTION_EDITABLE)
        signals.consumption_changed.send(
            ApiConsumption, consumption=current, api=current.api, actor=actor, via=via
        )
        return current


def remove_consumption(consumption: ApiConsumption, *, actor, via: str) -> None:
    """Remove the consumption; the dependency it implied stays until removed on its own."""
    with atomic_write():
        current = locked(consumption, actor=actor, action=permissions.CHANGE, deleting=True)
        api = current.api
        delete(current, actor=actor, via=via)
        signals.consumption_changed.send(
            ApiConsumption, consumption=None, api=api, actor=actor, via=via
        )


# --- data domains ---------------------------------------------------------------------------


def create_domain(*, actor, via: str, owner_service: Service, **fields) -> DataDomain:
    _required(owner_service, "owner_service", "A data domain needs an owning service.")
    with atomic_write():
        current = locked(owner_service, actor=actor, action=permissions.CHANGE)
        return save_new(DataDomain(owner_service=current, **fields), actor=actor, via=via)


def update_domain(domain: DataDomain, *, actor, via: str, **changes) -> DataDomain:
    with atomic_write():
        current = locked(domain, actor=actor, action=permissions.CHANGE)
        return save_changes(current, changes, actor=actor, via=via, editable=DOMAIN_EDITABLE)


def transfer_domain(domain: DataDomain, *, new_owner: Service, actor, via: str) -> DataDomain:
    """Make another service the domain's system of record; its current owners decide."""
    return _transfer(domain, "owner_service", new_owner, actor=actor, via=via)


def _transfer(obj, owner_field: str, new_owner, *, actor, via: str):
    with atomic_write():
        current = locked(obj, actor=actor, action=permissions.CHANGE)
        owner = obj._meta.get_field(owner_field).related_model._meta.verbose_name
        _required(new_owner, owner_field, f"A {obj._meta.verbose_name} needs an owning {owner}.")
        if new_owner.pk == getattr(current, f"{owner_field}_id"):
            raise ValidationError(
                {owner_field: f"{current.slug} is already owned by {new_owner.slug}."}
            )
        return save_changes(
            current,
            {owner_field: new_owner},
            actor=actor,
            via=via,
            editable={owner_field},
            action=ChangeRecord.Action.TRANSFER,
        )


def delete_domain(domain: DataDomain, *, actor, via: str) -> None:
    _delete(domain, actor=actor, via=via)


# --- systems and business domains ------------------------------------------------------------
#
# A system groups services and APIs, a business domain groups systems (Backstage's System and
# Domain). Like a data domain, either may gather what other teams own: putting a service in
# a system, or a system in a business domain, is a change to the service (or system) and so
# its owners' decision; the owners of the system see it on the system's page.


def create_system(*, actor, via: str, owner_team: Team, **fields) -> System:
    """Register a system; only members of the team that will own it (or staff) may."""
    _required(owner_team, "owner_team", "A system needs an owning team.")
    with atomic_write():
        team = locked(owner_team, actor=actor, action=permissions.CONTRIBUTE)
        return save_new(System(owner_team=team, **fields), actor=actor, via=via)


def update_system(system: System, *, actor, via: str, **changes) -> System:
    with atomic_write():
        current = locked(system, actor=actor, action=permissions.CHANGE)
        return save_changes(current, changes, actor=actor, via=via, editable=SYSTEM_EDITABLE)


def transfer_system(system: System, *, new_owner: Team, actor, via: str) -> System:
    """Hand a system to another team; the current owners (or staff) decide."""
    return _transfer(system, "owner_team", new_owner, actor=actor, via=via)


def delete_system(system: System, *, actor, via: str) -> None:
    """Its services and APIs stay, without a system; each of them is recorded as changed."""
    _delete(system, actor=actor, via=via)


def create_business_domain(*, actor, via: str, owner_team: Team, **fields) -> BusinessDomain:
    """Register a business domain; only members of the team that will own it (or staff) may."""
    _required(owner_team, "owner_team", "A business domain needs an owning team.")
    with atomic_write():
        team = locked(owner_team, actor=actor, action=permissions.CONTRIBUTE)
        return save_new(BusinessDomain(owner_team=team, **fields), actor=actor, via=via)


def update_business_domain(domain: BusinessDomain, *, actor, via: str, **changes) -> BusinessDomain:
    with atomic_write():
        current = locked(domain, actor=actor, action=permissions.CHANGE)
        return save_changes(
            current, changes, actor=actor, via=via, editable=BUSINESS_DOMAIN_EDITABLE
        )


def transfer_business_domain(
    domain: BusinessDomain, *, new_owner: Team, actor, via: str
) -> BusinessDomain:
    """Hand a business domain to another team; the current owners (or staff) decide."""
    return _transfer(domain, "owner_team", new_owner, actor=actor, via=via)


def delete_business_domain(domain: BusinessDomain, *, actor, via: str) -> None:
    """Its systems stay, outside any business domain; each of them is recorded as changed."""
    _delete(domain, actor=actor, via=via)


# --- resources ------------------------------------------------------------------------------


def create_resource(
    *, actor, via: str, owner_team: Team | None = None, service: Service | None = None, **fields
) -> Resource:
    """Register a resource owned by a team, or by a service (then by the service's team,
    which ``owner_team`` may name or leave out); only the owning team's members (or staff)
    may."""
    if owner_team is None and service is None:
        _required(None, "owner_team", "A resource needs an owning team (or its service).")
    with atomic_write():
        if service is not None:
            current = locked(service, actor=actor, action=permissions.CHANGE)
            team = current.owner_team if owner_team is None else owner_team
        else:
            current = None
            team = locked(owner_team, actor=actor, action=permissions.CONTRIBUTE)
        return save_new(Resource(owner_team=team, service=current, **fields), actor=actor, via=via)


def update_resource(resource: Resource, *, actor, via: str, **changes) -> Resource:
    with atomic_write():
        current = locked(resource, actor=actor, action=permissions.CHANGE)
        return save_changes(current, changes, actor=actor, via=via, editable=RESOURCE_EDITABLE)


def delete_resource(resource: Resource, *, actor, via: str) -> None:
    """Refused while services depend on the resource."""
    _delete(resource, actor=actor, via=via)


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
    with atomic_write():
        current = locked(source, actor=actor, action=permissions.CHANGE)
        return save_new(
            Dependency(
                source=current,
                target_service=target_service,
                target_resource=target_resource,
                **fields,
            ),
            actor=actor,
            via=via,
        )


def update_dependency(dependency: Dependency, *, actor, via: str, **changes) -> Dependency:
    with atomic_write():
        current = locked(dependency, actor=actor, action=permissions.CHANGE)
        return save_changes(current, changes, actor=actor, via=via, editable=DEPENDENCY_EDITABLE)


def remove_dependency(dependency: Dependency, *, actor, via: str) -> None:
    """Refused while an API consumption implies the dependency: the consumption goes first."""
    with atomic_write():
        current = locked(dependency, actor=actor, action=permissions.CHANGE, deleting=True)
        consumed = sorted(
            ApiConsumption.objects.filter(
                consumer_id=current.source_id, api__provider_id=current.target_service_id
            ).values_list("api__slug", flat=True)
        )
        if current.target_service_id and consumed:
            raise ValidationError(
                f"{current.source.slug} consumes {', '.join(consumed)} of "
                f"{current.target_service.slug}, which implies this dependency: remove the "
                "consumption first."
            )
        delete(current, actor=actor, via=via)


def _delete(obj, *, actor, via: str) -> None:
    with atomic_write():
        current = locked(obj, actor=actor, action=permissions.CHANGE, deleting=True)
        delete(current, actor=actor, via=via)
