import graphene

from portal.graphql.queries import one_by_slug
from portal.lookups import with_slug
from portal.permissions import restrict

from .. import actions
from ..models import Pipeline, ScaffoldRun
from ..registry import all_templates, get_template
from .types import PipelineType, RunStatus, ScaffoldRunType, ServiceTemplateType


def template_node(template, user):
    return ServiceTemplateType(
        slug=template.slug,
        title=template.title,
        description=template.description,
        version=template.version,
        kind=template.kind,
        language=template.language,
        framework=template.framework,
        parameters_schema=template.schema_for(actions.teams_for(user), actions.domain_choices()),
    )


class ScaffoldingQuery(graphene.ObjectType):
    service_templates = graphene.List(
        graphene.NonNull(ServiceTemplateType), required=True, description="Shipped templates."
    )
    service_template = graphene.Field(ServiceTemplateType, slug=graphene.String(required=True))
    scaffold_run = graphene.Field(ScaffoldRunType, uuid=graphene.UUID(required=True))
    scaffold_runs = graphene.List(
        graphene.NonNull(ScaffoldRunType),
        required=True,
        status=graphene.Argument(RunStatus),
        owner_team=graphene.String(),
        first=graphene.Int(default_value=50),
        description="The newest runs first, at most 500.",
    )
    pipeline = graphene.Field(PipelineType, slug=graphene.String(required=True))

    @staticmethod
    def resolve_service_templates(root, info):
        return [template_node(t, info.context.user) for t in all_templates()]

    @staticmethod
    def resolve_service_template(root, info, slug):
        template = get_template(slug)
        return template_node(template, info.context.user) if template else None

    @staticmethod
    def resolve_scaffold_run(root, info, uuid):
        runs = restrict(ScaffoldRun.objects.with_related(), info.context.user)
        return runs.filter(uuid=uuid).first()

    @staticmethod
    def resolve_scaffold_runs(root, info, status=None, owner_team=None, first=50):
        runs = restrict(ScaffoldRun.objects.with_related(), info.context.user)
        if status:
            runs = runs.filter(status=getattr(status, "value", status))
        if owner_team:
            runs = with_slug(runs, owner_team, "owner_team__slug")
        return runs[: max(0, min(first, 500))]

    @staticmethod
    def resolve_pipeline(root, info, slug):
        return one_by_slug(info, Pipeline.objects.with_related(), slug)
