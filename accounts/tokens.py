"""Who a token belongs to, in one statement: the check behind REST, GraphQL and git.

The statement returns the user's row, the token's scope, and whether it has expired or was
last used over a minute ago. ``last_used_at`` is written at
most once a minute per token: the answer to "is this token still in use?" needs no more, and a
write per request would cost more than the read it serves. A refused token counts against
the client's address (``throttle``).
"""

from dataclasses import dataclass
from datetime import timedelta
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q
from django.utils import timezone

from . import throttle
from .models import ApiToken, digest_of

LAST_USED_PRECISION = timedelta(minutes=1)
MAX_KEY_LENGTH = 100  # keys are 45 characters; anything much longer is not one


@dataclass(frozen=True)
class TokenCredentials:
    """``request.auth`` of a token request: which token, and what it may do."""

    token_id: int
    scope: str

    @property
    def may_write(self) -> bool:
        return self.scope == ApiToken.Scope.WRITE


class TokenRefused(Exception):
    """The key is unknown (or revoked), expired, or its user is inactive."""


@cache
def _statement() -> tuple[str, list[str]]:
    """The lookup statement and the user fields its first columns hold, in order."""
    user = get_user_model()._meta
    token = ApiToken._meta
    fields = user.concrete_fields
    columns = ", ".join(f"u.{field.column}" for field in fields)
    sql = (
        f"SELECT {columns}, t.id, t.scope, "
        "(t.expires_at IS NOT NULL AND t.expires_at <= %s), "
        "(t.last_used_at IS NULL OR t.last_used_at < %s) "
        f"FROM {user.db_table} u "
        f"JOIN {token.db_table} t ON t.{token.get_field('user').column} = u.{user.pk.column} "
        "WHERE t.digest = %s"
    )
    return sql, [field.attname for field in fields]


def authenticate(key: str, address: str | None):
    """The user and ``TokenCredentials`` of ``key``, presented from ``address``.

    Raises ``throttle.TooManyFailures`` while the address is over its limit, and
    ``TokenRefused`` with the reason otherwise.
    """
    throttle.check(address)
    try:
        return _lookup(key)
    except TokenRefused:
        throttle.note_failure(address)
        raise


def _lookup(key: str):
    if not key or len(key) > MAX_KEY_LENGTH:
        raise TokenRefused("Invalid token.")
    sql, field_names = _statement()
    now = timezone.now()
    adapt = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        cursor.execute(sql, [adapt(now), adapt(now - LAST_USED_PRECISION), digest_of(key)])
        row = cursor.fetchone()
    if row is None:
        raise TokenRefused("Invalid token.")
    token_id, scope, expired, stale = row[-4:]
    if expired:
        raise TokenRefused("Token expired.")
    user = get_user_model().from_db(connection.alias, field_names, row[:-4])
    if not user.is_active:
        raise TokenRefused("User inactive or deleted.")
    if stale:
        _note_use(token_id, now)
    return user, TokenCredentials(token_id=token_id, scope=scope)


def _note_use(token_id: int, now) -> None:
    """Bookkeeping, not a change anyone makes: no ChangeRecord, and the catalog generation
    does not move. The condition keeps concurrent requests from writing it twice."""
    ApiToken.objects.filter(pk=token_id).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - LAST_USED_PRECISION)
    ).update(last_used_at=now)


def user_for_git(username: str, key: str, address: str | None):
    """The user and ``TokenCredentials`` that git's HTTP Basic credentials name, or ``None``:
    the password is one of that user's tokens. Raises ``throttle.TooManyFailures`` like
    ``authenticate``."""
    try:
        user, credentials = authenticate(key, address)
    except TokenRefused:
        return None
    if user.get_username() != username:
        throttle.note_failure(address)
        return None
    return user, credentials
