"""The point where a policy joins every publish: may a version be published, and which
version are consumers pointed at (``Api.current_version``)?

The catalog publishes versions (``actions.publish_api_version``, and the importer in bulk);
what a publish means for the API's consumers is a policy over the catalog, which an app built
on it installs with ``install`` in its ``AppConfig.ready`` (``contracts`` does), so that the
catalog never imports it. Without one, every new version is current. Every published
version's operations are stored for search here too (``catalog.operations``), whatever the policy.
"""

from django.core.exceptions import ValidationError

from portal.audit import snapshot
from portal.writes import save_changes_many

from . import operations


class NewestIsCurrent:
    """The policy when none is installed: nothing refused, each new version current."""

    def refusals(self, versions: list) -> list[ValidationError | None]:
        return [None] * len(versions)

    def published(self, versions: list, *, actor, via: str) -> None:
        set_current([(version.api, version.version) for version in versions], actor=actor, via=via)


_installed = [NewestIsCurrent()]


def install(policy) -> None:
    """Make ``policy`` judge every publish: ``refusals(versions)`` answers, for versions not
    yet stored, what each publish would be refused for (None: allowed); ``published(versions,
    actor=, via=)`` runs in the publishing write after they are stored, and moves
    ``current_version`` with ``set_current``."""
    _installed[0] = policy


def refusals(versions: list) -> list[ValidationError | None]:
    """Why each of these (valid, unsaved) versions may not be published, or None."""
    return _installed[0].refusals(versions)


def published(versions: list, *, actor, via: str) -> None:
    """Call in the publishing write once ``versions`` are stored: a refusal raises (and so
    rolls the publish back), then the policy records what it keeps and moves current."""
    for error in _installed[0].refusals(versions):
        if error is not None:
            raise error
    operations.store(versions)
    _installed[0].published(versions, actor=actor, via=via)


def set_current(changes: list, *, actor, via: str) -> None:
    """Point each API at a version label: ``changes`` holds ``(api, label)`` pairs, each API
    as locked by the write that decided it. Recorded on each API's history."""
    changed = []
    for api, label in changes:
        if api.current_version != label:
            before = snapshot(api)
            api.current_version = label
            changed.append((api, before))
    save_changes_many(changed, actor=actor, via=via, fields=["current_version"])
