import django_filters

from portal.filters import SlugFilter, StrictBooleanFilter

from .models import Notification


class NotificationFilterSet(django_filters.FilterSet):
    unread = StrictBooleanFilter(method="filter_unread", label="Unread only")
    kind = django_filters.ChoiceFilter(choices=Notification.Kind.choices)
    team = SlugFilter(field_name="team__slug")

    class Meta:
        model = Notification
        fields = ["unread", "kind", "team"]

    def filter_unread(self, queryset, name, value):
        # the queryset carries the reader's is_read (notifications.querysets.with_read_state)
        return queryset if value is None else queryset.filter(is_read=not value)
