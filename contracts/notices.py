"""What contract governance tells the teams (``notifications.actions.notify``), inside the
write that decides it: a breaking version published, a sunset set, a version let through."""

from notifications.actions import draft, notify
from notifications.models import Notification

from .models import BreakingRelease, ConsumerImpact

_NAMED = 5  # breaking changes named in a notification; the page lists them all


def _by_team(impacts) -> dict[int, list[ConsumerImpact]]:
    found: dict[int, list] = {}
    for impact in impacts:
        found.setdefault(impact.consumption.consumer.owner_team_id, []).append(impact)
    return found


def _services(impacts) -> str:
    return ", ".join(
        f"{i.consumer_slug} (declares {i.version_requirement or 'no range'})"
        for i in sorted(impacts, key=lambda i: i.consumer_slug)
    )


def breaking_published(release: BreakingRelease, impacts: list, breaking: list) -> list:
    """What each team with an affected consuming service of a just-opened ``release`` is
    told, once, with its services and the first breaking changes: drafts for the caller's
    ``send_all``, one statement for a whole publish."""
    affected = [i for i in impacts if i.affected and i.consumption is not None]
    named = "; ".join(f"{c.location}: {c.message}" for c in breaking[:_NAMED])
    more = f"; and {len(breaking) - _NAMED} more" if len(breaking) > _NAMED else ""
    api = release.api
    return [
        draft(
            team_id,
            kind=Notification.Kind.BREAKING_VERSION,
            subject=f"{api.name} {release.label} breaks what your services use",
            body=(
                f"{api.name} ({api.slug}) {release.label} was published with {len(breaking)} "
                f"breaking change{'s' if len(breaking) != 1 else ''} from "
                f"{release.base_version}: {named}{more}. Your services consume it: "
                f"{_services(theirs)}. Consumers stay on the current version until every "
                "affected team acknowledges the new one or the provider sets a sunset date. "
                "Acknowledge it once your services are ready."
            ),
            url=release.get_absolute_url(),
            about=release,
        )
        for team_id, theirs in _by_team(affected).items()
    ]


def _consumer_team_ids(release: BreakingRelease) -> set[int]:
    return set(
        release.impacts.filter(affected=True, consumption__isnull=False).values_list(
            "consumption__consumer__owner_team_id", flat=True
        )
    )


def sunset_set(release: BreakingRelease) -> None:
    """The consumer teams learn the deadline of the old version line."""
    api = release.api
    notify(
        _consumer_team_ids(release),
        kind=Notification.Kind.SUNSET,
        subject=f"{api.name} {release.base_version} sunsets on {release.sunset_on}",
        body=(
            f"The provider of {api.name} ({api.slug}) set a sunset date: the version line of "
            f"{release.base_version} stops being supported on {release.sunset_on}. "
            f"{release.label}, with breaking changes, is now the current version: move your "
            "services to it before then."
        ),
        url=release.get_absolute_url(),
        about=release,
    )


def released(release: BreakingRelease) -> None:
    """Every affected team acknowledged (or moved its range): the consumers and the provider
    learn the version is current."""
    api = release.api
    notify(
        _consumer_team_ids(release) | {api.provider.owner_team_id},
        kind=Notification.Kind.RELEASED,
        subject=f"{api.name} {release.label} is now the current version",
        body=(
            f"Every affected consumer of {api.name} ({api.slug}) is ready for "
            f"{release.label}: it is now the version consumers are pointed at."
        ),
        url=release.get_absolute_url(),
        about=release,
    )
