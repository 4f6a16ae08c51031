"""Plain fields take a short path (``portal.graphql.execution``) that must answer exactly as
graphql-core's own execution does, errors included."""

import enum

import graphene
import pytest
from graphene_django import DjangoObjectType
from graphql import ExecutionContext, execute, parse

from catalog.models import Tag
from portal.graphql.execution import KeelExecutionContext


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Row:
    def __init__(self, **values):
        self.__dict__.update(values)


class Item(graphene.ObjectType):
    name = graphene.String(required=True)
    note = graphene.String()
    count = graphene.Int(required=True)
    colour = graphene.Field(graphene.Enum.from_enum(Colour))
    shout = graphene.String()

    @staticmethod
    def resolve_shout(root, info):
        return root.name.upper()


class Query(graphene.ObjectType):
    items = graphene.List(Item)
    item = graphene.Field(Item, required=True)

    @staticmethod
    def resolve_items(root, info):
        return [
            Row(name="a", note=None, count=1, colour=Colour.RED),
            {"name": "b", "note": "from a dict", "count": 2, "colour": "blue"},
            Row(name=None, note="no name", count=3, colour=None),  # name is required
            Row(name="d", note=None, count="many", colour=None),  # not an Int
            Row(name="e", note=None, count=5, colour="green"),  # not a Colour
            Row(name="f", count=6, colour=None),  # no note at all
        ]

    @staticmethod
    def resolve_item(root, info):
        return Row(name=None, note=None, count=0, colour=None)


SCHEMA = graphene.Schema(query=Query).graphql_schema


@pytest.mark.parametrize(
    "query",
    [
        "{ items { name note count colour shout } }",
        "{ items { alias: name ...F } } fragment F on Item { count note }",
        "{ items { __typename name } }",
        "{ item { name count } }",
    ],
)
def test_plain_fields_answer_as_graphql_core_does(query):
    document = parse(query)

    ours = execute(SCHEMA, document, execution_context_class=KeelExecutionContext)
    theirs = execute(SCHEMA, document, execution_context_class=ExecutionContext)

    assert ours.data == theirs.data
    assert [e.formatted for e in ours.errors or ()] == [e.formatted for e in theirs.errors or ()]


def test_the_failures_are_reported_with_their_paths():
    result = execute(
        SCHEMA,
        parse("{ items { name count colour } }"),
        execution_context_class=KeelExecutionContext,
    )

    assert result.data["items"][0] == {"name": "a", "count": 1, "colour": "RED"}
    assert result.data["items"][1] == {"name": "b", "count": 2, "colour": "BLUE"}
    assert result.data["items"][2:4] == [None, None]  # a failed required field nulls its item
    assert result.data["items"][4] == {"name": "e", "count": 5, "colour": None}
    assert sorted(tuple(e.path) for e in result.errors) == [
        ("items", 2, "name"),
        ("items", 3, "count"),
        ("items", 4, "colour"),
    ]


class TagNode(DjangoObjectType):
    class Meta:
        model = Tag
        fields = ("name",)
        skip_registry = True


class Tagged(graphene.ObjectType):
    label = graphene.String()
    tag = graphene.Field(TagNode, required=True)
    spare = graphene.Field(TagNode)


class TagQuery(graphene.ObjectType):
    tagged = graphene.List(Tagged)
    tags = graphene.List(graphene.NonNull(TagNode))
    required_tags = graphene.List(graphene.NonNull(TagNode), required=True)

    @staticmethod
    def resolve_tags(root, info):
        return [Tag(name="core"), Tag(name="edge")]

    @staticmethod
    def resolve_required_tags(root, info):
        return [Tag(name="core"), None, Tag(name="edge")]  # a null where none may be

    @staticmethod
    def resolve_tagged(root, info):
        core, edge = Tag(name="core"), Tag(name="edge")
        return [
            Row(label="a", tag=core, spare=None),
            Row(label="b", tag=edge, spare=core),  # the class is known by now: the short path
            Row(label="c", tag=None, spare=edge),  # tag is required
            Row(label="d", tag={"name": "not a model"}, spare=None),  # refused by is_type_of
            Row(label="e", tag=core, spare="nor this"),
        ]


TAG_SCHEMA = graphene.Schema(query=TagQuery).graphql_schema


@pytest.mark.parametrize(
    "query",
    [
        "{ tags { name } }",
        "{ tags { name } requiredTags { name } }",
        "{ tagged { tag { name } } tags { name } }",
    ],
)
def test_lists_of_objects_answer_as_graphql_core_does(query):
    document = parse(query)

    ours = execute(TAG_SCHEMA, document, execution_context_class=KeelExecutionContext)
    theirs = execute(TAG_SCHEMA, document, execution_context_class=ExecutionContext)

    assert ours.data == theirs.data
    assert [e.formatted for e in ours.errors or ()] == [e.formatted for e in theirs.errors or ()]


def test_plain_object_fields_answer_as_graphql_core_does():
    document = parse("{ tagged { label tag { name } spare { name } } }")

    ours = execute(TAG_SCHEMA, document, execution_context_class=KeelExecutionContext)
    theirs = execute(TAG_SCHEMA, document, execution_context_class=ExecutionContext)

    assert ours.data == theirs.data
    assert [e.formatted for e in ours.errors] == [e.formatted for e in theirs.errors]
    assert ours.data["tagged"][:3] == [
        {"label": "a", "tag": {"name": "core"}, "spare": None},
        {"label": "b", "tag": {"name": "edge"}, "spare": {"name": "core"}},
        None,
    ]
    assert sorted(tuple(e.path) for e in ours.errors) == [
        ("tagged", 2, "tag"),
        ("tagged", 3, "tag"),
        ("tagged", 4, "spare"),
    ]
