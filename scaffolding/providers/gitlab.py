"""GitLab projects in one group, through the REST API (v4).

Settings: ``KEEL_GITLAB_TOKEN`` (a group access token with the ``api`` scope),
``KEEL_GITLAB_GROUP_ID`` (the numeric namespace id), ``KEEL_GITLAB_GROUP_PATH`` (its full
path, e.g. ``platform/services``), ``KEEL_GITLAB_API_URL`` (default
``https://gitlab.com/api/v4``). The run marker is kept in the project's description.
"""

from urllib.parse import quote

from django.conf import settings

from .base import RepositoryConflict, RepositoryInfo
from .hosted import HostedProvider


class GitLabProvider(HostedProvider):
    name = "gitlab"
    token_setting = "KEEL_GITLAB_TOKEN"
    git_username = "oauth2"

    def __init__(self, transport=None, token=None, group_id=None, group_path=None, api_url=None):
        super().__init__(transport, token)
        self.group_id = group_id or settings.KEEL_GITLAB_GROUP_ID
        self.group_path = group_path or settings.KEEL_GITLAB_GROUP_PATH
        self.api = (api_url or settings.KEEL_GITLAB_API_URL).rstrip("/")

    def headers(self):
        return {"Authorization": f"Bearer {self.token}"}

    def _project(self, slug):
        return f"{self.api}/projects/{quote(f'{self.group_path}/{slug}', safe='')}"

    def _info(self, body):
        return RepositoryInfo(
            id=str(body["id"]),
            clone_url=body["http_url_to_repo"],
            web_url=body["web_url"],
            run_marker=self.marker_in(body.get("description") or ""),
        )

    def find(self, slug):
        response = self.call("GET", self._project(slug), missing_ok=True)
        return self._info(response.body) if response else None

    def create(self, slug, *, run_id, description):
        body = {
            "name": slug,
            "path": slug,
            "namespace_id": self.group_id,
            "description": f"{' '.join(description.split())[:200]} {self.marker(run_id)}".strip(),
            "visibility": "private",
            "initialize_with_readme": False,
        }
        response = self.transport("POST", f"{self.api}/projects", headers=self.headers(), body=body)
        if response.status == 201:
            return self._info(response.body)
        if response.status == 400:  # "has already been taken"
            existing = self.find(slug)
            if existing and existing.run_marker == str(run_id):
                return existing
            raise RepositoryConflict(
                f"A project named {self.group_path}/{slug} already exists on GitLab; choose another name."
            )
        self.call("POST", f"{self.api}/projects", body)
        raise RepositoryConflict(f"GitLab answered {response.status} when creating {slug}.")

    def delete(self, slug, *, run_id):
        existing = self.find(slug)
        if existing is None or existing.run_marker != str(run_id):
            return False
        self.call("DELETE", f"{self.api}/projects/{existing.id}", ok=(202, 204), missing_ok=True)
        return True

    def pipeline_url(self, info):
        return f"{info.web_url}/-/pipelines"
