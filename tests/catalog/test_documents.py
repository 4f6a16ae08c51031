"""The services' stored documents (``catalog.documents``) equal a fresh rendering after every
kind of write: each action, the cascades of a delete, writes outside the actions, bulk
generation; and a failed write leaves them as they were. The process's dependency graph,
brought up to date from the documents, equals the graph read afresh after each of them.
A rendering is byte for byte what the DRF serializers give, for the fields they have and
for fields added to them; a field the renderer cannot read as DRF does is refused."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.db import connection
from django.db.models import Count, Prefetch
from django.test.utils import CaptureQueriesContext
from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from catalog import actions, documents
from catalog.api.serializers import (
    ConsumedApiSerializer,
    IncomingDependencySerializer,
    ProvidedApiSerializer,
    ServiceDetailSerializer,
    ServiceSerializer,
)
from catalog.demo import synthetic
from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    DataDomainFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.graph import DependencyGraph
from catalog.models import Dependency, Service, ServiceDocument, Tag
from portal.api.bulk_render import BulkRenderer
from portal.api.serializers import by_slug
from portal.audit import generation, system_actor
from portal.models import Interface
from teams.factories import TeamFactory

pytestmark = pytest.mark.django_db

ACT = {"via": Interface.CLI}


@pytest.fixture
def actor(db):
    return system_actor()


def assert_fresh():
    """Every service's stored document is what rendering it now gives; every other row is a
    tombstone; every row changed since is stamped no later than the current generation."""
    fresh = documents.render(Service.objects.values_list("pk", flat=True))
    stored = {d.pk: d for d in ServiceDocument.objects.all()}
    for pk, document in fresh.items():
        assert pk in stored, f"service {pk} has no document"
        kept = stored[pk]
        assert (kept.detail, kept.item, kept.targets) == (
            document.detail,
            document.item,
            document.targets,
        ), f"service {pk}'s document is stale"
    for pk in stored.keys() - fresh.keys():
        assert stored[pk].detail is None and stored[pk].item is None, f"{pk} is gone"
    assert all(d.generation <= generation() for d in stored.values())
    held, fresh_graph = DependencyGraph.current(), DependencyGraph.load()
    assert (held.nodes, held.down, held.up) == (fresh_graph.nodes, fresh_graph.down, fresh_graph.up)


def detail(service) -> dict:
    return json.loads(ServiceDocument.objects.get(pk=service.pk).detail)


def test_service_writes(actor):
    team, other = TeamFactory(), TeamFactory()
    service = actions.create_service(
        actor=actor, **ACT, owner_team=team, slug="orders", name="Orders", tags=["pci"]
    )
    assert_fresh()
    assert detail(service)["tags"] == ["pci"]
    actions.update_service(service, actor=actor, **ACT, name="Order book", tags=["pci", "core"])
    assert_fresh()
    assert detail(service)["name"] == "Order book"
    actions.transfer_service(service, new_owner=other, actor=actor, **ACT)
    assert_fresh()
    assert detail(service)["owner_team"] == other.slug
    actions.delete_service(service, actor=actor, **ACT)
    assert_fresh()
    assert ServiceDocument.objects.get(pk=service.pk).detail is None


def test_a_document_changes_with_the_generation_of_its_write(actor):
    service = ServiceFactory()
    before = generation()
    actions.update_service(service, actor=actor, **ACT, description="New words.")
    assert ServiceDocument.objects.get(pk=service.pk).generation == generation() == before + 1
    untouched = ServiceFactory()
    stamped = ServiceDocument.objects.get(pk=untouched.pk).generation
    actions.update_service(service, actor=actor, **ACT, description="Newer words.")
    assert ServiceDocument.objects.get(pk=untouched.pk).generation == stamped


def test_apis_and_consumptions(actor):
    api = ApiFactory()
    consumption = ApiConsumptionFactory(api=api)
    assert_fresh()
    assert detail(api.provider)["provided_apis"][0]["slug"] == api.slug
    assert detail(consumption.consumer)["consumed_apis"][0]["provider"] == api.provider.slug
    actions.update_api(api, actor=actor, **ACT, name="Renamed API", lifecycle="production")
    actions.update_consumption(consumption, actor=actor, **ACT, version_requirement="^2")
    assert_fresh()
    actions.remove_consumption(consumption, actor=actor, **ACT)
    actions.delete_api(api, actor=actor, **ACT)
    assert_fresh()
    assert detail(api.provider)["provided_apis"] == []


def test_dependencies_show_on_both_ends(actor):
    edge = DependencyFactory()
    assert_fresh()
    assert detail(edge.target_service)["dependents_count"] == 1
    actions.update_dependency(edge, actor=actor, **ACT, criticality="high")
    assert_fresh()
    actions.remove_dependency(edge, actor=actor, **ACT)
    assert_fresh()
    assert detail(edge.target_service)["dependents"] == []
    assert ServiceDocument.objects.get(pk=edge.source_id).targets == []


def test_resources_count_as_their_service_and_move_with_it(actor):
    resource = ResourceFactory()
    edge = DependencyFactory(target_service=None, target_resource=resource)
    assert ServiceDocument.objects.get(pk=edge.source_id).targets == [resource.service_id]
    new_home = ServiceFactory(owner_team=resource.owner_team)  # a resource stays in its team
    actions._transfer(resource, "service", new_home, actor=actor, **ACT)
    assert_fresh()
    assert ServiceDocument.objects.get(pk=edge.source_id).targets == [new_home.pk]
    actions.update_resource(resource, actor=actor, **ACT, name="Renamed")
    actions.remove_dependency(edge, actor=actor, **ACT)
    actions.delete_resource(resource, actor=actor, **ACT)
    assert_fresh()


def test_deleting_a_service_updates_everything_its_cascade_touched(actor):
    core = ServiceFactory()
    doomed = ServiceFactory()
    DependencyFactory(source=doomed, target_service=core)
    ApiConsumptionFactory(consumer=doomed)
    ResourceFactory(service=doomed)
    ApiFactory(provider=doomed)
    assert detail(core)["dependents_count"] == 1
    actions.delete_service(doomed, actor=actor, **ACT)
    assert_fresh()
    assert detail(core)["dependents_count"] == 0


def test_a_deleted_domain_leaves_its_services(actor):
    domain = DataDomainFactory()
    user = ServiceFactory()
    actions.update_service(user, actor=actor, **ACT, data_domain=domain)
    assert detail(user)["data_domain"] == domain.slug
    actions.delete_domain(domain, actor=actor, **ACT)
    assert_fresh()
    assert detail(user)["data_domain"] is None


def test_a_refused_write_leaves_the_documents_as_they_were(actor):
    service = ServiceFactory()
    kept = ServiceDocument.objects.get(pk=service.pk)
    with pytest.raises(ValidationError):
        actions.update_service(service, actor=actor, **ACT, name="Renamed", tier=9)
    assert ServiceDocument.objects.get(pk=service.pk).detail == kept.detail
    assert_fresh()


def test_writes_outside_the_actions_are_followed(actor):
    """The ORM directly (a shell, the admin's inlines): saved, tagged, untagged, deleted."""
    service = Service.objects.create(slug="by-hand", name="By hand", owner_team=TeamFactory())
    assert_fresh()
    tag = Tag.objects.create(name="manual")
    service.tags.add(tag)
    assert detail(service)["tags"] == ["manual"]
    tag.services.clear()
    assert detail(service)["tags"] == []
    service.tags.add(tag)
    tag.delete()
    assert detail(service)["tags"] == []
    other = ServiceFactory()
    Dependency.objects.create(source=service, target_service=other)
    assert detail(other)["dependents_count"] == 1
    Dependency.objects.filter(source=service).delete()
    service.delete()
    assert_fresh()


def test_generated_catalogs_have_their_documents(actor, monkeypatch):
    monkeypatch.setattr(documents, "_BATCH", 7)  # rendered and stamped in several batches
    synthetic.generate(services=30, dependencies=60, seed=3)
    assert_fresh()
    assert ServiceDocument.objects.filter(detail__isnull=False).count() == 30
    synthetic.clear()
    assert_fresh()


def test_a_release_that_changes_the_shape_renders_again(actor, monkeypatch):
    service = ServiceFactory()
    ServiceDocument.objects.filter(pk=service.pk).update(detail="{}", shape="old")
    documents.refresh_outdated()
    assert_fresh()


def test_flushing_costs_the_same_for_one_service_or_many(actor):
    """The render queries are per batch, not per service."""

    def cost(n):
        services = [ServiceFactory() for _ in range(n)]
        documents.refresh(s.pk for s in services)
        with CaptureQueriesContext(connection) as queries:
            documents.render([s.pk for s in services])
        return len(queries)

    assert cost(2) == cost(12)


def test_a_detail_is_read_alike_by_the_compiled_statement_and_the_orm(actor):
    service = ServiceFactory(slug="orders")
    kept = ServiceDocument.objects.get(pk=service.pk).detail
    assert documents.detail(Service.objects.all(), "Orders") == kept  # compiled once
    assert documents.detail(Service.objects.filter(tier=service.tier), "orders") == kept
    assert documents.detail(Service.objects.filter(tier=1), "orders") is None
    assert documents.detail(Service.objects.none(), "orders") is None  # who may not view
    assert documents.detail(Service.objects.all(), "no-such") is None
    assert documents.detail(Service.objects.all(), "not a slug!") is None


# --- the renderer equals the serializers ----------------------------------------------------


def serialized(queryset, *serializer_classes) -> dict[int, list[str]]:
    """What DRF itself renders of ``queryset``'s rows, dumped as the documents are."""
    dump = JSONRenderer().render
    rows = list(queryset)
    by_class = [cls(rows, many=True).data for cls in serializer_classes]
    return {
        row.pk: [dump(data[place]).decode() for data in by_class] for place, row in enumerate(rows)
    }


def bulk_rendered(queryset, *serializer_classes) -> dict[int, list[str]]:
    dump = JSONRenderer().render
    pks = queryset.values_list("pk", flat=True)
    rendered = BulkRenderer(queryset, serializer_classes).render(queryset, pks)
    return {pk: [dump(data).decode() for data in datas] for pk, datas in rendered.items()}


@pytest.fixture
def varied_catalog(actor):
    """Every field of a document set and unset: unicode and line separators, nulls, tags,
    a domain, resources, APIs, consumptions, edges to services and to resources, neighbours
    deleted (an API, a resource, a domain, a service that depended on others)."""
    full = ServiceFactory(
        slug="zahlungen",
        name="Zahlungsverkehr ✓ 支払い",
        description='Bucht "alles" — \u2028zeilen\u2029 und <tags> & \\ 🚀',
        tier=1,
        lifecycle="production",
        kind=Service.Kind.WORKER,
        language="kotlin",
        framework="ktor",
        runtime=Service.Runtime.SERVERLESS,
        pipeline_url="https://ci.example.com/zahlungen",
        docs_url="https://docs.example.com/zahlungen",
        runbook_url="https://runbooks.example.com/zahlungen",
        template="spring",
        template_version="2.1",
        tags=["pci", "zeta-1", "core"],
    )
    full.tags.add(Tag.objects.create(name="ärger"))  # outside the actions' alphabet
    bare = Service.objects.create(slug="bare", name="", owner_team=TeamFactory(), tier=4)
    domain = DataDomainFactory(owner_service=full)
    actions.update_service(full, actor=actor, **ACT, data_domain=domain)
    gone_domain = DataDomainFactory(owner_service=full)
    ResourceFactory(service=full, data_domain=gone_domain)
    store = ResourceFactory(service=full, kind="queue", name="Stapel ✓")
    first, second = ApiFactory(provider=full), ApiFactory(provider=full, type="grpc")
    doomed_api = ApiFactory(provider=full)
    consumer = ServiceFactory(tags=["pci"])
    ApiConsumptionFactory(consumer=consumer, api=first, version_requirement="^1.2 ✓")
    ApiConsumptionFactory(consumer=consumer, api=second)
    DependencyFactory(source=bare, target_service=full, criticality="high")  # a cycle
    DependencyFactory(source=consumer, target_service=None, target_resource=store, kind="data")
    DependencyFactory(source=full, target_service=bare, description="ruft an")
    leaver = ServiceFactory()
    ApiConsumptionFactory(consumer=leaver, api=first)  # and so an edge to ``full``
    actions.delete_api(doomed_api, actor=actor, **ACT)
    actions.delete_domain(gone_domain, actor=actor, **ACT)
    actions.delete_resource(ResourceFactory(service=full), actor=actor, **ACT)
    actions.delete_service(leaver, actor=actor, **ACT)
    return full


def test_documents_are_byte_for_byte_what_the_serializers_render(varied_catalog):
    expected = serialized(Service.objects.with_neighbours(), *documents._serializers())
    assert len(expected) == 3
    stored = {d.pk: [d.detail, d.item] for d in ServiceDocument.objects.exclude(detail=None)}
    assert stored == expected
    rendered = documents.render(expected)
    assert {pk: [d.detail, d.item] for pk, d in rendered.items()} == expected
    assert "\\u2028" in expected[varied_catalog.pk][0]  # the renderer's own escapes kept
    assert sorted(json.loads(expected[varied_catalog.pk][1])["tags"]) == [
        "core",
        "pci",
        "zeta-1",
        "ärger",
    ]


def test_a_field_added_to_a_serializer_is_rendered_without_a_second_edit(varied_catalog):
    """Fields of every kind the renderer reads, in new places: a column under another name,
    a slug two relations away, an annotation, a nested list in a slice of a prefetch."""

    class Consumption(ConsumedApiSerializer):
        api_name = serializers.CharField(source="api.name")
        team = by_slug(source="api.provider.owner_team")

        class Meta(ConsumedApiSerializer.Meta):
            fields = [*ConsumedApiSerializer.Meta.fields, "api_name", "team"]

    class Wider(ServiceDetailSerializer):
        kind_again = serializers.ChoiceField(source="kind", choices=Service.Kind.choices)
        tier_label = serializers.CharField(source="tier")
        apis = serializers.IntegerField(source="api_count")
        consumed_apis = Consumption(source="consumptions", many=True, read_only=True)
        two_dependents = IncomingDependencySerializer(source="some_dependents", many=True)

        class Meta(ServiceDetailSerializer.Meta):
            fields = [*ServiceDetailSerializer.Meta.fields, "kind_again", "tier_label", "apis"]
            fields += ["two_dependents"]

    DependencyFactory(target_service=varied_catalog)  # three dependents, two shown
    queryset = Service.objects.with_neighbours().annotate(api_count=Count("provided_apis"))
    queryset = queryset.prefetch_related(
        Prefetch(
            "dependents",
            Dependency.objects.order_by("-source__slug")[:2],
            to_attr="some_dependents",
        )
    )
    expected = serialized(queryset, Wider, ServiceSerializer)
    assert bulk_rendered(queryset, Wider, ServiceSerializer) == expected
    shown = json.loads(expected[varied_catalog.pk][0])
    assert len(shown["two_dependents"]) == 2 and len(shown["dependents"]) == 3
    assert shown["consumed_apis"] == [] and shown["apis"] == 2


@pytest.mark.parametrize(
    "field",
    [
        serializers.SerializerMethodField(),
        serializers.CharField(source="get_absolute_url"),
        serializers.CharField(source="*"),
        serializers.CharField(source="data_domain.name"),  # left out where there is none
        serializers.CharField(source="owner_team.services"),
        by_slug(source="data_domain.owner_service"),  # DRF leaves it out where there is no domain
        ProvidedApiSerializer(source="owned_domains.first"),
        serializers.PrimaryKeyRelatedField(source="owner_team", read_only=True),
    ],
)
def test_a_field_the_renderer_cannot_read_as_drf_does_is_refused(db, field):
    class Unreadable(ServiceSerializer):
        extra = field

        def get_extra(self, service):  # for the SerializerMethodField
            return None

        class Meta(ServiceSerializer.Meta):
            fields = [*ServiceSerializer.Meta.fields, "extra"]

    with pytest.raises(ImproperlyConfigured, match=r"Unreadable\.extra .*cannot render it"):
        BulkRenderer(Service.objects.with_neighbours(), [Unreadable])


def test_the_shape_changes_with_the_serializers(monkeypatch):
    class Wider(ServiceDetailSerializer):
        class Meta(ServiceDetailSerializer.Meta):
            fields = [*ServiceDetailSerializer.Meta.fields, "id"]

    before = documents.shape()
    documents.shape.cache_clear()
    monkeypatch.setattr(documents, "_serializers", lambda: (Wider, ServiceSerializer))
    try:
        assert documents.shape() != before
    finally:
        documents.shape.cache_clear()
