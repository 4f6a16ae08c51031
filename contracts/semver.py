"""Version labels read as semantic versions, and the version ranges consumers declare.

Labels are read leniently with ``packaging`` (``1``, ``1.2``, ``v1.2.3``, ``1.0.0-beta.1``);
a label that is not a version at all (``import-3``, ``latest``) reads as None, and the rules
that need a number then say so instead of guessing. Below 1.0.0 the minor number is the one a
breaking change bumps (``0.2`` to ``0.3``), as npm's and Cargo's caret ranges read it.

Ranges take the forms consumers write: ``^1.2``, ``~1.2``, ``1.x`` / ``1.*``, ``1`` (any
1.x), an exact ``1.2.3`` (or ``=1.2.3``), and comparisons joined by commas or spaces
(``>=1,<2``, ``>=1.2 <2``); ``||`` joins alternatives. Each form becomes a PEP 440 specifier
set, which ``packaging`` matches.
"""

import re

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

MAJOR, MINOR, PATCH, SAME, LOWER = "major", "minor", "patch", "same", "lower"
UNKNOWN = "unknown"  # one side is not a version number


def parse(label: str) -> Version | None:
    try:
        return Version(label.strip())
    except (InvalidVersion, AttributeError):
        return None


def _parts(version: Version) -> tuple[int, int, int]:
    release = (*version.release, 0, 0)
    return release[0], release[1], release[2]


def breaking_line(version: Version) -> tuple[int, ...]:
    """The numbers a breaking change must move: the major, or major and minor below 1."""
    major, minor, _ = _parts(version)
    return (0, minor) if major == 0 else (major,)


def bump(base: str, revision: str) -> str:
    """What moved from ``base`` to ``revision``: major (the breaking line), minor, patch,
    same, lower, or unknown when either is not a version number."""
    old, new = parse(base), parse(revision)
    if old is None or new is None:
        return UNKNOWN
    if new < old:
        return LOWER
    if breaking_line(new) != breaking_line(old):
        return MAJOR
    (_, old_minor, old_patch), (_, new_minor, new_patch) = _parts(old), _parts(new)
    if new_minor != old_minor:
        return MINOR
    if new_patch != old_patch:
        return PATCH
    return SAME


def next_major(base: str) -> str:
    """The version a breaking change after ``base`` should carry (``1.4.2`` -> ``2.0.0``)."""
    version = parse(base)
    if version is None:
        return "a semantic version such as 2.0.0"
    major, minor, _ = _parts(version)
    return f"0.{minor + 1}.0" if major == 0 else f"{major + 1}.0.0"


def sort_key(label: str):
    version = parse(label)
    return version if version is not None else Version("0")


# --- ranges -----------------------------------------------------------------------------------

_PARTIAL = re.compile(r"^[vV]?(\d+)(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?(.*)$")
_OPERATOR = re.compile(r"^(>=|<=|>|<|==|=|!=|~=)\s*(.+)$")


def _specifiers(term: str) -> list[str]:
    """One range term (no spaces or commas inside) as PEP 440 specifiers."""
    operator = _OPERATOR.match(term)
    if operator:
        op, version = operator.groups()
        op = "==" if op == "=" else op
        if op == "==" and not _PARTIAL.match(version):
            raise ValueError(term)
        return _specifiers(version) if op == "==" else [f"{op}{version.lstrip('vV')}"]
    if term in {"*", "x", "X"}:
        return []
    kind = term[0] if term[0] in "^~" else ""
    match = _PARTIAL.match(term[len(kind) :])
    if not match:
        raise ValueError(term)
    major, minor, patch, rest = match.groups()
    numbers = [int(n) for n in (major, minor, patch) if n is not None and n.isdigit()]
    wildcard = any(part is not None and not part.isdigit() for part in (minor, patch))
    low = ".".join(str(n) for n in numbers) + rest
    if kind == "" and not wildcard and len(numbers) == 3:
        return [f"=={low}"]
    if kind == "^":
        # the first non-zero number is the one that may not move (^0.2 is 0.2.x)
        upper = numbers[:1] if numbers[0] or len(numbers) == 1 else numbers[:2]
        if upper == [0, 0] and len(numbers) == 3:
            upper = numbers
    elif kind == "~" and len(numbers) > 1:
        upper = numbers[:2]
    else:  # 1, 1.x, 1.2, ~1: the numbers given are fixed
        upper = numbers
    ceiling = [*upper[:-1], upper[-1] + 1]
    return [f">={low}", "<" + ".".join(str(n) for n in ceiling)]


def range_set(requirement: str) -> list[SpecifierSet]:
    """The requirement as alternatives of specifier sets; ValueError when it cannot be read."""
    alternatives = []
    for alternative in requirement.split("||"):
        # ">= 1.2" is one term: glue operators to their versions before splitting on spaces
        glued = re.sub(r"(>=|<=|>|<|==|=|!=|~=)\s+", r"\1", alternative.strip())
        terms = [term for term in re.split(r"[,\s]+", glued) if term]
        if not terms:
            raise ValueError(requirement)
        try:
            alternatives.append(SpecifierSet(",".join(s for t in terms for s in _specifiers(t))))
        except InvalidSpecifier as error:
            raise ValueError(requirement) from error
    return alternatives


def includes(requirement: str, label: str) -> bool | None:
    """Does the declared range admit ``label``? None when nothing was declared or either the
    range or the label cannot be read: nobody can say, so the consumer counts as affected."""
    version = parse(label)
    if not requirement.strip() or version is None:
        return None
    try:
        alternatives = range_set(requirement)
    except ValueError:
        return None
    return any(spec.contains(version, prereleases=True) for spec in alternatives)
