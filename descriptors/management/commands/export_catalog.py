"""``manage.py export_catalog [--format yaml|json] [--out FILE]``: the whole catalog as
Backstage-format entities (``descriptors.exporting``)."""

from pathlib import Path

from django.core.management.base import BaseCommand

from descriptors import exporting


class Command(BaseCommand):
    help = "Write the catalog as Backstage-format entities (YAML, or JSON with relations)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
        parser.add_argument("--out", help="Write here instead of standard output")

    def handle(self, *args, format, out, **options):
        items = exporting.entities()
        text = exporting.as_json(items) if format == "json" else exporting.as_yaml(items)
        if out:
            Path(out).write_text(text)
            self.stderr.write(f"{len(items)} entities written to {out}.")
        else:
            self.stdout.write(text)
