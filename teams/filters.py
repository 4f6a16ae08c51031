import django_filters

from portal.filters import SearchFilterSet

from .models import Team


class TeamFilterSet(SearchFilterSet):
    parent = django_filters.CharFilter(field_name="parent__slug", label="Parent team (slug)")
    member = django_filters.CharFilter(
        field_name="memberships__user__username", label="Member (username)", distinct=True
    )

    class Meta:
        model = Team
        fields = ["q", "parent", "member"]
