"""Token authentication for REST, GraphQL and git clients.

DRF's own ``TokenAuthentication`` asks the ORM to build the token-and-user join on every API
request, and building it costs more than running it; on a cached read that was most of the
request. This class runs one written statement that returns the user's row and, in the same
round trip, the catalog generation (``portal.audit.generation``) that the read caches are
keyed by, so a cached read costs one query. It otherwise behaves as DRF's class: unknown keys
and inactive users are refused with DRF's messages.
"""

from dataclasses import dataclass
from functools import cache

from django.contrib.auth import get_user_model
from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token

from portal.audit import GENERATION_SQL, generation


@dataclass(frozen=True)
class TokenCredentials:
    """``request.auth`` of a token request: the key, and the catalog generation when the
    user was looked up (read before anything else in the request, so keying a cache by it is
    never stale)."""

    key: str
    generation: int


@cache
def _statement() -> tuple[str, list[str]]:
    """The lookup statement and the user fields its columns hold, in order."""
    user = get_user_model()._meta
    token = Token._meta
    fields = user.concrete_fields
    columns = ", ".join(f"u.{field.column}" for field in fields)
    sql = (
        f"SELECT {columns}, ({GENERATION_SQL}) FROM {user.db_table} u "
        f"JOIN {token.db_table} t ON t.{token.get_field('user').column} = u.{user.pk.column} "
        f"WHERE t.{token.pk.column} = %s"
    )
    return sql, [field.attname for field in fields]


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        sql, field_names = _statement()
        with connection.cursor() as cursor:
            cursor.execute(sql, [key])
            row = cursor.fetchone()
        if row is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = get_user_model().from_db(connection.alias, field_names, row[:-1])
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, TokenCredentials(key=key, generation=row[-1] or 0)


def request_generation(request) -> int:
    """The catalog generation as of this request: the one read with its token, or now."""
    known = getattr(getattr(request, "auth", None), "generation", None)
    return generation() if known is None else known
