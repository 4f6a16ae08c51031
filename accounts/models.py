"""Personal API tokens (the credential of REST, GraphQL and git clients) and saved views of
the list pages."""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from portal import names
from portal.models import TimestampedModel

KEY_PREFIX = "keel_"
# What the token list shows of a key (and its public handle in URLs): "keel_" and 8 of the
# random characters, ~48 bits, so handles do not collide in practice and reveal nothing usable.
PREFIX_LENGTH = len(KEY_PREFIX) + 8
# A saved view's query string; a longer one is refused (a URL that long is not shared anyway).
MAX_SAVED_QUERY = 2_000


def digest_of(key: str) -> str:
    """A key is 240 random bits, so a plain SHA-256 cannot be reversed or guessed: a slow
    password hash would only cost time on every request."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiToken(TimestampedModel):
    """A person's named credential for tools. Only its SHA-256 digest is stored: the key is
    shown once, when it is created, and cannot be read back by anyone, admins included."""

    class Scope(models.TextChoices):
        READ = "read", "Read only"
        WRITE = "write", "Read and write"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. 'CI deploys'.")
    prefix = models.CharField(max_length=PREFIX_LENGTH, unique=True, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    scope = models.CharField(max_length=5, choices=Scope.choices, default=Scope.READ)
    expires_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    history_excluded_fields = {"digest"}  # portal.audit.snapshot never copies it

    constraint_error_fields = {"duplicate_token_name": "name"}

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "user",
                Lower("name"),
                name="accounts_apitoken_unique_name",
                violation_error_message="You already have a token with this name.",
                violation_error_code="duplicate_token_name",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def get_absolute_url(self) -> str:
        return reverse("accounts:tokens")

    @classmethod
    def new_key(cls) -> str:
        return KEY_PREFIX + secrets.token_urlsafe(30)

    def set_key(self, key: str) -> None:
        """Keep the digest and the display prefix of ``key``; the key itself stays on this
        instance only (``self.key``), for the one response that shows it."""
        self.key = key
        self.prefix = key[:PREFIX_LENGTH]
        self.digest = digest_of(key)

    @property
    def may_write(self) -> bool:
        return self.scope == self.Scope.WRITE

    @property
    def expired(self) -> bool:
        return self.expires_at is not None and self.expires_at <= timezone.now()

    def clean(self):
        super().clean()
        if self._state.adding and self.expires_at is not None and self.expired:
            raise ValidationError({"expires_at": "Choose a time in the future."})


class SavedViewQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A person's own views and those shared with a team they belong to."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        shared = models.Q(team__memberships__user=user)
        return self.filter(models.Q(user=user) | shared).distinct()


class SavedView(TimestampedModel):
    """A person's named filters of one list page, optionally shared with one of their teams.

    It is the list's query string (``query``, normalised by ``portal.pages.FilteredListView``)
    under the list's URL name, so opening it is opening the list's own URL: bookmarkable and
    shareable like any filtered list. The filters are checked against the list's FilterSet
    when saved; one that stops validating later (a choice removed) is shown as such, never
    applied half-way.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    team = models.ForeignKey(
        "teams.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="saved_views",
        help_text="Members of this team see the view on the list too.",
    )
    list_name = models.CharField(max_length=100, help_text="The list page's URL name.")
    name = models.CharField(max_length=names.MAX_LENGTH, validators=[names.validate_name])
    query = models.CharField(max_length=MAX_SAVED_QUERY, blank=True)

    constraint_error_fields = {"duplicate_saved_view": "name"}

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "list_name", "name"],
                name="accounts_savedview_unique_name",
                violation_error_message="You already have a view of this list with this name.",
                violation_error_code="duplicate_saved_view",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse(self.list_name) + (f"?{self.query}" if self.query else "")

    def clean(self):
        super().clean()
        from portal.pages import filter_problem, filtered_list

        view = filtered_list(self.list_name)
        if view is None:
            raise ValidationError({"list_name": "This is not a list whose filters can be saved."})
        problem = filter_problem(view, self.query)
        if problem:
            raise ValidationError({"query": problem})

    @property
    def list_heading(self) -> str:
        """The list's name as its page heads it (Services, APIs…)."""
        from portal.pages import filtered_list

        view = filtered_list(self.list_name)
        return (view.heading or view.model._meta.verbose_name_plural.capitalize()) if view else ""

    @property
    def problem(self) -> str | None:
        """Why the saved filters no longer apply to the list (None: they do)."""
        from portal.pages import filter_problem, filtered_list

        view = filtered_list(self.list_name)
        return filter_problem(view, self.query) if view else "The list no longer exists."
