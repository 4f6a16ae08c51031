"""Render a template into a folder with Copier, safely.

Copier renders in Jinja's ``SandboxedEnvironment``; Keel also refuses its unsafe features
(tasks, migrations, extensions: ``unsafe=False``, ``skip_tasks=True``), ignores the user's
Copier settings file (whose ``trust`` list could re-enable them), passes parameters only as
data (a value like ``{{ 7*7 }}`` is written literally, never evaluated) and checks afterwards
that everything written is a regular file inside the output folder. Rendering is bounded in
time by the Celery task's time limit (the sandbox does not bound CPU).
"""

import shutil
from pathlib import Path

from copier import Settings, run_copy

from .registry import ServiceTemplate
from .safety import check_repository_name, check_tree


class RenderError(Exception):
    """The template could not be rendered with these parameters."""


def render(template: ServiceTemplate, parameters: dict, destination: Path) -> list[str]:
    """Render ``template`` with ``parameters`` into ``destination`` (replaced if present);
    return the relative paths of the files written."""
    check_repository_name(parameters["slug"])
    destination = Path(destination)
    if destination.exists():
        shutil.rmtree(destination)
    destination.mkdir(parents=True)
    data = {name: parameters[name] for name in template.parameters if name in parameters}
    try:
        run_copy(
            str(template.copier_root),
            destination,
            data=data,
            settings=Settings(),
            defaults=True,
            overwrite=True,
            quiet=True,
            unsafe=False,
            skip_tasks=True,
            cleanup_on_error=False,
        )
    except Exception as error:  # copier raises many types; all mean the same to the user
        raise RenderError(f"Template {template.slug} could not be rendered: {error}") from error
    return check_tree(destination)
