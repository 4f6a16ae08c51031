import graphene
from graphql import GraphQLError

from catalog.graphql.types import ApiKind
from catalog.models import Api
from portal.graphql.queries import one_by_slug

from .. import checking
from ..api.serializers import CheckSerializer, CompareSerializer
from ..diffing import compare
from ..models import BreakingRelease
from .types import BreakingVersion, ContractCheck, ContractComparison


def _validated(serializer_class, data: dict) -> dict:
    """The REST endpoints' validation (size cap included); refused input is an error."""
    serializer = serializer_class(data=data)
    if not serializer.is_valid():
        raise GraphQLError(
            "; ".join(
                f"{field}: {' '.join(map(str, errors))}"
                for field, errors in serializer.errors.items()
            )
        )
    return serializer.validated_data


def releases_of(api):
    return (
        BreakingRelease.objects.filter(api=api)
        .select_related("api", "version")
        .prefetch_related("impacts__consumption__consumer__owner_team", "impacts__acknowledged_by")
    )


class ContractsQuery(graphene.ObjectType):
    check_api_version = graphene.Field(
        ContractCheck,
        api=graphene.String(required=True),
        version=graphene.String(required=True),
        spec=graphene.String(required=True),
        description="What publishing this specification as this version would do, without "
        "publishing: the diff, the verdict, refusals, affected consumers.",
    )
    compare_contracts = graphene.Field(
        ContractComparison,
        type=graphene.Argument(ApiKind, required=True),
        base=graphene.String(required=True),
        revision=graphene.String(required=True),
        description="The changes between two specifications of one type; reads no catalog.",
    )
    breaking_versions = graphene.List(
        graphene.NonNull(BreakingVersion),
        api=graphene.String(required=True),
        description="An API's breaking versions, newest first, with their consumers.",
    )

    @staticmethod
    def resolve_check_api_version(root, info, api, version, spec):
        found = one_by_slug(info, Api, api)
        if found is None:
            return None
        return checking.check(
            found, **_validated(CheckSerializer, {"version": version, "spec": spec})
        )

    @staticmethod
    def resolve_compare_contracts(root, info, type, base, revision):
        kind = getattr(type, "value", type)
        data = _validated(CompareSerializer, {"type": kind, "base": base, "revision": revision})
        return compare(data["type"], data["base"], data["revision"]).as_dict()

    @staticmethod
    def resolve_breaking_versions(root, info, api):
        found = one_by_slug(info, Api, api)
        return releases_of(found) if found is not None else []
