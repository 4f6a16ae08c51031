"""One search box across services, teams, people, APIs and their operations, systems, business
domains, data domains and resources, ranked. The page, REST (``/api/v1/search/``) and GraphQL (``search``) all call
``search`` here.

Every word has to appear (any case, anywhere) in what a kind is searched by (``TEXT_FIELDS``:
slug, name and description; a service's language and framework; a resource's kind) or in
what it is linked to (``RELATED``: a service's tags; a team's members by username or name, so
a person finds their teams). People are found by username and name; an API's operations
(``catalog.ApiOperation``, of its current version) by method, path, operationId and summary,
ranked below any name match of the other kinds. On PostgreSQL, full-text search (weighted: names and slugs above
descriptions, English stemming, ``websearch`` syntax) finds rows too, and ranks them. On
both, a match on the slug or name itself ranks first (exact, then prefix, then anywhere), so
typing a service's name finds that service.

Every part of a match is answered from an index on PostgreSQL (``portal.search_indexes``), so
no search reads every row: a word in a kind's text is a trigram index scan of ``haystack``,
a word in its links (``_among``) a scan of the linked table's index whose keys are looked up
in the primary key, the full-text match a scan of the stored ``search_vector``; the planner
combines them into one bitmap of the matching rows (an ``IN (subquery)`` in the ``OR`` would
make it read every row instead). Only those rows are ranked, from the stored vector, so no
row's text is parsed at query time. Each kind's query selects only what the results page
shows. One query per kind whatever matches, and at most ``MAX_WORDS`` words.
"""

from dataclasses import dataclass
from functools import cache

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Case, F, FloatField, Func, Q, QuerySet, TextField, Value, When
from django.db.models.expressions import Col, Expression
from django.db.models.functions import Concat, Trim
from django.db.models.lookups import Lookup

from catalog.models import Api, ApiOperation, BusinessDomain, DataDomain, Resource, Service, System
from portal.filters import MAX_QUERY_LENGTH
from portal.permissions import restrict
from teams.models import Membership, Team

MAX_WORDS = 8
PER_KIND = 25
KIND_ORDER = {
    "service": 0,
    "api": 1,
    "team": 2,
    "person": 3,
    "system": 4,
    "business_domain": 5,
    "domain": 6,
    "resource": 7,
    "operation": 8,
}
KIND_LABELS = {
    "service": "Service",
    "api": "API",
    "team": "Team",
    "person": "Person",
    "system": "System",
    "business_domain": "Business domain",
    "domain": "Data domain",
    "resource": "Resource",
    "operation": "Operation",
}
VECTOR_COLUMN = "search_vector"
# What each word is looked for in, by model label; the trigram indexes are built from these.
TEXT_FIELDS = {
    "catalog.service": ("slug", "name", "description", "language", "framework"),
    "teams.team": ("slug", "name", "description"),
    "catalog.api": ("slug", "name", "description"),
    "catalog.datadomain": ("slug", "name", "description"),
    "catalog.resource": ("slug", "name", "description", "kind"),
    "catalog.system": ("slug", "name", "description"),
    "catalog.businessdomain": ("slug", "name", "description"),
    "catalog.apioperation": ("method", "path", "identifier", "summary"),
}
PERSON_FIELDS = ("username", "first_name", "last_name")
TEXT_FIELDS[settings.AUTH_USER_MODEL.lower()] = PERSON_FIELDS
TAG_FIELDS = ("name",)


@dataclass(frozen=True)
class Hit:
    kind: str  # one of KIND_ORDER
    obj: object  # a person is a user annotated with ``slug`` (username) and ``name``
    rank: float

    @property
    def label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def name(self) -> str:
        return self.obj.name or self.obj.slug

    @property
    def description(self) -> str:
        return getattr(self.obj, "description", "")

    @property
    def url(self) -> str:
        if self.kind == "person":
            from django.urls import reverse

            return reverse("person", kwargs={"username": self.obj.slug})
        return self.obj.get_absolute_url()


def haystack(fields, prefix: str = ""):
    """The fields (never null) joined by spaces: a word, which has no space in it, is in one
    of them if and only if it is in this, so one trigram index per table answers them all."""
    columns = [F(f"{prefix}{field}") for field in fields]
    if len(columns) == 1:
        return columns[0]
    return Func(
        *columns, template="(%(expressions)s)", arg_joiner=" || ' ' || ", output_field=TextField()
    )


def _contains(model, fields, word: str, prefix: str = "") -> QuerySet:
    if len(fields) == 1:
        return model._default_manager.filter(**{f"{prefix}{fields[0]}__icontains": word})
    rows = model._default_manager.alias(search_text=haystack(fields, prefix))
    return rows.filter(search_text__icontains=word)


def _tagged(word: str) -> QuerySet:
    return _contains(Service.tags.through, TAG_FIELDS, word, "tag__").values("service_id")


def _people(word: str) -> QuerySet:
    return _contains(Membership, PERSON_FIELDS, word, "user__").values("team_id")


RELATED = {"service": _tagged, "team": _people}


def _sources(user) -> list[tuple[str, QuerySet]]:
    """Each kind with only what ``portal/search.html`` shows of it: the less a query selects,
    the less there is to compile, read and build. (The page's query count is tested, so a
    field the page comes to show that is left out here is caught.)"""
    shown = ("slug", "name", "description")
    people = (
        get_user_model()
        .objects.filter(is_active=True)
        .only("username")
        .annotate(slug=F("username"), name=Trim(Concat("first_name", Value(" "), "last_name")))
    )
    sources = [
        ("service", Service, ["owner_team"], ["lifecycle", "tier", "owner_team__name"]),
        ("team", Team, [], []),
        ("api", Api, ["provider"], ["type", "provider__slug"]),
        ("domain", DataDomain, ["owner_service"], ["owner_service__slug"]),
        (
            "resource",
            Resource,
            ["service", "owner_team"],
            ["kind", "service__slug", "owner_team__name"],
        ),
        ("system", System, ["owner_team"], ["owner_team__name"]),
        ("business_domain", BusinessDomain, ["owner_team"], ["owner_team__name"]),
    ]
    found = [
        (kind, restrict(model.objects.select_related(*joined).only(*shown, *fields), user))
        for kind, model, joined, fields in sources
    ]
    operations = (
        ApiOperation.objects.filter(version__version=F("api__current_version"))
        .select_related("api__provider", "version")
        .only(
            "position", "method", "path", "identifier", "summary", "version__version",
            *("api__slug", "api__name", "api__type", "api__provider__slug"),
        )
    )  # fmt: skip
    return [*found, ("person", restrict(people, user)), ("operation", restrict(operations, user))]


def document_vector():
    """A row's text for full-text search: names and slugs weigh more than descriptions.
    PostgreSQL stores it in each kind's ``search_vector`` column, computed from the row on
    every write (``portal.search_indexes``); changing it needs a migration that makes the
    columns again."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("name", weight="A", config="english")
        + SearchVector("slug", weight="A", config="simple")
        + SearchVector("description", weight="B", config="english")
    )


class StoredVector(Expression):
    """The row's stored ``document_vector``: a generated column on PostgreSQL that the
    model does not declare (SQLite has none), so it is named here."""

    def resolve_expression(self, query=None, *args, **kwargs):
        return Col(query.get_initial_alias(), _vector_column(query.model))


@cache
def _vector_column(model):
    """The column as a field of ``model`` that ``model`` does not know of (not in its meta)."""
    from django.contrib.postgres.search import SearchVectorField

    column = SearchVectorField()
    column.set_attributes_from_name(VECTOR_COLUMN)
    column.model = model
    return column


def _name_boost(query: str):
    """How well the slug or name itself matches: exact > prefix > anywhere > elsewhere."""
    return Case(
        When(Q(slug__iexact=query) | Q(name__iexact=query), then=Value(8.0)),
        When(Q(slug__istartswith=query) | Q(name__istartswith=query), then=Value(4.0)),
        When(Q(slug__icontains=query) | Q(name__icontains=query), then=Value(2.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )


class AnyOf(Lookup):
    """``lhs = ANY(rhs)``, the rhs an array (PostgreSQL)."""

    lookup_name = "any_of"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def _among(keys: QuerySet) -> Q:
    """The row's key is one of ``keys``. On PostgreSQL as ``= ANY(ARRAY(subquery))``: the
    subquery runs once and its keys are looked up in the primary key index, a bitmap that
    combines with the other conditions' (``IN (subquery)`` in an ``OR`` reads every row)."""
    if connection.vendor == "postgresql":
        from django.contrib.postgres.expressions import ArraySubquery

        return Q(AnyOf(F("pk"), ArraySubquery(keys)))
    return Q(pk__in=keys)


def _words_match(words: list[str], related) -> Q:
    """Every word in the row's own text (``search_text``) or in what it is linked to. (A
    match on the whole query in the slug or name is one of these: each word is in it.)"""
    condition = Q()
    for word in words:
        text = Q(search_text__icontains=word)
        condition &= (text | _among(related(word))) if related else text
    return condition


def _ranked(queryset: QuerySet, query: str, related=None) -> QuerySet:
    words = list(dict.fromkeys(query.split()[:MAX_WORDS]))
    text = haystack(TEXT_FIELDS[queryset.model._meta.label_lower])
    matches = _words_match(words, related)
    if connection.vendor == "postgresql" and queryset.model in VECTOR_MODELS:
        from django.contrib.postgres.search import SearchQuery, SearchRank

        full_text = SearchQuery(query, search_type="websearch", config="english")
        return (
            queryset.alias(search_text=text, search_vector=StoredVector())
            .filter(Q(search_vector=full_text) | matches)
            .annotate(rank=_name_boost(query) + SearchRank(StoredVector(), full_text) * 4)
        )
    return queryset.alias(search_text=text).filter(matches).annotate(rank=_name_boost(query) + 1.0)


# The kinds with a stored full-text vector; people are matched by their words only.
VECTOR_MODELS = {Service, Api, Team, DataDomain, Resource, System, BusinessDomain}


def _operations_ranked(queryset: QuerySet, query: str) -> QuerySet:
    """Operations with every word in their method, path, operationId or summary; an exact
    operationId first, then one starting with the query or a path that does: all below an
    exact or prefix name match of the other kinds (8 and 4)."""
    words = list(dict.fromkeys(query.split()[:MAX_WORDS]))
    text = haystack(TEXT_FIELDS["catalog.apioperation"])
    rank = Case(
        When(identifier__iexact=query, then=Value(3.0)),
        When(Q(identifier__istartswith=query) | Q(path__istartswith=query), then=Value(2.0)),
        default=Value(1.0),
        output_field=FloatField(),
    )
    rows = queryset.alias(search_text=text).filter(_words_match(words, None))
    return rows.annotate(rank=rank).order_by("-rank", "api__slug", "position", "id")


def search(query: str, user, *, per_kind: int = PER_KIND, kinds=None) -> list[Hit]:
    """The objects ``user`` may see that match ``query``, best first: one query per kind
    (of ``kinds`` when given)."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query:
        return []
    hits = []
    for kind, queryset in _sources(user):
        if kinds and kind not in kinds:
            continue
        if kind == "operation":
            rows = _operations_ranked(queryset, query)
        else:
            rows = _ranked(queryset, query, RELATED.get(kind)).order_by("-rank", "slug")
        hits.extend(Hit(kind, row, float(row.rank)) for row in rows[:per_kind])
    return sorted(hits, key=lambda h: (-h.rank, KIND_ORDER[h.kind], h.obj.slug))


def suggestions(query: str, user, *, limit: int = 8) -> list[Hit]:
    """The best few hits, as the navigation bar shows them while one types."""
    return search(query, user, per_kind=limit)[:limit]
