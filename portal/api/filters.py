"""Ordering that refuses what it cannot do instead of quietly returning another order."""

from rest_framework import filters
from rest_framework.exceptions import ValidationError


class OrderingFilter(filters.OrderingFilter):
    def remove_invalid_fields(self, queryset, fields, view, request):
        valid = super().remove_invalid_fields(queryset, fields, view, request)
        if len(valid) != len(fields):
            allowed = sorted(name for name, _ in self.get_valid_fields(queryset, view, {}))
            raise ValidationError(
                {
                    self.ordering_param: [
                        f"Order by one of: {', '.join(allowed)} (prefix - to reverse)."
                    ]
                }
            )
        return valid
