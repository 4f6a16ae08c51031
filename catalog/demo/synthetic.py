"""Large synthetic catalogs for benchmarks (``manage.py generate_catalog``).

Rows are written with ``bulk_create``, bypassing the actions. That is acceptable here because
this is a benchmark data generator, not a way for anyone to change the catalog, and going
through the actions (validation, permission check and a ChangeRecord per row) would take many
minutes for 10,000 services and 50,000 edges. What the actions would check holds by
construction: slugs are valid DNS labels, tiers are in range, every spec comes from the same
generators the tests validate, there are no self edges and no duplicate edges, and the database
constraints still refuse anything else. Each bulk (``generate``, ``clear``) writes one summary
ChangeRecord (who, when, how many rows of each kind) in its transaction, against the catalog
generation row, and so moves the generation that caches are keyed by: a per-row record would
double the rows written and bury the history people made under thousands of generated ones.

Everything generated is named with the ``gen-`` prefix, so ``clear()`` removes exactly it.

The dependency graph is realistic in shape: services are ranked by popularity and a target is
drawn from a Zipf distribution over that rank (a few platform services are depended on by
thousands, most by a handful). Sources lie further down the ranking, which keeps the graph
mostly layered, and one edge in a hundred points back up, which creates cycles as real
catalogs have them. The most popular quarter of services each provide an API.
"""

import bisect
import hashlib
import itertools
import random
from collections import Counter

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db.models import Q
from faker import Faker

from catalog import documents
from catalog.factories import openapi_document
from catalog.models import Api, ApiConsumption, ApiVersion, Dependency, Service, Tag
from catalog.spec_summaries import summarise
from catalog.specs import load_document
from portal.audit import record_change
from portal.models import CatalogGeneration, ChangeRecord
from portal.writes import atomic_write
from teams.models import Membership, Team

from .specs import asyncapi_spec

PREFIX = "gen-"
BATCH = 2000
SERVICES_PER_TEAM = 8
ZIPF_EXPONENT = 1.1
BACKWARD_EDGES = 0.01  # share of edges pointing up the ranking, which makes cycles
CONSUMPTION_SHARE = 0.2  # share of edges to an API provider recorded as an API consumption

SUBJECTS = [
    "order", "payment", "ledger", "cart", "price", "stock", "search", "profile", "session",
    "shipment", "invoice", "review", "media", "tax", "fraud", "loyalty", "voucher", "product",
    "route", "label", "message", "report", "identity", "config", "audit", "refund", "return",
    "warehouse", "carrier", "consent", "account", "billing", "quote", "contract", "partner",
]  # fmt: skip
ROLES = [
    "api", "service", "worker", "gateway", "indexer", "store", "router", "sync", "adapter",
    "scheduler", "bff", "importer", "exporter", "engine", "registry", "proxy", "cache",
]  # fmt: skip
LANGUAGES = ["go", "java", "kotlin", "python", "typescript", "rust", "ruby", "csharp"]
TAGS = ["critical-path", "customer-facing", "pci", "gdpr", "internal", "batch", "legacy", "ml"]


class Generator:
    def __init__(self, services: int, dependencies: int, seed: int):
        self.n, self.m = services, dependencies
        self.rng = random.Random(seed)
        self.faker = Faker()
        self.faker.seed_instance(seed)
        self.counts: Counter = Counter()

    def run(self) -> Counter:
        teams = self.teams()
        services = self.services(teams)
        by_rank = self.rng.sample(services, len(services))  # by_rank[0] is the most popular
        apis = self.apis(by_rank[: max(1, self.n // 4)])
        edges = self.dependencies(by_rank)
        self.consumptions(edges, apis)
        return self.counts

    def _bulk(self, model, rows: list) -> list:
        created = model.objects.bulk_create(rows, batch_size=BATCH)
        self.counts[model._meta.verbose_name_plural] += len(created)
        return created

    def teams(self) -> list[Team]:
        count = max(1, round(self.n / SERVICES_PER_TEAM))
        sizes = [self.rng.randint(5, 9) for _ in range(count)]
        password = make_password(None)  # unusable: nobody signs in as a generated user
        users = self._bulk(
            get_user_model(),
            [
                get_user_model()(
                    username=f"{PREFIX}user-{i}",
                    first_name=self.faker.first_name(),
                    last_name=self.faker.last_name(),
                    email=f"{PREFIX}user-{i}@example.com",
                    password=password,
                )
                for i in range(sum(sizes))
            ],
        )
        teams = self._bulk(
            Team,
            [
                Team(
                    slug=f"{PREFIX}team-{i}",
                    name=f"{self.rng.choice(SUBJECTS).title()} Team {i}",
                    chat_channel=f"#{PREFIX}team-{i}",
                    oncall_url=f"https://oncall.example.com/{PREFIX}team-{i}",
                )
                for i in range(count)
            ],
        )
        people = iter(users)
        self._bulk(
            Membership,
            [
                Membership(
                    team=team,
                    user=next(people),
                    role=Membership.Role.LEAD if i == 0 else Membership.Role.MEMBER,
                )
                for team, size in zip(teams, sizes, strict=True)
                for i in range(size)
            ],
        )
        return teams

    def services(self, teams: list[Team]) -> list[Service]:
        rng = self.rng
        services = []
        for i in range(self.n):
            subject, role = rng.choice(SUBJECTS), rng.choice(ROLES)
            slug = f"{PREFIX}{subject}-{role}-{i}"
            services.append(
                Service(
                    slug=slug,
                    name=f"{subject.title()} {role.title()} {i}",
                    description=f"Handles {subject} {role} work for the business.",
                    owner_team=teams[i] if i < len(teams) else rng.choice(teams),
                    lifecycle=rng.choices(["production", "experimental", "deprecated"], [8, 1, 1])[
                        0
                    ],
                    tier=rng.choices([1, 2, 3, 4], [1, 3, 4, 2])[0],
                    kind=rng.choices(["service", "worker", "website", "function"], [7, 2, 1, 1])[0],
                    language=rng.choice(LANGUAGES),
                    scaling_factor=f"{subject} requests per second",
                    repository_url=f"https://git.example.com/{slug}",
                    runbook_url=f"https://runbooks.example.com/{slug}",
                )
            )
        services = self._bulk(Service, services)
        tags = [Tag.objects.get_or_create(name=name)[0] for name in TAGS]
        self._bulk(
            Service.tags.through,
            [
                Service.tags.through(service_id=service.pk, tag_id=tag.pk)
                for service in services
                for tag in rng.sample(tags, rng.choice([0, 1, 1, 2, 3]))
            ],
        )
        return services

    def apis(self, providers: list[Service]) -> dict[int, Api]:
        """One API per provider, mostly OpenAPI, some AsyncAPI; each with one small version."""
        rng = self.rng
        kinds = [rng.choices([Api.Type.OPENAPI, Api.Type.ASYNCAPI], [85, 15])[0] for _ in providers]
        apis = self._bulk(
            Api,
            [
                Api(
                    slug=f"{service.slug}-api",
                    name=f"{service.name} API",
                    provider=service,
                    type=kind,
                    lifecycle=service.lifecycle,
                    current_version="1.0.0",  # its one version, below
                )
                for service, kind in zip(providers, kinds, strict=True)
            ],
        )
        versions = []
        for api in apis:
            subject = api.slug.removeprefix(PREFIX).split("-")[0]
            if api.type == Api.Type.OPENAPI:
                spec = openapi_document(api.name, "1.0.0", f"{subject}s")
            else:
                spec = asyncapi_spec(api.name, "1.0.0", {f"{subject}.changed": {"id": "string"}})
            digest = hashlib.sha256(spec.encode()).hexdigest()
            summary = summarise(api.type, load_document(spec))  # what clean() would store
            versions.append(
                ApiVersion(api=api, version="1.0.0", spec=spec, digest=digest, summary=summary)
            )
        self._bulk(ApiVersion, versions)
        return {api.provider_id: api for api in apis}

    def dependencies(self, by_rank: list[Service]) -> list[tuple[int, int]]:
        """``m`` distinct edges (source id, target id), drawn as the module docstring says."""
        rng, n = self.rng, len(by_rank)
        cumulative = list(itertools.accumulate(1 / (r + 1) ** ZIPF_EXPONENT for r in range(n)))
        edges: dict[tuple[int, int], None] = {}
        for _ in range(self.m * 20):  # bounded: a tiny catalog may not have room for m edges
            if len(edges) >= self.m:
                break
            target = bisect.bisect(cumulative, rng.random() * cumulative[-1])
            if rng.random() < BACKWARD_EDGES:
                source = rng.randrange(n)
            elif target < n - 1:
                source = rng.randint(target + 1, n - 1)
            else:
                continue
            if source != target:
                edges[(by_rank[source].pk, by_rank[target].pk)] = None
        self._bulk(
            Dependency,
            [
                Dependency(
                    source_id=source,
                    target_service_id=target,
                    kind=rng.choices(["sync", "async", "data"], [7, 2, 1])[0],
                    criticality=rng.choices(["high", "medium", "low"], [2, 5, 3])[0],
                )
                for source, target in edges
            ],
        )
        return list(edges)

    def consumptions(self, edges: list[tuple[int, int]], apis: dict[int, Api]) -> None:
        """Some edges to an API provider are also recorded as consuming its API, so every
        consumption has the dependency it implies (as ``catalog.actions.add_consumption``
        would ensure)."""
        self._bulk(
            ApiConsumption,
            [
                ApiConsumption(consumer_id=source, api=apis[target], version_requirement="^1.0")
                for source, target in edges
                if target in apis and self.rng.random() < CONSUMPTION_SHARE
            ],
        )


def exists() -> bool:
    return Team.objects.filter(slug__startswith=PREFIX).exists()


def _record_bulk(*, actor, via: str, after: dict) -> None:
    generation_row, _ = CatalogGeneration.objects.get_or_create(pk=1)
    record_change(
        actor=actor, via=via, action=ChangeRecord.Action.BULK, obj=generation_row, after=after
    )


def generate(*, services: int, dependencies: int, seed: int = 1, actor=None, via="cli") -> Counter:
    """Generate a catalog of ``services`` services and ``dependencies`` edges between them."""
    with atomic_write():
        counts = Generator(services, dependencies, seed).run()
        documents.refresh(
            Service.objects.filter(slug__startswith=PREFIX).values_list("pk", flat=True)
        )
        _record_bulk(
            actor=actor,
            via=via,
            after={"generated": {str(k): n for k, n in counts.items()}, "seed": seed},
        )
    return counts


def clear(*, actor=None, via="cli") -> int:
    """Delete everything generated, edges and consumptions first (they protect their targets).
    Returns the number of rows deleted."""
    with atomic_write():
        generated = {"slug__startswith": PREFIX}
        deleted = [
            ApiConsumption.objects.filter(
                Q(consumer__slug__startswith=PREFIX) | Q(api__slug__startswith=PREFIX)
            ).delete(),
            Dependency.objects.filter(
                Q(source__slug__startswith=PREFIX)
                | Q(target_service__slug__startswith=PREFIX)
                | Q(target_resource__service__slug__startswith=PREFIX)
            ).delete(),
            Service.objects.filter(**generated).delete(),
            Team.objects.filter(**generated).delete(),
            get_user_model().objects.filter(username__startswith=PREFIX).delete(),
        ]
        removed = Counter()
        for _, per_model in deleted:
            removed.update(per_model)
        _record_bulk(actor=actor, via=via, after={"deleted": dict(removed)})
    return sum(total for total, _ in deleted)
