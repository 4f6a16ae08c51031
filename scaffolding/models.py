"""Scaffold runs and the pipelines they create.

A ``ScaffoldRun`` is a job row first and a Celery task second: it holds the request (template,
parameters, requesting team), the external ids each step has created (repository, commit,
pipeline, service), its steps with their timing, and its log. Every interface (page, REST,
GraphQL) shows the run from this row.

Templates are not rows: they ship with the portal (``scaffolding.registry``) and a run records
the template's name and version, which is also how a service remembers what created it
(``service.scaffold_run``).
"""

import uuid
from functools import cached_property

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.urls import reverse

from catalog.models import Service
from portal.models import SLUG_MAX_LENGTH, Interface, TimestampedModel, validate_slug
from teams.models import Team

from . import querysets
from .progress import progress as run_progress

# The steps of a run, in order. Names are a contract: the UI, REST and GraphQL show them.
STEPS = (
    ("validate", "Validate the request"),
    ("render", "Render the template"),
    ("create_repository", "Create the repository"),
    ("push", "Commit and push code, catalog descriptor and pipeline"),
    ("create_pipeline", "Create the pipeline"),
    ("register", "Register the service in the catalog"),
)
STEP_LABELS = dict(STEPS)


class ScaffoldRun(TimestampedModel):
    """One request to create a service from a template, and its progress."""

    owner_team_path = "owner_team"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"

    # At most one run per name is in flight; once it succeeded the Service holds the name
    # (and a repository keeps holding it), so a deleted service's name can be used again.
    IN_FLIGHT = (Status.PENDING, Status.RUNNING)

    # Public identity (URLs, REST, GraphQL, repository markers); the integer key stays internal.
    uuid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    slug = models.CharField(
        max_length=SLUG_MAX_LENGTH,
        validators=[validate_slug],
        help_text="The new service's slug, also its repository's name.",
    )
    template = models.CharField(max_length=63)
    template_version = models.CharField(max_length=32)
    parameters = models.JSONField(default=dict)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="scaffold_runs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.SET_NULL,
        related_name="scaffold_runs",
    )
    via = models.CharField(max_length=16, choices=Interface.choices, default=Interface.UI)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    current_step = models.CharField(max_length=32, blank=True)
    error = models.TextField(
        blank=True, help_text="Why the run failed, in words a person can act on."
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # A worker holds the run while it works on it; an expired lease means the worker died.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # External ids, stored as soon as each is created so that a retry looks before it creates.
    repository_provider = models.CharField(max_length=200, blank=True)
    repository_id = models.CharField(max_length=200, blank=True)
    repository_url = models.CharField(max_length=500, blank=True)
    commit_sha = models.CharField(max_length=64, blank=True)
    tree_sha = models.CharField(max_length=64, blank=True)
    service = models.OneToOneField(
        Service,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="scaffold_run",
        help_text="The service this run registered; its template and version are on the run.",
    )

    objects = querysets.ScaffoldRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                condition=Q(status__in=["pending", "running"]),
                name="scaffolding_run_one_in_flight_per_slug",
                violation_error_message="A service with this name is already being created.",
                violation_error_code="duplicate_run",
            )
        ]

    constraint_error_fields = {"duplicate_run": "slug"}

    def __str__(self) -> str:
        # What the run is, not how it is doing: the change history keeps this text for good.
        return f"{self.slug} from {self.template} {self.template_version}"

    def get_absolute_url(self) -> str:
        return reverse("scaffolding:run-detail", kwargs={"uuid": self.uuid})

    @property
    def is_finished(self) -> bool:
        return self.status in {self.Status.SUCCEEDED, self.Status.FAILED}

    @cached_property
    def progress(self):
        """The run as the page, REST and GraphQL show it (``scaffolding.progress``)."""
        return run_progress(self)

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None


class ScaffoldStep(models.Model):
    """One step of a run, with its status and timing; created with the run."""

    owner_team_path = "run__owner_team"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        UNDONE = "undone", "Undone"

    run = models.ForeignKey(ScaffoldRun, on_delete=models.CASCADE, related_name="steps")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=32)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    # Transient failures retried so far: each step has its own KEEL_SCAFFOLD_STEP_RETRIES.
    retries = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "name"],
                name="scaffolding_step_unique_name",
                violation_error_message="A run has each step once.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.status})"

    def get_absolute_url(self) -> str:
        return self.run.get_absolute_url()

    @property
    def label(self) -> str:
        return STEP_LABELS.get(self.name, self.name)

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 3)
        return None


class ScaffoldLogEntry(models.Model):
    """A line of a run's log, written to the database as it happens."""

    owner_team_path = "run__owner_team"

    class Level(models.TextChoices):
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"

    run = models.ForeignKey(ScaffoldRun, on_delete=models.CASCADE, related_name="log_entries")
    step = models.CharField(max_length=32, blank=True)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.INFO)
    message = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["run", "id"]
        verbose_name_plural = "scaffold log entries"

    def __str__(self) -> str:
        return f"[{self.level}] {self.message[:80]}"

    def get_absolute_url(self) -> str:
        return self.run.get_absolute_url()


class Pipeline(TimestampedModel):
    """A service's delivery pipeline as the portal knows it.

    The definition is committed to the service's repository (``.keel/pipeline.yaml`` plus
    GitHub Actions and GitLab CI files); this row is the portal's parsed copy, linked to the
    service once it is registered.
    """

    owner_team_path = "owner_team"

    slug = models.CharField(max_length=SLUG_MAX_LENGTH, validators=[validate_slug])
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="pipelines")
    service = models.OneToOneField(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="pipeline"
    )
    run = models.OneToOneField(
        ScaffoldRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="pipeline"
    )
    repository_url = models.CharField(max_length=500, blank=True)
    ci_url = models.CharField(
        max_length=500, blank=True, help_text="Where the hosting CI shows this pipeline's runs."
    )
    definition_path = models.CharField(max_length=200, default=".keel/pipeline.yaml")
    definition = models.JSONField(default=dict)
    ci_files = models.JSONField(default=list, help_text="CI definitions committed beside it.")

    objects = querysets.PipelineQuerySet.as_manager()

    class Meta:
        ordering = ["slug"]
        constraints = [
            models.UniqueConstraint(
                Lower("slug"),
                name="scaffolding_pipeline_unique_slug",
                violation_error_message="This service already has a pipeline.",
                violation_error_code="duplicate_slug",
            )
        ]

    def __str__(self) -> str:
        return f"{self.slug} pipeline"

    def get_absolute_url(self) -> str:
        return reverse("scaffolding:pipeline-detail", kwargs={"slug": self.slug})


class PipelineStage(models.Model):
    """One stage of a pipeline and what happens after it succeeds or fails."""

    owner_team_path = "pipeline__owner_team"

    class Outcome(models.TextChoices):
        PROMOTE = "promote", "Promote to the next stage"
        STOP = "stop", "Stop the pipeline"
        ROLLBACK = "rollback", "Roll back and stop"
        DONE = "done", "Finished"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=50)
    environment = models.CharField(max_length=50, blank=True)
    on_success = models.CharField(max_length=16, choices=Outcome.choices)
    on_failure = models.CharField(max_length=16, choices=Outcome.choices)
    steps = models.JSONField(default=list)

    class Meta:
        ordering = ["pipeline", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "name"],
                name="scaffolding_stage_unique_name",
                violation_error_message="A pipeline has each stage once.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pipeline.slug}: {self.name}"

    def get_absolute_url(self) -> str:
        return self.pipeline.get_absolute_url()
