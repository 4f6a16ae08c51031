"""Each published version's operations stored for search (``ApiOperation``), in the
publishing write (``catalog.publishing.published``) of every path: actions, the importer's
bulk publish, scaffolding. Derived from the immutable spec, so written once and never changed;
the publish's own history record covers them (as the version's summary).
"""

from django.core.exceptions import ValidationError

from portal import copying

from .models import ApiOperation
from .spec_operations import extract
from .specs import validate_spec


def _found(version) -> list[dict]:
    """What validation found (``ApiVersion.clean``), or the spec read again for a version
    saved without it; a spec that no longer validates has none."""
    found = getattr(version, "found_operations", None)
    if found is not None:
        return found
    try:
        parsed = validate_spec(version.api.type, version.spec, max_bytes=len(version.spec.encode()))
    except ValidationError:
        return []
    return extract(version.api.type, parsed)


def store(versions: list) -> None:
    """Store the operations of ``versions`` (just saved, none stored yet)."""
    copying.insert(
        [
            ApiOperation(api_id=version.api_id, version_id=version.pk, **operation)
            for version in versions
            for operation in _found(version)
        ]
    )
