"""What a read-only token may not do: change anything, through any interface.

Each interface asks at the point where it knows a request writes: REST for an unsafe method
(``api.permissions.TokenScope``), GraphQL for a mutation (the view), git for a push (git's
HTTP endpoint refuses pushes from every credential). Sessions are never read-only.
"""

from graphql import DocumentNode, OperationDefinitionNode, OperationType

from .tokens import TokenCredentials

READ_ONLY_MESSAGE = (
    "This token is read-only: use a read-write token (or a signed-in session) to make changes."
)


def read_only(request) -> bool:
    credentials = getattr(request, "auth", None)
    return isinstance(credentials, TokenCredentials) and not credentials.may_write


def graphql_writes(document: DocumentNode) -> bool:
    """Does the document hold a mutation (or subscription)? Any of its operations counts, not
    only the one named to run: a read-only client has no reason to send one. The view passes
    the document it parsed within its bounds (``portal.graphql.limits``)."""
    return any(
        isinstance(node, OperationDefinitionNode) and node.operation != OperationType.QUERY
        for node in document.definitions
    )
