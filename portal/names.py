"""The one rule for names: every slug (teams, services, APIs, domains, resources, pipelines,
scaffold runs) and so every repository and folder a name becomes.

A name is 2 to 63 characters of lower-case letters, digits and single hyphens; it starts with
a letter and ends with a letter or digit. That makes it a DNS label, a URL segment that needs
no escaping, a git repository name that can never be read as an option (``--upload-pack``) or a
path (``../``), and a Python/JavaScript-friendly identifier once hyphens become underscores.
Starting with a letter also rules out all-digit names (``0``, ``2024``), which read as ids
and are what a JSON number would have become. The names Windows reserves for devices (``con``,
``nul``, ``com1``…) are refused, because a folder or a clone with that name cannot be made on
Windows. A name is never trimmed or lower-cased on the way in: ``"abc\\n"`` is refused, not
turned into ``abc``, so that what was typed is what is stored, on every interface.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible

MAX_LENGTH = 63
_SHAPE = re.compile(r"[a-z](?:[a-z0-9]|-(?!-))*[a-z0-9]")
WINDOWS_DEVICES = frozenset(
    ["con", "prn", "aux", "nul", *(f"com{n}" for n in range(10)), *(f"lpt{n}" for n in range(10))]
)
RULE = (
    "Use a DNS label that starts with a letter: 2 to 63 lower-case letters, digits and single "
    "hyphens, ending with a letter or digit."
)


def name_problem(value) -> str | None:
    """Why ``value`` cannot be a name, in words a person can act on; None when it can."""
    if not isinstance(value, str):
        return f"A name is text, not {type(value).__name__}. {RULE}"
    shown = repr(value[:MAX_LENGTH])
    if len(value) > MAX_LENGTH:
        return f"{shown}… is longer than {MAX_LENGTH} characters. {RULE}"
    if not _SHAPE.fullmatch(value):
        return f"{shown} is not a valid name. {RULE}"
    if value in WINDOWS_DEVICES:
        return f"{shown} is reserved (a Windows device name); choose another name."
    return None


@deconstructible(path="portal.names.NameValidator")
class NameValidator:
    """The rule as a model-field validator (``portal.models.validate_slug``)."""

    code = "invalid_slug"

    def __call__(self, value):
        problem = name_problem(value)
        if problem:
            raise ValidationError(problem, code=self.code)

    def __eq__(self, other):
        return isinstance(other, NameValidator)


validate_name = NameValidator()


_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def validate_label(value) -> None:
    """Tags are labels, not names: they name nothing on disk or in a URL path, so one letter
    or digits alone are fine (``k8s``, ``2fa``, ``b``); the alphabet is the names' alphabet."""
    if not isinstance(value, str) or not _LABEL.fullmatch(value):
        raise ValidationError("Use lower-case letters, digits and hyphens.", code="invalid_label")
