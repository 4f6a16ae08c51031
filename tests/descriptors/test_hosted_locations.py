"""GitHub organisation and GitLab group locations: discovery from recorded API responses,
each repository with a descriptor checked out (here: from a Keel-hosted repository standing
in for the host's clone address) and read into one import."""

import functools
from pathlib import Path

import pytest

from catalog.models import Service
from descriptors import actions, hosted_sources, importing
from descriptors.discovery import DiscoveredRepository, discover_github, discover_gitlab
from descriptors.git_checkout import SourceUnavailable, checkout
from descriptors.models import Location
from portal.models import Interface
from scaffolding.providers.http import ReplayTransport
from tests.descriptors.test_git_checkout import hosted

RECORDINGS = Path(__file__).parent / "recordings"
COMPONENT = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: %s}\n"
    "spec: {type: service, lifecycle: production, owner: payments}\n---\n"
    "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: payments}\n"
    "spec: {type: team, children: []}\n"
)


@pytest.fixture(autouse=True)
def hosts(settings, tmp_path):
    settings.KEEL_REPOSITORY_ROOT = tmp_path / "repositories"
    settings.KEEL_GITHUB_TOKEN, settings.KEEL_GITHUB_API_URL = "gh-token", "https://api.github.com"
    settings.KEEL_GITLAB_TOKEN = "gl-token"
    settings.KEEL_GITLAB_API_URL = "https://gitlab.example.com/api/v4/"


@pytest.fixture
def clones(monkeypatch):
    """Clone addresses served from Keel-hosted repositories: ``clones[url] = slug``; each
    checkout's address, ref, token and username are recorded in ``clones.calls``."""

    class Clones(dict):
        calls: list

    served = Clones()
    served.calls = []

    def fake_checkout(url, *, dest, ref=None, token=None, username="x-access-token", **kw):
        served.calls.append((url, ref, token, username))
        return checkout(f"keel:{served[url]}", dest=dest, ref=ref)

    monkeypatch.setattr(hosted_sources, "checkout", fake_checkout)
    return served


def replaying(monkeypatch, name, discover):
    transport = ReplayTransport.from_file(RECORDINGS / f"{name}.json")
    monkeypatch.setattr(
        hosted_sources, discover.__name__, functools.partial(discover, transport=transport)
    )
    return transport


def location(staff, type, target):
    return actions.create_location(
        actor=staff, via=Interface.API, slug="hosted", name="hosted", type=type, target=target
    )


def test_a_github_organisation_imports_each_repository_with_a_descriptor(
    staff, clones, monkeypatch
):
    transport = replaying(monkeypatch, "github_discover", discover_github)
    hosted("orders", {"catalog-info.yaml": (COMPONENT % "orders").encode()})
    clones["https://github.com/acme/orders.git"] = "orders"
    loc = location(staff, Location.Type.GITHUB, "acme")

    run = importing.run(loc, actor=staff, via=Interface.IMPORT, trigger="schedule")

    assert run.status == "succeeded", run.message
    assert (run.files, run.created) == (1, 2)
    assert Service.objects.get(slug="orders").owner_team.slug == "payments"
    entity = loc.entities.get(ref="component:default/orders")
    assert entity.source == "acme/orders:catalog-info.yaml"
    assert clones.calls == [
        ("https://github.com/acme/orders.git", "main", "gh-token", "x-access-token")
    ]
    assert not transport.interactions


def test_a_gitlab_group_imports_its_projects_and_names_them_in_problems(staff, clones, monkeypatch):
    replaying(monkeypatch, "gitlab_discover", discover_gitlab)
    broken = (COMPONENT % "orders") + "---\nkind: Component\nmetadata: {name: Not Valid}\n"
    hosted("orders", {"catalog-info.yaml": broken.encode()})
    clones["https://gitlab.example.com/platform/services/orders.git"] = "orders"
    loc = location(staff, Location.Type.GITLAB, "platform/services")

    run = importing.run(loc, actor=staff, via=Interface.IMPORT, trigger="schedule")

    assert run.status == "succeeded" and run.created == 2
    assert clones.calls[0][2:] == ("gl-token", "oauth2")
    assert set(run.problems.values_list("source", "document")) == {
        ("platform/services/orders:catalog-info.yaml", 3)
    }


def test_a_repository_that_cannot_be_checked_out_fails_the_run_naming_it(
    staff, clones, monkeypatch
):
    replaying(monkeypatch, "github_discover", discover_github)
    loc = location(staff, Location.Type.GITHUB, "acme")
    clones["https://github.com/acme/orders.git"] = "not-hosted"

    run = importing.run(loc, actor=staff, via=Interface.IMPORT, trigger="schedule")

    assert run.status == "failed" and run.created == 0
    assert run.message.startswith("Repository acme/orders could not be read")


def test_an_unavailable_host_is_left_to_retry(staff, monkeypatch):
    def unavailable(*args, **kwargs):
        raise SourceUnavailable("GitHub's rate limit is used up.", retry_after=60)

    monkeypatch.setattr(hosted_sources, "discover_github", unavailable)
    loc = location(staff, Location.Type.GITHUB, "acme")
    run = loc.runs.create(trigger="schedule", status="running")

    with pytest.raises(SourceUnavailable) as raised:
        importing.execute(run, actor=staff, via=Interface.IMPORT)

    assert raised.value.retry_after == 60


def test_an_entity_declared_by_two_repositories_is_refused_in_the_second(
    staff, clones, monkeypatch
):
    def two(org, **kwargs):
        return [
            DiscoveredRepository(
                name, f"https://github.com/{name}.git", "", "main", "catalog-info.yaml"
            )
            for name in ("acme/aa", "acme/bb")
        ]

    monkeypatch.setattr(hosted_sources, "discover_github", two)
    for slug in ("aa", "bb"):
        hosted(slug, {"catalog-info.yaml": (COMPONENT % "orders").encode()})
        clones[f"https://github.com/acme/{slug}.git"] = slug
    loc = location(staff, Location.Type.GITHUB, "acme")

    run = importing.run(loc, actor=staff, via=Interface.IMPORT, trigger="schedule")

    messages = list(run.problems.values_list("message", flat=True))
    assert run.created == 2 and len(messages) == 2  # the component and the group
    assert "declared by repositories acme/aa and acme/bb" in messages[0]
