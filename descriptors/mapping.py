"""How each descriptor kind becomes Keel's rows: what an entity asks for, in slugs, before
anything is looked up (``descriptors.applying`` resolves and writes it).

Backstage kind → Keel:
- Group → ``teams.Team`` (``spec.parent`` / ``spec.children`` → parent; members below);
- User → a portal account (matched by username, then e-mail; created without a usable
  password) and ``teams.Membership`` from ``spec.memberOf`` and the groups' ``spec.members``;
- Domain → ``catalog.BusinessDomain``; System → ``catalog.System``;
- Component, and Keel's own ``keel/v1`` Service → ``catalog.Service`` (``spec.type`` → kind,
  ``consumesApis`` → API consumptions, ``dependsOn`` components → dependencies; a ``keel/v1``
  Service lists its own APIs under ``providesApis``);
- API → ``catalog.Api`` provided by the component whose ``providesApis`` names it, its
  definition published as a version;
- Resource → ``catalog.Resource`` owned by its owner's team (``spec.type`` → kind, a type Keel
  does not name kept as written beside kind "other"; ``spec.system``; the ``keel/service``
  annotation → the service it belongs to); a component's ``dependsOn: resource:…`` and a
  resource's ``dependencyOf: component:…`` → the component's dependency on the resource;
- everything else (Location, Template, custom kinds) is kept as an entity with its owner,
  exported as read.
Whatever Keel's model does not hold (annotations, labels, links, a type or lifecycle outside
Keel's choices) stays in the stored descriptor, which export writes back.
"""

import re
from dataclasses import dataclass, field

from catalog.models import Api, Lifecycle, Resource, Service
from portal.names import name_problem, validate_label

from .refs import RefError, parse_ref

KEEL_NAMESPACE = "default"
_FOLD = re.compile(r"[_.]+")
_LIFECYCLES = set(Lifecycle.values)
_SERVICE_KINDS = set(Service.Kind.values)
_API_TYPES = {"openapi": "openapi", "asyncapi": "asyncapi", "graphql": "graphql", "grpc": "grpc"}
_TITLE_MAX = 200
# Backstage's common resource types → Keel's kinds (anything else is "other", kept as written)
_RESOURCE_KINDS = {
    **{kind: kind for kind in Resource.Kind.values},
    "db": "database", "rds": "database", "postgres": "database", "postgresql": "database",
    "mysql": "database", "s3-bucket": "bucket", "s3": "bucket", "gcs-bucket": "bucket",
    "storage": "bucket", "object-storage": "bucket", "topic": "queue", "kafka-topic": "queue",
    "sqs-queue": "queue", "message-queue": "queue", "redis": "cache", "memcached": "cache",
}  # fmt: skip
SERVICE_ANNOTATION = "keel/service"  # the service a resource belongs to, when one does


class Refused(Exception):
    """The entity cannot be imported; the message says why and what to change."""


@dataclass
class Wanted:
    """What one entity asks Keel to hold: own fields, and relations by slug."""

    entity: object
    model: str  # team, user, business_domain, system, service, api, resource; "" for an entity only
    slug: str
    fields: dict = field(default_factory=dict)
    owner: object = None  # a Ref (group or user) for what a team owns
    system: str = ""
    business_domain: str = ""
    parent: str = ""  # a team's parent team
    children: list = field(default_factory=list)
    members: list = field(default_factory=list)  # usernames (Group.spec.members)
    member_of: list = field(default_factory=list)  # team slugs (User.spec.memberOf)
    tags: list = field(default_factory=list)
    provides: list = field(default_factory=list)  # API slugs
    consumes: list = field(default_factory=list)  # API slugs
    depends_on: list = field(default_factory=list)  # service slugs
    depends_on_resources: list = field(default_factory=list)  # resource slugs (a component's)
    dependency_of: list = field(default_factory=list)  # service slugs (a resource's)
    service: str = ""  # the service a resource belongs to
    definition: str = ""  # an API's specification text
    inline_apis: list = field(default_factory=list)  # APIs a keel/v1 service lists itself
    inline: bool = False  # an API listed by its service's descriptor, not an entity of its own
    warnings: list = field(default_factory=list)


def slug_of(ref) -> str:
    """The Keel slug an entity reference becomes: its name folded to Keel's alphabet
    (``Orders_API.v2`` → ``orders-api-v2``), prefixed by a namespace other than default.
    Raises Refused when no slug can be made."""
    name = _FOLD.sub("-", ref.name.lower())
    slug = name if ref.namespace == KEEL_NAMESPACE else f"{ref.namespace.lower()}-{name}"
    problem = name_problem(slug)
    if problem:
        raise Refused(f"{ref} cannot become a Keel name ({slug!r}): {problem}")
    return slug


def _text(value, limit: int) -> str:
    return str(value)[:limit] if isinstance(value, str | int | float) else ""


def _refs(entity, values, default_kind: str, wanted: Wanted) -> list:
    if values is None:
        return []
    if not isinstance(values, list):
        values = [values]
    found = []
    for value in values:
        try:
            found.append(
                parse_ref(value, default_kind=default_kind, default_namespace=entity.ref.namespace)
            )
        except RefError as error:
            wanted.warnings.append(str(error))
    return found


def _slugs(entity, values, kind: str, wanted: Wanted, also: dict | None = None) -> list[str]:
    """Slugs of the references of ``kind`` (others are kept in the descriptor, said so);
    ``also``: ``{other kind: list}`` that collects the slugs of references of those kinds."""
    slugs = []
    for ref in _refs(entity, values, kind, wanted):
        if also is not None and ref.kind in also:
            try:
                also[ref.kind].append(slug_of(ref))
            except Refused as error:
                wanted.warnings.append(str(error))
            continue
        if ref.kind != kind:
            wanted.warnings.append(
                f"{ref} is a {ref.kind}, which Keel keeps as an entity only: the relation is "
                "kept in the descriptor and export, not in Keel's own model."
            )
            continue
        try:
            slugs.append(slug_of(ref))
        except Refused as error:
            wanted.warnings.append(str(error))
    return list(dict.fromkeys(slugs))


def _usernames(entity, values, wanted: Wanted) -> list[str]:
    """Users are accounts, named as written (``jane.doe``), not folded like slugs."""
    return list(dict.fromkeys(ref.name for ref in _refs(entity, values, "user", wanted)))


def _owner(entity, wanted: Wanted):
    owners = _refs(entity, entity.spec.get("owner"), "group", wanted)
    if not owners:
        raise Refused(f"{entity.ref} names no owner (spec.owner): Keel needs an owning team.")
    if owners[0].kind not in {"group", "user"}:
        raise Refused(f"{entity.ref} is owned by {owners[0]}: an owner is a group or a user.")
    return owners[0]


def _common(entity, wanted: Wanted) -> None:
    metadata = entity.metadata
    wanted.fields["name"] = _text(metadata.get("title") or metadata.get("name"), _TITLE_MAX)
    wanted.fields["description"] = _text(metadata.get("description") or "", 20_000)


def _tags(entity, wanted: Wanted) -> None:
    for tag in entity.metadata.get("tags") or []:
        try:
            validate_label(tag)
        except Exception:
            wanted.warnings.append(
                f"Tag {str(tag)[:60]!r} does not fit Keel's tags (lower-case letters, digits "
                "and hyphens): kept in the descriptor only."
            )
        else:
            wanted.tags.append(tag)


def _lifecycle(entity, wanted: Wanted) -> str:
    lifecycle = entity.spec.get("lifecycle")
    if lifecycle in _LIFECYCLES:
        return lifecycle
    wanted.warnings.append(
        f"Lifecycle {str(lifecycle)[:40]!r} is not one of Keel's ({', '.join(sorted(_LIFECYCLES))}): "
        "shown as experimental, exported as written."
    )
    return Lifecycle.EXPERIMENTAL


def _repository(entity, wanted: Wanted) -> str:
    annotations = entity.metadata.get("annotations") or {}
    location = annotations.get("backstage.io/source-location") or ""
    if isinstance(location, str) and location.startswith("url:"):
        url = location[4:]
        if url.startswith(("https://", "http://")) and len(url) <= 500:
            return url
    return ""


def _group(entity, wanted: Wanted) -> None:
    _common(entity, wanted)
    profile = entity.spec.get("profile") or {}
    if isinstance(profile, dict):
        if profile.get("displayName"):
            wanted.fields["name"] = _text(profile["displayName"], _TITLE_MAX)
        email = profile.get("email")
        if isinstance(email, str) and len(email) <= 254:
            wanted.fields["email"] = email
    parents = _slugs(entity, entity.spec.get("parent"), "group", wanted)
    wanted.parent = parents[0] if parents else ""
    wanted.children = _slugs(entity, entity.spec.get("children"), "group", wanted)
    wanted.members = _usernames(entity, entity.spec.get("members"), wanted)


def _user(entity, wanted: Wanted) -> None:
    profile = entity.spec.get("profile") or {}
    profile = profile if isinstance(profile, dict) else {}
    display = _text(profile.get("displayName") or "", 300).split(" ", 1)
    wanted.fields = {
        "email": _text(profile.get("email") or "", 254),
        "first_name": display[0][:150],
        "last_name": (display[1] if len(display) > 1 else "")[:150],
    }
    wanted.member_of = _slugs(entity, entity.spec.get("memberOf"), "group", wanted)


def _domain(entity, wanted: Wanted) -> None:
    _common(entity, wanted)
    wanted.owner = _owner(entity, wanted)


def _system(entity, wanted: Wanted) -> None:
    _common(entity, wanted)
    wanted.owner = _owner(entity, wanted)
    domains = _slugs(entity, entity.spec.get("domain"), "domain", wanted)
    wanted.business_domain = domains[0] if domains else ""


def _component(entity, wanted: Wanted) -> None:
    _common(entity, wanted)
    _tags(entity, wanted)
    spec = entity.spec
    wanted.owner = _owner(entity, wanted)
    kind = spec.get("type")
    if kind not in _SERVICE_KINDS:
        wanted.warnings.append(
            f"Type {str(kind)[:40]!r} is not one of Keel's service kinds: shown as a service, "
            "exported as written."
        )
        kind = Service.Kind.SERVICE
    wanted.fields.update(
        kind=kind, lifecycle=_lifecycle(entity, wanted), repository_url=_repository(entity, wanted)
    )
    systems = _slugs(entity, spec.get("system"), "system", wanted)
    wanted.system = systems[0] if systems else ""
    wanted.provides = _slugs(entity, spec.get("providesApis"), "api", wanted)
    wanted.consumes = _slugs(entity, spec.get("consumesApis"), "api", wanted)
    _depends_on(entity, wanted)


def _depends_on(entity, wanted: Wanted) -> None:
    """``spec.dependsOn``: components, and resources (a dependency on the resource)."""
    also = {"resource": wanted.depends_on_resources}
    wanted.depends_on = _slugs(entity, entity.spec.get("dependsOn"), "component", wanted, also)
    wanted.depends_on_resources[:] = dict.fromkeys(wanted.depends_on_resources)


def _resource(entity, wanted: Wanted) -> None:
    """A Backstage Resource: owned by a team (a user owner by the user's one team), its
    ``spec.type`` a kind, the components that declare they depend on it its dependents."""
    _common(entity, wanted)
    spec = entity.spec
    wanted.owner = _owner(entity, wanted)
    raw = _text(spec.get("type") or "", 63)
    kind = _RESOURCE_KINDS.get(raw.lower(), Resource.Kind.OTHER)
    wanted.fields.update(kind=kind, type="" if raw == kind else raw)
    systems = _slugs(entity, spec.get("system"), "system", wanted)
    wanted.system = systems[0] if systems else ""
    wanted.dependency_of = _slugs(entity, spec.get("dependencyOf"), "component", wanted)
    if spec.get("dependsOn"):
        wanted.warnings.append(
            "Keel holds what services depend on, not what a resource depends on: spec.dependsOn "
            "is kept in the descriptor and export."
        )
    service = (entity.metadata.get("annotations") or {}).get(SERVICE_ANNOTATION)
    if isinstance(service, str) and service:
        wanted.service = service


def _keel_service(entity, wanted: Wanted) -> None:
    """Keel's own descriptor (``scaffolding.pipelines.descriptor``)."""
    _common(entity, wanted)
    _tags(entity, wanted)
    spec = entity.spec
    wanted.owner = _owner(entity, wanted)
    fields = {"lifecycle": _lifecycle(entity, wanted)}
    if spec.get("kind") in _SERVICE_KINDS:
        fields["kind"] = spec["kind"]
    if isinstance(spec.get("tier"), int) and not isinstance(spec.get("tier"), bool):
        fields["tier"] = spec["tier"]
    for key in ("language", "framework"):
        fields[key] = _text(spec.get(key) or "", 50)
    if spec.get("runtime") in Service.Runtime.values:
        fields["runtime"] = spec["runtime"]
    repository = spec.get("repository")
    if isinstance(repository, str) and repository.startswith(("https://", "http://")):
        fields["repository_url"] = repository[:500]
    wanted.fields.update(fields)
    wanted.inline_apis = [
        _inline_api(entity, item, wanted) for item in spec.get("providesApis") or []
    ]
    wanted.inline_apis = [api for api in wanted.inline_apis if api is not None]
    wanted.provides = [api.slug for api in wanted.inline_apis]
    wanted.consumes = _slugs(entity, spec.get("consumesApis"), "api", wanted)
    _depends_on(entity, wanted)


def _inline_api(entity, item, service: Wanted) -> "Wanted | None":
    """An API Keel's own descriptor lists under the service (``{name, type, definition}``,
    the definition read from its file by the import): owned as the service is."""
    if not isinstance(item, dict) or not isinstance(item.get("name"), str):
        service.warnings.append(f"providesApis item {str(item)[:60]!r} names no API.")
        return None
    api = Wanted(entity=entity, model="api", slug=item["name"], inline=True, owner=service.owner)
    problem = name_problem(api.slug)
    api_type = _API_TYPES.get(str(item.get("type", "")).lower())
    if problem or api_type is None:
        service.warnings.append(
            f"API {item['name'][:63]!r}: "
            + (problem or f"type {str(item.get('type'))[:40]!r} is not one Keel holds.")
        )
        return None
    api.fields = {"name": item["name"], "type": api_type, "lifecycle": service.fields["lifecycle"]}
    definition = item.get("definition")
    api.definition = definition if isinstance(definition, str) else ""
    return api


def _api(entity, wanted: Wanted) -> None:
    _common(entity, wanted)
    spec = entity.spec
    wanted.owner = _owner(entity, wanted)
    api_type = _API_TYPES.get(str(spec.get("type", "")).lower())
    if api_type is None:
        raise Refused(
            f"{entity.ref} has type {str(spec.get('type'))[:40]!r}; Keel holds APIs of type "
            f"{', '.join(Api.Type.values)}."
        )
    wanted.fields.update(type=api_type, lifecycle=_lifecycle(entity, wanted))
    systems = _slugs(entity, spec.get("system"), "system", wanted)
    wanted.system = systems[0] if systems else ""
    definition = spec.get("definition")
    wanted.definition = definition if isinstance(definition, str) else ""


_KINDS = {
    "group": ("team", _group),
    "user": ("user", _user),
    "domain": ("business_domain", _domain),
    "system": ("system", _system),
    "component": ("service", _component),
    "service": ("service", _keel_service),
    "api": ("api", _api),
    "resource": ("resource", _resource),
}


def wanted(entity) -> Wanted:
    """What ``entity`` asks for. Raises Refused when it cannot be imported at all."""
    model, read = _KINDS.get(entity.ref.kind, ("", None))
    if read is None:  # kept as an entity, with its owner when it names one
        result = Wanted(entity=entity, model="", slug="")
        owners = _refs(entity, entity.spec.get("owner"), "group", result)
        result.owner = owners[0] if owners else None
        return result
    slug = entity.metadata["name"] if model == "user" else slug_of(entity.ref)
    result = Wanted(entity=entity, model=model, slug=slug)
    read(entity, result)
    return result
