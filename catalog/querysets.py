"""The optimised querysets behind every catalog list and detail: lists, pages, REST and GraphQL.

Each ``with_related()`` loads what a representation of the model shows in a fixed number of
queries, however many rows are asked for. Models are imported inside the methods because
``catalog.models`` builds its managers from these classes.
"""

from django.db import models
from django.db.models import Count, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce

# Incoming edges shown on a service's page and in its REST representation.
DEPENDENTS_SHOWN = 100


class ServiceQuerySet(models.QuerySet):
    def with_related(self):
        """What a list row shows: owner team, data domain, system and tags."""
        return self.select_related("owner_team", "data_domain", "system").prefetch_related("tags")

    def with_neighbours(self):
        """A service's page: also its APIs, consumptions, resources and direct edges.

        Kept apart from ``with_related()`` so that lists do not pay five prefetches they
        never show. Incoming edges grow with the organisation (a core service can have
        thousands), so only the first ``DEPENDENTS_SHOWN`` by slug are loaded, as
        ``first_dependents``, beside ``dependents_count``; the ``dependents/`` endpoint pages
        through them all.
        """
        from .models import ApiConsumption, Dependency

        incoming = Dependency.objects.filter(target_service=OuterRef("pk")).order_by()
        first_dependents = Dependency.objects.select_related("source__owner_team").order_by(
            "source__slug", "pk"
        )[:DEPENDENTS_SHOWN]
        return (
            self.with_related()
            .annotate(
                dependents_count=Coalesce(
                    Subquery(incoming.values("target_service").annotate(n=Count("pk")).values("n")),
                    0,
                )
            )
            .prefetch_related(
                "provided_apis",
                "resources",
                Prefetch(
                    "consumptions",
                    ApiConsumption.objects.select_related("api__provider__owner_team"),
                ),
                Prefetch(
                    "dependencies",
                    Dependency.objects.select_related(
                        "target_service", "target_resource__service", "target_resource__owner_team"
                    ),
                ),
                Prefetch("dependents", first_dependents, to_attr="first_dependents"),
            )
        )


class ApiQuerySet(models.QuerySet):
    def with_related(self):
        """Provider and its team, system, and the latest published version as an annotation."""
        from .models import ApiVersion

        latest = ApiVersion.objects.filter(api=OuterRef("pk")).order_by("-published_at", "-id")
        return self.select_related("provider__owner_team", "system").annotate(
            latest_version=Subquery(latest.values("version")[:1])
        )


class ApiVersionQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("api", "published_by")


class DataDomainQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("owner_service__owner_team")


class SystemQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("owner_team", "business_domain")


class BusinessDomainQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("owner_team")


class ResourceQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("owner_team", "service", "system", "data_domain")


class DependencyQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related(
            "source__owner_team",
            "target_service",
            "target_resource__service",
            "target_resource__owner_team",
        )


class ApiConsumptionQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("consumer__owner_team", "api__provider")
