"""The base every catalog and team model builds on, and the change history.

Public identity is an immutable, DNS-label-safe slug; the primary key stays internal.
"""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse

from portal import names

SLUG_MAX_LENGTH = names.MAX_LENGTH
validate_slug = names.validate_name  # the one name rule: see portal/names.py


class TimestampedModel(models.Model):
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    # Maps a constraint's violation_error_code to the form field its error belongs to, so
    # that expression-based constraints report against a field (HTTP 400 {"slug": [...]}).
    constraint_error_fields: dict[str, str] = {}

    class Meta:
        abstract = True

    def validate_constraints(self, exclude=None):
        try:
            super().validate_constraints(exclude=exclude)
        except ValidationError as error:
            raise ValidationError(self._errors_on_fields(error.error_dict)) from None

    def _errors_on_fields(self, error_dict):
        fields = {"duplicate_slug": "slug", **self.constraint_error_fields}
        moved: dict[str, list] = {}
        for key, errors in error_dict.items():
            for err in errors:
                target = fields.get(err.code, key) if key == NON_FIELD_ERRORS else key
                moved.setdefault(target, []).append(err)
        return moved


class SluggedModel(TimestampedModel):
    """A named object addressed by a slug that never changes once created."""

    slug = models.CharField(max_length=SLUG_MAX_LENGTH, validators=[validate_slug], db_index=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True, max_length=20_000)

    class Meta:
        abstract = True
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                name="%(app_label)s_%(class)s_unique_slug",
                violation_error_message="This slug is already taken (slugs are unique regardless of case).",
                violation_error_code="duplicate_slug",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.slug

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        # An object created in this process was never loaded: remember its slug from now on.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or "slug" in update_fields:
            self._stored_slug = self.slug

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._stored_slug = instance.__dict__.get("slug")
        return instance

    def clean_fields(self, exclude=None):
        # The name rule is checked when a name is given; a stored name never changes, so one
        # saved before the rule tightened (portal/names.py) does not block other edits.
        if self.slug == getattr(self, "_stored_slug", None):
            exclude = {*(exclude or ()), "slug"}
        super().clean_fields(exclude=exclude)

    def clean(self):
        super().clean()
        stored = getattr(self, "_stored_slug", None)
        if stored is not None and self.slug != stored:
            raise ValidationError({"slug": "A slug never changes once created."})


class Interface(models.TextChoices):
    UI = "ui", "Web UI"
    API = "api", "REST API"
    GRAPHQL = "graphql", "GraphQL"
    ADMIN = "admin", "Admin"
    JOB = "job", "Background job"
    IMPORT = "import", "Importer"
    CLI = "cli", "Command line"


class ChangeRecord(models.Model):
    """Who changed what, when, from which interface, with the values before and after.

    Written by ``portal.audit.record_change`` in the same transaction as the change itself,
    so history can never disagree with the data.
    """

    class Action(models.TextChoices):
        CREATE = "create"
        UPDATE = "update"
        DELETE = "delete"
        TRANSFER = "transfer"
        ADD_MEMBER = "add_member"
        REMOVE_MEMBER = "remove_member"
        CHANGE_ROLE = "change_role"
        PUBLISH = "publish"
        BULK = "bulk"

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="change_records",
    )
    actor_name = models.CharField(max_length=150, blank=True)
    interface = models.CharField(max_length=16, choices=Interface.choices)
    action = models.CharField(max_length=16, choices=Action.choices)
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="change_records"
    )
    object_id = models.BigIntegerField()
    object_repr = models.CharField(max_length=200)
    # The object whose history also shows this record: the API of a published version, the
    # service whose deletion removed an API (see ``portal.audit.history_parent``).
    parent_content_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    parent_object_id = models.BigIntegerField(null=True, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    # The request (or job) that made the change; the same id is in that request's log lines.
    request_id = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["content_type", "object_id", "-created_at"], name="changerecord_object"
            ),
            models.Index(
                fields=["parent_content_type", "parent_object_id", "-created_at"],
                name="changerecord_parent",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.action} {self.object_repr}"

    @property
    def changed_fields(self) -> list[str]:
        before, after = self.before or {}, self.after or {}
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))


class CatalogGeneration(models.Model):
    """One row whose ``value`` moves, inside the writing transaction, with every change.

    Caches key their entries by it (``portal.audit.generation``). Unlike an id drawn from a
    sequence at insert time, the row's lock orders the writers: a transaction bumps it as
    its last statement and holds it until it commits, so a reader that sees value ``n`` sees
    every change up to ``n`` and none after, and the value moves again when the next commits.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    value = models.BigIntegerField(default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="portal_generation_one_row")
        ]

    def __str__(self) -> str:
        return f"catalog generation {self.value}"

    def get_absolute_url(self) -> str:
        # Bulk writes (generate_catalog) are recorded against this row.
        return f"{reverse('admin:portal_changerecord_changelist')}?action=bulk"


# The Idempotency-Key store of REST creates lives with its mechanism; imported here to register.
from portal.api.idempotency import IdempotencyKey  # noqa: E402, F401
