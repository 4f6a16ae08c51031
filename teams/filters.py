import django_filters
from django.db.models import Count
from django.db.models.functions import Lower

from portal.filters import Ordering, SearchFilterSet, SlugFilter

from .models import Team

NAME = Lower("name")


class TeamFilterSet(SearchFilterSet):
    parent = SlugFilter(field_name="parent__slug", label="Parent team (slug)")
    member = django_filters.CharFilter(
        field_name="memberships__user__username", label="Member (username)", distinct=True
    )
    ordering = Ordering(
        {
            "slug": ("slug",),
            "name": (NAME,),
            "size": (Count("memberships", distinct=True).desc(), NAME),
            "services": (Count("services", distinct=True).desc(), NAME),
            "created_at": ("created_at",),
            "updated_at": ("updated_at",),
        }
    )

    class Meta:
        model = Team
        fields = ["q", "parent", "member"]
