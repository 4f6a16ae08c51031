"""What the portal's pages share: filtered, sortable, paginated lists (with saved views);
action errors shown on forms; a confirmation step before anything is removed; and change history with links to the
objects it is about."""

from django import forms
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Count
from django.forms.utils import pretty_name
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, resolve, reverse
from django.utils.http import urlencode
from django.views.generic import DetailView, ListView

from .audit import history_for
from .filters import HiddenCSVInput
from .lookups import with_slug
from .models import ChangeRecord
from .permissions import restrict

HISTORY_LENGTH = 20
# A facet offers at most this many values (the most frequent), plus the one chosen.
FACET_VALUES = 100


def counted(field: str, *, skip_blank: bool = False):
    """A facet's counter: how many rows of a queryset have each value of ``field``, the most
    frequent first (blank values left out when ``skip_blank``: a text field's "not set")."""

    def count(queryset):
        rows = queryset.exclude(**{field: ""}) if skip_blank else queryset
        return rows.values_list(field).annotate(n=Count("pk")).order_by("-n", field)

    return count


class FilteredListView(ListView):
    """A list filtered and sorted by the model's FilterSet (the REST vocabulary: its
    ``ordering``, ``-`` for descending; ``?sort=`` is read as ``ordering``, for old links)
    and paginated. Everything lives in the query string, so a filtered view can be
    bookmarked and shared."""

    filterset_class = None
    default_ordering = "name"
    paginate_by = 25
    heading = ""
    empty_hint = ""
    # Choice filters offered with the number of rows each value gives, the other filters
    # applied: {filter name: counter(queryset) -> [(value, n)]}. One query a facet.
    facets: dict = {}

    def base_queryset(self):
        return self.model.objects.with_related()

    def get_queryset(self):
        queryset = restrict(self.base_queryset(), self.request.user)
        data = self.request.GET.copy()
        if "sort" in data and "ordering" not in data:
            data["ordering"] = data.pop("sort")[-1]
        data.setdefault("ordering", self.default_ordering)
        self.sort = data["ordering"]
        self.filterset = self.filterset_class(data, queryset=queryset)
        self.filterset.form.fields["ordering"].widget = HiddenCSVInput()
        self.customize_filter_form(self.filterset.form)  # before validation renders it
        if not self.filterset.is_valid():
            return queryset.none()
        for name, count in self.facets.items():
            self._offer_counts(name, count, data, queryset)
        return self.filterset.qs

    def _offer_counts(self, name, count, data, queryset) -> None:
        """The filter ``name`` as a drop-down of the values the other filters leave, each
        with its number of rows; the chosen value stays offered even where none is left."""
        others = data.copy()
        chosen = others.pop(name, [""])[-1]
        narrowed = self.filterset_class(others, queryset=queryset)
        if not narrowed.is_valid():
            return
        field = self.filterset.form.fields[name]
        labels = {str(value): label for value, label in getattr(field, "choices", ())}
        options = [
            (str(value), f"{labels.get(str(value), value)} ({n})")
            for value, n in count(narrowed.qs.order_by())[:FACET_VALUES]
        ]
        if chosen and chosen not in {value for value, _ in options}:
            options.append((chosen, f"{labels.get(chosen, chosen)} (0)"))
        field.widget = forms.Select(choices=[("", "Any"), *options])

    def customize_filter_form(self, form) -> None:
        """Adjust the filter form's widgets and labels for people (drop-downs, "Any")."""

    def saved_query(self) -> str:
        """The filters of this request as a saved view keeps them: the FilterSet's own
        parameters with a value, in a fixed order (no page, nothing else)."""
        return urlencode(
            [
                (name, value)
                for name in self.filterset.filters
                for value in self.request.GET.getlist(name)
                if value
            ]
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(self._saved_views())
        active = {
            name: value
            for name, value in self.request.GET.items()
            if name in self.filterset.filters and name != "ordering" and value
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

    def _saved_views(self) -> dict:
        """The person's saved views of this list, and the one these filters are (if any)."""
        from accounts.forms import SavedViewForm
        from accounts.models import SavedView

        user, list_name = self.request.user, self.request.resolver_match.view_name
        if not user.is_authenticated or filtered_list(list_name) is None:
            return {}  # a list shown by another view's URL (the import page) is not saved
        query = self.saved_query()
        views = list(
            SavedView.objects.visible_to(user)
            .filter(list_name=list_name)
            .select_related("user", "team")
        )
        current = next((view for view in views if view.query == query), None)
        form = SavedViewForm(user=user, initial={"list_name": list_name, "query": query})
        return {
            "saved_views": views,
            "saved_view": current,
            "save_view_form": form if query and self.filterset.is_valid() else None,
            "filters_problem": None if self.filterset.is_valid() else _problem(self.filterset),
        }


def _problem(filterset) -> str:
    """The filters' errors in one sentence, each under its filter's label."""

    def label(name: str) -> str:
        found = filterset.filters.get(name)  # its label is worked out when first read
        return str((found.label if found else None) or pretty_name(name))

    parts = [f"{label(name)}: {' '.join(errors)}" for name, errors in filterset.form.errors.items()]
    return "These filters do not apply: " + "; ".join(parts)


def filtered_list(list_name: str):
    """The ``FilteredListView`` that the URL name ``list_name`` shows, or None."""
    try:
        view = getattr(resolve(reverse(list_name)).func, "view_class", None)
    except NoReverseMatch:
        return None
    return view if isinstance(view, type) and issubclass(view, FilteredListView) else None


def filter_problem(view, query: str) -> str | None:
    """Why ``query`` is not a valid set of filters of the list ``view``, or None."""
    filterset = view.filterset_class(QueryDict(query), queryset=view.model.objects.none())
    return None if filterset.is_valid() else _problem(filterset)


def by_slug(queryset, slug):
    """The object of ``queryset`` named by ``slug`` as everywhere (``portal.lookups``), or 404."""
    return get_object_or_404(with_slug(queryset, slug))


class SlugDetailView(DetailView):
    """A detail page found by its slug in any case; a URL in another case than the slug's
    redirects to the object's own URL, so there is one address to share."""

    def get_object(self, queryset=None):
        return by_slug(
            queryset if queryset is not None else self.get_queryset(), self.kwargs["slug"]
        )

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        if self.object.slug != kwargs["slug"]:
            query = request.META.get("QUERY_STRING")
            return redirect(self.object.get_absolute_url() + (f"?{query}" if query else ""))
        return self.render_to_response(self.get_context_data(object=self.object))


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


def ask_first(request, *, question: str, consequence: str, cancel_url: str, action: str = "Remove"):
    """The page that asks before a destructive request is carried out, or None once it is
    confirmed. Its form repeats the request as a POST with ``confirmed=yes``, so it needs no
    script and no URL of its own; a GET (a link) and a stray POST both only show the page."""
    if request.method == "POST" and request.POST.get(CONFIRMED) == "yes":
        return None
    asked = request.POST if request.method == "POST" else request.GET
    carried = [
        (name, value)
        for name, values in asked.lists()
        if name not in {"csrfmiddlewaretoken", CONFIRMED}
        for value in values
    ]
    context = {
        "question": question,
        "consequence": consequence,
        "cancel_url": cancel_url,
        "carried": carried,
        "action": action,
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


def recent_changes(limit: int = 15, records=None) -> list[tuple[ChangeRecord, object]]:
    """The latest change records (of ``records``, a queryset, when given: one person's) with
    the object each is about (None once deleted).

    One query for the records, then one per kind of object: the count does not grow with
    ``limit``.
    """
    records = records if records is not None else ChangeRecord.objects.all()
    records = list(records.select_related("actor", "content_type")[:limit])
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
