"""One search box across services, teams, APIs and data domains, ranked.

On PostgreSQL, full-text search (weighted: names and slugs above descriptions, English
stemming, ``websearch`` syntax) finds the rows and ranks them; on SQLite every word has to
appear in a slug, name or description. On both, a match on the slug or name itself ranks
first (exact, then prefix, then anywhere), so typing a service's name finds that service.
"""

from dataclasses import dataclass

from django.db import connection
from django.db.models import Case, FloatField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce

from catalog.models import Api, DataDomain, Service
from portal.permissions import restrict
from teams.models import Team

MAX_QUERY_LENGTH = 200
PER_KIND = 25


@dataclass(frozen=True)
class Hit:
    kind: str  # "service", "team", "api", "domain"
    obj: object
    rank: float

    @property
    def url(self) -> str:
        return self.obj.get_absolute_url()


def _sources(user) -> list[tuple[str, QuerySet]]:
    return [
        ("service", restrict(Service.objects.select_related("owner_team"), user)),
        ("team", restrict(Team.objects.all(), user)),
        ("api", restrict(Api.objects.select_related("provider__owner_team"), user)),
        ("domain", restrict(DataDomain.objects.select_related("owner_service__owner_team"), user)),
    ]


def _name_boost(query: str):
    """How well the slug or name itself matches: exact > prefix > anywhere > elsewhere."""
    return Case(
        When(Q(slug__iexact=query) | Q(name__iexact=query), then=Value(8.0)),
        When(Q(slug__istartswith=query) | Q(name__istartswith=query), then=Value(4.0)),
        When(Q(slug__icontains=query) | Q(name__icontains=query), then=Value(2.0)),
        default=Value(0.0),
        output_field=FloatField(),
    )


def _words_match(words: list[str]) -> Q:
    condition = Q()
    for word in words:
        condition &= (
            Q(slug__icontains=word) | Q(name__icontains=word) | Q(description__icontains=word)
        )
    return condition


def _ranked(queryset: QuerySet, query: str) -> QuerySet:
    words = query.split()
    name_match = Q(slug__icontains=query) | Q(name__icontains=query)
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = (
            SearchVector("name", weight="A", config="english")
            + SearchVector("slug", weight="A", config="simple")
            + SearchVector("description", weight="B", config="english")
        )
        text = SearchQuery(query, search_type="websearch", config="english")
        return (
            queryset.annotate(document=vector)
            .filter(Q(document=text) | name_match | _words_match(words))
            .annotate(rank=_name_boost(query) + Coalesce(SearchRank(vector, text), 0.0) * 4)
        )
    return queryset.filter(name_match | _words_match(words)).annotate(
        rank=_name_boost(query) + Value(1.0)
    )


def search(query: str, user, *, per_kind: int = PER_KIND) -> list[Hit]:
    """The objects ``user`` may see that match ``query``, best first: one query per kind."""
    query = " ".join((query or "").split())[:MAX_QUERY_LENGTH]
    if not query:
        return []
    hits = []
    for kind, queryset in _sources(user):
        rows = _ranked(queryset, query).order_by("-rank", "slug")[:per_kind]
        hits.extend(Hit(kind, row, float(row.rank)) for row in rows)
    order = {"service": 0, "api": 1, "team": 2, "domain": 3}
    return sorted(hits, key=lambda h: (-h.rank, order[h.kind], h.obj.slug))
