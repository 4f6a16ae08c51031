"""The catalog written back out as Backstage-format entities.

An entity a location manages is written as its location declared it (the portal refuses to
change what a descriptor manages, so the two agree), which keeps everything Keel's own model
does not hold: annotations, labels, links, custom kinds. Everything else is described from
Keel's rows: teams as Groups, their members as Users, business domains, systems, services as
Components and APIs with their latest definition, resources as Resources (the service one
belongs to in the ``keel/service`` annotation). Nobody's e-mail address leaves Keel, here
as everywhere (``portal.permissions``). JSON adds each entity's relations, both directions,
as Backstage's catalog API shows them.
"""

import json
from collections import defaultdict

import yaml
from django.contrib.contenttypes.models import ContentType

from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    BusinessDomain,
    Dependency,
    Resource,
    Service,
    System,
)
from teams.models import Membership, Team

from .entities import read_entities
from .mapping import SERVICE_ANNOTATION
from .models import Entity
from .relations import relations
from .yaml_loading import Document

API_VERSION = "backstage.io/v1alpha1"


def _entity(kind: str, obj, spec: dict) -> dict:
    metadata = {"name": obj.slug}
    if obj.name and obj.name != obj.slug:
        metadata["title"] = obj.name
    if obj.description:
        metadata["description"] = obj.description
    return {"apiVersion": API_VERSION, "kind": kind, "metadata": metadata, "spec": spec}


def _group(ref: str) -> str:
    return f"group:default/{ref}"


def _described(managed: dict) -> list[dict]:
    """Keel's rows that no location manages, as entities."""

    def unmanaged(model):
        return model.objects.exclude(pk__in=managed.get(model, ()))

    members, teams_of = defaultdict(list), defaultdict(list)
    for team, username in Membership.objects.values_list("team__slug", "user__username"):
        members[team].append(username)
        teams_of[username].append(team)
    children = defaultdict(list)
    for slug, parent in Team.objects.filter(parent__isnull=False).values_list(
        "slug", "parent__slug"
    ):
        children[parent].append(slug)
    entities = []
    for team in unmanaged(Team).select_related("parent"):
        spec = {"type": "team", "children": sorted(children[team.slug])}
        if team.parent_id:
            spec["parent"] = _group(team.parent.slug)
        if members[team.slug]:
            spec["members"] = sorted(members[team.slug])
        entities.append(_entity("Group", team, spec))
    managed_users = managed.get("user", set())
    for username in sorted(set(teams_of) - managed_users):
        entities.append(
            {
                "apiVersion": API_VERSION,
                "kind": "User",
                "metadata": {"name": username},
                "spec": {"memberOf": sorted(teams_of[username])},
            }
        )
    for domain in unmanaged(BusinessDomain).select_related("owner_team"):
        entities.append(_entity("Domain", domain, {"owner": _group(domain.owner_team.slug)}))
    for system in unmanaged(System).select_related("owner_team", "business_domain"):
        spec = {"owner": _group(system.owner_team.slug)}
        if system.business_domain_id:
            spec["domain"] = f"domain:default/{system.business_domain.slug}"
        entities.append(_entity("System", system, spec))
    provides, consumes, depends = defaultdict(list), defaultdict(list), defaultdict(list)
    for provider, api in Api.objects.values_list("provider_id", "slug"):
        provides[provider].append(f"api:default/{api}")
    for consumer, api in ApiConsumption.objects.values_list("consumer_id", "api__slug"):
        consumes[consumer].append(f"api:default/{api}")
    for source, target, resource in Dependency.objects.values_list(
        "source_id", "target_service__slug", "target_resource__slug"
    ):
        depends[source].append(
            f"component:default/{target}" if target else f"resource:default/{resource}"
        )
    services = unmanaged(Service).select_related("owner_team", "system").prefetch_related("tags")
    for service in services:
        spec = {
            "type": service.kind,
            "lifecycle": service.lifecycle,
            "owner": _group(service.owner_team.slug),
        }
        if service.system_id:
            spec["system"] = f"system:default/{service.system.slug}"
        for key, values in (
            ("providesApis", provides), ("consumesApis", consumes), ("dependsOn", depends)
        ):  # fmt: skip
            if values[service.pk]:
                spec[key] = sorted(values[service.pk])
        entity = _entity("Component", service, spec)
        tags = sorted(tag.name for tag in service.tags.all())
        if tags:
            entity["metadata"]["tags"] = tags
        if service.repository_url:
            entity["metadata"]["annotations"] = {
                "backstage.io/source-location": f"url:{service.repository_url}"
            }
        entities.append(entity)
    latest = {}
    for api_id, spec in ApiVersion.objects.order_by("api", "published_at", "id").values_list(
        "api_id", "spec"
    ):
        latest[api_id] = spec
    for api in unmanaged(Api).select_related("provider__owner_team", "system"):
        spec = {
            "type": api.type,
            "lifecycle": api.lifecycle,
            "owner": _group(api.provider.owner_team.slug),
            # Backstage requires a definition: an API with no version says so instead
            "definition": latest.get(api.pk) or f"# {api.slug}: no version published in Keel\n",
        }
        if api.system_id:
            spec["system"] = f"system:default/{api.system.slug}"
        entities.append(_entity("API", api, spec))
    resources = unmanaged(Resource).select_related("owner_team", "service", "system")
    for resource in resources:
        spec = {"type": resource.type or resource.kind, "owner": _group(resource.owner_team.slug)}
        if resource.system_id:
            spec["system"] = f"system:default/{resource.system.slug}"
        entity = _entity("Resource", resource, spec)
        if resource.service_id:
            entity["metadata"]["annotations"] = {SERVICE_ANNOTATION: resource.service.slug}
        entities.append(entity)
    return entities


def entities() -> list[dict]:
    """Every entity of the catalog: managed ones as declared, the rest described."""
    managed = defaultdict(set)
    declared = []
    types = {ct.pk: ct.model_class() for ct in ContentType.objects.all()}
    for row in Entity.objects.order_by("ref").values("descriptor", "target_type", "target_id"):
        descriptor = _without_email(row["descriptor"])
        declared.append(descriptor)
        model = types.get(row["target_type"])
        if descriptor.get("kind") == "User":  # accounts are described by username
            managed["user"].add(descriptor["metadata"]["name"])
        elif model is not None:
            managed[model].add(row["target_id"])
    return declared + _described(managed)


def shown(descriptor: dict) -> dict:
    """A stored descriptor as every interface shows it: without anyone's e-mail address."""
    return _without_email(descriptor)


def _without_email(descriptor: dict) -> dict:
    profile = (descriptor.get("spec") or {}).get("profile")
    if descriptor.get("kind") != "User" or not isinstance(profile, dict) or "email" not in profile:
        return descriptor
    spec = {**descriptor["spec"], "profile": {k: v for k, v in profile.items() if k != "email"}}
    return {**descriptor, "spec": spec}


def as_yaml(items: list[dict]) -> str:
    return yaml.safe_dump_all(items, sort_keys=False, allow_unicode=True, width=100)


def as_json(items: list[dict]) -> str:
    """The entities with their relations, as Backstage's catalog API returns them."""
    documents = [Document("export", n, None, item) for n, item in enumerate(items, 1)]
    read, _ = read_entities(documents)
    found = defaultdict(list)
    for relation in relations(read):
        found[str(relation.source)].append(
            {"type": relation.type, "targetRef": str(relation.target)}
        )
    by_ref = {id(entity.raw): str(entity.ref) for entity in read}
    out = [
        {**item, "relations": found.get(by_ref.get(id(item), ""), [])}
        for item in items
    ]  # fmt: skip
    return json.dumps(out, indent=2, ensure_ascii=False)
