"""What the portal's pages share: filtered, sortable, paginated lists; action errors shown on
forms; a confirmation step before anything is removed; and change history with links to the
objects it is about."""

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.shortcuts import render
from django.views.generic import ListView

from .audit import history_for
from .models import ChangeRecord
from .permissions import restrict

HISTORY_LENGTH = 20


class FilteredListView(ListView):
    """A list filtered by the model's FilterSet (the REST vocabulary), sorted by ``?sort=``
    (one of ``sort_fields``, ``-`` for descending) and paginated. Everything lives in the
    query string, so a filtered view can be bookmarked and shared."""

    filterset_class = None
    sort_fields: dict[str, tuple[str, ...]] = {}
    default_sort = "name"
    paginate_by = 25
    heading = ""
    empty_hint = ""

    def base_queryset(self):
        return self.model.objects.with_related()

    def get_queryset(self):
        queryset = restrict(self.base_queryset(), self.request.user)
        self.filterset = self.filterset_class(self.request.GET or None, queryset=queryset)
        self.customize_filter_form(self.filterset.form)  # before validation renders it
        if self.filterset.is_bound and not self.filterset.is_valid():
            queryset = queryset.none()
        else:
            queryset = self.filterset.qs
        self.sort = self.request.GET.get("sort", self.default_sort)
        key = self.sort.removeprefix("-")
        if key not in self.sort_fields:
            self.sort, key = self.default_sort, self.default_sort.removeprefix("-")
        order = self.sort_fields[key]
        if self.sort.startswith("-"):
            order = tuple(f"-{f}" if not f.startswith("-") else f[1:] for f in order)
        return queryset.order_by(*order, "pk")

    def customize_filter_form(self, form) -> None:
        """Adjust the filter form's widgets and labels for people (drop-downs, "Any")."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        active = {
            name: value
            for name, value in self.request.GET.items()
            if name in self.filterset.filters and value
        }
        context.update(
            filterset=self.filterset,
            filter_form=self.filterset.form,
            filters_active=bool(active),
            sort=self.sort,
            heading=self.heading,
            empty_hint=self.empty_hint,
            total=context["paginator"].count if context.get("paginator") else None,
        )
        return context


def apply_error(form, error: ValidationError) -> None:
    """Show an action's ValidationError on the form: next to the field it names, or above
    the form when it names no field of this form."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields and field != NON_FIELD_ERRORS else None
            for err in errors:
                form.add_error(target, err)
    else:
        for message in error.messages:
            form.add_error(None, message)


def perform(form, act):
    """Run ``act(cleaned_data)`` for a valid form; an action's refusal becomes form errors.

    Returns what the action returned, or None when the form was invalid or refused.
    """
    if not form.is_valid():
        return None
    try:
        return act(form.cleaned_data)
    except ValidationError as error:
        apply_error(form, error)
        return None


CONFIRMED = "confirmed"


def ask_first(request, *, question: str, consequence: str, cancel_url: str):
    """The page that asks before a destructive POST is carried out, or None once it is
    confirmed. The page repeats the same POST with ``confirmed=yes``, so it needs no
    script and no URL of its own, and a stray click never removes anything."""
    if request.POST.get(CONFIRMED) == "yes":
        return None
    carried = [
        (name, value)
        for name, values in request.POST.lists()
        if name not in {"csrfmiddlewaretoken", CONFIRMED}
        for value in values
    ]
    context = {
        "question": question,
        "consequence": consequence,
        "cancel_url": cancel_url,
        "carried": carried,
    }
    return render(request, "confirm.html", context)


def history(obj, limit: int = HISTORY_LENGTH) -> list[ChangeRecord]:
    return list(history_for(obj)[:limit])


# How to reach a page for objects that have none of their own (select_related path).
_PAGE_OWNER = {
    "apiversion": "api",
    "apiconsumption": "consumer",
    "dependency": "source",
    "resource": "service",
    "membership": "team",
}


def recent_changes(limit: int = 15) -> list[tuple[ChangeRecord, object]]:
    """The latest change records with the object each is about (None once deleted).

    One query for the records, then one per kind of object: the count does not grow with
    ``limit``.
    """
    records = list(ChangeRecord.objects.select_related("actor")[:limit])
    by_type: dict[int, set[int]] = {}
    for record in records:
        by_type.setdefault(record.content_type_id, set()).add(record.object_id)
    objects: dict[tuple[int, int], object] = {}
    for type_id, ids in by_type.items():
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None or not hasattr(model, "get_absolute_url"):
            continue
        queryset = model._default_manager.all()
        related = _PAGE_OWNER.get(model._meta.model_name)
        if related:
            queryset = queryset.select_related(related)
        for pk, obj in queryset.in_bulk(list(ids)).items():
            objects[(type_id, pk)] = obj
    return [(r, objects.get((r.content_type_id, r.object_id))) for r in records]
