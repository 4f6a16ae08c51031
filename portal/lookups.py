"""How a name someone typed finds its object, the same in pages, forms, REST and GraphQL.

Slugs are DNS labels, stored lower-case (``portal.models.validate_slug``) and unique
regardless of case, so ``Payments`` and ``payments`` name the same team everywhere: a lookup
lowers what it is given and matches the stored slug exactly (which keeps the index usable).
A value that cannot be a slug at all (too long, a NUL byte, not ASCII) matches nothing
without a query, so hostile input is "not found" rather than a database error.

Usernames follow Django's sign-in, where they are case-sensitive; a lookup also accepts a
different case when exactly one user has that name.
"""

import re

from django.contrib.auth import get_user_model
from django.db import models

from .models import SLUG_MAX_LENGTH

# What any stored slug looks like, names made before today's rule (``portal.names``) included:
# a lookup finds those too, and anything else matches nothing without a query.
_STORED_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?")


def slug_key(value) -> str | None:
    """The stored form of the slug ``value`` names, or None when it cannot name one."""
    if not isinstance(value, str) or not value.isascii() or len(value) > SLUG_MAX_LENGTH:
        return None
    key = value.lower()
    return key if _STORED_SLUG.fullmatch(key) else None


def with_slug(queryset: models.QuerySet, value, field: str = "slug") -> models.QuerySet:
    """The rows of ``queryset`` whose ``field`` (a slug, possibly across a relation) is the
    slug ``value`` names."""
    key = slug_key(value)
    return queryset.none() if key is None else queryset.filter(**{field: key})


def user_named(username, queryset=None):
    """The user called ``username`` (exactly, or in another case when that is unambiguous),
    or None. Active or not: whether an inactive user may be used is the model's rule."""
    if not isinstance(username, str) or not username or len(username) > 150 or "\x00" in username:
        return None
    users = queryset if queryset is not None else get_user_model()._default_manager.all()
    found = list(users.filter(username__iexact=username)[:20])
    exact = [user for user in found if user.username == username]
    if exact:
        return exact[0]
    return found[0] if len(found) == 1 else None
