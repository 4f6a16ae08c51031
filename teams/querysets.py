"""The optimised querysets behind team lists and pages, REST and GraphQL.

``teams.models`` builds its managers from these classes, so models are imported lazily.
"""

from django.db import models
from django.db.models import Prefetch


class TeamQuerySet(models.QuerySet):
    def with_related(self):
        """Parent team and the members with their users, in a fixed number of queries."""
        from .models import Membership

        return self.select_related("parent").prefetch_related(
            Prefetch("memberships", Membership.objects.with_related())
        )


class MembershipQuerySet(models.QuerySet):
    def with_related(self):
        return self.select_related("team", "user")
