"""Entity envelopes checked by Backstage's rules, and Keel's own ``keel/v1`` Service.

The envelope and metadata rules are catalog-model's ``FieldFormatEntityPolicy`` with its
``KubernetesValidatorFunctions`` (names, namespaces, label and annotation keys, tags, links);
a missing namespace is ``default`` (``DefaultNamespaceEntityPolicy``). The required spec fields
per kind are those of the kinds' JSON schemas (``schema/kinds/*.v1alpha1.schema.json``), and
the references in spec fields must parse (``BuiltinKindsEntityProcessor`` fails an entity whose
reference does not). Kinds are matched case-insensitively and given their canonical case.
Kinds this does not know are kept as generic entities, never dropped; each entity gets every
problem it has at once, so one round of fixes is enough.
"""

import dataclasses
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from .problems import Problem
from .refs import DEFAULT_NAMESPACE, NAME_RULE, NAMESPACE_RULE, Ref, RefError
from .relations import outgoing

BACKSTAGE_API_VERSIONS = ("backstage.io/v1alpha1", "backstage.io/v1beta1")
KEEL_API_VERSION = "keel/v1"
BUILTIN_KINDS = ("Component", "API", "Resource", "System", "Domain", "Group", "User", "Location")
_BUILTIN = {kind.lower(): kind for kind in BUILTIN_KINDS}

# kind -> spec fields it requires: text (non-empty) or a list
_REQUIRED = {
    "Component": (("type", str), ("lifecycle", str), ("owner", str)),
    "API": (("type", str), ("lifecycle", str), ("owner", str), ("definition", str)),
    "Resource": (("type", str), ("owner", str)),
    "System": (("owner", str),),
    "Domain": (("owner", str),),
    "Group": (("type", str), ("children", list)),
    "User": (),
    "Location": (),
    "Service": (("owner", str),),
}

_NAME = re.compile(r"(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")
_DNS_LABEL = re.compile(r"(?=.{1,63}$)[a-z0-9]+(?:-[a-z0-9]+)*")
_KIND = re.compile(r"[a-zA-Z][a-zA-Z0-9]{0,62}")
_API_VERSION_SUFFIX = re.compile(r"[a-zA-Z0-9]{1,63}")
_TAG = re.compile(r"(?=.{1,63}$)[a-z0-9:+#]+(?:-[a-z0-9:+#]+)*")
_TAG_RULE = "sequences of [a-z0-9:+#] separated by -, at most 63 characters"
_KEY_RULE = "an optional DNS-subdomain prefix and /, then " + NAME_RULE


@dataclass(slots=True)
class Entity:
    """One entity as read: ``kind`` in canonical case for the built-in kinds (and ``Service``
    for ``keel/v1``), as written for others; ``ref`` lower-cased; ``raw`` the whole document.
    ``targets`` holds the references of its spec, parsed once when it was checked."""

    api_version: str
    kind: str
    metadata: dict
    spec: dict
    ref: Ref
    source: str
    document: int
    line: int | None
    raw: dict
    targets: tuple = dataclasses.field(default=(), repr=False, compare=False)


def _dns_subdomain(value: str) -> bool:
    return 1 <= len(value) <= 253 and all(_DNS_LABEL.fullmatch(part) for part in value.split("."))


def _valid_key(value) -> bool:
    """Label and annotation keys: ``[prefix/]name``, the prefix a DNS subdomain."""
    if not isinstance(value, str):
        return False
    parts = value.split("/")
    if len(parts) == 1:
        return bool(_NAME.fullmatch(parts[0]))
    return len(parts) == 2 and _dns_subdomain(parts[0]) and bool(_NAME.fullmatch(parts[1]))


def _valid_api_version(value) -> bool:
    if not isinstance(value, str):
        return False
    parts = value.split("/")
    if len(parts) == 1:
        return bool(_API_VERSION_SUFFIX.fullmatch(parts[0]))
    return (
        len(parts) == 2
        and _dns_subdomain(parts[0])
        and bool(_API_VERSION_SUFFIX.fullmatch(parts[1]))
    )


def _valid_url(value) -> bool:
    if not isinstance(value, str) or not value or value != value.strip():
        return False
    try:
        return bool(urlsplit(value).scheme)
    except ValueError:
        return False


def _invalid(field: str, rule: str, value) -> str:
    return f'"{field}" is not valid; expected {rule} but found "{value}"'


def _check_metadata(metadata: dict, errors: list[str]) -> None:
    labels = metadata.get("labels")
    if labels is not None:
        if not isinstance(labels, dict):
            errors.append('"metadata.labels" must be a mapping of text to text')
        else:
            for key, value in labels.items():
                if not _valid_key(key):
                    errors.append(_invalid(f"labels.{key}", _KEY_RULE, key))
                if not (value == "" or (isinstance(value, str) and _NAME.fullmatch(value))):
                    errors.append(_invalid(f"labels.{key}", "empty or " + NAME_RULE, value))
    annotations = metadata.get("annotations")
    if annotations is not None:
        if not isinstance(annotations, dict):
            errors.append('"metadata.annotations" must be a mapping of text to text')
        else:
            for key, value in annotations.items():
                if not _valid_key(key):
                    errors.append(_invalid(f"annotations.{key}", _KEY_RULE, key))
                if not isinstance(value, str):
                    errors.append(_invalid(f"annotations.{key}", "text", value))
    tags = metadata.get("tags")
    if tags is not None:
        if not isinstance(tags, list):
            errors.append('"metadata.tags" must be a list')
        else:
            for index, tag in enumerate(tags):
                if not (isinstance(tag, str) and _TAG.fullmatch(tag)):
                    errors.append(_invalid(f"tags.{index}", _TAG_RULE, tag))
    links = metadata.get("links")
    if links is not None:
        if not isinstance(links, list):
            errors.append('"metadata.links" must be a list')
        else:
            for index, link in enumerate(links):
                if not isinstance(link, dict):
                    errors.append(f'"links.{index}" must be a mapping with a url')
                    continue
                if not _valid_url(link.get("url")):
                    errors.append(_invalid(f"links.{index}.url", "a valid url", link.get("url")))
                title = link.get("title")
                if title is not None and not (isinstance(title, str) and title.strip()):
                    errors.append(_invalid(f"links.{index}.title", "a non empty string", title))
                icon = link.get("icon")
                if icon is not None and not (isinstance(icon, str) and _NAME.fullmatch(icon)):
                    errors.append(_invalid(f"links.{index}.icon", NAME_RULE, icon))
    for field in ("title", "description"):
        if field in metadata and not isinstance(metadata[field], str):
            errors.append(f'"metadata.{field}" must be text')


def _check_spec(kind: str, spec: dict, unresolved: frozenset, errors: list[str]) -> None:
    for field, expected in _REQUIRED.get(kind, ()):
        value = spec.get(field)
        if value is None and f"spec.{field}" in unresolved:
            continue  # its placeholder could not be filled: already reported, read without it
        if expected is str and not (isinstance(value, str) and value):
            errors.append(f'{kind} needs "spec.{field}" as non-empty text')
        elif expected is list and not isinstance(value, list):
            errors.append(f'{kind} needs "spec.{field}" as a list (it may be empty)')
    if kind == "Location":
        target, targets = spec.get("target"), spec.get("targets")
        if target is None and targets is None:
            errors.append('Location needs "spec.target" or "spec.targets"')
        if target is not None and not (isinstance(target, str) and target):
            errors.append('"spec.target" must be non-empty text')
        if targets is not None and not (
            isinstance(targets, list) and all(isinstance(item, str) and item for item in targets)
        ):
            errors.append('"spec.targets" must be a list of non-empty text')
        if spec.get("type") is not None and not isinstance(spec["type"], str):
            errors.append('"spec.type" must be text')


def _kind_of(api_version, kind) -> tuple[str | None, str | None]:
    """The kind in canonical case, or an error for the apiVersion and kind."""
    if not _valid_api_version(api_version):
        return None, _invalid(
            "apiVersion", "a valid prefix and/or suffix such as backstage.io/v1alpha1", api_version
        )
    if not (isinstance(kind, str) and _KIND.fullmatch(kind)):
        return None, _invalid(
            "kind", "a letter followed by letters and digits, at most 63 characters", kind
        )
    if api_version == KEEL_API_VERSION and kind.lower() == "service":
        return "Service", None
    builtin = _BUILTIN.get(kind.lower())
    if builtin is None:
        return kind, None  # kept as a generic entity
    if api_version not in BACKSTAGE_API_VERSIONS:
        return (
            None,
            f'{builtin} needs apiVersion {" or ".join(BACKSTAGE_API_VERSIONS)}, not "{api_version}"',
        )
    return builtin, None


def read_entities(documents, *, known: dict | None = None) -> tuple[list[Entity], list[Problem]]:
    """The valid entities of ``documents`` and a Problem for each refused one. ``known`` maps
    refs already read (by another file of the same reading) to their entity, so that a ref
    defined twice is refused where it comes second."""
    known = {} if known is None else known
    entities: list[Entity] = []
    problems: list[Problem] = []
    for document in documents:
        data = document.data
        errors: list[str] = []
        kind, error = _kind_of(data.get("apiVersion"), data.get("kind"))
        if error:
            errors.append(error)
        metadata = data.get("metadata")
        if not isinstance(metadata, dict):
            errors.append('"metadata" must be a mapping with at least a name')
            metadata = {}
        name = metadata.get("name")
        if not (isinstance(name, str) and _NAME.fullmatch(name)):
            errors.append(
                _invalid("metadata.name", NAME_RULE, name)
                if name is not None
                else '"metadata.name" must have a value'
            )
            name = None
        namespace = metadata.get("namespace", DEFAULT_NAMESPACE)
        if not (isinstance(namespace, str) and _DNS_LABEL.fullmatch(namespace)):
            errors.append(_invalid("metadata.namespace", NAMESPACE_RULE, namespace))
            namespace = None
        _check_metadata(metadata, errors)
        spec = data.get("spec")
        if spec is None and kind not in _REQUIRED:
            spec = {}
        if not isinstance(spec, dict):
            errors.append(f'{kind or "the entity"} needs a "spec" mapping')
            spec = {}
        elif kind:
            _check_spec(kind, spec, document.unresolved, errors)
        ref = Ref(kind, namespace, name) if kind and namespace and name else None
        entity = None
        if ref is not None:
            entity = Entity(
                data["apiVersion"],
                kind,
                metadata,
                spec,
                ref,
                document.source,
                document.number,
                document.line,
                data,
            )
            try:
                entity.targets = tuple(outgoing(entity))
            except RefError as refusal:
                errors.append(str(refusal))
        if not errors and ref in known:
            first = known[ref]
            errors.append(f"{ref} is already defined in {first.source} document {first.document}")
        if errors:
            shown = str(ref) if ref else None
            problems.extend(
                Problem(document.source, document.number, document.line, shown, message)
                for message in errors
            )
            continue
        known[ref] = entity
        entities.append(entity)
    return entities, problems
