"""Load the demo organisation through the same factories (and so the same actions) the tests use.

Every object is looked up by its natural key before it is created, so loading again changes
nothing; random choices come from a fixed seed, so the demo looks the same on every machine.
"""

import random
import re
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from factory import Transformer
from faker import Faker

from catalog import actions
from catalog.factories import (
    ApiConsumptionFactory,
    ApiFactory,
    ApiVersionFactory,
    DataDomainFactory,
    DependencyFactory,
    ResourceFactory,
    ServiceFactory,
)
from catalog.graph import DependencyGraph
from catalog.models import (
    Api,
    ApiConsumption,
    ApiVersion,
    DataDomain,
    Resource,
    Service,
)
from portal.audit import system_actor
from portal.factories import UserFactory
from portal.models import Interface
from teams.factories import MembershipFactory, TeamFactory
from teams.models import Membership, Team

from . import organisation as org
from .specs import versions

SEED = 20240601
DOMAIN = "keel.example"


class Loader:
    """Creates what is missing and counts what it created."""

    def __init__(self, password: str):
        self.created: Counter = Counter()
        self.rng = random.Random(SEED)
        self.faker = Faker()
        self.faker.seed_instance(SEED)
        self.password_hash = make_password(password)
        self.actor = system_actor()

    def ensure(self, factory, lookup: dict, counted_as: str = "", **fields):
        """The existing object matching ``lookup``, or a new one from ``factory``, counted
        under ``counted_as`` (default: the model's plural name)."""
        found = factory._meta.model.objects.filter(**lookup).first()
        if found is not None:
            return found
        self.created[counted_as or factory._meta.model._meta.verbose_name_plural] += 1
        return factory(**lookup, **fields)

    def run(self) -> Counter:
        teams = self.teams()
        services = self.services(teams)
        domains = self.domains(services)
        resources = self.resources(services, teams, domains)
        apis = self.apis(services)
        self.dependencies(services, resources)
        self.consumptions(services, apis)
        return self.created

    # --- teams and people -------------------------------------------------------------------

    def teams(self) -> dict:
        teams, usernames = {}, set()
        for slug, name, description in org.TEAMS:
            team = self.ensure(
                TeamFactory,
                {"slug": slug},
                name=name,
                description=description,
                chat_channel=f"#team-{slug}",
                email=f"{slug}@{DOMAIN}",
                oncall_url=f"https://oncall.{DOMAIN}/schedules/{slug}",
            )
            for index in range(self.rng.randint(4, 8)):
                user = self.person(usernames)
                role = Membership.Role.LEAD if index == 0 else Membership.Role.MEMBER
                self.ensure(MembershipFactory, {"team": team, "user": user}, role=role)
            teams[slug] = team
        # The printed password always works, also after the password file was replaced.
        get_user_model().objects.filter(username__in=usernames).update(password=self.password_hash)
        return teams

    def person(self, taken: set):
        """A demo user with a realistic name; the names come from the seeded Faker."""
        while True:
            first, last = self.faker.first_name(), self.faker.last_name()
            username = re.sub(r"[^a-z.]", "", f"{first}.{last}".lower())
            if username not in taken:
                taken.add(username)
                break
        return UserFactory(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@{DOMAIN}",
            password=Transformer.Force(self.password_hash),
        )

    # --- catalog ------------------------------------------------------------------------------

    def services(self, teams: dict) -> dict:
        services = {}
        for spec in org.SERVICES:
            team = teams[spec.team]
            services[spec.slug] = self.ensure(
                ServiceFactory,
                {"slug": spec.slug},
                name=spec.name or spec.slug.replace("-", " ").title(),
                description=spec.description,
                owner_team=team,
                lifecycle=spec.lifecycle,
                tier=spec.tier,
                kind=spec.kind,
                language=spec.language,
                framework=spec.framework,
                runtime=spec.runtime,
                scaling_factor=spec.scaling_factor,
                tags=[spec.team, *spec.tags],
                repository_url=f"https://git.{DOMAIN}/{team.slug}/{spec.slug}",
                pipeline_url=f"https://ci.{DOMAIN}/{team.slug}/{spec.slug}",
                docs_url=f"https://docs.{DOMAIN}/services/{spec.slug}",
                runbook_url=f"https://runbooks.{DOMAIN}/{spec.slug}",
            )
        return services

    def domains(self, services: dict) -> dict:
        domains = {}
        for slug, owner, description, members in org.DOMAINS:
            domain = self.ensure(
                DataDomainFactory,
                {"slug": slug},
                name=slug.title(),
                description=description,
                owner_service=services[owner],
            )
            for service in (services[owner], *(services[m] for m in members)):
                if service.data_domain_id != domain.pk:
                    services[service.slug] = actions.update_service(
                        service, data_domain=domain, actor=self.actor, via=Interface.CLI
                    )
                    self.created["service domain assignments"] += 1
            domains[slug] = domain
        return domains

    def resources(self, services: dict, teams: dict, domains: dict) -> dict:
        shared = {
            slug: self.ensure(
                ResourceFactory,
                {"slug": slug},
                name=slug.replace("-", " ").title(),
                description=description,
                kind=kind,
                type=type_,
                service=None,
                owner_team=teams[team],
                data_domain=domains.get(domain),
            )
            for slug, team, kind, type_, domain, description in org.TEAM_RESOURCES
        }
        return shared | {
            slug: self.ensure(
                ResourceFactory,
                {"slug": slug},
                name=slug.replace("-", " ").title(),
                description=description,
                kind=kind,
                service=services[owner],
                data_domain=domains.get(domain),
            )
            for slug, owner, kind, domain, description in org.RESOURCES
        }

    def apis(self, services: dict) -> dict:
        apis = {}
        for spec in org.APIS:
            name = spec.slug.replace("-", " ").title().replace(" Api", " API")
            api = self.ensure(
                ApiFactory,
                {"slug": spec.slug},
                name=name,
                description=f"{name}, provided by {spec.provider}.",
                provider=services[spec.provider],
                type=spec.type,
                lifecycle=spec.lifecycle,
            )
            for version, text in versions(spec.type, name, spec.payload):
                self.ensure(ApiVersionFactory, {"api": api, "version": version}, spec=text)
            apis[spec.slug] = api
        return apis

    def dependencies(self, services: dict, resources: dict) -> None:
        """The declared edges first, so that they keep their kind and criticality when an
        API consumption would otherwise add the same edge as a plain synchronous call."""
        owned = [(r.service.slug, r.slug, "data", "high") for r in resources.values() if r.service]
        for source, target, kind, criticality in [*owned, *org.DEPENDENCIES]:
            if target in resources:
                lookup = {"target_service": None, "target_resource": resources[target]}
            else:
                lookup = {"target_service": services[target]}
            self.ensure(
                DependencyFactory,
                {"source": services[source], **lookup},
                # rows, not the dependency count (catalog.graph.DependencyGraph.dependency_count)
                counted_as="dependency rows",
                kind=kind,
                criticality=criticality,
            )

    def consumptions(self, services: dict, apis: dict) -> None:
        for spec in org.APIS:
            for consumer in spec.consumers:
                self.ensure(
                    ApiConsumptionFactory,
                    {"consumer": services[consumer], "api": apis[spec.slug]},
                    version_requirement=self.rng.choice(["^1.0", "^1.1", ">=1.0 <2.0", ""]),
                )


def seed(*, password: str) -> Counter:
    """Create whatever of the demo organisation is missing; returns what was created."""
    return Loader(password).run()


def totals() -> dict[str, int]:
    """How much of everything the catalog holds, for the summary."""
    return {
        "teams": Team.objects.count(),
        "users": get_user_model().objects.count(),
        "services": Service.objects.count(),
        "APIs": Api.objects.count(),
        "API versions": ApiVersion.objects.count(),
        "data domains": DataDomain.objects.count(),
        "resources": Resource.objects.count(),
        "dependencies": DependencyGraph.load().dependency_count,
        "API consumptions": ApiConsumption.objects.count(),
    }
