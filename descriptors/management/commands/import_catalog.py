"""``manage.py import_catalog PATH --user NAME``: read descriptors from a file or folder on
this server into the catalog, as NAME, through the same import every location uses."""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from descriptors import actions, importing
from descriptors.models import ImportRun, Location
from portal.models import Interface
from portal.names import name_problem

_SHOWN_PROBLEMS = 20


class Command(BaseCommand):
    help = "Import Backstage-format descriptors from a file or folder on this server."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A descriptor file, or a folder with catalog-info.yaml")
        parser.add_argument("--user", required=True, help="Import as this (staff) user")
        parser.add_argument(
            "--location", help="The location's slug (default: made from the path, stable)"
        )

    def handle(self, *args, path, user, location, **options):
        actor = get_user_model().objects.filter(username=user, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user {user!r}.")
        target = Path(path).resolve()
        if not target.exists():
            raise CommandError(f"{target} does not exist.")
        slug = location or _slug(target)
        if name_problem(slug):
            raise CommandError(f"--location {slug!r}: {name_problem(slug)}")
        found = Location.objects.filter(slug=slug).first()
        if found is None:
            found = actions.create_location(
                actor=actor,
                via=Interface.CLI,
                slug=slug,
                name=str(target)[:200],
                type=Location.Type.PATH,
                target=str(target),
            )
        elif found.type != Location.Type.PATH or found.target != str(target):
            raise CommandError(f"Location {slug} reads {found.target or found.type}, not {target}.")
        run = importing.run(found, actor=actor, via=Interface.CLI, trigger=ImportRun.Trigger.CLI)
        self._report(run)
        if run.status == ImportRun.Status.FAILED:
            raise CommandError(run.message)

    def _report(self, run: ImportRun) -> None:
        seconds = (run.finished_at - run.started_at).total_seconds()
        self.stdout.write(
            f"{run.location.slug}: read {run.read} entities from {run.files} files in "
            f"{seconds:.1f} s: {run.created} created, {run.updated} updated, {run.unchanged} "
            f"unchanged, {run.orphaned} orphaned, {run.refused} refused."
        )
        problems = run.problems.all()
        for problem in problems[:_SHOWN_PROBLEMS]:
            where = ":".join(str(p) for p in (problem.source, problem.line) if p)
            self.stdout.write(f"  {problem.level} {where} {problem.ref} {problem.message}")
        more = problems.count() - _SHOWN_PROBLEMS
        if more > 0:
            self.stdout.write(f"  … and {more} more problems (see the run's report).")


def _slug(target: Path) -> str:
    import hashlib
    import re

    stem = re.sub(r"[^a-z0-9]+", "-", target.stem.lower()).strip("-")[:40] or "catalog"
    stem = stem if stem[0].isalpha() else f"path-{stem}"
    return f"{stem}-{hashlib.sha256(str(target).encode()).hexdigest()[:8]}"
