"""GitHub organisation and GitLab group discovery against recorded API responses."""

from pathlib import Path

import pytest

from descriptors.discovery import DiscoveredRepository, discover_github, discover_gitlab
from descriptors.git_checkout import SourceError, SourceUnavailable
from scaffolding.providers.http import ReplayTransport

RECORDINGS = Path(__file__).parent / "recordings"


def replay(name):
    return ReplayTransport.from_file(RECORDINGS / f"{name}.json")


def github(transport, org="acme", **options):
    return discover_github(
        org, token="REDACTED", api_url="https://api.github.com", transport=transport, **options
    )


def gitlab(transport, group="platform/services", **options):
    return discover_gitlab(
        group, token="REDACTED", api_url="https://gitlab.example.com/api/v4/",
        transport=transport, **options,
    )  # fmt: skip


def test_github_lists_every_page_and_says_which_repositories_hold_a_descriptor():
    transport = replay("github_discover")

    found = github(transport)

    assert found == [
        DiscoveredRepository(
            name="acme/orders",
            clone_url="https://github.com/acme/orders.git",
            web_url="https://github.com/acme/orders",
            default_branch="main",
            descriptor_path="catalog-info.yaml",
        ),
        DiscoveredRepository(
            name="acme/billing",
            clone_url="https://github.com/acme/billing.git",
            web_url="https://github.com/acme/billing",
            default_branch="trunk",
            descriptor_path=None,  # 404
        ),
        DiscoveredRepository(
            name="acme/web",
            clone_url="https://github.com/acme/web.git",
            web_url="https://github.com/acme/web",
            default_branch="main",
            descriptor_path=None,  # a folder of that name is not a descriptor
        ),
    ]  # the archived repository and the fork were not asked about
    assert not transport.interactions


def test_github_forks_when_asked_and_a_descriptor_elsewhere():
    transport = replay("github_discover_forks_other_path")

    found = github(transport, include_forks=True, descriptor_path="catalog/catalog-info.yaml")

    assert [(r.name, r.descriptor_path) for r in found] == [
        ("acme/payments-fork", "catalog/catalog-info.yaml")
    ]
    assert not transport.interactions


def test_github_refusals_say_what_to_do_and_which_may_be_retried():
    transport = replay("github_errors")

    with pytest.raises(SourceError, match="refused the token \\(401\\)") as bad_token:
        github(transport)
    with pytest.raises(SourceError, match="needs read access") as no_access:
        github(transport)
    with pytest.raises(SourceUnavailable, match="rate limit") as primary:
        github(transport)
    with pytest.raises(SourceUnavailable, match="try again in 60 seconds") as secondary:
        github(transport)
    with pytest.raises(SourceUnavailable, match="answered 502"):
        github(transport)
    with pytest.raises(SourceError, match="no GitHub organisation named 'acmee'"):
        github(transport, org="acmee")
    with pytest.raises(SourceUnavailable, match="answered 503 to GET .*/acme/orders/contents"):
        github(transport)

    assert not isinstance(bad_token.value, SourceUnavailable)
    assert not isinstance(no_access.value, SourceUnavailable)
    assert primary.value.retry_after is not None and secondary.value.retry_after == 60
    assert not transport.interactions


def test_gitlab_lists_subgroups_page_by_page_and_checks_each_default_branch():
    transport = replay("gitlab_discover")

    found = gitlab(transport)

    assert [(r.name, r.default_branch, r.descriptor_path) for r in found] == [
        ("platform/services/orders", "main", "catalog-info.yaml"),
        ("platform/services/inventory", "", None),  # empty: nothing asked
        ("platform/services/tools/catalog-cli", "develop", None),
    ]
    assert found[0].clone_url == "https://gitlab.example.com/platform/services/orders.git"
    assert found[0].web_url == "https://gitlab.example.com/platform/services/orders"
    assert [method for method, _, _ in transport.requests] == ["GET", "GET", "HEAD", "HEAD"]
    assert not transport.interactions


def test_gitlab_refusals_and_a_next_page_on_another_host():
    transport = replay("gitlab_errors")

    with pytest.raises(SourceError, match="GitLab refused the token"):
        gitlab(transport)
    with pytest.raises(SourceError, match="refused access \\(403\\)"):
        gitlab(transport)
    with pytest.raises(SourceUnavailable, match="in 30 seconds"):
        gitlab(transport)
    with pytest.raises(SourceUnavailable, match="answered 500"):
        gitlab(transport)
    with pytest.raises(SourceError, match="no GitLab group 'platform/nothing'"):
        gitlab(transport, group="platform/nothing")
    with pytest.raises(SourceError, match="another host \\(gitlab.evil.example\\)"):
        gitlab(transport)
    assert not transport.interactions


def test_more_repositories_than_allowed_are_refused_not_cut_short(settings):
    settings.KEEL_DESCRIPTOR_DISCOVERY_MAX_REPOSITORIES = 4
    with pytest.raises(SourceError, match="more than 4 repositories"):
        github(replay("github_discover"))


@pytest.mark.parametrize("path", ["", "/etc/passwd", "../catalog-info.yaml", "a//b", "a?ref=x"])
def test_descriptor_paths_outside_a_repository_are_refused(path):
    transport = replay("github_discover")
    with pytest.raises(SourceError, match="not a file path inside a repository"):
        github(transport, descriptor_path=path)
    assert not transport.requests


@pytest.mark.parametrize("body", [{"message": "ok"}, ["orders"], [{"full_name": "acme/orders"}]])
def test_a_listing_that_is_not_repositories_is_refused(body):
    transport = ReplayTransport(
        [{"request": {"method": "GET", "url": "https://api.github.com/orgs/acme/repos?type=all&per_page=100"},
          "response": {"status": 200, "body": body}}]
    )  # fmt: skip
    with pytest.raises(SourceError, match="something other than a list of repositories"):
        github(transport)
