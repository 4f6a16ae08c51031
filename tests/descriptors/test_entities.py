"""Envelope and spec validation by Backstage's rules, and Keel's own Service descriptor."""

import pytest
import yaml

from descriptors.entities import read_entities
from descriptors.refs import Ref
from descriptors.yaml_loading import Document, load_documents
from scaffolding.pipelines import descriptor
from scaffolding.registry import SHIPPED_DIR, load_template

COMPONENT = {
    "apiVersion": "backstage.io/v1alpha1",
    "kind": "Component",
    "metadata": {"name": "checkout"},
    "spec": {"type": "service", "lifecycle": "production", "owner": "payments"},
}


def doc(data, number=1, source="catalog-info.yaml"):
    return Document(source, number, number * 10, data)


def with_(data=COMPONENT, **changes):
    changed = {
        key: dict(value) if isinstance(value, dict) else value for key, value in data.items()
    }
    for path, value in changes.items():
        part, _, field = path.partition("__")
        if field:
            changed[part][field] = value
        else:
            changed[part] = value
    return changed


def refusals(data):
    entities, problems = read_entities([doc(data)])
    assert entities == []
    return [problem.message for problem in problems]


def test_a_valid_component_is_read_with_its_place_and_canonical_kind():
    [entity], problems = read_entities(
        [doc(with_(kind="component", metadata={"name": "Checkout", "namespace": "shop"}))]
    )
    assert problems == []
    assert (entity.kind, entity.ref, str(entity.ref)) == (
        "Component",
        Ref("component", "shop", "checkout"),
        "component:shop/checkout",
    )
    assert (entity.source, entity.document, entity.line, entity.api_version) == (
        "catalog-info.yaml",
        1,
        10,
        "backstage.io/v1alpha1",
    )
    assert entity.spec["owner"] == "payments" and entity.raw["metadata"]["name"] == "Checkout"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"apiVersion": "backstage.io/v2"},
            'Component needs apiVersion backstage.io/v1alpha1 or backstage.io/v1beta1, not "backstage.io/v2"',
        ),
        ({"apiVersion": None}, '"apiVersion" is not valid; expected a valid prefix and/or suffix'),
        (
            {"kind": "Com-ponent"},
            '"kind" is not valid; expected a letter followed by letters and digits, at most 63 characters but found "Com-ponent"',
        ),
        ({"metadata": {}}, '"metadata.name" must have a value'),
        ({"metadata": []}, '"metadata" must be a mapping with at least a name'),
        (
            {"metadata__name": "-bad"},
            '"metadata.name" is not valid; expected sequences of [a-zA-Z0-9] separated by any of -_., at most 63 characters but found "-bad"',
        ),
        ({"metadata__name": "a" * 64}, '"metadata.name" is not valid'),
        (
            {"metadata__namespace": "Shop"},
            '"metadata.namespace" is not valid; expected sequences of [a-z0-9] separated by -, at most 63 characters but found "Shop"',
        ),
        (
            {"metadata__tags": ["Java"]},
            '"tags.0" is not valid; expected sequences of [a-z0-9:+#] separated by -, at most 63 characters but found "Java"',
        ),
        ({"metadata__tags": "java"}, '"metadata.tags" must be a list'),
        (
            {"metadata__labels": {"team": "a b"}},
            '"labels.team" is not valid; expected empty or sequences',
        ),
        (
            {"metadata__labels": {"bad/key/x": "a"}},
            '"labels.bad/key/x" is not valid; expected an optional DNS-subdomain prefix',
        ),
        (
            {"metadata__annotations": {"backstage.io/x": 5}},
            '"annotations.backstage.io/x" is not valid; expected text but found "5"',
        ),
        (
            {"metadata__annotations": {"Bad_Prefix/x": "v"}},
            '"annotations.Bad_Prefix/x" is not valid',
        ),
        (
            {"metadata__links": [{"title": "docs"}]},
            '"links.0.url" is not valid; expected a valid url but found "None"',
        ),
        (
            {"metadata__links": [{"url": "https://x.example", "icon": "a b"}]},
            '"links.0.icon" is not valid',
        ),
        ({"metadata__description": ["x"]}, '"metadata.description" must be text'),
        ({"spec": None}, 'Component needs a "spec" mapping'),
        ({"spec__owner": ""}, 'Component needs "spec.owner" as non-empty text'),
        ({"spec__lifecycle": None}, 'Component needs "spec.lifecycle" as non-empty text'),
        ({"spec__system": "a:b:c"}, '"spec.system": Entity reference "a:b:c" has the name "b:c"'),
        (
            {"spec__dependsOn": ["checkout-db"]},
            '"spec.dependsOn": Entity reference "checkout-db" had missing or empty kind',
        ),
    ],
)
def test_each_refusal_says_what_to_fix(changes, message):
    assert any(message in found for found in refusals(with_(**changes))), refusals(with_(**changes))


def test_every_problem_of_an_entity_is_reported_at_once_with_its_ref():
    entities, problems = read_entities(
        [doc(with_(metadata={"name": "x", "tags": ["A"]}, spec={"type": "service"}))]
    )
    assert entities == []
    assert {problem.ref for problem in problems} == {"component:default/x"}
    assert len(problems) == 3  # the tag, the lifecycle, the owner


@pytest.mark.parametrize(
    ("kind", "spec", "message"),
    [
        (
            "API",
            {"type": "openapi", "lifecycle": "production", "owner": "a"},
            'API needs "spec.definition" as non-empty text',
        ),
        ("Resource", {"owner": "a"}, 'Resource needs "spec.type" as non-empty text'),
        ("System", {}, 'System needs "spec.owner" as non-empty text'),
        ("Domain", {}, 'Domain needs "spec.owner" as non-empty text'),
        ("Group", {"type": "team"}, 'Group needs "spec.children" as a list (it may be empty)'),
        ("Location", {"type": "file"}, 'Location needs "spec.target" or "spec.targets"'),
        (
            "Location",
            {"targets": ["./a.yaml", 3]},
            '"spec.targets" must be a list of non-empty text',
        ),
    ],
)
def test_each_kind_requires_its_spec_fields(kind, spec, message):
    assert message in refusals(
        {
            "apiVersion": "backstage.io/v1beta1",
            "kind": kind,
            "metadata": {"name": "x"},
            "spec": spec,
        }
    )


def test_a_user_needs_no_groups():
    entities, problems = read_entities(
        [
            doc(
                {
                    "apiVersion": "backstage.io/v1alpha1",
                    "kind": "User",
                    "metadata": {"name": "jane"},
                    "spec": {},
                }
            )
        ]
    )
    assert problems == [] and entities[0].kind == "User"


def test_unknown_kinds_are_kept_as_written():
    template = {
        "apiVersion": "scaffolder.backstage.io/v1beta3",
        "kind": "Template",
        "metadata": {"name": "new-service"},
        "spec": {"owner": "platform", "steps": []},
    }
    custom = {
        "apiVersion": "example.com/v1",
        "kind": "featureFlag",
        "metadata": {"name": "dark-mode"},
    }
    entities, problems = read_entities([doc(template), doc(custom, 2)])
    assert problems == []
    assert [(entity.kind, str(entity.ref)) for entity in entities] == [
        ("Template", "template:default/new-service"),
        ("featureFlag", "featureflag:default/dark-mode"),
    ]
    assert entities[1].spec == {}


def test_a_ref_defined_twice_is_refused_where_it_comes_second():
    known = {}
    read_entities([doc(COMPONENT, 2, "a.yaml")], known=known)
    entities, problems = read_entities(
        [doc(with_(metadata={"name": "CHECKOUT"}), 4, "b.yaml")], known=known
    )
    assert entities == []
    assert [(p.source, p.document, p.ref, p.message) for p in problems] == [
        (
            "b.yaml",
            4,
            "component:default/checkout",
            "component:default/checkout is already defined in a.yaml document 2",
        )
    ]


def test_the_descriptor_scaffolding_writes_is_read_as_a_service():
    template = load_template(SHIPPED_DIR / "python-http-service")
    parameters = {
        "name": "Checkout",
        "owner_team": "payments",
        "lifecycle": "production",
        "tier": 2,
        "data_domain": "orders",
    }
    text = yaml.safe_dump(
        descriptor("checkout", parameters, template, "http://git.example/checkout.git"),
        sort_keys=False,
    )
    documents, problems = load_documents(text, source="catalog-info.yaml")
    [entity], more = read_entities(documents)
    assert problems == more == []
    assert (entity.api_version, entity.kind, str(entity.ref)) == (
        "keel/v1",
        "Service",
        "service:default/checkout",
    )
    assert (
        entity.spec["owner"] == "payments"
        and entity.spec["providesApis"][0]["name"] == "checkout-api"
    )
    assert entity.metadata["title"] == "Checkout"


def test_a_keel_service_needs_an_owner():
    assert 'Service needs "spec.owner" as non-empty text' in refusals(
        {"apiVersion": "keel/v1", "kind": "Service", "metadata": {"name": "x"}, "spec": {}}
    )
