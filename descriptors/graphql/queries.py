import graphene

from portal.graphql.queries import FilteredConnectionField, one_by_slug
from portal.permissions import restrict

from ..filters import EntityFilterSet, ImportRunFilterSet, LocationFilterSet
from ..models import Entity, ImportRun, Location
from .types import EntityNode, ImportRunNode, LocationNode


class DescriptorsQuery(graphene.ObjectType):
    locations = FilteredConnectionField(LocationNode, filterset_class=LocationFilterSet)
    location = graphene.Field(LocationNode, slug=graphene.String(required=True))
    import_runs = FilteredConnectionField(ImportRunNode, filterset_class=ImportRunFilterSet)
    import_run = graphene.Field(
        ImportRunNode, number=graphene.Int(required=True, description="The run's id.")
    )
    entities = FilteredConnectionField(EntityNode, filterset_class=EntityFilterSet)
    entity = graphene.Field(
        EntityNode,
        ref=graphene.String(required=True, description="e.g. component:default/checkout"),
    )

    @staticmethod
    def resolve_location(root, info, slug):
        return one_by_slug(info, Location, slug)

    @staticmethod
    def resolve_import_run(root, info, number):
        return restrict(ImportRun.objects.all(), info.context.user).filter(pk=number).first()

    @staticmethod
    def resolve_entity(root, info, ref):
        entities = restrict(Entity.objects.all(), info.context.user)
        return entities.filter(ref=ref.strip().lower()[:300]).first()
