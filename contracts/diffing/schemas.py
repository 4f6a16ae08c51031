"""Comparison of two JSON Schemas (OpenAPI 3.0 schema objects, OpenAPI 3.1 / JSON Schema
2020-12), for the rules of the API types that carry them (OpenAPI bodies, parameters and
headers; AsyncAPI message payloads).

What breaks depends on who produces the data. On the ``request`` side the consumer sends it, so
a schema that accepts less breaks them: a narrowed type, a removed enum value, a lowered maximum
or raised minimum, a pattern or format added, a property added as or made required,
``additionalProperties`` turned off, ``nullable`` removed. On the ``response`` side the consumer
reads it, so a schema that promises less breaks them: a removed or newly optional property, a
widened type, a raised maximum, ``nullable`` added; an added enum value is potentially breaking
(a client may switch over the values). The levels and rule names follow oasdiff's checker
(``request-property-became-required``, ``response-required-property-removed``, ...).

``$ref``s are resolved inside each document. Each pair of schemas is compared once: a pair met
again (the same component reached from another operation) reuses what was found, re-placed
under the new location, and a pair met again while it is being compared (a recursive schema)
adds nothing, since its changes are found where the cycle started. ``allOf``/``oneOf``/``anyOf``
are compared member by member when their count is unchanged, matched by ``$ref`` otherwise, and
reported as one potentially breaking change when neither works: never a product of the
combinations, so the work grows with the size of the documents.
"""

from dataclasses import dataclass, field

from .changes import Change, Level

REQUEST = "request"
RESPONSE = "response"

# Changes re-placed from a pair compared before stop here; every distinct change is still
# reported at least once (where first found), so the verdict never depends on this cap.
MAX_REPEATED = 2000
_MAX_REF_CHAIN = 32

# Keyword -> (rule slug, whether a larger value accepts more).
_BOUNDS = {
    "maxLength": ("max-length", True),
    "maximum": ("max", True),
    "exclusiveMaximum": ("max", True),
    "maxItems": ("max-items", True),
    "maxProperties": ("max-properties", True),
    "minLength": ("min-length", False),
    "minimum": ("min", False),
    "exclusiveMinimum": ("min", False),
    "minItems": ("min-items", False),
    "minProperties": ("min-properties", False),
}
_COMBINERS = ("allOf", "oneOf", "anyOf")
# Keywords compared by presence only: one added narrows what is valid, one removed widens it,
# one changed may do either.
_CONSTRAINTS = (
    "not",
    "contains",
    "minContains",
    "maxContains",
    "dependentRequired",
    "dependentSchemas",
    "if",
    "then",
    "else",
    "propertyNames",
    "patternProperties",
    "unevaluatedProperties",
    "unevaluatedItems",
    "multipleOf",
    "uniqueItems",
    "contentSchema",
)
_TRUE: dict = {}
_FALSE: dict = {"not": {}}
_NO_VALUE = object()


def escape(token: str) -> str:
    """One JSON pointer token (RFC 6901)."""
    return str(token).replace("~", "~0").replace("/", "~1")


def _unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


@dataclass(frozen=True)
class _Found:
    """A change relative to the pair of schemas being compared: ``path`` is the property path
    below it (``("address", "city")``), ``text`` the sentence without its subject."""

    level: Level
    name: str
    path: tuple
    pointer: str
    text: str


@dataclass(frozen=True)
class _Node:
    """A schema with the JSON pointer where it stands (after ``$ref``s) in its document."""

    schema: dict
    pointer: str
    ref: str = ""


def _types(schema: dict) -> tuple[set[str] | None, bool]:
    """The JSON types a schema allows (None: any) and whether it allows null, in either
    dialect (3.0's ``nullable``, 3.1's ``"null"`` in ``type``)."""
    declared = schema.get("type")
    if declared is None:
        return None, bool(schema.get("nullable"))
    found = {declared} if isinstance(declared, str) else {t for t in declared if isinstance(t, str)}
    nullable = "null" in found or bool(schema.get("nullable"))
    found.discard("null")
    return found, nullable


def _covers(wider: set[str] | None, narrower: set[str] | None) -> bool:
    """Whether every value of the types ``narrower`` is one of the types ``wider``."""
    if wider is None:
        return True
    if narrower is None:
        return False
    return all(t in wider or (t == "integer" and "number" in wider) for t in narrower)


def _enum(schema: dict):
    if isinstance(schema.get("enum"), list):
        return schema["enum"]
    if "const" in schema:
        return [schema["const"]]
    return None


def _key(value) -> str:
    """A hashable stand-in for a JSON value (enum values may be objects or lists)."""
    return repr(value) if isinstance(value, (dict, list)) else f"{type(value).__name__}:{value}"


def _number(value):
    return value if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _shown(types: set[str] | None) -> str:
    return "any type" if types is None else "/".join(sorted(types)) or "no type"


@dataclass
class SchemaDiff:
    """Compares schemas of one pair of documents; reuse one instance for a whole document so
    that shared components are compared once.

    ``base_root`` and ``revision_root`` are the documents ``$ref``s resolve in.
    """

    base_root: dict = field(default_factory=dict)
    revision_root: dict = field(default_factory=dict)
    _done: dict = field(default_factory=dict, init=False, repr=False)
    _active: set = field(default_factory=set, init=False, repr=False)
    _repeated: int = field(default=0, init=False, repr=False)
    _unwrapped: dict = field(default_factory=dict, init=False, repr=False)
    truncated: bool = field(default=False, init=False)

    def compare(
        self,
        base,
        revision,
        *,
        direction: str,
        location: str,
        rule_prefix: str,
        base_pointer: str = "",
        revision_pointer: str = "",
    ) -> list[Change]:
        """The changes from schema ``base`` to schema ``revision``.

        ``direction`` is ``REQUEST`` (the consumer sends what the schema describes) or
        ``RESPONSE`` (the consumer reads it). ``location`` names the place in words
        (``POST /pets request body application/json``); each change's location adds the
        property path (``/name``). ``rule_prefix`` starts every rule id
        (``openapi.request`` gives ``openapi.request-property-became-required``). The
        pointers say where each schema stands in its document.
        """
        if direction not in (REQUEST, RESPONSE):
            raise ValueError(f"direction must be {REQUEST!r} or {RESPONSE!r}")
        found = self._pair(
            self._resolve(base, base_pointer, self.base_root),
            self._resolve(revision, revision_pointer, self.revision_root),
            direction,
        )
        return [
            Change(
                item.level,
                f"{rule_prefix}-{item.name}",
                f"{location} /{'/'.join(item.path)}" if item.path else location,
                _sentence(item),
                item.pointer,
            )
            for item in found
        ]

    # Resolution

    def _resolve(self, schema, pointer: str, root: dict) -> _Node:
        ref = ""
        for _ in range(_MAX_REF_CHAIN):
            if not isinstance(schema, dict) or not isinstance(schema.get("$ref"), str):
                break
            ref = schema["$ref"]
            target = _lookup(root, ref)
            if target is None:
                return _Node({"$unresolvable": ref}, pointer, ref)
            schema, pointer = target, ref.lstrip("#")
        if isinstance(schema, bool):  # JSON Schema's true / false
            schema = _TRUE if schema else _FALSE
        if not isinstance(schema, dict):
            schema = _TRUE
        return self._without_null_branch(_Node(schema, pointer, ref), root)

    def _without_null_branch(self, node: _Node, root: dict) -> _Node:
        """``oneOf: [{type: "null"}, X]`` (how a ``$ref`` is made nullable) read as X made
        nullable, so that wrapping a schema that way is one nullability change, as oasdiff
        reports it. The merged schema is made once per wrapper, so that pairs stay stable."""
        for keyword in ("oneOf", "anyOf"):
            members = node.schema.get(keyword)
            if not (isinstance(members, list) and len(members) == 2):
                continue
            nulls = [
                m for m in members if isinstance(m, dict) and m.get("type") in ("null", ["null"])
            ]
            if len(nulls) != 1:
                continue
            unwrapped = self._unwrapped.get(id(node.schema))
            if unwrapped is None:
                index = 1 - members.index(nulls[0])
                inner = self._resolve(members[index], f"{node.pointer}/{keyword}/{index}", root)
                rest = {k: v for k, v in node.schema.items() if k != keyword}
                merged = {**inner.schema, **rest, "nullable": True}
                unwrapped = (_Node(merged, inner.pointer, inner.ref), node.schema)
                self._unwrapped[id(node.schema)] = unwrapped
            return unwrapped[0]
        return node

    # The comparison of one pair

    def _pair(self, base: _Node, revision: _Node, direction: str) -> list[_Found]:
        key = (id(base.schema), id(revision.schema), direction)
        if key in self._active:
            return []
        done = self._done.get(key)
        if done is not None:
            done = done[0]
            if self._repeated + len(done) > MAX_REPEATED:
                self.truncated = True
                return []
            self._repeated += len(done)
            return done
        self._active.add(key)
        try:
            found = self._compare(base, revision, direction)
        finally:
            self._active.discard(key)
        # The schemas are kept with what was found so that their ids are not reused.
        self._done[key] = (found, base.schema, revision.schema)
        return found

    def _compare(self, base: _Node, revision: _Node, direction: str) -> list[_Found]:
        found: list[_Found] = []
        b, r = base.schema, revision.schema
        request = direction == REQUEST

        def add(level, name, text, pointer=None):
            where = revision.pointer if pointer is None else pointer
            found.append(_Found(level, name, (), where, text))

        for node in (base, revision):
            if "$unresolvable" in node.schema:
                add(
                    Level.POTENTIALLY_BREAKING,
                    "schema-ref-unresolvable",
                    f"refers to {node.schema['$unresolvable'][:200]!r}, which is not in the "
                    "document, so it could not be compared",
                    node.pointer,
                )
        if found:
            return found
        if (b is _FALSE) != (r is _FALSE):
            closed = r is _FALSE
            add(
                Level.BREAKING if closed == request else Level.NON_BREAKING,
                "schema-became-false" if closed else "schema-became-not-false",
                "no longer allows any value" if closed else "allows values again",
            )
            return found

        self._compare_types(b, r, request, add)
        self._compare_constraints(b, r, request, add)
        self._compare_enums(b, r, request, add)
        self._compare_bounds(b, r, request, add)
        self._compare_strings(b, r, request, add)
        if not b.get("deprecated") and r.get("deprecated"):
            add(Level.DEPRECATION, "schema-deprecated", "was deprecated")
        found += self._compare_properties(base, revision, direction)
        found += self._compare_items(base, revision, direction)
        found += self._compare_additional(base, revision, direction)
        for keyword in _COMBINERS:
            found += self._compare_members(base, revision, direction, keyword)
        return found

    def _compare_types(self, b: dict, r: dict, request: bool, add) -> None:
        base_types, base_null = _types(b)
        revision_types, revision_null = _types(r)
        if base_types != revision_types:
            accepted, offered = (
                (revision_types, base_types) if request else (base_types, revision_types)
            )
            level = Level.NON_BREAKING if _covers(accepted, offered) else Level.BREAKING
            add(
                level,
                "type-changed",
                f"type changed from {_shown(base_types)} to {_shown(revision_types)}",
            )
        elif b.get("format") != r.get("format"):
            before, after = b.get("format"), r.get("format")
            # A format added narrows; removed widens; changed does both.
            narrows = after is not None
            widens = before is not None
            breaking = narrows if request else widens
            add(
                Level.BREAKING if breaking else Level.NON_BREAKING,
                "format-changed"
                if before and after
                else "format-added"
                if after
                else "format-removed",
                f"format changed from {before or 'none'} to {after or 'none'}",
            )
        if base_null and not revision_null:
            add(
                Level.BREAKING if request else Level.NON_BREAKING,
                "became-not-nullable",
                "is no longer nullable",
            )
        elif revision_null and not base_null:
            add(
                Level.NON_BREAKING if request else Level.BREAKING,
                "became-nullable",
                "became nullable",
            )

    def _compare_enums(self, b: dict, r: dict, request: bool, add) -> None:
        before, after = _enum(b), _enum(r)
        if before is None and after is None:
            return
        if before is None:
            add(
                Level.BREAKING if request else Level.NON_BREAKING,
                "became-enum",
                f"was restricted to the values {_values(after)}",
            )
            return
        if after is None:
            add(
                Level.NON_BREAKING if request else Level.POTENTIALLY_BREAKING,
                "became-not-enum",
                "is no longer restricted to a list of values",
            )
            return
        before_keys = {_key(value) for value in before}
        after_keys = {_key(value) for value in after}
        removed = [value for value in before if _key(value) not in after_keys]
        added = [value for value in after if _key(value) not in before_keys]
        if removed:
            add(
                Level.BREAKING if request else Level.NON_BREAKING,
                "enum-value-removed",
                f"no longer allows the values {_values(removed)}",
            )
        if added:
            add(
                Level.NON_BREAKING if request else Level.POTENTIALLY_BREAKING,
                "enum-value-added",
                f"allows the new values {_values(added)}",
            )

    def _compare_bounds(self, b: dict, r: dict, request: bool, add) -> None:
        for keyword, (slug, upper) in _BOUNDS.items():
            before, after = b.get(keyword, _NO_VALUE), r.get(keyword, _NO_VALUE)
            if isinstance(before, bool) or isinstance(after, bool):
                continue  # 3.0's boolean exclusiveMaximum/-Minimum modify maximum/minimum
            before, after = _number(before), _number(after)
            if before == after:
                continue
            # Whether the revision accepts less than the base did.
            if before is None:
                narrows, rule = True, f"{slug}-set"
            elif after is None:
                narrows, rule = False, f"{slug}-removed"
            else:
                narrows = (after < before) if upper else (after > before)
                rule = f"{slug}-decreased" if after < before else f"{slug}-increased"
            breaking = narrows if request else not narrows
            shown = {None: "none"}
            add(
                Level.BREAKING if breaking else Level.NON_BREAKING,
                rule,
                f"{keyword} changed from {shown.get(before, before)} to {shown.get(after, after)}",
            )
        for keyword, slug in (("exclusiveMaximum", "max"), ("exclusiveMinimum", "min")):
            before, after = b.get(keyword) is True, r.get(keyword) is True
            if before != after:
                breaking = after if request else before
                add(
                    Level.BREAKING if breaking else Level.NON_BREAKING,
                    f"{slug}-exclusive-changed",
                    f"{keyword} changed from {str(before).lower()} to {str(after).lower()}",
                )

    def _compare_constraints(self, b: dict, r: dict, request: bool, add) -> None:
        for keyword in _CONSTRAINTS:
            before = b.get(keyword) if b.get(keyword) is not False else None
            after = r.get(keyword) if r.get(keyword) is not False else None
            if before == after:
                continue
            slug = _kebab(keyword)
            if before is None:
                narrows, rule, text = True, f"{slug}-added", f"gained {keyword}"
            elif after is None:
                narrows, rule, text = False, f"{slug}-removed", f"lost {keyword}"
            else:
                add(Level.POTENTIALLY_BREAKING, f"{slug}-changed", f"{keyword} changed")
                continue
            add(Level.BREAKING if narrows == request else Level.NON_BREAKING, rule, text)

    def _compare_strings(self, b: dict, r: dict, request: bool, add) -> None:
        """A pattern added narrows and one removed widens; one changed is judged narrowing on
        the request side (as the issue asks) and uncertain on the response side (oasdiff's
        WARN), unless it became match-anything."""
        before, after = b.get("pattern"), r.get("pattern")
        if before == after:
            return
        if before is None:
            level = Level.BREAKING if request else Level.NON_BREAKING
            add(level, "pattern-added", f"must now match the pattern {after!r}")
        elif after is None:
            level = Level.NON_BREAKING if request else Level.BREAKING
            add(level, "pattern-removed", f"pattern {before!r} was removed")
        else:
            if not request:
                level = Level.POTENTIALLY_BREAKING
            else:
                level = Level.NON_BREAKING if after in (".*", "^.*$") else Level.BREAKING
            add(level, "pattern-changed", f"pattern changed from {before!r} to {after!r}")

    def _compare_properties(self, base: _Node, revision: _Node, direction: str) -> list[_Found]:
        found: list[_Found] = []
        b, r = base.schema, revision.schema
        request = direction == REQUEST
        before = b.get("properties") if isinstance(b.get("properties"), dict) else {}
        after = r.get("properties") if isinstance(r.get("properties"), dict) else {}
        base_required = set(_names(b.get("required")))
        revision_required = set(_names(r.get("required")))
        for name, schema in before.items():
            pointer = f"{base.pointer}/properties/{escape(name)}"
            if name not in after:
                required = name in base_required
                hidden = _flag(schema, "readOnly" if request else "writeOnly", self.base_root)
                if request:
                    level = Level.POTENTIALLY_BREAKING
                elif hidden:
                    level = Level.NON_BREAKING
                else:
                    level = Level.BREAKING if required else Level.POTENTIALLY_BREAKING
                rule = "required-property-removed" if required else "optional-property-removed"
                found.append(_Found(level, rule, (name,), pointer, "was removed"))
                continue
            revision_pointer = f"{revision.pointer}/properties/{escape(name)}"
            was, now = name in base_required, name in revision_required
            if was != now:
                found.append(
                    self._required_changed(name, now, after[name], r, revision_pointer, request)
                )
            nested = self._pair(
                self._resolve(schema, pointer, self.base_root),
                self._resolve(after[name], revision_pointer, self.revision_root),
                direction,
            )
            found += _under(name, nested)
        for name, schema in after.items():
            if name in before:
                continue
            pointer = f"{revision.pointer}/properties/{escape(name)}"
            required = name in revision_required
            # A new required property with a default, or one the sender never writes, asks
            # nothing new of the consumer.
            exempt = _flag(schema, "readOnly", self.revision_root) or _has_default(
                schema, self.revision_root
            )
            if required and request and not exempt:
                found.append(
                    _Found(
                        Level.BREAKING,
                        "new-required-property",
                        (name,),
                        pointer,
                        "was added as required",
                    )
                )
            else:
                rule = "new-required-property" if required else "new-optional-property"
                found.append(_Found(Level.NON_BREAKING, rule, (name,), pointer, "was added"))
        return found

    def _required_changed(self, name, now, schema, parent, pointer, request) -> _Found:
        if now:
            exempt = request and (
                _flag(schema, "readOnly", self.revision_root)
                or _has_default(schema, self.revision_root)
            )
            level = Level.BREAKING if request and not exempt else Level.NON_BREAKING
            return _Found(level, "property-became-required", (name,), pointer, "became required")
        exempt = not request and _flag(schema, "writeOnly", self.revision_root)
        level = Level.NON_BREAKING if request or exempt else Level.BREAKING
        return _Found(level, "property-became-optional", (name,), pointer, "became optional")

    def _compare_items(self, base: _Node, revision: _Node, direction: str) -> list[_Found]:
        found: list[_Found] = []
        b, r = base.schema, revision.schema
        if "items" in b or "items" in r:
            if isinstance(b.get("items"), list) or isinstance(r.get("items"), list):
                return found  # draft 4 tuples: not part of either OpenAPI dialect
            nested = self._pair(
                self._resolve(b.get("items", {}), f"{base.pointer}/items", self.base_root),
                self._resolve(r.get("items", {}), f"{revision.pointer}/items", self.revision_root),
                direction,
            )
            found += _under("items", nested)
        before, after = b.get("prefixItems"), r.get("prefixItems")
        if isinstance(before, list) and isinstance(after, list):
            for index, (one, other) in enumerate(zip(before, after, strict=False)):
                nested = self._pair(
                    self._resolve(one, f"{base.pointer}/prefixItems/{index}", self.base_root),
                    self._resolve(
                        other, f"{revision.pointer}/prefixItems/{index}", self.revision_root
                    ),
                    direction,
                )
                found += _under(f"prefixItems[{index}]", nested)
        return found

    def _compare_additional(self, base: _Node, revision: _Node, direction: str) -> list[_Found]:
        b, r = base.schema, revision.schema
        before, after = b.get("additionalProperties", True), r.get("additionalProperties", True)
        if isinstance(before, dict) and isinstance(after, dict):
            nested = self._pair(
                self._resolve(before, f"{base.pointer}/additionalProperties", self.base_root),
                self._resolve(
                    after, f"{revision.pointer}/additionalProperties", self.revision_root
                ),
                direction,
            )
            return _under("additionalProperties", nested)
        closed_before, closed_after = before is False, after is False
        if closed_before == closed_after:
            return []
        pointer = f"{revision.pointer}/additionalProperties"
        if closed_after:
            level = Level.BREAKING if direction == REQUEST else Level.NON_BREAKING
            return [
                _Found(
                    level,
                    "additional-properties-became-false",
                    (),
                    pointer,
                    "no longer allows other properties",
                )
            ]
        level = Level.NON_BREAKING if direction == REQUEST else Level.POTENTIALLY_BREAKING
        return [
            _Found(
                level, "additional-properties-allowed", (), pointer, "now allows other properties"
            )
        ]

    def _compare_members(
        self, base: _Node, revision: _Node, direction: str, keyword: str
    ) -> list[_Found]:
        before = base.schema.get(keyword)
        after = revision.schema.get(keyword)
        before = before if isinstance(before, list) else []
        after = after if isinstance(after, list) else []
        if not before and not after:
            return []
        pairs, added, removed = _match_members(before, after)
        if pairs is None:
            return [
                _Found(
                    Level.POTENTIALLY_BREAKING,
                    f"{keyword.lower()}-changed",
                    (),
                    f"{revision.pointer}/{keyword}",
                    f"{keyword} changed from {len(before)} to {len(after)} schemas",
                )
            ]
        found: list[_Found] = []
        for one, other in pairs:
            nested = self._pair(
                self._resolve(before[one], f"{base.pointer}/{keyword}/{one}", self.base_root),
                self._resolve(
                    after[other], f"{revision.pointer}/{keyword}/{other}", self.revision_root
                ),
                direction,
            )
            found += _under(f"{keyword}[{_member_name(after[other], other)}]", nested)
        # allOf: every member applies, so a member added narrows and one removed widens;
        # oneOf/anyOf: any member applies, so the other way round.
        narrows_on_add = keyword == "allOf"
        request = direction == REQUEST
        for index in added:
            breaking = narrows_on_add == request
            level = Level.BREAKING if breaking else Level.NON_BREAKING
            found.append(
                _Found(
                    level,
                    f"{keyword.lower()}-added",
                    (),
                    f"{revision.pointer}/{keyword}/{index}",
                    f"{keyword} gained the schema {_member_name(after[index], index)}",
                )
            )
        for index in removed:
            breaking = narrows_on_add != request
            if keyword == "allOf":  # a conjunct dropped: nothing is promised by it any more
                level = Level.NON_BREAKING if request else Level.POTENTIALLY_BREAKING
            else:
                level = Level.BREAKING if breaking else Level.NON_BREAKING
            found.append(
                _Found(
                    level,
                    f"{keyword.lower()}-removed",
                    (),
                    f"{base.pointer}/{keyword}/{index}",
                    f"{keyword} lost the schema {_member_name(before[index], index)}",
                )
            )
        return found


def compare_schemas(
    base,
    revision,
    *,
    direction: str,
    location: str,
    rule_prefix: str,
    base_root: dict | None = None,
    revision_root: dict | None = None,
    base_pointer: str = "",
    revision_pointer: str = "",
) -> list[Change]:
    """The changes from schema ``base`` to schema ``revision`` (see ``SchemaDiff.compare``);
    ``$ref``s resolve in ``base_root`` and ``revision_root``."""
    diff = SchemaDiff(base_root or {}, revision_root or {})
    return diff.compare(
        base,
        revision,
        direction=direction,
        location=location,
        rule_prefix=rule_prefix,
        base_pointer=base_pointer,
        revision_pointer=revision_pointer,
    )


def _lookup(root: dict, ref: str):
    """The value a local ``$ref`` (``#/components/schemas/Pet``) points to, or None."""
    if not ref.startswith("#"):
        return None
    node = root
    for token in ref[1:].split("/")[1:]:
        token = _unescape(token)
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def _names(value) -> list[str]:
    return [name for name in value if isinstance(name, str)] if isinstance(value, list) else []


def _target(schema, root: dict) -> dict:
    """A property's schema with one ``$ref`` followed (enough for its flags and default)."""
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        target = _lookup(root, schema["$ref"])
        return {**target, **schema} if isinstance(target, dict) else schema
    return schema if isinstance(schema, dict) else {}


def _flag(schema, keyword: str, root: dict) -> bool:
    return _target(schema, root).get(keyword) is True


def _has_default(schema, root: dict) -> bool:
    return "default" in _target(schema, root)


def _under(segment: str, found: list[_Found]) -> list[_Found]:
    return [
        _Found(item.level, item.name, (segment, *item.path), item.pointer, item.text)
        for item in found
    ]


def _ref_name(member) -> str | None:
    if isinstance(member, dict) and isinstance(member.get("$ref"), str):
        return member["$ref"]
    return None


def _member_name(member, index: int) -> str:
    ref = _ref_name(member)
    return ref.rsplit("/", 1)[-1] if ref else f"#{index}"


def _match_members(before: list, after: list):
    """Pairs of member indexes to compare, and the indexes added and removed; pairs is None
    when the members cannot be matched (their count changed and they are not all ``$ref``s)."""
    before_refs = [_ref_name(member) for member in before]
    after_refs = [_ref_name(member) for member in after]
    if all(before_refs) and all(after_refs) and (before_refs or after_refs):
        where = {ref: index for index, ref in enumerate(after_refs)}
        pairs = [(index, where[ref]) for index, ref in enumerate(before_refs) if ref in where]
        kept = set(before_refs)
        added = [index for index, ref in enumerate(after_refs) if ref not in kept]
        removed = [index for index, ref in enumerate(before_refs) if ref not in where]
        return pairs, added, removed
    if len(before) == len(after):
        return list(zip(range(len(before)), range(len(after)), strict=True)), [], []
    return None, [], []


def _kebab(keyword: str) -> str:
    return "".join(f"-{c.lower()}" if c.isupper() else c for c in keyword)


def _values(values: list) -> str:
    shown = ", ".join(repr(value) for value in values[:10])
    return shown + (f" and {len(values) - 10} more" if len(values) > 10 else "")


def _sentence(item: _Found) -> str:
    subject = f"Property /{'/'.join(item.path)}" if item.path else "The schema"
    return f"{subject} {item.text}."
