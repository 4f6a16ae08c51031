"""Root-field helpers shared by every app's queries."""

import graphene
from django_filters import ChoiceFilter, OrderingFilter, TypedChoiceFilter
from graphene_django.filter import DjangoFilterConnectionField
from graphene_django.filter.utils import get_field_type

from portal.lookups import with_slug
from portal.permissions import restrict


def one_by_slug(info, model_or_queryset, slug: str):
    """The object with ``slug`` (matched as everywhere, ignoring case) that the user may
    see, or None."""
    queryset = getattr(model_or_queryset, "_default_manager", model_or_queryset)
    return with_slug(restrict(queryset.all(), info.context.user), slug).first()


class FilteredConnectionField(DjangoFilterConnectionField):
    """A connection filtered and ordered by the model's FilterSet, as REST and pages are.

    graphene-django types a declared choice filter as a String; here it takes the type the
    field is output as (``lifecycle: PRODUCTION`` in, ``PRODUCTION`` out), so a filter value
    the output could never show is refused before anything runs. ``ordering`` stays the
    comma-separated text of REST and pages (``"-tier,name"``).
    """

    @property
    def filtering_args(self):
        if not self._filtering_args:
            args = super().filtering_args
            registry = self.node_type._meta.registry
            for name, filter_ in self.filterset_class.base_filters.items():
                if isinstance(filter_, OrderingFilter) or not isinstance(
                    filter_, ChoiceFilter | TypedChoiceFilter
                ):
                    continue
                output = get_field_type(registry, self.model, filter_.field_name)
                if output is not None:
                    typed = graphene.Argument(output, description=args[name].description)
                    typed.creation_counter = args[name].creation_counter  # keep its place
                    args[name] = typed
        return self._filtering_args
