"""What a location manages is changed in its descriptor, not in the portal: every interface's
change, deletion or membership edit of such an object (or of what hangs under it: an API of
a managed service, its consumptions) is refused, saying where to change it. The location's
own import may change what it manages (``changing_as``); an orphan is no longer managed."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from .models import Entity

_IMPORTING = ContextVar("importing_location", default=None)


@contextmanager
def changing_as(location):
    """Within this block, what ``location`` manages may be changed: its import is running."""
    token = _IMPORTING.set(location.pk)
    try:
        yield
    finally:
        _IMPORTING.reset(token)


def refuse_managed(obj) -> None:
    """Raise ValidationError when ``obj``, or the first object along its owner path that a
    location manages, is declared by a descriptor."""
    for candidate in _along_owner_path(obj):
        entity = (
            Entity.objects.filter(
                target_type=ContentType.objects.get_for_model(candidate),
                target_id=candidate.pk,
                location__isnull=False,
                orphaned_at__isnull=True,
            )
            .select_related("location")
            .first()
        )
        if entity is not None and entity.location_id != _IMPORTING.get():
            where = f" ({entity.source})" if entity.source else ""
            raise ValidationError(
                f"{candidate} is managed by location {entity.location.slug}: change its "
                f"descriptor{where} instead, and the next import applies it."
            )


def _along_owner_path(obj):
    """``obj`` and the objects it hangs under, up to (not including) its team: a team's own
    services are not the team's to declare."""
    yield obj
    path = getattr(type(obj), "owner_team_path", "")
    steps = path.split("__")[:-1] if path else []
    current = obj
    for step in steps:
        current = getattr(current, step)
        yield current
