"""The project templates Keel ships, and the JSON Schema of each one's parameters.

A template is a folder under ``scaffolding/service_templates/<slug>/`` (or a folder listed in
``KEEL_TEMPLATE_DIRS``) holding a Copier template (``copier.yml`` and its ``template/``
subfolder) and ``schema.json``: the parameters as JSON Schema 2020-12, whose ``x-keel`` block
says the template's version, the kind of service it makes and the API it provides. The form
is generated from that schema and the server validates with the same schema.

Templates are code the portal runs, so a template that asks for Copier's unsafe features
(tasks, migrations, Jinja extensions, external data) is refused when it is loaded.
"""

import copy
import functools
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml
from django.conf import settings

SHIPPED_DIR = Path(__file__).resolve().parent / "service_templates"
UNSAFE_COPIER_KEYS = {"_tasks", "_migrations", "_jinja_extensions", "_external_data"}
_TEMPLATE_SLUG = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\Z")
_VERSION = re.compile(r"^\d+\.\d+\.\d+\Z")


class TemplateError(Exception):
    """A template folder that Keel refuses to load."""


@dataclass(frozen=True)
class ServiceTemplate:
    """One shipped template: where it lives, what it makes and what it asks for."""

    slug: str
    path: Path
    title: str
    description: str
    version: str
    kind: str
    language: str
    framework: str
    runtime: str
    provides_api: dict | None
    test_command: str
    schema: dict = field(repr=False)

    @property
    def copier_root(self) -> Path:
        return self.path

    @property
    def parameters(self) -> list[str]:
        return list(self.schema["properties"])

    def schema_for(self, teams=(), domains=()) -> dict:
        """The schema with its ``x-keel-choices`` filled in: the teams this person may act
        for, the existing data domains. The form and the server both use this version."""
        schema = copy.deepcopy(self.schema)
        for prop in schema["properties"].values():
            source = prop.get("x-keel-choices")
            if source == "teams":
                prop["enum"] = list(teams)
            elif source == "domains":
                prop["enum"] = ["", *domains]
        return schema

    def validate(self, parameters: dict, *, teams=(), domains=()) -> dict:
        """Check ``parameters`` against the schema; return them with defaults filled in.

        Raises ``django.core.exceptions.ValidationError`` with one message per field.
        """
        from django.core.exceptions import ValidationError

        schema = self.schema_for(teams, domains)
        if not isinstance(parameters, dict):
            raise ValidationError({"parameters": "Send the parameters as an object."})
        values = {
            name: prop["default"]
            for name, prop in schema["properties"].items()
            if "default" in prop and name not in parameters
        }
        values.update(parameters)
        validator = jsonschema.Draft202012Validator(schema)
        errors: dict[str, list[str]] = {}
        for error in sorted(validator.iter_errors(values), key=lambda e: list(e.path)):
            name = str(error.path[0]) if error.path else _field_of(error)
            errors.setdefault(name, []).append(_message(error, schema))
        if errors:
            raise ValidationError(errors)
        return values


def _field_of(error) -> str:
    if error.validator == "required":
        return re.findall(r"'([^']+)'", error.message)[0]
    if error.validator == "additionalProperties":
        extra = re.findall(r"'([^']+)'", error.message)
        return extra[0] if extra else "parameters"
    return "parameters"


def _message(error, schema) -> str:
    """A message a person can act on, instead of jsonschema's repr of the value."""
    prop = schema["properties"].get(str(error.path[0])) if error.path else None
    title = (prop or {}).get("title", "This field")
    match error.validator:
        case "required":
            return "This field is required."
        case "additionalProperties":
            return "This template has no such parameter."
        case "enum":
            if (prop or {}).get("x-keel-choices") == "teams":
                return "Choose a team you are a member of."
            if (prop or {}).get("x-keel-choices") == "domains":
                return "Choose an existing data domain, or none."
            return f"Choose one of: {', '.join(str(v) for v in error.validator_value if v)}."
        case "pattern":
            shown = str(error.instance)[:60]
            return f"{shown!r} cannot be the {title.lower()}: {prop.get('description') or 'the value has the wrong form.'}"
        case "minLength":
            return f"{title} needs at least {error.validator_value} characters."
        case "maxLength":
            return f"{title} has at most {error.validator_value} characters."
        case "minimum":
            return f"{title} is at least {error.validator_value}."
        case "maximum":
            return f"{title} is at most {error.validator_value}."
        case "type":
            return f"{title} must be {'a whole number' if error.validator_value == 'integer' else 'a ' + str(error.validator_value)}."
    return error.message


def load_template(path: Path) -> ServiceTemplate:
    """Read and check one template folder."""
    path = Path(path).resolve()
    slug = path.name
    if not _TEMPLATE_SLUG.match(slug):
        raise TemplateError(f"{path}: a template folder's name must be a DNS label.")
    try:
        copier_conf = yaml.safe_load((path / "copier.yml").read_text()) or {}
        schema = json.loads((path / "schema.json").read_text())
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise TemplateError(f"{path}: cannot read copier.yml and schema.json: {error}") from error
    unsafe = UNSAFE_COPIER_KEYS & set(copier_conf)
    if unsafe:
        raise TemplateError(f"{slug}: uses Copier features Keel refuses: {sorted(unsafe)}.")
    if copier_conf.get("_subdirectory") != "template":
        raise TemplateError(f"{slug}: copier.yml must set _subdirectory: template.")
    jsonschema.Draft202012Validator.check_schema(schema)
    meta = schema.get("x-keel") or {}
    if not _VERSION.match(str(meta.get("version", ""))):
        raise TemplateError(f"{slug}: schema.json needs x-keel.version as MAJOR.MINOR.PATCH.")
    questions = {k for k in copier_conf if not k.startswith("_")}
    computed = {k for k, v in copier_conf.items() if isinstance(v, dict) and v.get("when") is False}
    if set(schema["properties"]) != questions - computed:
        raise TemplateError(
            f"{slug}: copier.yml questions and schema.json properties differ: "
            f"{sorted(set(schema['properties']) ^ (questions - computed))}."
        )
    for required in ("slug", "name", "owner_team"):
        if required not in schema["properties"]:
            raise TemplateError(f"{slug}: schema.json must have the parameter {required!r}.")
    return ServiceTemplate(
        slug=slug,
        path=path,
        title=schema.get("title", slug),
        description=schema.get("description", ""),
        version=meta["version"],
        kind=meta.get("kind", "service"),
        language=meta.get("language", ""),
        framework=meta.get("framework", ""),
        runtime=meta.get("runtime", "container"),
        provides_api=meta.get("provides_api"),
        test_command=meta.get("test_command", ""),
        schema=schema,
    )


def template_dirs() -> list[Path]:
    return [SHIPPED_DIR, *(Path(p) for p in getattr(settings, "KEEL_TEMPLATE_DIRS", []))]


@functools.cache
def _load_all(dirs: tuple[Path, ...]) -> dict[str, ServiceTemplate]:
    templates = {}
    for root in dirs:
        for folder in sorted(p for p in root.iterdir() if (p / "copier.yml").is_file()):
            template = load_template(folder)
            templates.setdefault(template.slug, template)
    return templates


def all_templates() -> list[ServiceTemplate]:
    return list(_load_all(tuple(template_dirs())).values())


def get_template(slug: str) -> ServiceTemplate | None:
    return _load_all(tuple(template_dirs())).get(slug)
