"""Entity references, ``[kind:][namespace/]name``, read as Backstage reads them.

Backstage's ``parseEntityRef`` (catalog-model ``entity/ref.ts``): the first ``:`` ends the
kind unless a ``/`` comes before it; the first ``/`` ends the namespace; what is left is the
name. A missing kind takes the context's default kind (an error when there is none), a missing
namespace the default namespace (the referring entity's, else ``default``). The object form
``{kind, namespace, name}`` takes the same defaults. ``stringifyEntityRef`` lower-cases all
three parts: references compare case-insensitively, so a ``Ref`` holds them lower-cased.

Backstage accepts any characters here and lets a reference that can never match dangle; we
also refuse parts that no entity could have (the ``FieldFormatEntityPolicy`` rules), since a
person can fix those.
"""

import functools
import json
import re
from dataclasses import dataclass

DEFAULT_NAMESPACE = "default"

_KIND = re.compile(r"[a-zA-Z][a-zA-Z0-9]{0,62}")
_NAMESPACE = re.compile(r"(?=.{1,63}$)[a-z0-9]+(?:-[a-z0-9]+)*")
_NAME = re.compile(r"(?=.{1,63}$)[A-Za-z0-9](?:[-A-Za-z0-9_.]*[A-Za-z0-9])?")

KIND_RULE = "a letter followed by letters and digits, at most 63 characters"
NAMESPACE_RULE = "sequences of [a-z0-9] separated by -, at most 63 characters"
NAME_RULE = "sequences of [a-zA-Z0-9] separated by any of -_., at most 63 characters"


class RefError(ValueError):
    """An entity reference that cannot be read; the message says why."""


@dataclass(frozen=True, slots=True)
class Ref:
    """An entity's identity: kind, namespace and name, all lower-cased."""

    kind: str
    namespace: str
    name: str

    def __post_init__(self):
        if not (self.kind.islower() and self.namespace.islower() and self.name.islower()):
            object.__setattr__(self, "kind", self.kind.lower())
            object.__setattr__(self, "namespace", self.namespace.lower())
            object.__setattr__(self, "name", self.name.lower())

    def __str__(self) -> str:
        return f"{self.kind}:{self.namespace}/{self.name}"


def _check(ref, kind, namespace, name) -> Ref:
    shown = json.dumps(ref, default=str)
    if not kind:
        raise RefError(
            f'Entity reference {shown} had missing or empty kind (e.g. did not start with "component:" or similar)'
        )
    if not namespace:
        raise RefError(f"Entity reference {shown} had missing or empty namespace")
    if not name:
        raise RefError(f"Entity reference {shown} had missing or empty name")
    for part, value, pattern, rule in (
        ("kind", kind, _KIND, KIND_RULE),
        ("namespace", namespace, _NAMESPACE, NAMESPACE_RULE),
        ("name", name, _NAME, NAME_RULE),
    ):
        if not isinstance(value, str):
            raise RefError(f"Entity reference {shown} has a {part} that is not text")
        if not pattern.fullmatch(value.lower() if part == "namespace" else value):
            raise RefError(f'Entity reference {shown} has the {part} "{value}", expected {rule}')
    return Ref(kind, namespace, name)


@functools.lru_cache(maxsize=65536)
def _parse_text(ref: str, default_kind: str | None, default_namespace: str) -> Ref:
    colon = ref.find(":")
    slash = ref.find("/")
    if slash != -1 and slash < colon:  # a / ahead of the : makes the rest the name
        colon = -1
    kind = ref[:colon] if colon != -1 else None
    namespace = ref[colon + 1 : slash] if slash != -1 else None
    name = ref[max(colon + 1, slash + 1) :]
    if kind == "" or namespace == "" or name == "":
        raise RefError(
            f'Entity reference "{ref}" was not on the form [<kind>:][<namespace>/]<name>'
        )
    return _check(ref, kind or default_kind, namespace or default_namespace, name)


def parse_ref(
    value, *, default_kind: str | None = None, default_namespace: str = DEFAULT_NAMESPACE
) -> Ref:
    """Read a reference in text or object form, with Backstage's defaulting; raise
    ``RefError`` with a message a person can act on."""
    if isinstance(value, str):
        if not value:
            raise RefError("Entity reference must not be empty")
        return _parse_text(value, default_kind, default_namespace or DEFAULT_NAMESPACE)
    if isinstance(value, dict):
        if not value:
            raise RefError("Entity reference must not be empty")
        return _check(
            value,
            value.get("kind") or default_kind,
            value.get("namespace") or default_namespace or DEFAULT_NAMESPACE,
            value.get("name"),
        )
    what = "a list" if isinstance(value, list) else json.dumps(value, default=str)
    raise RefError(
        f"An entity reference must be text such as component:default/name, or a mapping with kind, namespace and name; found {what}"
    )
