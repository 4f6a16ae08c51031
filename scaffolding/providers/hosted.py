"""What the GitHub and GitLab providers share: token, transport, status handling, push."""

from abc import abstractmethod

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from ..gitops import PUSH_ERRORS, ExistingBranch, push_error, push_folder
from .base import RepositoryConflict, RepositoryProvider, TransientError
from .http import HttpxTransport


class HostedProvider(RepositoryProvider):
    token_setting = ""
    git_username = ""

    def __init__(self, transport=None, token: str | None = None):
        self.transport = transport or HttpxTransport()
        self.token = token if token is not None else getattr(settings, self.token_setting, "")
        if not self.token:
            raise ImproperlyConfigured(
                f"{self.token_setting} must be set to use the {self.name} repository provider."
            )

    @abstractmethod
    def headers(self) -> dict:
        """The authentication headers of every API call."""

    def call(self, method, url, body=None, *, ok=(200, 201, 202, 204), missing_ok=False):
        response = self.transport(method, url, headers=self.headers(), body=body)
        if response.status in ok:
            return response
        if response.status == 404 and missing_ok:
            return None
        if response.status in (408, 429) or response.status >= 500:
            raise TransientError(f"{self.name} answered {response.status} to {method} {url}.")
        if response.status in (401, 403):
            raise PermissionError(
                f"{self.name} refused the token ({response.status}): check {self.token_setting} "
                "and its scopes (create and delete repositories)."
            )
        message = response.body.get("message") if isinstance(response.body, dict) else response.body
        raise RepositoryConflict(f"{self.name} refused {method} {url}: {message}")

    def push(self, info, folder, *, message, author):
        try:
            return push_folder(
                info.clone_url,
                folder,
                message=message,
                author=author,
                username=self.git_username,
                password=self.token,
            )
        except ExistingBranch as existing:
            # The repository carries this run's marker, so its main branch is this run's
            # earlier push (the step crashed before recording it).
            return str(existing), ""
        except PUSH_ERRORS as error:  # a 5xx or a dropped connection is retried
            raise push_error(error, info.web_url) from error
