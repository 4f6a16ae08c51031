"""``manage.py create_token <username> --name NAME [--scope read|write] [--days N]``: issue an
API token from the command line (as that user, recorded as a command-line change) and print
its key, the only time anyone sees it."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from accounts import actions
from accounts.models import ApiToken
from portal.models import Interface


class Command(BaseCommand):
    help = "Create a personal API token for a user and print its key."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", required=True, help="What the token is for.")
        parser.add_argument("--scope", choices=ApiToken.Scope.values, default=ApiToken.Scope.READ)
        parser.add_argument(
            "--days", type=int, help="Expire after this many days (default: never)."
        )

    def handle(self, *args, username, name, scope, days, **options):
        try:
            user = get_user_model().objects.get_by_natural_key(username)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No user {username!r}.") from None
        if days is not None and days < 1:
            raise CommandError("--days must be at least 1.")
        expires_at = timezone.now() + timedelta(days=days) if days else None
        try:
            token = actions.create_token(
                actor=user,
                via=Interface.CLI,
                user=user,
                name=name,
                scope=scope,
                expires_at=expires_at,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        self.stdout.write(token.key)
