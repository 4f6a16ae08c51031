"""OpenAPI 3.0 and 3.1: the breaking-change rules of oasdiff's checker, in Python.

No Python library compares OpenAPI documents by these rules (openapi-diff and oasdiff are Java
and Go), so Keel implements the rule set oasdiff publishes (its ``checker`` rules and
``docs/BREAKING-CHANGES-EXAMPLES.md``) and reuses its rule ids under ``openapi.``:
``api-path-removed-without-deprecation``, ``new-required-request-parameter``,
``request-parameter-became-required``, ``response-success-status-removed``, and so on. The
schema rules (bodies, parameters, headers) are in ``schemas``. oasdiff's ERR is
``BREAKING``, its WARN ``POTENTIALLY_BREAKING`` and its INFO ``NON_BREAKING``; deprecations and
sunset dates are ``DEPRECATION``. Where Keel departs from oasdiff's defaults it is stricter and
says why at the rule: an added security requirement, added OAuth scopes and a changed or removed
operation id break or may break clients (oasdiff reports them as information only).

Removals follow oasdiff: removing an operation (or a path) that was not deprecated is
breaking, removing one before its ``x-sunset`` date is breaking, removing a deprecated one
without a sunset date or after it is allowed (and listed). Paths are matched by shape, so
``/pets/{id}`` and ``/pets/{petId}`` are one path whose parameter was renamed.
"""

import datetime
import re

from .changes import Change, Level
from .schemas import REQUEST, RESPONSE, SchemaDiff, escape

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE = re.compile(r"\{[^}/]*\}")
_PREFIX = "openapi."


def _shape(path: str) -> str:
    return _TEMPLATE.sub("{}", path)


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return value if isinstance(value, list) else []


def _sunset(operation: dict) -> datetime.date | None:
    """The ``x-sunset`` date (ISO date, or an RFC 3339 time whose date counts), or None."""
    value = operation.get("x-sunset")
    try:
        return datetime.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


class _Rules:
    """One comparison of two parsed documents; ``found`` collects the changes."""

    def __init__(self, base: dict, revision: dict, today: datetime.date):
        self.base, self.revision, self.today = base, revision, today
        self.schemas = SchemaDiff(base, revision)
        self.found: list[Change] = []

    def add(self, level: Level, rule: str, location: str, message: str, pointer: str = "") -> None:
        self.found.append(Change(level, _PREFIX + rule, location, message, pointer))

    def resolve(self, value, root: dict) -> dict:
        """A parameter, body, response or header object with its ``$ref``s followed."""
        for _ in range(32):
            if not (isinstance(value, dict) and isinstance(value.get("$ref"), str)):
                break
            target = root
            for token in value["$ref"].lstrip("#").split("/")[1:]:
                target = _dict(target).get(token.replace("~1", "/").replace("~0", "~"))
            value = target
        return _dict(value)

    def run(self) -> list[Change]:
        self.compare_paths()
        self.compare_security_schemes()
        return self.found

    # Paths and operations

    def compare_paths(self) -> None:
        before = {_shape(path): path for path in _dict(self.base.get("paths"))}
        after = {_shape(path): path for path in _dict(self.revision.get("paths"))}
        base_paths, revision_paths = (
            _dict(self.base.get("paths")),
            _dict(self.revision.get("paths")),
        )
        for shape, path in before.items():
            item = _dict(base_paths[path])
            if shape not in after:
                for method in METHODS:
                    if isinstance(item.get(method), dict):
                        self.removed_operation(path, method, item[method], whole_path=True)
                continue
            self.compare_path(path, item, after[shape], _dict(revision_paths[after[shape]]))
        for shape, path in after.items():
            if shape not in before:
                self.add(
                    Level.NON_BREAKING,
                    "api-path-added",
                    path,
                    f"The path {path} was added.",
                    f"/paths/{escape(path)}",
                )

    def removed_operation(
        self, path: str, method: str, operation: dict, *, whole_path: bool
    ) -> None:
        where = f"{method.upper()} {path}"
        pointer = f"/paths/{escape(path)}/{method}"
        kind = "api-path" if whole_path else "api"
        stability = operation.get("x-stability-level")
        if stability in ("draft", "alpha"):
            self.add(
                Level.NON_BREAKING,
                f"{kind}-removed-with-deprecation",
                where,
                f"{where} ({stability}) was removed.",
                pointer,
            )
            return
        if not operation.get("deprecated"):
            self.add(
                Level.BREAKING,
                f"{kind}-removed-without-deprecation",
                where,
                f"{where} was removed without being deprecated first.",
                pointer,
            )
            return
        sunset = _sunset(operation)
        if operation.get("x-sunset") and sunset is None:
            self.add(
                Level.BREAKING,
                f"{kind}-sunset-parse",
                where,
                f"{where} was removed, and its x-sunset {operation['x-sunset']!r} is not a date.",
                pointer,
            )
        elif sunset and self.today < sunset:
            self.add(
                Level.BREAKING,
                f"{kind}-removed-before-sunset",
                where,
                f"{where} was removed before its sunset date {sunset.isoformat()}.",
                pointer,
            )
        else:
            self.add(
                Level.NON_BREAKING,
                f"{kind}-removed-with-deprecation",
                where,
                f"{where} was removed after its deprecation.",
                pointer,
            )

    def compare_path(
        self, path: str, base_item: dict, revision_path: str, revision_item: dict
    ) -> None:
        for method in METHODS:
            before, after = base_item.get(method), revision_item.get(method)
            if isinstance(before, dict) and not isinstance(after, dict):
                self.removed_operation(path, method, before, whole_path=False)
            elif isinstance(after, dict) and not isinstance(before, dict):
                where = f"{method.upper()} {revision_path}"
                self.add(
                    Level.NON_BREAKING,
                    "endpoint-added",
                    where,
                    f"{where} was added.",
                    f"/paths/{escape(revision_path)}/{method}",
                )
            elif isinstance(before, dict):
                _Operation(
                    self, method, (path, base_item, before), (revision_path, revision_item, after)
                ).run()

    # Security

    def compare_security(self, before: list, after: list, where: str, pointer: str) -> None:
        """Requirements are alternatives (any one suffices), each naming schemes that all
        apply: an alternative lost, or scopes added to one, breaks its clients; the first
        requirement on an open operation breaks every client. Alternatives are matched by the
        schemes they name."""
        before_sets = {frozenset(_dict(r)): _dict(r) for r in before}
        after_sets = {frozenset(_dict(r)): _dict(r) for r in after}
        open_before = not before or frozenset() in before_sets
        open_after = not after or frozenset() in after_sets
        if open_before and not open_after:
            self.add(
                Level.BREAKING,
                "api-security-added",
                where,
                f"{where} now requires authentication ({_shown_security(after)}).",
                pointer,
            )
        elif not open_before and open_after:
            self.add(
                Level.NON_BREAKING,
                "api-security-removed",
                where,
                f"{where} no longer requires authentication.",
                pointer,
            )
        if open_before or open_after:
            return
        for schemes, requirement in before_sets.items():
            if schemes not in after_sets:
                self.add(
                    Level.BREAKING,
                    "api-security-removed",
                    where,
                    f"{where} no longer accepts {_shown_security([requirement])}.",
                    pointer,
                )
                continue
            for name, scopes in requirement.items():
                added = sorted(set(_list(after_sets[schemes].get(name))) - set(_list(scopes)))
                if added:
                    self.add(
                        Level.BREAKING,
                        "api-security-scope-added",
                        where,
                        f"{where} now requires the scopes {', '.join(added)} of {name}.",
                        pointer,
                    )
                removed = sorted(set(_list(scopes)) - set(_list(after_sets[schemes].get(name))))
                if removed:
                    self.add(
                        Level.NON_BREAKING,
                        "api-security-scope-removed",
                        where,
                        f"{where} no longer requires the scopes {', '.join(removed)} of {name}.",
                        pointer,
                    )
        for schemes, requirement in after_sets.items():
            if schemes not in before_sets:
                self.add(
                    Level.NON_BREAKING,
                    "api-security-alternative-added",
                    where,
                    f"{where} also accepts {_shown_security([requirement])}.",
                    pointer,
                )

    def compare_security_schemes(self) -> None:
        before = _dict(_dict(self.base.get("components")).get("securitySchemes"))
        after = _dict(_dict(self.revision.get("components")).get("securitySchemes"))
        for name, scheme in before.items():
            pointer = f"/components/securitySchemes/{escape(name)}"
            where = f"security scheme {name}"
            scheme = self.resolve(scheme, self.base)
            if name not in after:
                # Operations that required it have changed requirements, judged there.
                self.add(
                    Level.NON_BREAKING,
                    "api-security-component-removed",
                    where,
                    f"The security scheme {name} was removed.",
                    pointer,
                )
                continue
            other = self.resolve(after[name], self.revision)
            for key in ("type", "in", "name", "scheme", "bearerFormat", "openIdConnectUrl"):
                if scheme.get(key) != other.get(key):
                    self.add(
                        Level.BREAKING,
                        f"api-security-component-{key.lower()}-changed",
                        where,
                        f"The {key} of the security scheme {name} changed from "
                        f"{scheme.get(key)!r} to {other.get(key)!r}.",
                        pointer,
                    )
            before_flows, after_flows = _dict(scheme.get("flows")), _dict(other.get("flows"))
            for flow, details in before_flows.items():
                if flow not in after_flows:
                    self.add(
                        Level.BREAKING,
                        "api-security-component-oauth-flow-removed",
                        where,
                        f"The OAuth flow {flow} of {name} was removed.",
                        pointer,
                    )
                    continue
                for key in ("authorizationUrl", "tokenUrl"):
                    if _dict(details).get(key) != _dict(after_flows[flow]).get(key):
                        self.add(
                            Level.POTENTIALLY_BREAKING,
                            f"api-security-component-oauth-{key.lower()}-changed",
                            where,
                            f"The {key} of the OAuth flow {flow} of {name} changed.",
                            pointer,
                        )
                lost = set(_dict(_dict(details).get("scopes"))) - set(
                    _dict(_dict(after_flows[flow]).get("scopes"))
                )
                if lost:
                    self.add(
                        Level.BREAKING,
                        "api-security-component-oauth-scope-removed",
                        where,
                        f"The OAuth flow {flow} of {name} lost the scopes {', '.join(sorted(lost))}.",
                        pointer,
                    )
        for name in after:
            if name not in before:
                self.add(
                    Level.NON_BREAKING,
                    "api-security-component-added",
                    f"security scheme {name}",
                    f"The security scheme {name} was added.",
                    f"/components/securitySchemes/{escape(name)}",
                )


def _shown_security(requirements: list) -> str:
    return " or ".join(" and ".join(sorted(_dict(r))) or "none" for r in requirements) or "none"


class _Operation:
    """The rules of one operation present in both documents."""

    def __init__(self, rules: _Rules, method: str, base: tuple, revision: tuple):
        self.rules = rules
        self.method = method
        self.path, self.base_item, self.base = base
        self.revision_path, self.revision_item, self.revision = revision
        self.where = f"{method.upper()} {self.revision_path}"
        self.pointer = f"/paths/{escape(self.revision_path)}/{method}"
        self.base_pointer = f"/paths/{escape(self.path)}/{method}"

    def add(self, level, rule, message, pointer=None, where=None):
        self.rules.add(
            level, rule, where or self.where, message, self.pointer if pointer is None else pointer
        )

    def schemas(
        self, before, after, *, direction, location, rule_prefix, base_pointer, revision_pointer
    ):
        self.rules.found += self.rules.schemas.compare(
            before,
            after,
            direction=direction,
            location=location,
            rule_prefix=_PREFIX + rule_prefix,
            base_pointer=base_pointer,
            revision_pointer=revision_pointer,
        )

    def run(self) -> None:
        self.compare_metadata()
        self.compare_parameters()
        self.compare_body()
        self.compare_responses()
        # What a client must present: the operation's own requirements, else the document's.
        self.rules.compare_security(
            _list(self.base.get("security", self.rules.base.get("security"))),
            _list(self.revision.get("security", self.rules.revision.get("security"))),
            self.where,
            f"{self.pointer}/security",
        )

    def compare_metadata(self) -> None:
        before, after = self.base.get("operationId"), self.revision.get("operationId")
        if before != after:
            # Generated clients name their methods after it: changing it may break their code.
            if before and after:
                self.add(
                    Level.POTENTIALLY_BREAKING,
                    "api-operation-id-changed",
                    f"The operationId changed from {before!r} to {after!r}.",
                )
            elif before:
                self.add(
                    Level.POTENTIALLY_BREAKING,
                    "api-operation-id-removed",
                    f"The operationId {before!r} was removed.",
                )
            else:
                self.add(
                    Level.NON_BREAKING,
                    "api-operation-id-added",
                    f"The operationId {after!r} was added.",
                )
        if not self.base.get("deprecated") and self.revision.get("deprecated"):
            self.add(Level.DEPRECATION, "endpoint-deprecated", f"{self.where} was deprecated.")
        elif self.base.get("deprecated") and not self.revision.get("deprecated"):
            self.add(
                Level.NON_BREAKING, "endpoint-reactivated", f"{self.where} is no longer deprecated."
            )
        self.compare_sunset(self.base, self.revision, "api", self.where, self.pointer)

    def compare_sunset(
        self, before: dict, after: dict, kind: str, where: str, pointer: str
    ) -> None:
        old, new = before.get("x-sunset"), after.get("x-sunset")
        if old == new:
            return
        old_date, new_date = _sunset(before), _sunset(after)
        if new and new_date is None:
            self.add(
                Level.BREAKING,
                f"{kind}-sunset-parse",
                f"The x-sunset {new!r} of {where} is not a date.",
                pointer,
                where,
            )
        elif old and not new:
            # oasdiff: a deprecated operation without a sunset date may go at any time.
            level = Level.BREAKING if after.get("deprecated") else Level.NON_BREAKING
            self.add(
                level,
                f"{kind}-sunset-deleted",
                f"The sunset date of {where} was removed.",
                pointer,
                where,
            )
        elif not old:
            self.add(
                Level.DEPRECATION,
                f"{kind}-sunset-date-added",
                f"{where} will be removed on {new_date.isoformat()}.",
                pointer,
                where,
            )
        elif old_date and new_date < old_date:
            self.add(
                Level.DEPRECATION,
                f"{kind}-sunset-date-changed-too-small",
                f"The sunset date of {where} moved earlier, from {old_date.isoformat()} to "
                f"{new_date.isoformat()}.",
                pointer,
                where,
            )
        else:
            self.add(
                Level.NON_BREAKING,
                f"{kind}-sunset-date-changed",
                f"The sunset date of {where} changed to {new_date.isoformat()}.",
                pointer,
                where,
            )

    # Parameters

    def parameters(self, path: str, item: dict, operation: dict, root: dict, pointer: str) -> dict:
        """The operation's parameters by (in, name), the path item's overridden by its own;
        path parameters by their position in the template, so a rename is no removal."""
        found = {}
        sources = [
            (item.get("parameters"), f"/paths/{escape(path)}/parameters"),
            (operation.get("parameters"), f"{pointer}/parameters"),
        ]
        for parameters, where in sources:
            for index, parameter in enumerate(_list(parameters)):
                resolved = self.rules.resolve(parameter, root)
                if isinstance(resolved.get("name"), str) and isinstance(resolved.get("in"), str):
                    found[(resolved["in"], resolved["name"])] = (resolved, f"{where}/{index}")
        positions = {name: index for index, name in enumerate(re.findall(r"\{([^}/]*)\}", path))}
        keyed = {}
        for (place, name), value in found.items():
            if place == "path" and name in positions:
                keyed[("path", positions[name])] = value
            else:
                keyed[(place, name.lower() if place == "header" else name)] = value
        return keyed

    def compare_parameters(self) -> None:
        before = self.parameters(
            self.path, self.base_item, self.base, self.rules.base, self.base_pointer
        )
        after = self.parameters(
            self.revision_path, self.revision_item, self.revision, self.rules.revision, self.pointer
        )
        for key, (parameter, pointer) in before.items():
            place, name = parameter["in"], parameter["name"]
            described = f"{place} parameter {name}"
            if key not in after:
                self.removed_parameter(parameter, described, pointer)
                continue
            other, other_pointer = after[key]
            if other["name"] != name and place == "path":
                self.add(
                    Level.NON_BREAKING,
                    "request-path-parameter-renamed",
                    f"The path parameter {name} was renamed {other['name']}.",
                    other_pointer,
                )
                described = f"{place} parameter {other['name']}"
            location = f"{self.where} {described}"
            required_before, required_after = _required(parameter), _required(other)
            if required_after and not required_before:
                self.add(
                    Level.BREAKING,
                    "request-parameter-became-required",
                    f"The {described} became required.",
                    other_pointer,
                    location,
                )
            elif required_before and not required_after:
                self.add(
                    Level.NON_BREAKING,
                    "request-parameter-became-optional",
                    f"The {described} became optional.",
                    other_pointer,
                    location,
                )
            if other.get("deprecated") and not parameter.get("deprecated"):
                self.add(
                    Level.DEPRECATION,
                    "request-parameter-deprecated",
                    f"The {described} was deprecated.",
                    other_pointer,
                    location,
                )
            self.compare_sunset(parameter, other, "request-parameter", location, other_pointer)
            old = _dict(parameter.get("schema")).get("default")
            new = _dict(other.get("schema")).get("default")
            if not required_before and old != new:
                # A client that leaves the parameter out may get another behaviour (oasdiff
                # lists it without calling it breaking).
                self.add(
                    Level.NON_BREAKING,
                    "request-parameter-default-value-changed",
                    f"The default of the optional {described} changed from {old!r} to {new!r}.",
                    other_pointer,
                    location,
                )
            if _serialization(parameter) != _serialization(other):
                self.add(
                    Level.BREAKING,
                    "request-parameter-serialization-changed",
                    f"The style or explode of the {described} changed.",
                    other_pointer,
                    location,
                )
            self.schemas(
                parameter.get("schema", {}),
                other.get("schema", {}),
                direction=REQUEST,
                location=location,
                rule_prefix="request-parameter",
                base_pointer=f"{pointer}/schema",
                revision_pointer=f"{other_pointer}/schema",
            )
            self.compare_content(
                parameter, other, REQUEST, location, "request-parameter", pointer, other_pointer
            )
        for key, (parameter, pointer) in after.items():
            if key in before:
                continue
            described = f"{parameter['in']} parameter {parameter['name']}"
            location = f"{self.where} {described}"
            if _required(parameter):
                self.add(
                    Level.BREAKING,
                    "new-required-request-parameter",
                    f"The required {described} was added.",
                    pointer,
                    location,
                )
            else:
                self.add(
                    Level.NON_BREAKING,
                    "new-optional-request-parameter",
                    f"The optional {described} was added.",
                    pointer,
                    location,
                )

    def removed_parameter(self, parameter: dict, described: str, pointer: str) -> None:
        location = f"{self.where} {described}"
        if not parameter.get("deprecated"):
            self.add(
                Level.POTENTIALLY_BREAKING,
                "request-parameter-removed",
                f"The {described} was removed.",
                pointer,
                location,
            )
            return
        sunset = _sunset(parameter)
        if sunset and self.rules.today < sunset:
            self.add(
                Level.BREAKING,
                "request-parameter-removed-before-sunset",
                f"The {described} was removed before its sunset date {sunset.isoformat()}.",
                pointer,
                location,
            )
        else:
            self.add(
                Level.NON_BREAKING,
                "request-parameter-removed-with-deprecation",
                f"The deprecated {described} was removed.",
                pointer,
                location,
            )

    # Request body

    def compare_body(self) -> None:
        before_raw, after_raw = self.base.get("requestBody"), self.revision.get("requestBody")
        before = self.rules.resolve(before_raw, self.rules.base) if before_raw is not None else None
        after = (
            self.rules.resolve(after_raw, self.rules.revision) if after_raw is not None else None
        )
        pointer = f"{self.pointer}/requestBody"
        where = f"{self.where} request body"
        if before is None and after is None:
            return
        if before is None:
            if after.get("required"):
                self.add(
                    Level.BREAKING,
                    "request-body-added-required",
                    "A required request body was added.",
                    pointer,
                    where,
                )
            else:
                self.add(
                    Level.NON_BREAKING,
                    "request-body-added-optional",
                    "An optional request body was added.",
                    pointer,
                    where,
                )
            return
        if after is None:
            self.add(
                Level.BREAKING,
                "request-body-removed",
                "The request body was removed.",
                f"{self.base_pointer}/requestBody",
                where,
            )
            return
        if after.get("required") and not before.get("required"):
            self.add(
                Level.BREAKING,
                "request-body-became-required",
                "The request body became required.",
                pointer,
                where,
            )
        elif before.get("required") and not after.get("required"):
            self.add(
                Level.NON_BREAKING,
                "request-body-became-optional",
                "The request body became optional.",
                pointer,
                where,
            )
        self.compare_content(
            before,
            after,
            REQUEST,
            where,
            "request",
            f"{self.base_pointer}/requestBody",
            pointer,
            media_rule="request-body-media-type",
        )

    def compare_content(
        self, before, after, direction, where, rule_prefix, base_pointer, pointer, media_rule=None
    ) -> None:
        """Media types and their schemas; a media type lost breaks the side that used it."""
        before_content, after_content = _dict(before.get("content")), _dict(after.get("content"))
        for media, entry in before_content.items():
            if media not in after_content:
                if media_rule:
                    self.add(
                        Level.BREAKING,
                        f"{media_rule}-removed",
                        f"The media type {media} was removed.",
                        f"{base_pointer}/content/{escape(media)}",
                        f"{where} {media}",
                    )
                continue
            self.schemas(
                _dict(entry).get("schema", {}),
                _dict(after_content[media]).get("schema", {}),
                direction=direction,
                location=f"{where} {media}",
                rule_prefix=rule_prefix,
                base_pointer=f"{base_pointer}/content/{escape(media)}/schema",
                revision_pointer=f"{pointer}/content/{escape(media)}/schema",
            )
        if media_rule:
            for media in after_content:
                if media not in before_content:
                    self.add(
                        Level.NON_BREAKING,
                        f"{media_rule}-added",
                        f"The media type {media} was added.",
                        f"{pointer}/content/{escape(media)}",
                        f"{where} {media}",
                    )

    # Responses

    def compare_responses(self) -> None:
        before, after = _dict(self.base.get("responses")), _dict(self.revision.get("responses"))
        for status, response in before.items():
            where = f"{self.where} response {status}"
            base_pointer = f"{self.base_pointer}/responses/{escape(status)}"
            pointer = f"{self.pointer}/responses/{escape(status)}"
            if status not in after:
                if status.startswith("2") or status.upper() == "2XX":
                    self.add(
                        Level.BREAKING,
                        "response-success-status-removed",
                        f"The success response {status} was removed.",
                        base_pointer,
                        where,
                    )
                else:
                    self.add(
                        Level.NON_BREAKING,
                        "response-non-success-status-removed",
                        f"The response {status} was removed.",
                        base_pointer,
                        where,
                    )
                continue
            one = self.rules.resolve(response, self.rules.base)
            other = self.rules.resolve(after[status], self.rules.revision)
            self.compare_content(
                one,
                other,
                RESPONSE,
                where,
                "response",
                base_pointer,
                pointer,
                media_rule="response-media-type",
            )
            self.compare_headers(one, other, where, base_pointer, pointer)
        for status in after:
            if status not in before:
                success = status.startswith("2")
                self.add(
                    Level.NON_BREAKING,
                    "response-success-status-added"
                    if success
                    else "response-non-success-status-added",
                    f"The response {status} was added.",
                    f"{self.pointer}/responses/{escape(str(status))}",
                    f"{self.where} response {status}",
                )

    def compare_headers(
        self, before: dict, after: dict, where: str, base_pointer: str, pointer: str
    ) -> None:
        before_headers = {
            name.lower(): (name, h) for name, h in _dict(before.get("headers")).items()
        }
        after_headers = {name.lower(): (name, h) for name, h in _dict(after.get("headers")).items()}
        for key, (name, header) in before_headers.items():
            header = self.rules.resolve(header, self.rules.base)
            location = f"{where} header {name}"
            header_pointer = f"{base_pointer}/headers/{escape(name)}"
            if key not in after_headers:
                if _required(header):
                    self.add(
                        Level.BREAKING,
                        "required-response-header-removed",
                        f"The required response header {name} was removed.",
                        header_pointer,
                        location,
                    )
                else:
                    self.add(
                        Level.POTENTIALLY_BREAKING,
                        "optional-response-header-removed",
                        f"The optional response header {name} was removed.",
                        header_pointer,
                        location,
                    )
                continue
            other_name, other = after_headers[key]
            other = self.rules.resolve(other, self.rules.revision)
            other_pointer = f"{pointer}/headers/{escape(other_name)}"
            if _required(header) and not _required(other):
                self.add(
                    Level.BREAKING,
                    "response-header-became-optional",
                    f"The response header {name} became optional.",
                    other_pointer,
                    location,
                )
            self.schemas(
                header.get("schema", {}),
                other.get("schema", {}),
                direction=RESPONSE,
                location=location,
                rule_prefix="response-header",
                base_pointer=f"{header_pointer}/schema",
                revision_pointer=f"{other_pointer}/schema",
            )
        for key, (name, _header) in after_headers.items():
            if key not in before_headers:
                self.add(
                    Level.NON_BREAKING,
                    "response-header-added",
                    f"The response header {name} was added.",
                    f"{pointer}/headers/{escape(name)}",
                    f"{where} header {name}",
                )


def _required(value: dict) -> bool:
    return value.get("required") is True or value.get("in") == "path"


def _serialization(parameter: dict) -> tuple:
    """A parameter's style and explode, with the defaults OpenAPI gives them."""
    style = parameter.get("style") or (
        "form" if parameter.get("in") in ("query", "cookie") else "simple"
    )
    return style, parameter.get("explode", style == "form")


def changes(base: dict, revision: dict, *, today: datetime.date | None = None) -> list[Change]:
    """The changes from the ``base`` OpenAPI document to the ``revision`` (both parsed);
    ``today`` decides whether a sunset date has passed."""
    return _Rules(base, revision, today or datetime.date.today()).run()
