"""GitHub (or GitHub Enterprise) repositories in one organisation, through the REST API.

Settings: ``KEEL_GITHUB_TOKEN`` (a fine-grained token with Administration and Contents
read/write on the organisation), ``KEEL_GITHUB_ORG``, ``KEEL_GITHUB_API_URL`` (default
``https://api.github.com``). The run marker is kept in the repository's description.
"""

from django.conf import settings

from .base import RepositoryConflict, RepositoryInfo
from .hosted import HostedProvider


class GitHubProvider(HostedProvider):
    name = "github"
    token_setting = "KEEL_GITHUB_TOKEN"
    git_username = "x-access-token"

    def __init__(self, transport=None, token=None, org=None, api_url=None):
        super().__init__(transport, token)
        self.org = org or settings.KEEL_GITHUB_ORG
        self.api = (api_url or settings.KEEL_GITHUB_API_URL).rstrip("/")

    def headers(self):
        return {
            "Authorization": f"Bearer {self.token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": "2022-11-28",
        }

    def _info(self, body) -> RepositoryInfo:
        return RepositoryInfo(
            id=str(body["id"]),
            clone_url=body["clone_url"],
            web_url=body["html_url"],
            run_marker=self.marker_in(body.get("description") or ""),
        )

    def find(self, slug):
        response = self.call("GET", f"{self.api}/repos/{self.org}/{slug}", missing_ok=True)
        return self._info(response.body) if response else None

    def create(self, slug, *, run_id, description):
        body = {
            "name": slug,
            "description": f"{' '.join(description.split())[:200]} {self.marker(run_id)}".strip(),
            "private": True,
            "auto_init": False,
            "has_wiki": False,
        }
        response = self.transport(
            "POST", f"{self.api}/orgs/{self.org}/repos", headers=self.headers(), body=body
        )
        if response.status == 201:
            return self._info(response.body)
        if response.status == 422:  # the name is taken: ours from an earlier attempt?
            existing = self.find(slug)
            if existing and existing.run_marker == str(run_id):
                return existing
            raise RepositoryConflict(
                f"A repository named {self.org}/{slug} already exists on GitHub; choose another name."
            )
        self.call("POST", f"{self.api}/orgs/{self.org}/repos", body)  # raises with the reason
        raise RepositoryConflict(f"GitHub answered {response.status} when creating {slug}.")

    def delete(self, slug, *, run_id):
        existing = self.find(slug)
        if existing is None or existing.run_marker != str(run_id):
            return False
        self.call("DELETE", f"{self.api}/repos/{self.org}/{slug}", ok=(204,), missing_ok=True)
        return True

    def pipeline_url(self, info):
        return f"{info.web_url}/actions"
