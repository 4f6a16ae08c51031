"""A bulk writer's checks (``portal.writes.problem`` with ``seen``): each field value that
depends on its value alone is checked once per batch, and nothing else is skipped."""

from catalog.models import Service
from portal.writes import problem
from teams.factories import TeamFactory


def _service(team, slug, **fields):
    return Service(slug=slug, name=slug, owner_team=team, **fields)


def test_a_value_that_passed_is_not_checked_again(db, monkeypatch):
    team, seen, checked = TeamFactory(), set(), []
    kind = Service._meta.get_field("kind")
    clean = kind.clean
    monkeypatch.setattr(
        kind, "clean", lambda value, obj: checked.append(value) or clean(value, obj)
    )
    assert problem(_service(team, "svc-a", kind="service"), seen=seen) is None
    assert problem(_service(team, "svc-b", kind="service"), seen=seen) is None
    assert problem(_service(team, "svc-c", kind="website"), seen=seen) is None
    assert checked == ["service", "website"]
    assert (kind, str, "service") in seen


def test_a_refused_value_is_refused_every_time(db):
    team, seen = TeamFactory(), set()
    problem(_service(team, "svc-a", kind="service"), seen=seen)
    for slug in ("svc-b", "svc-c"):
        error = problem(_service(team, slug, kind="spaceship"), seen=seen)
        assert set(error.message_dict) == {"kind"}
    assert not any(value == "spaceship" for _, _, value in seen)


def test_other_fields_are_still_checked_beside_remembered_ones(db):
    team, seen = TeamFactory(), set()
    problem(_service(team, "svc-a", repository_url="https://git.example.com/a"), seen=seen)
    error = problem(_service(team, "Not A Name", repository_url="not a url"), seen=seen)
    assert set(error.message_dict) == {"slug", "repository_url"}
