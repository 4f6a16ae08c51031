"""Pipeline runs, their stages and the artifacts they package.

A ``PipelineRun`` is a job row first and Celery tasks second (STYLE rule 10): it is created
with one ``StageRun`` per stage of its pipeline, each stage is a task that finds its work in
these rows, and every interface shows progress from them. An ``Artifact`` is named by the
sha256 of its bytes, stored once under the data folder however many runs produce it.
"""

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from portal.models import Interface
from scaffolding.models import Pipeline

from .querysets import DeploymentQuerySet, PipelineRunQuerySet

SHA256 = RegexValidator(r"^[0-9a-f]{64}$", "A sha256 digest: 64 lower-case hexadecimal digits.")
COMMIT = RegexValidator(r"^[0-9a-f]{40}([0-9a-f]{24})?$", "A git commit id (40 or 64 hex digits).")


class PipelineRun(models.Model):
    """One run of a pipeline for one commit. At most one run of a pipeline runs at a time and
    at most one waits: a newer request supersedes the waiting one (``delivery.scheduling``)."""

    owner_team_path = "pipeline__owner_team"

    class Trigger(models.TextChoices):
        PUSH = "push", "Push to main"
        MANUAL = "manual", "Started by hand"
        EXTERNAL = "external", "Reported by an external CI"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        STOPPED = "stopped", "Stopped"
        SUPERSEDED = "superseded", "Superseded by a newer run"

    FINISHED = (Status.SUCCEEDED, Status.FAILED, Status.STOPPED, Status.SUPERSEDED)

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="runs")
    number = models.PositiveIntegerField(help_text="The run's number within its pipeline.")
    trigger = models.CharField(max_length=16, choices=Trigger.choices)
    via = models.CharField(max_length=16, choices=Interface.choices, default=Interface.UI)
    commit_sha = models.CharField(max_length=64, validators=[COMMIT])
    committed_at = models.DateTimeField(
        null=True, blank=True, help_text="The commit's time: where lead time starts."
    )
    ref = models.CharField(max_length=255, default="refs/heads/main")
    external_id = models.CharField(
        max_length=200, blank=True, help_text="The run's id in the external CI that reported it."
    )
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    message = models.TextField(blank=True, help_text="Why the run ended as it did.")
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="pipeline_runs",
    )
    artifact = models.ForeignKey(
        "Artifact", null=True, blank=True, on_delete=models.SET_NULL, related_name="runs"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Held by the worker running one of its stages (renewed by a heartbeat) or by the message
    # sent for its next stage; a running run whose lease ran out lost its worker. An external
    # run's lease is when its CI must report again (delivery.reports.heard_from).
    lease_expires_at = models.DateTimeField(null=True, blank=True)

    objects = PipelineRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "number"],
                name="delivery_run_unique_number",
                violation_error_message="A pipeline numbers each run once.",
            ),
            models.UniqueConstraint(
                fields=["pipeline"],
                condition=Q(status="running"),
                name="delivery_run_one_running",
                violation_error_message="A pipeline runs one run at a time.",
            ),
            models.UniqueConstraint(
                fields=["pipeline"],
                condition=Q(status="queued"),
                name="delivery_run_one_queued",
                violation_error_message="A pipeline has at most one waiting run.",
            ),
        ]
        indexes = [models.Index(fields=["pipeline", "-number"], name="delivery_run_latest")]

    def __str__(self) -> str:
        return f"{self.pipeline.slug} run {self.number}"

    def get_absolute_url(self) -> str:
        return reverse(
            "delivery:run-detail", kwargs={"slug": self.pipeline.slug, "number": self.number}
        )

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def short_commit(self) -> str:
        return self.commit_sha[:12]


class StageRun(models.Model):
    """One stage of a run: its status, timing, bounded log and result."""

    owner_team_path = "run__pipeline__owner_team"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        SUCCEEDED = "succeeded", "Succeeded"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped (an earlier stage did not succeed)"
        NOT_RUN = "not_run", "Not run (the embedded runner has no runner for it)"

    run = models.ForeignKey(PipelineRun, on_delete=models.CASCADE, related_name="stages")
    position = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=50)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    log = models.TextField(blank=True, help_text="At most KEEL_DELIVERY_LOG_BYTES of output.")
    result = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["run", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "name"],
                name="delivery_stage_unique_name",
                violation_error_message="A run has each stage once.",
            ),
            models.UniqueConstraint(
                fields=["run", "position"],
                name="delivery_stage_unique_position",
                violation_error_message="A run has one stage at each position.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run}: {self.name}"

    def get_absolute_url(self) -> str:
        return f"{self.run.get_absolute_url()}#stage-{self.name}"

    @property
    def duration_seconds(self) -> float | None:
        if self.started_at and self.finished_at:
            return round((self.finished_at - self.started_at).total_seconds(), 3)
        return None


class Artifact(models.Model):
    """A packaged build: the code with its run-time dependencies, named by its sha256 and
    stored once at ``KEEL_DELIVERY_ARTIFACT_DIR/<digest>/``, with its provenance."""

    owner_team_path = "created_by_run__pipeline__owner_team"

    digest = models.CharField(max_length=64, validators=[SHA256])
    path = models.CharField(max_length=500, help_text="Relative to the data folder.")
    size = models.PositiveBigIntegerField()
    provenance = models.JSONField(default=dict)
    # The run that first packaged these bytes; a deleted pipeline's artifacts stay stored.
    created_by_run = models.ForeignKey(
        PipelineRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="packaged"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["digest"],
                name="delivery_artifact_unique_digest",
                violation_error_message="An artifact is stored once per digest.",
            )
        ]

    def __str__(self) -> str:
        return f"sha256:{self.digest[:12]}"

    def get_absolute_url(self) -> str:
        return reverse("delivery:artifact-detail", kwargs={"digest": self.digest})


class Environment(models.Model):
    """A place a pipeline deploys to (``staging``, ``production``: the environments its
    stages name), the target that deploys there, and the release that runs there now."""

    owner_team_path = "pipeline__owner_team"

    class Target(models.TextChoices):
        EMBEDDED = "embedded", "A supervised process on this machine"
        COMMAND = "command", "A command that hands the release to an external system"
        WEBHOOK = "webhook", "A webhook that hands the release to an external system"
        EXTERNAL = "external", "Deployed by an external CD system, which reports it"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="environments")
    name = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField()
    target = models.CharField(max_length=16, choices=Target.choices, default=Target.EMBEDDED)
    config = models.JSONField(
        default=dict, blank=True, help_text="The target's settings (no secrets)."
    )
    requires_approval = models.BooleanField(
        default=False, help_text="A person approves each release before it deploys here."
    )
    current = models.ForeignKey(
        "Deployment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The release serving here now: the last good one.",
    )

    class Meta:
        ordering = ["pipeline", "position"]
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "name"],
                name="delivery_environment_unique_name",
                violation_error_message="A pipeline has each environment once.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pipeline.slug} {self.name}"

    def get_absolute_url(self) -> str:
        return reverse(
            "delivery:environment-detail", kwargs={"slug": self.pipeline.slug, "name": self.name}
        )


class Deployment(models.Model):
    """One release of one artifact into one environment, by a run, a person (a rollback) or
    an external system's report; refused ones are kept as the record of a policy violation.
    ``Environment.current`` points at the one serving."""

    owner_team_path = "environment__pipeline__owner_team"

    class Kind(models.TextChoices):
        DEPLOY = "deploy", "Deployment"
        ROLLBACK = "rollback", "Rollback"

    class Status(models.TextChoices):
        DEPLOYING = "deploying", "Deploying"
        LIVE = "live", "Live (healthy, serving)"
        FAILED = "failed", "Failed (deployment or smoke test)"
        ROLLED_BACK = "rolled_back", "Rolled back"
        REPLACED = "replaced", "Replaced by a later release"
        REFUSED = "refused", "Refused (policy)"

    environment = models.ForeignKey(
        Environment, on_delete=models.CASCADE, related_name="deployments"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.DEPLOY)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.DEPLOYING, db_index=True
    )
    run = models.ForeignKey(
        PipelineRun, null=True, blank=True, on_delete=models.SET_NULL, related_name="deployments"
    )
    artifact = models.ForeignKey(
        Artifact, null=True, blank=True, on_delete=models.SET_NULL, related_name="deployments"
    )
    # Kept beside the FK: an external system's report names a digest Keel may not store.
    artifact_digest = models.CharField(max_length=64, validators=[SHA256])
    commit_sha = models.CharField(max_length=64, blank=True, validators=[COMMIT])
    version = models.CharField(max_length=100, blank=True)
    previous = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The release this one replaced: what a rollback restores.",
    )
    url = models.CharField(max_length=500, blank=True, help_text="Where the release serves.")
    details = models.JSONField(default=dict, blank=True, help_text="The target's own record.")
    message = models.TextField(blank=True)
    via = models.CharField(max_length=16, choices=Interface.choices, default=Interface.JOB)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deployments",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = DeploymentQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["environment"],
                condition=Q(status="deploying"),
                name="delivery_deployment_one_at_a_time",
                violation_error_message="An environment takes one deployment at a time.",
            )
        ]
        indexes = [
            models.Index(fields=["environment", "-created_at"], name="delivery_deploy_latest")
        ]

    def __str__(self) -> str:
        return f"{self.environment}: sha256:{self.artifact_digest[:12]} ({self.status})"

    def get_absolute_url(self) -> str:
        return f"{self.environment.get_absolute_url()}#deployment-{self.pk}"


class Approval(models.Model):
    """A person's go-ahead for one artifact (by digest) in one environment that asks for
    approvals (``Environment.requires_approval``): ``delivery.policy`` looks for it."""

    owner_team_path = "environment__pipeline__owner_team"

    environment = models.ForeignKey(Environment, on_delete=models.CASCADE, related_name="approvals")
    artifact_digest = models.CharField(max_length=64, validators=[SHA256])
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="delivery_approvals"
    )
    comment = models.TextField(blank=True, max_length=2000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["environment", "artifact_digest"],
                name="delivery_approval_once",
                violation_error_message="This artifact is already approved for this environment.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.environment}: sha256:{self.artifact_digest[:12]} approved"

    def get_absolute_url(self) -> str:
        return self.environment.pipeline.get_absolute_url()


class PolicyViolation(models.Model):
    """A deployment Keel refused because the artifact had not earned it (``delivery.policy``),
    reported by an external system: kept beside the refused ``Deployment``."""

    owner_team_path = "pipeline__owner_team"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="violations")
    environment = models.ForeignKey(
        Environment, on_delete=models.CASCADE, related_name="violations"
    )
    deployment = models.OneToOneField(
        Deployment, null=True, blank=True, on_delete=models.SET_NULL, related_name="violation"
    )
    artifact_digest = models.CharField(max_length=64, validators=[SHA256])
    reasons = models.JSONField(default=list)
    event_id = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.environment}: sha256:{self.artifact_digest[:12]} refused"

    def get_absolute_url(self) -> str:
        return self.pipeline.get_absolute_url()


class EventSecret(models.Model):
    """The HMAC secret an external CI or CD system signs a pipeline's CDEvents with. Shown
    once, when made or rotated (``delivery.actions.rotate_event_secret``); history never
    copies it (``portal.audit`` skips fields named ``secret``)."""

    owner_team_path = "pipeline__owner_team"

    pipeline = models.OneToOneField(Pipeline, on_delete=models.CASCADE, related_name="event_secret")
    secret = models.CharField(max_length=128)
    rotated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["pipeline"]

    def __str__(self) -> str:
        return f"event secret of {self.pipeline.slug}"

    def get_absolute_url(self) -> str:
        return self.pipeline.get_absolute_url()


class ReceivedEvent(models.Model):
    """A CDEvent accepted for a pipeline, by its ``context.id``: the same id again is a
    replay, refused (the unique constraint holds it even for two arriving at once)."""

    owner_team_path = "pipeline__owner_team"

    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=200)
    type = models.CharField(max_length=200)
    source = models.CharField(max_length=500)
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pipeline", "event_id"],
                name="delivery_event_once",
                violation_error_message="This event was received already.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.pipeline.slug} {self.type} {self.event_id}"

    def get_absolute_url(self) -> str:
        return self.pipeline.get_absolute_url()
