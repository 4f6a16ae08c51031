"""The relations an entity's spec implies, both directions, as Backstage's built-in processor
emits them (catalog-backend ``BuiltinKindsEntityProcessor.postProcessEntity``).

Each field names the kind a bare reference defaults to (``dependsOn`` and ``dependencyOf`` have
none: their references must say their kind), and every reference defaults to the referring
entity's namespace. Each field emits an edge and its inverse, so ``spec.parent`` on a child and
``spec.children`` on its parent give one pair, once. Besides Backstage's kinds: Keel's own
``Service`` (``keel/v1``) owns and provides APIs; any other kind with a textual ``spec.owner``
keeps its ownership, as the issue asks for generic entities.
"""

from typing import NamedTuple

from .refs import Ref, RefError, parse_ref

OWNED_BY, OWNER_OF = "ownedBy", "ownerOf"
PART_OF, HAS_PART = "partOf", "hasPart"
PROVIDES_API, API_PROVIDED_BY = "providesApi", "apiProvidedBy"
CONSUMES_API, API_CONSUMED_BY = "consumesApi", "apiConsumedBy"
DEPENDS_ON, DEPENDENCY_OF = "dependsOn", "dependencyOf"
PARENT_OF, CHILD_OF = "parentOf", "childOf"
MEMBER_OF, HAS_MEMBER = "memberOf", "hasMember"

_OWNER = ("owner", "group", OWNED_BY, OWNER_OF)
_SYSTEM = ("system", "system", PART_OF, HAS_PART)
_DEPENDS = (
    ("dependsOn", None, DEPENDS_ON, DEPENDENCY_OF),
    ("dependencyOf", None, DEPENDENCY_OF, DEPENDS_ON),
)

# kind -> (spec field, default kind, relation from the entity, relation back to it)
FIELDS = {
    "Component": (
        _OWNER,
        ("subcomponentOf", "component", PART_OF, HAS_PART),
        ("providesApis", "api", PROVIDES_API, API_PROVIDED_BY),
        ("consumesApis", "api", CONSUMES_API, API_CONSUMED_BY),
        *_DEPENDS,
        _SYSTEM,
    ),
    "API": (_OWNER, _SYSTEM),
    "Resource": (_OWNER, *_DEPENDS, _SYSTEM),
    "User": (("memberOf", "group", MEMBER_OF, HAS_MEMBER),),
    "Group": (
        ("parent", "group", CHILD_OF, PARENT_OF),
        ("children", "group", PARENT_OF, CHILD_OF),
        ("members", "user", HAS_MEMBER, MEMBER_OF),
    ),
    "System": (_OWNER, ("domain", "domain", PART_OF, HAS_PART)),
    "Domain": (_OWNER, ("subdomainOf", "domain", PART_OF, HAS_PART)),
    "Location": (),
    "Service": (_OWNER, ("providesApis", "api", PROVIDES_API, API_PROVIDED_BY)),
}
_GENERIC = (_OWNER,)  # any other kind keeps its owner


class Relation(NamedTuple):
    """``source`` is ``type`` of ``target`` (a tuple: ninety thousand of them are made and
    compared per ten thousand entities)."""

    type: str
    source: Ref
    target: Ref


def outgoing(entity):
    """``(field, target, relation, inverse)`` for each reference in the entity's spec;
    raises ``RefError`` on a malformed one (``read_entities`` refuses such entities)."""
    spec = entity.spec
    namespace = entity.ref.namespace
    for field, default_kind, relation, inverse in FIELDS.get(entity.kind, _GENERIC):
        targets = spec.get(field)
        if targets is None:
            continue
        if entity.kind not in FIELDS and not isinstance(targets, str):
            continue  # another kind's "owner" may mean something else; only a reference counts
        for target in targets if isinstance(targets, list) else (targets,):
            try:
                ref = parse_ref(target, default_kind=default_kind, default_namespace=namespace)
            except RefError as error:
                raise RefError(f'"spec.{field}": {error}') from None
            yield field, ref, relation, inverse


def relations(entities) -> list[Relation]:
    """Every relation the entities imply, in both directions, each once, in reading order.
    Targets outside ``entities`` are kept: the importer reports them as dangling."""
    found = {}
    for entity in entities:
        source = entity.ref
        for _field, target, relation, inverse in entity.targets or outgoing(entity):
            found[Relation(relation, source, target)] = None
            found[Relation(inverse, target, source)] = None
    return list(found)
