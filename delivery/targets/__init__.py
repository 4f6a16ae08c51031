"""Deployment targets: what puts a release where it serves, behind one interface.

An environment's target is named by its pipeline definition
(``spec.environments.<name>.target``) or, when the definition says nothing, by the setting
``KEEL_DELIVERY_TARGET``; ``delivery.deployments`` drives every target the same way:

    start(deployment)   -> details (with "url"): the release is started or handed over
    ready(deployment)      it answers its health check (raises DeployFailed when not)
    stop(deployment)       it no longer serves (the replaced or the failed release)
    restore(deployment) -> details or None: a former good release serves again
    alive(deployment)   -> bool or None (None: not Keel's to supervise)

Targets: ``embedded`` (a supervised local process, ``targets.embedded``), ``command``
(a configured command hands the release to another system, ``targets.command``) and
``webhook`` (a signed POST hands it over; the system's CDEvents report settles it,
``targets.webhook``).
"""

from django.conf import settings

from ..models import Environment


class DeployFailed(Exception):
    """The release could not be started or did not become healthy; the message says why."""


def registry() -> dict:
    from . import command, embedded, webhook

    return {
        Environment.Target.EMBEDDED: embedded.Embedded,
        Environment.Target.COMMAND: command.Command,
        Environment.Target.WEBHOOK: webhook.Webhook,
    }


def configured(pipeline, name: str) -> tuple[str, dict]:
    """The target and its settings that ``pipeline``'s definition gives environment ``name``:
    ``spec.environments.<name>`` (``target``, ``command``, …), the target defaulting to
    ``KEEL_DELIVERY_TARGET``. Raises DeployFailed for a definition Keel cannot follow."""
    spec = (pipeline.definition or {}).get("spec") or {}
    environments = spec.get("environments") or {}
    if not isinstance(environments, dict):
        raise DeployFailed("spec.environments of the pipeline definition must be a mapping.")
    config = environments.get(name) or {}
    if not isinstance(config, dict):
        raise DeployFailed(
            f"spec.environments.{name} of the pipeline definition must be a mapping."
        )
    target = str(config.get("target") or settings.KEEL_DELIVERY_TARGET)
    if target not in Environment.Target.values:
        raise DeployFailed(
            f"spec.environments.{name}.target is {target!r}; Keel knows "
            f"{', '.join(Environment.Target.values)}."
        )
    return target, {k: v for k, v in config.items() if k != "target"}


def for_environment(environment: Environment):
    """The target object that deploys to ``environment`` (its stored ``target``)."""
    found = registry().get(environment.target)
    if found is None:
        raise DeployFailed(
            f"The {environment.target} target is not available in this Keel; "
            f"{environment.name} cannot be deployed to."
        )
    return found(environment)
