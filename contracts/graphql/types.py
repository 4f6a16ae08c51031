import graphene

from catalog.graphql.types import ApiKind


class ContractChange(graphene.ObjectType):
    level = graphene.String(required=True, description="breaking, potentially-breaking, ...")
    rule = graphene.String(required=True, description="A stable rule id.")
    location = graphene.String(required=True)
    pointer = graphene.String(required=True)
    message = graphene.String(required=True)


class ContractComparison(graphene.ObjectType):
    verdict = graphene.String(required=True, description="The worst level, or unchanged.")
    comparable = graphene.Boolean(required=True)
    breaking = graphene.Int(required=True, description="How many changes break consumers.")
    changes = graphene.List(graphene.NonNull(ContractChange), required=True)
    problems = graphene.List(graphene.NonNull(graphene.String), required=True)

    @staticmethod
    def resolve_breaking(root, info):
        return root["counts"].get("breaking", 0)


class CheckedConsumer(graphene.ObjectType):
    consumer = graphene.String(required=True)
    owner_team = graphene.String(required=True)
    version_requirement = graphene.String(required=True)
    includes_version = graphene.Boolean(description="Null when no readable range is declared.")
    affected = graphene.Boolean(required=True)


class RefusalOnField(graphene.ObjectType):
    field = graphene.String(required=True)
    messages = graphene.List(graphene.NonNull(graphene.String), required=True)


class ContractCheck(ContractComparison):
    api = graphene.String(required=True)
    version = graphene.String(required=True)
    base_version = graphene.String()
    bump = graphene.String(description="What the version number moved: major, minor, ...")
    policy = graphene.String(required=True, description="enforce or warn")
    valid = graphene.Boolean(required=True)
    notes = graphene.List(graphene.NonNull(graphene.String), required=True)
    would_publish = graphene.Boolean(required=True)
    refusals = graphene.List(graphene.NonNull(RefusalOnField), required=True)
    consumers = graphene.List(graphene.NonNull(CheckedConsumer), required=True)
    would_become_current = graphene.Boolean(required=True)

    @staticmethod
    def resolve_refusals(root, info):
        return [{"field": f, "messages": m} for f, m in root["refusals"].items()]


class ConsumerImpactType(graphene.ObjectType):
    consumer = graphene.String(required=True)
    owner_team = graphene.String()
    version_requirement = graphene.String(required=True)
    includes_version = graphene.Boolean()
    affected = graphene.Boolean(required=True)
    acknowledged_at = graphene.DateTime()
    acknowledged_by = graphene.String(description="The username.")

    @staticmethod
    def resolve_consumer(root, info):
        return root.consumer_slug

    @staticmethod
    def resolve_owner_team(root, info):
        return root.consumption.consumer.owner_team.slug if root.consumption else None

    @staticmethod
    def resolve_acknowledged_by(root, info):
        return root.acknowledged_by.username if root.acknowledged_by else None


class BreakingVersion(graphene.ObjectType):
    api = graphene.String(required=True)
    version = graphene.String(required=True)
    base_version = graphene.String(required=True)
    state = graphene.String(required=True, description="open (waiting) or released")
    released_because = graphene.String(required=True)
    released_at = graphene.DateTime()
    sunset_on = graphene.Date()
    impacts = graphene.List(graphene.NonNull(ConsumerImpactType), required=True)

    @staticmethod
    def resolve_api(root, info):
        return root.api.slug

    @staticmethod
    def resolve_version(root, info):
        return root.version.version

    @staticmethod
    def resolve_impacts(root, info):
        return root.impacts.all()


__all__ = ["ApiKind", "BreakingVersion", "ContractCheck", "ContractComparison"]
