"""Refuse abusive GraphQL documents before validation or execution can be tied up by them.

Two cheap steps, each linear in the document and free of recursion that a document controls:

1. ``parse_document`` caps the characters, then the tokens, how deeply brackets nest
   (graphql-core's parser recurses once per level, and its validation rules recurse again)
   and how long an integer literal is, in a pass of the lexer alone, before the parser
   builds anything.
2. ``check`` walks the parsed document once, iteratively, summarising each fragment once (a
   fragment spread twice at each of 29 levels stands for 2^29 fields, yet costs 29 steps here)
   and refusing cycles among fragments before anything follows them. It counts the fields
   written (validation compares fields pairwise, so it is quadratic in them), the aliases, the
   depth, and the cost: every field costs 1, times the size of each list it sits inside
   (``first``/``last`` of a connection, or the page graphene-django returns by default; the
   assumed ``KEEL_GRAPHQL_LIST_SIZE`` for any other list). Connection page sizes are checked
   here too, so a bad ``first`` is a request error rather than a resolver exception.

Each refusal is a GraphQL error naming the figure and the limit; the view answers it with
HTTP 400 and no data. Introspection fields (``__schema``, ``__type``) add no depth and no list
factor: they read the schema, whose size is fixed, not the catalog.
"""

from dataclasses import dataclass

from django.conf import settings
from graphene_django.settings import graphene_settings
from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    Undefined,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_list_type,
    parse,
)
from graphql.language import Lexer, Source, TokenKind

MAX_DOCUMENT_CHARS = 100_000
# Brackets, braces and fragment spreads nested deeper than this are refused outright: each level
# is a few frames of recursion in graphql-core's parser, validation and execution. The semantic
# bound, KEEL_GRAPHQL_MAX_DEPTH, is far below it.
MAX_NESTING = 64
# Values in the lists and objects of the variables (a long string is one value).
MAX_VARIABLE_VALUES = 10_000

# The longest integer literal read: a GraphQL Int has at most 11 characters, and Python
# refuses to convert one of 4,300 digits (a ValueError deep in validation).
MAX_INT_LITERAL = 20

_OPENING = (TokenKind.BRACE_L, TokenKind.BRACKET_L)
_CLOSING = (TokenKind.BRACE_R, TokenKind.BRACKET_R)
_META_FIELDS = {
    "__schema": SchemaMetaFieldDef,
    "__type": TypeMetaFieldDef,
    "__typename": TypeNameMetaFieldDef,
}


def parse_document(query: str) -> DocumentNode:
    """The parsed document; raises GraphQLError when it is not GraphQL, or too long, too many
    tokens or too deeply nested to parse safely.

    The tokens and the nesting are counted by graphql-core's lexer alone, before its parser
    builds any node: lexing costs about an eighth of parsing, so a document of 50,000 tokens is
    refused after lexing the first ``KEEL_GRAPHQL_MAX_TOKENS`` of them.
    """
    if len(query) > MAX_DOCUMENT_CHARS:
        raise GraphQLError(f"The query document is longer than {MAX_DOCUMENT_CHARS:,} characters.")
    source = Source(query)
    _check_tokens(source, settings.KEEL_GRAPHQL_MAX_TOKENS)
    return parse(source)


def _check_tokens(source: Source, max_tokens: int) -> None:
    lexer = Lexer(source)
    tokens = nesting = 0
    while (token := lexer.advance()).kind != TokenKind.EOF:
        tokens += 1
        if tokens > max_tokens:
            raise GraphQLSyntaxError(
                source, token.start, f"Document contains more than {max_tokens} tokens."
            )
        if token.kind in _OPENING:
            nesting += 1
            if nesting > MAX_NESTING:
                raise GraphQLSyntaxError(
                    source, token.start, f"The document nests more than {MAX_NESTING} levels deep."
                )
        elif token.kind in _CLOSING:
            nesting -= 1
        elif token.kind == TokenKind.INT and len(token.value) > MAX_INT_LITERAL:
            raise GraphQLSyntaxError(
                source, token.start, f"Integer literal longer than {MAX_INT_LITERAL} digits."
            )


@dataclass(frozen=True)
class _Summary:
    """What a definition stands for once its fragments are expanded."""

    aliases: int = 0
    depth: int = 0
    nesting: int = 0
    cost: int = 0


class _FragmentCycle(Exception):
    def __init__(self, error: GraphQLError):
        self.error = error


def check(schema: GraphQLSchema, document: DocumentNode, variables) -> list[GraphQLError]:
    """The reasons to refuse ``document`` before validating it; empty when it is within limits."""
    return _Analysis(schema, document, variables).errors()


class _Analysis:
    def __init__(self, schema: GraphQLSchema, document: DocumentNode, variables):
        self.schema = schema
        self.variables = variables if isinstance(variables, dict) else {}
        self.operations = [
            d for d in document.definitions if isinstance(d, OperationDefinitionNode)
        ]
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.defaults = {
            v.variable.name.value: int(v.default_value.value)
            for operation in self.operations
            for v in operation.variable_definitions
            if isinstance(v.default_value, IntValueNode)
        }
        self.fields = 0
        self.page_errors: list[GraphQLError] = []
        self.summaries: dict[str, _Summary] = {}

    def errors(self) -> list[GraphQLError]:
        deepest, values = _shape(self.variables)
        if deepest > MAX_NESTING:
            return [GraphQLError(f"The variables nest more than {MAX_NESTING} levels deep.")]
        if values > MAX_VARIABLE_VALUES:
            return [GraphQLError(f"The variables hold more than {MAX_VARIABLE_VALUES:,} values.")]
        try:
            operations = [
                (op, self._expand(op, self.schema.get_root_type(op.operation)))
                for op in self.operations
            ]
            for name, fragment in self.fragments.items():
                if name not in self.summaries:
                    self._expand(fragment, self.schema.get_type(fragment.type_condition.name.value))
        except _FragmentCycle as cycle:
            return [cycle.error]
        if self.fields > settings.KEEL_GRAPHQL_MAX_FIELDS:
            return [
                GraphQLError(
                    f"The document has {self.fields:,} fields; "
                    f"the limit is {settings.KEEL_GRAPHQL_MAX_FIELDS:,}."
                )
            ]
        errors = self.page_errors
        for operation, summary in operations:
            errors.extend(self._over_limits(operation, summary))
        return errors

    @staticmethod
    def _over_limits(operation: OperationDefinitionNode, summary: _Summary):
        if summary.nesting > MAX_NESTING:
            yield GraphQLError(
                f"The query nests more than {MAX_NESTING} levels deep through fragments.", operation
            )
        if summary.depth > settings.KEEL_GRAPHQL_MAX_DEPTH:
            yield GraphQLError(
                f"The query is {summary.depth} levels deep; "
                f"the limit is {settings.KEEL_GRAPHQL_MAX_DEPTH}.",
                operation,
            )
        if summary.aliases > settings.KEEL_GRAPHQL_MAX_ALIASES:
            yield GraphQLError(
                f"The query uses more than {settings.KEEL_GRAPHQL_MAX_ALIASES} aliases.", operation
            )
        if summary.cost > settings.KEEL_GRAPHQL_MAX_COST:
            yield GraphQLError(
                f"The query costs {summary.cost:,}; the limit is {settings.KEEL_GRAPHQL_MAX_COST:,}. "
                "Each field costs 1 for every item of the lists it is inside: `first` or `last` "
                f"of a connection (by default {graphene_settings.RELAY_CONNECTION_MAX_LIMIT}), "
                f"{settings.KEEL_GRAPHQL_LIST_SIZE} for any other list. Ask for smaller pages.",
                operation,
            )

    def _expand(self, definition, root_type) -> _Summary:
        """The summary of ``definition``, summarising each fragment it reaches first.

        Each definition is walked by a generator that yields the name of a fragment it spreads
        and is sent that fragment's summary, so a chain of fragments grows a list, not the
        Python stack, and a fragment met again while it is being walked is a cycle.
        """
        walks = [(None, self._walk(definition.selection_set, root_type))]
        reply = None
        while walks:
            name, walk = walks[-1]
            try:
                wanted = walk.send(reply)
            except StopIteration as done:
                walks.pop()
                reply = done.value
                if name is not None:
                    self.summaries[name] = reply
                continue
            reply = self.summaries.get(wanted)
            if reply is not None or wanted not in self.fragments:
                reply = reply or _Summary()  # an unknown fragment is validation's to report
                continue
            chain = [n for n, _ in walks if n is not None]
            if wanted in chain:
                path = " -> ".join(chain[chain.index(wanted) :] + [wanted])
                raise _FragmentCycle(
                    GraphQLError(
                        f"Fragment '{wanted}' spreads itself: {path}.", self.fragments[wanted]
                    )
                )
            fragment = self.fragments[wanted]
            fragment_type = self.schema.get_type(fragment.type_condition.name.value)
            walks.append((wanted, self._walk(fragment.selection_set, fragment_type)))
        return reply

    def _walk(self, selection_set, parent_type):
        """Generator summarising one definition's selections (see ``_expand``)."""
        aliases = depth = nesting = cost = 0
        # (selections, their parent type, depth of a field there, items per field, nesting)
        pending = [(selection_set, parent_type, 1, 1, 1)]
        while pending:
            selections, parent, level, items, nest = pending.pop()
            nesting = max(nesting, nest)
            for node in selections.selections:
                if isinstance(node, FieldNode):
                    self.fields += 1
                    aliases += node.alias is not None
                    cost += items
                    if node.selection_set is None:
                        continue
                    depth = max(depth, level)
                    field = _field(parent, node.name.value)
                    child = get_named_type(field.type) if field else None
                    meta = child is not None and child.name.startswith("__")
                    factor = 1 if meta else self._items(node, field, parent)
                    pending.append(
                        (node.selection_set, child, level + (not meta), items * factor, nest + 1)
                    )
                elif isinstance(node, InlineFragmentNode):
                    condition = node.type_condition
                    inner = self.schema.get_type(condition.name.value) if condition else parent
                    pending.append((node.selection_set, inner, level, items, nest + 1))
                elif isinstance(node, FragmentSpreadNode):
                    spread = yield node.name.value
                    aliases += spread.aliases
                    depth = max(depth, level - 1 + spread.depth)
                    nesting = max(nesting, nest + spread.nesting)
                    cost += items * spread.cost
        return _Summary(aliases, depth, nesting, cost)

    def _items(self, node: FieldNode, field, parent) -> int:
        """How many items the field returns at most, as far as the document says."""
        if field is None:
            return 1
        if _is_connection(get_named_type(field.type)):
            return self._page_size(node, field)
        if not is_list_type(get_nullable_type(field.type)) or _is_connection(parent):
            return 1  # a connection's edges are its page, counted on the connection
        first = self._argument(node, field, "first")
        return first if first is not None and first >= 0 else settings.KEEL_GRAPHQL_LIST_SIZE

    def _page_size(self, node: FieldNode, field) -> int:
        limit = graphene_settings.RELAY_CONNECTION_MAX_LIMIT
        sizes = []
        for name in ("first", "last"):
            size = self._argument(node, field, name)
            if size is None:
                continue
            if size < 0:
                self._refuse_page(f"`{name}` on `{node.name.value}` must not be negative.", node)
            elif size > limit:
                self._refuse_page(
                    f"Requesting {size} records on the `{node.name.value}` connection exceeds "
                    f"the limit of {limit} records.",
                    node,
                )
            sizes.append(max(size, 0))
        if self._given(node, "offset") and self._given(node, "before"):
            self._refuse_page(
                f"`offset` and `before` cannot be combined on `{node.name.value}`.", node
            )
        return min(sizes, default=limit)

    def _refuse_page(self, message: str, node: FieldNode) -> None:
        self.page_errors.append(GraphQLError(message, node))

    def _argument(self, node: FieldNode, field, name: str) -> int | None:
        """The integer the document passes as argument ``name``, if it says."""
        for argument in node.arguments:
            if argument.name.value == name:
                value = argument.value
                if isinstance(value, VariableNode):
                    given = self.variables.get(
                        value.name.value, self.defaults.get(value.name.value)
                    )
                    return given if isinstance(given, int) and not isinstance(given, bool) else None
                return int(value.value) if isinstance(value, IntValueNode) else None
        default = field.args[name].default_value if name in field.args else None
        return default if isinstance(default, int) and default is not Undefined else None

    def _given(self, node: FieldNode, name: str) -> bool:
        for argument in node.arguments:
            if argument.name.value == name:
                value = argument.value
                if isinstance(value, VariableNode):
                    return self.variables.get(value.name.value) is not None
                return value.kind != "null_value"
        return False


def _shape(value) -> tuple[int, int]:
    """How deeply JSON ``value`` nests and how many values its lists and objects hold
    (graphql-core coerces variables recursively), walking no further once either is over its
    limit: 2 MB of variables hold 400,000 lists, which took over a second to walk."""
    deepest = values = 0
    pending = [(value, 1)]
    while pending:
        value, level = pending.pop()
        deepest, values = max(deepest, level), values + len(value)
        if deepest > MAX_NESTING or values > MAX_VARIABLE_VALUES:
            break
        items = value.values() if isinstance(value, dict) else value
        pending.extend((item, level + 1) for item in items if isinstance(item, dict | list))
    return deepest, values


def _field(parent, name: str):
    if name in _META_FIELDS:
        return _META_FIELDS[name]
    fields = getattr(parent, "fields", None)
    return fields.get(name) if fields else None


def _is_connection(named_type) -> bool:
    """A Relay connection type: its list of edges is one page of the connection's field."""
    return (
        isinstance(named_type, GraphQLObjectType)
        and "edges" in named_type.fields
        and "pageInfo" in named_type.fields
    )
