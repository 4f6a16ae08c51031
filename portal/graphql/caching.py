"""Cached results of catalog queries, keyed by user, document, variables and generation.

The same idea as the REST list cache (``portal.api.caching``): every catalog or team write
leaves a ChangeRecord, so a result stored under the catalog generation
(``portal.audit.generation``) is never stale. Only query operations whose root fields all
read the catalog or the teams are cached; scaffold runs change without ChangeRecords and
template forms differ per user, so anything else runs every time. The user is part of the key
even though catalog reads are the same for everyone today, so that a per-user rule added
later cannot leak through the cache.
"""

import hashlib
import json

from django.conf import settings
from django.core.cache import cache
from graphene.utils.str_converters import to_camel_case
from graphql import FieldNode, OperationDefinitionNode, OperationType

from catalog.graphql.queries import CatalogQuery
from portal.api.authentication import request_generation
from teams.graphql.queries import TeamsQuery

CACHEABLE_ROOTS = frozenset(
    to_camel_case(name) for query in (CatalogQuery, TeamsQuery) for name in query._meta.fields
)


def cache_key(
    request, operation: OperationDefinitionNode | None, query: str, variables, operation_name
) -> str | None:
    """The key of a cacheable operation (parsed and checked by the view), or None when it
    must run."""
    if operation is None or operation.operation != OperationType.QUERY:
        return None
    selections = operation.selection_set.selections
    roots = {s.name.value for s in selections if isinstance(s, FieldNode)}
    if len(roots) < len(selections) or not roots <= CACHEABLE_ROOTS | {"__typename"}:
        return None
    material = json.dumps(
        [request_generation(request), request.user.pk, operation_name, query, variables],
        sort_keys=True,
        default=str,
    )
    return "keel:graphql:" + hashlib.sha256(material.encode()).hexdigest()


def get(key: str | None) -> str | None:
    return cache.get(key) if key else None


def put(key: str | None, result: str) -> None:
    if key:
        cache.set(key, result, settings.KEEL_LIST_CACHE_SECONDS)
