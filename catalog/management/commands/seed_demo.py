"""``manage.py seed_demo``: load the demo organisation, safe to run again at any time."""

import secrets
import time
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from catalog.demo.seed import seed, totals
from catalog.graph import find_cycles
from teams.models import Membership


def remembered_password(name: str, given: str | None = None) -> str:
    """The password stored in ``DATA_DIR/name``: ``given`` if passed, else the stored one,
    else a new random one. Stored so that every later run (and the README) agree."""
    path: Path = settings.DATA_DIR / name
    if given:
        password = given
    elif path.exists():
        return path.read_text().strip()
    else:
        password = secrets.token_urlsafe(12)
    path.touch(mode=0o600, exist_ok=True)
    path.write_text(password + "\n")
    return password


def ensure_admin() -> str:
    """Create the ``admin`` superuser if missing; an existing admin's password is left alone."""
    users = get_user_model().objects
    if users.filter(username="admin").exists():
        path = settings.DATA_DIR / "admin-password"
        return path.read_text().strip() if path.exists() else "(unchanged)"
    password = remembered_password("admin-password")
    users.create_superuser("admin", "admin@keel.example", password)
    return password


class Command(BaseCommand):
    help = "Load a believable demo organisation (teams, services, APIs, dependencies); idempotent."

    def add_arguments(self, parser):
        parser.add_argument(
            "--password",
            help="Password for every demo user (remembered in DATA_DIR/demo-password); "
            "by default a random one is generated on the first run and reused.",
        )

    def handle(self, *args, password=None, **options):
        started = time.monotonic()
        demo_password = remembered_password("demo-password", password)
        created = seed(password=demo_password)
        admin_password = ensure_admin()
        lead = Membership.objects.filter(role=Membership.Role.LEAD).order_by("team__slug").first()
        done = ", ".join(f"{n} {what}" for what, n in sorted(created.items())) or "nothing"
        self.stdout.write(f"Created {done} in {time.monotonic() - started:.1f} s.")
        self.stdout.write(
            "Catalog now holds "
            + ", ".join(f"{n} {what}" for what, n in totals().items())
            + f", {len(find_cycles())} dependency cycles."
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"Sign in as admin / {admin_password}, or as any demo user (for example "
                f"{lead.user.username}, lead of {lead.team.slug}) with the password {demo_password}."
            )
        )
