"""One search box across services, teams, APIs, data domains and resources, ranked.

On PostgreSQL, full-text search (weighted: names and slugs above descriptions, English
stemming, ``websearch`` syntax) finds the rows and ranks them; on SQLite every word has to
appear in a slug, name or description. The text vector is indexed (a GIN index per kind, made
by the ``search_indexes`` migrations from the same expression as ``document_vector``), and the
query asks the index for its matches in a subquery, so no row's vector is computed to find
them: only the matched rows' vectors are, to rank them. On both, a match on the slug or name itself ranks
first (exact, then prefix, then anywhere), so typing a service's name finds that service.

Each word may also match what people search a kind by (``ATTRIBUTES``): a service's tags,
language and framework; a team's members (username or name), so a person finds their teams;
a resource's kind. Those are subqueries of the one query per kind, so the query count stays
the same whatever matches, and a query has at most ``MAX_WORDS`` words.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from catalog.models import Api, DataDomain, Resource, Service
from portal.filters import MAX_QUERY_LENGTH
from portal.permissions import restrict
from teams.models import Membership, Team

MAX_WORDS = 8
PER_KIND = 25
KIND_ORDER = {"service": 0, "api": 1, "team": 2, "domain": 3, "resource": 4}


@dataclass(frozen=True)
class Hit:
    kind: str  # one of KIND_ORDER
    obj: object
    rank: float

    @property
    def url(self) -> str:
        return self.obj.get_absolute_url()


def _service_attributes(word: str) -> Q:
    tagged = Service.tags.through.objects.filter(tag__name__icontains=word).values("service_id")
    return Q(language__icontains=word) | Q(framework__icontains=word) | Q(pk__in=tagged)


def _team_attributes(word: str) -> Q:
    people = Membership.objects.filter(
        Q(user__username__icontains=word)
        | Q(user__first_name__icontains=word)
        | Q(user__last_name__icontains=word)
    ).values("team_id")
    return Q(pk__in=people)


def _resource_attributes(word: str) -> Q:
    return Q(kind__icontains=word)


ATTRIBUTES = {
    "service": _service_attributes,
    "team": _team_attributes,
    "resource": _resource_attributes,
}


def _sources(user) -> list[tuple[str, QuerySet]]:
    return [
        ("service", restrict(Service.objects.select_related("owner_team"), user)),
        ("team", restrict(Team.objects.all(), user)),
        ("api", restrict(Api.objects.select_related("provider__owner_team"), user)),
        ("domain", restrict(DataDomain.objects.select_related("owner_service__owner_team"), user)),
        ("resource", restrict(Resource.objects.select_related("service__owner_team"), user)),
    ]


def document_vector():
    """A row's text for full-text search: names and slugs weigh more than descriptions. The
    GIN index of each kind is this very expression (``catalog/migrations/0005_search_indexes``,
    ``teams/migrations/0003_search_index``): change both together, or the index goes unused."""
    from django.contrib.postgres.search import SearchVector

    return (
        SearchVector("name", weight="A", config="english")
        + SearchVector("slug", weight="A", config="simple")
        + SearchVector("description", weight="B", config="english")
    )


def _name_boost(query: str):
    """How well the slug or name itself matches: exact > prefix > anywhere > elsewhere."""
    return Case(
        When(Q(slug__iexact=query) | Q(name__iexact=query), then=Value(8.0)),
        When(Q(slug__istartswith=query) | Q(name__istartswith=query), then=Value(4.0)),
        When(Q(slug__icontains=query) | Q(name__icontains=query), then=Value(2.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _words_match(words: list[str], attributes) -> Q:
    """Every word somewhere: in the slug, name or description, or an attribute of the kind."""
    condition = Q()
    for word in words:
        text = Q(slug__icontains=word) | Q(name__icontains=word) | Q(description__icontains=word)
        condition &= (text | attributes(word)) if attributes else text
    return condition


def _ranked(queryset: QuerySet, query: str, attributes=None) -> QuerySet:
    words = query.split()[:MAX_WORDS]
    name_match = Q(slug__icontains=query) | Q(name__icontains=query)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank

        vector = document_vector()
        text = SearchQuery(query, search_type="websearch", config="english")
        indexed = queryset.model._default_manager.alias(document=vector).filter(document=text)
        return queryset.filter(
            Q(pk__in=indexed.values("pk")) | name_match | _words_match(words, attributes)
        ).annotate(rank=_name_boost(query) + Coalesce(SearchRank(vector, text), 0.0) * 4)
    return queryset.filter(name_match | _words_match(words, attributes)).annotate(
        rank=_name_boost(query) + Value(1.0)
    )


def search(query: str, user, *, per_kind: int = PER_KIND) -> list[Hit]:
    """The objects ``user`` may see that match ``query``, best first: one query per kind."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query:
        return []
    hits = []
    for kind, queryset in _sources(user):
        rows = _ranked(queryset, query, ATTRIBUTES.get(kind)).order_by("-rank", "slug")
        hits.extend(Hit(kind, row, float(row.rank)) for row in rows[:per_kind])
    return sorted(hits, key=lambda h: (-h.rank, KIND_ORDER[h.kind], h.obj.slug))
