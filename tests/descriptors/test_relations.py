"""Every relation Backstage's built-in processor emits, both ways, and the generated catalog's
total."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from descriptors.entities import read_entities
from descriptors.refs import Ref
from descriptors.relations import relations
from descriptors.yaml_loading import Document, load_documents

# The generator the figures come from (a copy of ../shared/bench/gen_catalog.py, so
# that a clean clone has it too).
GEN_CATALOG = Path(__file__).resolve().parents[2] / "benchmarks" / "gen_catalog.py"


def entity(kind, name, namespace="default", **spec):
    data = {
        "apiVersion": "backstage.io/v1alpha1",
        "kind": kind,
        "metadata": {"name": name, "namespace": namespace},
        "spec": spec,
    }
    entities, problems = read_entities([Document("x.yaml", 1, 1, data)])
    assert problems == []
    return entities[0]


def edges(*entities):
    return {(str(r.source), r.type, str(r.target)) for r in relations(entities)}


COMPONENT = {"type": "service", "lifecycle": "production", "owner": "payments"}


@pytest.mark.parametrize(
    ("kind", "spec", "expected"),
    [
        (
            "Component",
            {},
            {
                ("component:default/x", "ownedBy", "group:default/payments"),
                ("group:default/payments", "ownerOf", "component:default/x"),
            },
        ),
        (
            "Component",
            {"system": "shop"},
            {
                ("component:default/x", "partOf", "system:default/shop"),
                ("system:default/shop", "hasPart", "component:default/x"),
            },
        ),
        (
            "Component",
            {"subcomponentOf": "web"},
            {
                ("component:default/x", "partOf", "component:default/web"),
                ("component:default/web", "hasPart", "component:default/x"),
            },
        ),
        (
            "Component",
            {"providesApis": ["pets"]},
            {
                ("component:default/x", "providesApi", "api:default/pets"),
                ("api:default/pets", "apiProvidedBy", "component:default/x"),
            },
        ),
        (
            "Component",
            {"consumesApis": ["ops/pets"]},
            {
                ("component:default/x", "consumesApi", "api:ops/pets"),
                ("api:ops/pets", "apiConsumedBy", "component:default/x"),
            },
        ),
        (
            "Component",
            {"dependsOn": ["resource:db"]},
            {
                ("component:default/x", "dependsOn", "resource:default/db"),
                ("resource:default/db", "dependencyOf", "component:default/x"),
            },
        ),
        (
            "Component",
            {"dependencyOf": ["component:web"]},
            {
                ("component:default/x", "dependencyOf", "component:default/web"),
                ("component:default/web", "dependsOn", "component:default/x"),
            },
        ),
    ],
)
def test_component_relations_go_both_ways(kind, spec, expected):
    found = edges(entity(kind, "x", **COMPONENT, **spec))
    owner = {
        ("component:default/x", "ownedBy", "group:default/payments"),
        ("group:default/payments", "ownerOf", "component:default/x"),
    }
    assert found - owner == expected - owner and owner <= found


@pytest.mark.parametrize(
    ("kind", "spec", "expected"),
    [
        (
            "API",
            {
                "type": "openapi",
                "lifecycle": "production",
                "owner": "user:jane",
                "definition": "x",
                "system": "shop",
            },
            {
                ("api:default/x", "ownedBy", "user:default/jane"),
                ("user:default/jane", "ownerOf", "api:default/x"),
                ("api:default/x", "partOf", "system:default/shop"),
                ("system:default/shop", "hasPart", "api:default/x"),
            },
        ),
        (
            "Resource",
            {
                "type": "database",
                "owner": "dba",
                "dependsOn": ["resource:disk"],
                "dependencyOf": ["component:web"],
                "system": "shop",
            },
            {
                ("resource:default/x", "ownedBy", "group:default/dba"),
                ("group:default/dba", "ownerOf", "resource:default/x"),
                ("resource:default/x", "dependsOn", "resource:default/disk"),
                ("resource:default/disk", "dependencyOf", "resource:default/x"),
                ("resource:default/x", "dependencyOf", "component:default/web"),
                ("component:default/web", "dependsOn", "resource:default/x"),
                ("resource:default/x", "partOf", "system:default/shop"),
                ("system:default/shop", "hasPart", "resource:default/x"),
            },
        ),
        (
            "System",
            {"owner": "a", "domain": "commerce"},
            {
                ("system:default/x", "ownedBy", "group:default/a"),
                ("group:default/a", "ownerOf", "system:default/x"),
                ("system:default/x", "partOf", "domain:default/commerce"),
                ("domain:default/commerce", "hasPart", "system:default/x"),
            },
        ),
        (
            "Domain",
            {"owner": "a", "subdomainOf": "business"},
            {
                ("domain:default/x", "ownedBy", "group:default/a"),
                ("group:default/a", "ownerOf", "domain:default/x"),
                ("domain:default/x", "partOf", "domain:default/business"),
                ("domain:default/business", "hasPart", "domain:default/x"),
            },
        ),
        (
            "User",
            {"memberOf": ["team-a"]},
            {
                ("user:default/x", "memberOf", "group:default/team-a"),
                ("group:default/team-a", "hasMember", "user:default/x"),
            },
        ),
        (
            "Group",
            {"type": "team", "children": ["sub"], "parent": "org", "members": ["jane"]},
            {
                ("group:default/x", "parentOf", "group:default/sub"),
                ("group:default/sub", "childOf", "group:default/x"),
                ("group:default/x", "childOf", "group:default/org"),
                ("group:default/org", "parentOf", "group:default/x"),
                ("group:default/x", "hasMember", "user:default/jane"),
                ("user:default/jane", "memberOf", "group:default/x"),
            },
        ),
    ],
)
def test_each_kind_relates_both_ways(kind, spec, expected):
    assert edges(entity(kind, "x", **spec)) == expected


def test_a_reference_defaults_to_the_referring_entitys_namespace():
    found = edges(entity("System", "x", namespace="shop", owner="a", domain="default/commerce"))
    assert ("system:shop/x", "ownedBy", "group:shop/a") in found
    assert ("system:shop/x", "partOf", "domain:default/commerce") in found


def test_parent_and_children_naming_one_edge_give_it_once():
    parent = entity("Group", "org", type="dept", children=["team"])
    child = entity("Group", "team", type="team", children=[], parent="org")
    found = relations([parent, child])
    assert [(str(r.source), r.type, str(r.target)) for r in found] == [
        ("group:default/org", "parentOf", "group:default/team"),
        ("group:default/team", "childOf", "group:default/org"),
    ]


def test_members_and_member_of_naming_one_edge_give_it_once():
    group = entity("Group", "team", type="team", children=[], members=["jane"])
    user = entity("User", "jane", memberOf=["team"])
    assert len(relations([group, user])) == 2


def test_dangling_targets_are_kept():
    assert edges(entity("Component", "x", **COMPONENT, dependsOn=["component:nowhere"])) >= {
        ("component:default/nowhere", "dependencyOf", "component:default/x")
    }


def test_keel_services_own_and_provide_and_generic_kinds_keep_their_owner():
    service = {
        "apiVersion": "keel/v1",
        "kind": "Service",
        "metadata": {"name": "checkout"},
        "spec": {
            "owner": "payments",
            "providesApis": [
                {"name": "checkout-api", "type": "openapi", "definition": "openapi.yaml"}
            ],
        },
    }
    template = {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "t"},
        "spec": {"owner": "platform"},
    }
    odd = {
        "apiVersion": "example.com/v1",
        "kind": "Thing",
        "metadata": {"name": "o"},
        "spec": {"owner": {"team": "x"}},
    }
    entities, problems = read_entities(
        [Document("x", n, 1, data) for n, data in enumerate([service, template, odd], 1)]
    )
    assert problems == []
    assert edges(*entities) == {
        ("service:default/checkout", "ownedBy", "group:default/payments"),
        ("group:default/payments", "ownerOf", "service:default/checkout"),
        ("service:default/checkout", "providesApi", "api:default/checkout-api"),
        ("api:default/checkout-api", "apiProvidedBy", "service:default/checkout"),
        ("template:default/t", "ownedBy", "group:default/platform"),
        ("group:default/platform", "ownerOf", "template:default/t"),
    }


def test_relations_hold_refs():
    [relation, _] = relations([entity("User", "x", memberOf="team")])
    assert (relation.source, relation.target) == (
        Ref("user", "default", "x"),
        Ref("group", "default", "team"),
    )


@pytest.mark.parametrize("form", ["yaml", "json"])
def test_the_generated_catalog_gives_backstages_stitched_relation_count(tmp_path, form):
    out, stats = tmp_path / "cat.yaml", tmp_path / "stats.json"
    argument = "--out" if form == "yaml" else "--json"
    subprocess.run(
        [sys.executable, GEN_CATALOG, "--n", "600", "--seed", "7", argument, out, "--stats", stats],
        check=True,
        capture_output=True,
    )
    documents, problems = load_documents(out.read_text(), source="cat")
    entities, more = read_entities(documents)
    assert problems == more == [] and len(entities) == 600
    assert len(relations(entities)) == json.loads(stats.read_text())["expected_stitched_relations"]
