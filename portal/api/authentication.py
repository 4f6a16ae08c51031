"""Token authentication for REST, GraphQL and git clients.

DRF's own ``TokenAuthentication`` asks the ORM to build the same token-and-user join on every
API request, and building it costs as much as running it twice; on a cached list page that is
most of the request. This class runs the join as written SQL and otherwise behaves the same:
unknown keys and inactive users are refused with DRF's messages.
"""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.authtoken.models import Token


def _user_by_token_sql() -> str:
    user = get_user_model()._meta
    token = Token._meta
    return (
        f"SELECT u.* FROM {user.db_table} u JOIN {token.db_table} t "
        f"ON t.{token.get_field('user').column} = u.{user.pk.column} "
        f"WHERE t.{token.pk.column} = %s"
    )


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        users = list(get_user_model().objects.raw(_user_by_token_sql(), [key]))
        if not users:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = users[0]
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        return user, Token(key=key, user=user)
