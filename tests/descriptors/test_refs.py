"""Entity references read with Backstage's parseEntityRef rules."""

import pytest

from descriptors.refs import Ref, RefError, parse_ref


@pytest.mark.parametrize(
    ("value", "context", "expected"),
    [
        ("component:default/foo", {}, "component:default/foo"),
        ("Component:Payments/Foo", {}, "component:payments/foo"),
        ("foo", {"default_kind": "Group"}, "group:default/foo"),
        ("foo", {"default_kind": "group", "default_namespace": "ops"}, "group:ops/foo"),
        ("user:foo", {"default_kind": "group", "default_namespace": "ops"}, "user:ops/foo"),
        ("ops/foo", {"default_kind": "group"}, "group:ops/foo"),
        ({"kind": "API", "name": "pets"}, {}, "api:default/pets"),
        ({"name": "pets", "namespace": "shop"}, {"default_kind": "api"}, "api:shop/pets"),
    ],
)
def test_references_take_the_default_kind_and_namespace_only_where_they_have_none(
    value, context, expected
):
    assert str(parse_ref(value, **context)) == expected


def test_references_compare_without_case():
    assert (
        parse_ref("Group:Default/Team-A")
        == parse_ref("group:default/team-a")
        == Ref("GROUP", "default", "TEAM-A")
    )
    assert hash(Ref("Group", "Default", "X")) == hash(Ref("group", "default", "x"))


@pytest.mark.parametrize(
    ("value", "context", "message"),
    [
        (
            "foo",
            {},
            'Entity reference "foo" had missing or empty kind (e.g. did not start with "component:" or similar)',
        ),
        ("ops/foo", {}, 'Entity reference "ops/foo" had missing or empty kind'),
        ("", {}, "Entity reference must not be empty"),
        (":foo", {}, 'Entity reference ":foo" was not on the form [<kind>:][<namespace>/]<name>'),
        ("group:", {}, 'Entity reference "group:" was not on the form'),
        ("group:/foo", {}, 'Entity reference "group:/foo" was not on the form'),
        (
            "group:a b",
            {},
            'Entity reference "group:a b" has the name "a b", expected sequences of [a-zA-Z0-9]',
        ),
        ("gr-oup:x", {}, 'has the kind "gr-oup", expected a letter followed by letters and digits'),
        (
            "group:o_ps/x",
            {},
            'has the namespace "o_ps", expected sequences of [a-z0-9] separated by -',
        ),
        ("a/b:c", {"default_kind": "group"}, 'has the name "b:c"'),
        ({"kind": "group", "name": 5}, {}, "has a name that is not text"),
        ({"kind": "group"}, {}, "had missing or empty name"),
        (
            ["group:x"],
            {},
            "An entity reference must be text such as component:default/name, or a mapping",
        ),
        (7, {}, "found 7"),
    ],
)
def test_unreadable_references_say_why(value, context, message):
    with pytest.raises(RefError) as refused:
        parse_ref(value, **context)
    assert message in str(refused.value)
