"""What contract governance keeps beside the catalog: a diff per published version, the
semantic-version policy of an API, and the gate a breaking version waits at until its
consumers are ready (``gate.py`` decides; ``actions.py`` writes)."""

from django.conf import settings
from django.db import models
from django.urls import reverse

from catalog.models import Api, ApiConsumption, ApiVersion
from portal.models import SLUG_MAX_LENGTH, TimestampedModel


class ContractPolicy(TimestampedModel):
    """How strictly an API's version numbers are held to its changes. Without a row, the
    default applies: enforce for providers of tier 1 and 2, warn otherwise."""

    owner_team_path = "api__provider__owner_team"

    class Semver(models.TextChoices):
        ENFORCE = "enforce", "Refuse a breaking change without a major version"
        WARN = "warn", "Publish it, noted as a warning"

    api = models.OneToOneField(Api, on_delete=models.CASCADE, related_name="contract_policy")
    semver = models.CharField(max_length=16, choices=Semver.choices)

    class Meta:
        ordering = ["api__slug"]
        verbose_name_plural = "contract policies"

    def __str__(self) -> str:
        return f"contract policy of {self.api.slug}"

    def get_absolute_url(self) -> str:
        return self.api.get_absolute_url()


class VersionDiff(models.Model):
    """The changes a published version made to the one before it, worked out once in the
    publishing transaction: pages, REST and GraphQL read this row, never the two specs.

    ``base_version`` is the label compared against ("" for an API's first version), ``bump``
    what the version number moved (``contracts.semver``), ``notes`` what the semantic-version
    rule had to say (a breaking change published under a warning policy, a major bump with
    nothing breaking).
    """

    owner_team_path = "version__api__provider__owner_team"
    # The changes are in the row; history needs only the verdict.
    history_excluded_fields = ("changes", "problems", "counts")

    version = models.OneToOneField(
        ApiVersion, on_delete=models.CASCADE, primary_key=True, related_name="diff"
    )
    base_version = models.CharField(max_length=50, blank=True)
    verdict = models.CharField(max_length=24)
    comparable = models.BooleanField(default=True)
    counts = models.JSONField(default=dict)
    changes = models.JSONField(default=list)
    problems = models.JSONField(default=list)
    bump = models.CharField(max_length=16, blank=True)
    policy = models.CharField(max_length=16, choices=ContractPolicy.Semver.choices)
    notes = models.JSONField(default=list)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-computed_at"]

    def __str__(self) -> str:
        return f"diff of {self.version}"

    def get_absolute_url(self) -> str:
        return self.version.get_absolute_url()

    @property
    def breaking_count(self) -> int:
        return self.counts.get("breaking", 0)


class BreakingRelease(TimestampedModel):
    """A published version with breaking changes, and whether its consumers have been let
    onto it: while ``open``, the API's current version stays below it (``gate.py``).

    It is released when every affected consumer has acknowledged it or declared a range
    that admits it, when the provider sets a sunset date for the old version line at least
    ``KEEL_CONTRACT_SUNSET_MIN_DAYS`` away, or at once when no consumer is affected.
    """

    owner_team_path = "api__provider__owner_team"

    class State(models.TextChoices):
        OPEN = "open", "Waiting for consumers"
        RELEASED = "released", "Released"

    class Reason(models.TextChoices):
        UNAFFECTED = "unaffected", "No consumer was affected"
        READY = "ready", "Every affected consumer acknowledged it or moved its range"
        SUNSET = "sunset", "The old version has a sunset date"

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="breaking_releases")
    version = models.OneToOneField(
        ApiVersion, on_delete=models.CASCADE, related_name="breaking_release"
    )
    base_version = models.CharField(max_length=50, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.OPEN)
    released_because = models.CharField(max_length=16, choices=Reason.choices, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    sunset_on = models.DateField(
        null=True, blank=True, help_text="When the old version line stops being supported."
    )

    class Meta:
        ordering = ["api__slug", "-created_at", "-id"]
        indexes = [models.Index(fields=["api", "state"], name="breaking_release_open")]

    def __str__(self) -> str:
        return f"{self.api.slug} {self.version.version} (breaking)"

    def get_absolute_url(self) -> str:
        return reverse("contracts:release", kwargs={"slug": self.api.slug, "version": self.label})

    @property
    def label(self) -> str:
        return self.version.version


class ConsumerImpact(models.Model):
    """One consuming service of a breaking version: whether its declared range admits the
    new version, and its owning team's acknowledgement. ``consumption`` is null once the
    service stopped consuming the API (it then holds nothing back)."""

    owner_team_path = "consumption__consumer__owner_team"

    release = models.ForeignKey(BreakingRelease, on_delete=models.CASCADE, related_name="impacts")
    consumption = models.ForeignKey(
        ApiConsumption,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contract_impacts",
    )
    consumer_slug = models.CharField(max_length=SLUG_MAX_LENGTH)
    version_requirement = models.CharField(max_length=50, blank=True)
    # None: no range declared, or one that cannot be read.
    includes_version = models.BooleanField(null=True, blank=True)
    # Unaffected only when its range admits a new major on purpose (gate.affected).
    affected = models.BooleanField(default=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="contract_acknowledgements",
    )

    class Meta:
        ordering = ["release", "consumer_slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["release", "consumption"], name="contracts_impact_unique_consumption"
            )
        ]

    def __str__(self) -> str:
        return f"{self.consumer_slug} on {self.release}"

    def get_absolute_url(self) -> str:
        return self.release.get_absolute_url()
