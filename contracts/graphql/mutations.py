import graphene
from django.core.exceptions import ValidationError

from catalog.models import Api
from portal.graphql.mutations import VIA, ActionMutation, by_slug

from .. import actions
from ..models import BreakingRelease, ContractPolicy
from .queries import releases_of
from .types import BreakingVersion


def _release(info, api: str, version: str) -> BreakingRelease:
    found = by_slug(info, Api, api, "api")
    release = BreakingRelease.objects.filter(api=found, version__version=version).first()
    if release is None:
        raise ValidationError({"version": f"{found.slug} {version[:50]} is no breaking version."})
    return release


def _shown(release):
    return releases_of(release.api).get(pk=release.pk)


class AcknowledgeBreakingVersionInput(graphene.InputObjectType):
    api = graphene.String(required=True)
    version = graphene.String(required=True)
    consumer = graphene.String(required=True, description="Slug of the consuming service.")


class AcknowledgeBreakingVersion(ActionMutation):
    """A consumer's team is ready for a breaking version; the last one makes it current."""

    breaking_version = graphene.Field(BreakingVersion)

    class Arguments:
        input = AcknowledgeBreakingVersionInput(required=True)

    @classmethod
    def perform(cls, info, actor, api, version, consumer):
        release = _release(info, api, version)
        impact = release.impacts.filter(consumer_slug__iexact=consumer).first()
        if impact is None:
            raise ValidationError({"consumer": f"{consumer[:80]} is not waited for."})
        actions.acknowledge_breaking_version(impact, actor=actor, via=VIA)
        return {"breaking_version": _shown(release)}


class SetApiSunsetInput(graphene.InputObjectType):
    api = graphene.String(required=True)
    version = graphene.String(required=True, description="The breaking version.")
    sunset_on = graphene.Date(required=True, description="When the old version line ends.")


class SetApiSunset(ActionMutation):
    """The provider dates the end of the old version line; the breaking version is current."""

    breaking_version = graphene.Field(BreakingVersion)

    class Arguments:
        input = SetApiSunsetInput(required=True)

    @classmethod
    def perform(cls, info, actor, api, version, sunset_on):
        release = _release(info, api, version)
        actions.set_sunset(release, sunset_on=sunset_on, actor=actor, via=VIA)
        return {"breaking_version": _shown(release)}


SemverPolicy = graphene.Enum(
    "SemverPolicy", [(value.upper(), value) for value in ContractPolicy.Semver.values]
)


class SetContractPolicyInput(graphene.InputObjectType):
    api = graphene.String(required=True)
    semver = graphene.Field(SemverPolicy, required=True)


class SetContractPolicy(ActionMutation):
    """Refuse (enforce) or note (warn) a breaking change without a major version."""

    semver = graphene.Field(SemverPolicy)

    class Arguments:
        input = SetContractPolicyInput(required=True)

    @classmethod
    def perform(cls, info, actor, api, semver):
        found = by_slug(info, Api, api, "api")
        value = getattr(semver, "value", semver)
        policy = actions.set_contract_policy(found, semver=value, actor=actor, via=VIA)
        return {"semver": policy.semver}


class ContractsMutation(graphene.ObjectType):
    acknowledge_breaking_version = AcknowledgeBreakingVersion.Field()
    set_api_sunset = SetApiSunset.Field()
    set_contract_policy = SetContractPolicy.Field()
