"""CDEvents (CNCF's format for CI/CD events, spec v0.4) as Keel reads them: the context,
the subject and its content, and Keel's own ``customData`` (the commit a pipeline run builds,
the run a task belongs to, a stage's result). Anything else is refused with its reason.

See https://github.com/cdevents/spec: ``context.type`` is ``dev.cdevents.<subject>.<predicate>.<version>``.
"""

import json
import re
from dataclasses import dataclass
from urllib.parse import unquote

from django.core.exceptions import ValidationError

SUPPORTED = {
    "pipelinerun.queued", "pipelinerun.started", "pipelinerun.finished",
    "taskrun.started", "taskrun.finished",
    "artifact.packaged",
    "service.deployed", "service.upgraded", "service.rolledback",
}  # fmt: skip
_TYPE = re.compile(r"^dev\.cdevents\.([a-z]+)\.([a-z]+)\.(\d+\.\d+\.\d+(?:-[0-9A-Za-z.]+)?)$")
_DIGEST = re.compile(r"sha256:([0-9a-f]{64})(?![0-9a-f])")
_COMMIT = re.compile(r"^[0-9a-f]{40}([0-9a-f]{24})?$")
MAX_TEXT = 500


@dataclass(frozen=True)
class Event:
    id: str
    source: str
    kind: str  # "<subject>.<predicate>", e.g. "taskrun.finished"
    subject_id: str
    content: dict
    custom: dict

    def text(self, name: str, *, required: bool = True, where: str = "subject.content") -> str:
        data = self.content if where == "subject.content" else self.custom
        value = data.get(name)
        if value is None and not required:
            return ""
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise ValidationError({f"{where}.{name}": f"A text of at most {MAX_TEXT} characters."})
        return value.strip()

    def reference(self, name: str, *, required: bool = True, where: str = "subject.content") -> str:
        """The ``id`` of a reference (``{"id": ..., "source": ...}``), or a plain id."""
        data = self.content if where == "subject.content" else self.custom
        value = data.get(name)
        if isinstance(value, dict):
            value = value.get("id")
        if value is None and not required:
            return ""
        if not isinstance(value, str | int) or not str(value).strip() or len(str(value)) > 200:
            raise ValidationError(
                {f"{where}.{name}": "A reference with an id (at most 200 characters)."}
            )
        return str(value).strip()

    @property
    def outcome(self) -> str:
        value = self.content.get("outcome", "")
        return value.strip().lower() if isinstance(value, str) else ""

    def commit(self) -> str:
        value = self.custom.get("commit")
        if not isinstance(value, str) or not _COMMIT.match(value):
            raise ValidationError(
                {"customData.commit": "The commit the run builds (40 hex digits)."}
            )
        return value

    def digest(self, name: str | None = None) -> str:
        """The sha256 digest of an artifact id (a purl such as ``pkg:oci/app@sha256%3A<hex>``):
        the subject's id, or ``subject.content.<name>``."""
        where = f"subject.content.{name}" if name else "subject.id"
        value = self.content.get(name) if name else self.subject_id
        found = _DIGEST.search(unquote(value).lower()) if isinstance(value, str) else None
        if not found:
            raise ValidationError({where: "An artifact id naming its digest (sha256:<64 hex>)."})
        return found.group(1)


def _object(data, where: str) -> dict:
    if not isinstance(data, dict):
        raise ValidationError({where: "A JSON object."})
    return data


def parse(body: bytes) -> Event:
    """The event in ``body``, or a ValidationError naming what is wrong."""
    try:
        data = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise ValidationError({"body": f"Not JSON: {str(error)[:200]}"}) from None
    data = _object(data, "body")
    context = _object(data.get("context"), "context")
    subject = _object(data.get("subject"), "subject")
    content = _object(subject.get("content", {}), "subject.content")
    custom = data.get("customData", {})
    custom = _object(custom if custom is not None else {}, "customData")
    errors = {}
    for name in ("id", "source", "type"):
        value = context.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > 200:
            errors[f"context.{name}"] = "A text of at most 200 characters."
    found = _TYPE.match(context.get("type") or "") if not errors.get("context.type") else None
    if not errors.get("context.type") and not found:
        errors["context.type"] = "dev.cdevents.<subject>.<predicate>.<version>"
    kind = f"{found.group(1)}.{found.group(2)}" if found else ""
    if found and kind not in SUPPORTED:
        errors["context.type"] = f"Keel reads {', '.join(sorted(SUPPORTED))}; not {kind}."
    subject_id = subject.get("id")
    if not isinstance(subject_id, str) or not subject_id.strip() or len(subject_id) > MAX_TEXT:
        errors["subject.id"] = f"A text of at most {MAX_TEXT} characters."
    if errors:
        raise ValidationError(errors)
    return Event(
        id=context["id"].strip(),
        source=context["source"].strip(),
        kind=kind,
        subject_id=subject_id.strip(),
        content=content,
        custom=custom,
    )
