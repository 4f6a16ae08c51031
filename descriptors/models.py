"""Where descriptors come from (Location), what each read found (ImportRun, ImportProblem),
and what each location declared about each catalog object (Entity)."""

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.urls import reverse

from portal.models import SluggedModel, TimestampedModel
from teams.models import Team

from .querysets import EntityQuerySet, ImportRunQuerySet, LocationQuerySet


class Location(SluggedModel):
    """A place Keel reads descriptors from, again on a schedule, on demand and on push.

    A location owned by a team may only write what that team owns; one without a team is
    staff's. Scheduled reads act as ``created_by``, whose permissions are checked again on
    every read.
    """

    owner_team_path = "owner_team"

    class Type(models.TextChoices):
        UPLOAD = "upload", "Uploaded or pasted file"
        PATH = "path", "Path on the server"
        GIT = "git", "Git repository"
        GITHUB = "github", "GitHub organisation"
        GITLAB = "gitlab", "GitLab group"

    type = models.CharField(max_length=16, choices=Type.choices)
    # A folder or file (path), a clone URL (git), an organisation or group (github, gitlab);
    # empty for an upload, whose text is ``content``.
    target = models.CharField(max_length=500, blank=True)
    # The descriptor to start from, relative to the folder or repository root.
    entry = models.CharField(max_length=500, default="catalog-info.yaml")
    ref = models.CharField(max_length=200, blank=True, help_text="Branch or tag (git).")
    content = models.TextField(blank=True)
    owner_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.PROTECT, related_name="locations"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The HMAC secret of push webhooks (GitHub, GitLab); history never copies it.
    secret = models.CharField(max_length=200, blank=True)
    remove_orphans = models.BooleanField(
        default=False,
        help_text="Delete what disappears from this location instead of keeping it as an orphan.",
    )

    history_excluded_fields = ("content",)

    objects = LocationQuerySet.as_manager()

    class Meta(SluggedModel.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("descriptors:location-detail", kwargs={"slug": self.slug})


class ImportRun(models.Model):
    """One read of a location: what it found and what it did about each entity."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"  # the location could not be read: nothing changed

    class Trigger(models.TextChoices):
        MANUAL = "manual", "By hand"
        SCHEDULE = "schedule", "Schedule"
        PUSH = "push", "Push"
        CLI = "cli", "Command line"

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Held until then: by the worker reading it (renewed by its heartbeat), or by the retry
    # waiting to read it again. A running run whose lease ran out lost its worker
    # (``descriptors.syncing``).
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    commit = models.CharField(max_length=64, blank=True)
    message = models.TextField(blank=True)
    # Progress of a long run: what it is doing and how far it got.
    step = models.CharField(max_length=100, blank=True)
    files = models.PositiveIntegerField(default=0)
    read = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    orphaned = models.PositiveIntegerField(default=0)
    removed = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)

    objects = ImportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["location", "-created_at"], name="importrun_location")]

    def __str__(self) -> str:
        return f"import {self.pk} of {self.location.slug}"

    def get_absolute_url(self) -> str:
        return reverse("descriptors:run-detail", kwargs={"pk": self.pk})


class ImportProblem(models.Model):
    """Something a run could not do, or did with a reservation, with where it came from."""

    class Level(models.TextChoices):
        ERROR = "error", "Refused"
        WARNING = "warning", "Imported with a warning"

    run = models.ForeignKey(ImportRun, on_delete=models.CASCADE, related_name="problems")
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.ERROR)
    source = models.CharField(max_length=500, blank=True)
    document = models.PositiveIntegerField(null=True, blank=True)
    line = models.PositiveIntegerField(null=True, blank=True)
    ref = models.CharField(max_length=300, blank=True)
    message = models.TextField()

    class Meta:
        ordering = ["run", "id"]

    def __str__(self) -> str:
        return self.message[:100]


class Entity(TimestampedModel):
    """One entity as its location declared it: the descriptor (placeholders resolved) that
    export writes back, and the catalog object it became (none for kinds Keel keeps only as
    entities: Location, Template, custom kinds).

    An entity whose location stops declaring it is an orphan (``orphaned_at``): kept, and
    shown as such, unless its location removes orphans.
    """

    # Backstage's canonical reference, lower-cased: "component:default/checkout".
    ref = models.CharField(max_length=300, unique=True)
    kind = models.CharField(max_length=63)
    namespace = models.CharField(max_length=63, default="default")
    name = models.CharField(max_length=63)
    location = models.ForeignKey(
        Location, null=True, blank=True, on_delete=models.SET_NULL, related_name="entities"
    )
    source = models.CharField(max_length=500, blank=True)
    document = models.PositiveIntegerField(null=True, blank=True)
    descriptor = models.JSONField()
    digest = models.CharField(max_length=64)
    target_type = models.ForeignKey(
        ContentType, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    target_id = models.BigIntegerField(null=True, blank=True)
    owner_team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="entities"
    )
    orphaned_at = models.DateTimeField(null=True, blank=True)

    owner_team_path = "owner_team"
    history_excluded_fields = ("descriptor", "digest")

    objects = EntityQuerySet.as_manager()

    class Meta:
        ordering = ["ref"]
        verbose_name_plural = "entities"
        constraints = [
            models.UniqueConstraint(
                fields=["target_type", "target_id"],
                condition=Q(target_id__isnull=False),
                name="descriptors_entity_one_per_object",
            )
        ]
        indexes = [models.Index(fields=["location", "ref"], name="entity_location")]

    def __str__(self) -> str:
        return self.ref

    def get_absolute_url(self) -> str:
        kind, _, rest = self.ref.partition(":")
        namespace, _, name = rest.partition("/")
        return reverse(
            "descriptors:entity-detail", kwargs={"kind": kind, "namespace": namespace, "name": name}
        )
