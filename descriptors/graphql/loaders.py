from django.contrib.auth import get_user_model

from portal.graphql.loaders import ById, Loader

from ..models import Entity, ImportRun, Location
from ..querysets import targets_of

location_by_id = ById(Location)
user_by_id = ById(get_user_model())


class EntityTargets(Loader):
    """The catalog object each entity became (``querysets.targets_of``), for a page at once."""

    def fetch(self, info, keys, only, **params) -> dict:
        rows = Entity.objects.filter(pk__in=keys).only("id", "target_type", "target_id")
        return targets_of(list(rows))

    def objects_in(self, values):
        return []  # targets are no model instances, so no siblings


class LastRuns(Loader):
    """Each location's latest run, for a page of locations in two queries."""

    def fetch(self, info, keys, only, **params) -> dict:
        latest = dict(
            Location.objects.filter(pk__in=keys).with_last_run().values_list("pk", "last_run_id")
        )
        runs = ImportRun.objects.in_bulk([run for run in latest.values() if run])
        return {location: runs[run] for location, run in latest.items() if run in runs}


target_of_entity = EntityTargets()
last_run_of_location = LastRuns()
