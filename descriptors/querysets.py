"""The one optimised queryset of each catalog-as-code model: what pages, REST and GraphQL
show of it, loaded in the statement that finds it."""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import OuterRef, Subquery


class LocationQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("owner_team", "created_by").with_last_run()

    def with_last_run(self):
        """With its latest run's id and status (the Import page's column), as subqueries
        rather than a query per location."""
        from .models import ImportRun

        latest = ImportRun.objects.filter(location=OuterRef("pk")).order_by("-created_at", "-id")
        return self.annotate(
            last_run_id=Subquery(latest.values("id")[:1]),
            last_run_status=Subquery(latest.values("status")[:1]),
        )


class ImportRunQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("location__owner_team", "started_by")


class EntityQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("location", "owner_team")


@dataclass(frozen=True)
class Target:
    """The catalog object an entity became, as lists and pages name it."""

    type: str
    name: str
    url: str | None


def targets_of(entities) -> dict:
    """``{entity pk: Target}`` for ``entities``, one query per kind of object, whatever their
    number; remembered on each entity, so a list resolves its page at once and each row
    finds its own again."""
    wanted = [e for e in entities if e.target_type_id and not hasattr(e, "became")]
    by_type = {}
    for entity in wanted:
        by_type.setdefault(entity.target_type_id, []).append(entity)
    for rows in by_type.values():
        content_type = ContentType.objects.get_for_id(rows[0].target_type_id)  # cached
        model = content_type.model_class()
        found = model._default_manager.in_bulk([e.target_id for e in rows]) if model else {}
        for entity in rows:
            obj = found.get(entity.target_id)
            entity.became = obj and Target(
                type=content_type.model,
                name=getattr(obj, "slug", None) or obj.get_username(),
                url=obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else None,
            )
    return {e.pk: e.became for e in entities if getattr(e, "became", None)}
