"""Catalog models: what exists, who owns it, which contracts join it, what it depends on.

Every ownable model declares ``owner_team_path``, the lookup from it to its owning team;
``portal.permissions`` reads that instead of branching per model.
"""

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from portal.models import SluggedModel, TimestampedModel
from teams.models import Team

from . import querysets
from .spec_operations import extract as extract_operations
from .spec_summaries import summarise
from .specs import validate_spec


class Lifecycle(models.TextChoices):
    EXPERIMENTAL = "experimental", "Experimental"
    PRODUCTION = "production", "Production"
    DEPRECATED = "deprecated", "Deprecated"


class Tag(models.Model):
    """A free label on services (``payments``, ``pci``, ``customer-facing``)."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return f"{reverse('catalog:service-list')}?tag={self.name}"


class DataDomain(SluggedModel):
    """A bounded body of data with exactly one owning service, its system of record.

    Other services reach the domain's data through the owner's APIs, never directly.
    """

    owner_team_path = "owner_service__owner_team"

    owner_service = models.ForeignKey(
        "Service", on_delete=models.PROTECT, related_name="owned_domains"
    )

    objects = querysets.DataDomainQuerySet.as_manager()

    class Meta(SluggedModel.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("catalog:domain-detail", kwargs={"slug": self.slug})


class BusinessDomain(SluggedModel):
    """A business area that groups systems (Backstage's Domain): "payments", "fulfilment".

    Not a ``DataDomain``, which is a body of data with one system of record.
    """

    owner_team_path = "owner_team"

    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="business_domains")

    objects = querysets.BusinessDomainQuerySet.as_manager()

    class Meta(SluggedModel.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("catalog:business-domain-detail", kwargs={"slug": self.slug})


class System(SluggedModel):
    """A set of services, APIs and resources that together offer one capability
    (Backstage's System), owned by one team and part of at most one business domain."""

    owner_team_path = "owner_team"

    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="systems")
    business_domain = models.ForeignKey(
        BusinessDomain, null=True, blank=True, on_delete=models.SET_NULL, related_name="systems"
    )

    objects = querysets.SystemQuerySet.as_manager()

    class Meta(SluggedModel.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("catalog:system-detail", kwargs={"slug": self.slug})


class Service(SluggedModel):
    """A microservice (or website, library, worker, function) owned by exactly one team."""

    owner_team_path = "owner_team"

    class Kind(models.TextChoices):
        SERVICE = "service", "Service"
        WEBSITE = "website", "Website"
        LIBRARY = "library", "Library"
        WORKER = "worker", "Worker"
        FUNCTION = "function", "Function"

    class Runtime(models.TextChoices):
        CONTAINER = "container", "Container"
        SERVERLESS = "serverless", "Serverless"
        VM = "vm", "Virtual machine"

    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="services")
    lifecycle = models.CharField(
        max_length=16, choices=Lifecycle.choices, default=Lifecycle.EXPERIMENTAL
    )
    tier = models.PositiveSmallIntegerField(
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(4)],
        help_text="Criticality: 1 is the most critical, 4 the least.",
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SERVICE)
    language = models.CharField(max_length=50, blank=True)
    framework = models.CharField(max_length=50, blank=True)
    runtime = models.CharField(max_length=16, choices=Runtime.choices, default=Runtime.CONTAINER)
    scaling_factor = models.CharField(
        max_length=200, blank=True, help_text="What drives this service's load (orders/s, ...)."
    )
    repository_url = models.URLField(blank=True, max_length=500)
    pipeline_url = models.URLField(blank=True, max_length=500)
    docs_url = models.URLField(blank=True, max_length=500)
    runbook_url = models.URLField(blank=True, max_length=500)
    tags = models.ManyToManyField(Tag, blank=True, related_name="services")
    data_domain = models.ForeignKey(
        DataDomain, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.SET_NULL, related_name="services"
    )
    # Provenance, set once by self-service scaffolding: which template made the service.
    template = models.CharField(max_length=100, blank=True)
    template_version = models.CharField(max_length=50, blank=True)

    objects = querysets.ServiceQuerySet.as_manager()

    class Meta(SluggedModel.Meta):
        constraints = [
            *SluggedModel.Meta.constraints,
            models.CheckConstraint(
                condition=Q(tier__gte=1, tier__lte=4),
                name="catalog_service_tier_range",
                violation_error_message="Tier must be between 1 and 4.",
            ),
        ]
        indexes = [
            models.Index(fields=["owner_team", "slug"], name="service_owner"),
            models.Index(fields=["lifecycle"], name="service_lifecycle"),
        ]

    def get_absolute_url(self) -> str:
        return reverse("catalog:service-detail", kwargs={"slug": self.slug})


class Api(SluggedModel):
    """An API contract a service provides; its text lives in versions."""

    owner_team_path = "provider__owner_team"

    class Type(models.TextChoices):
        OPENAPI = "openapi", "OpenAPI"
        ASYNCAPI = "asyncapi", "AsyncAPI"
        GRAPHQL = "graphql", "GraphQL"
        GRPC = "grpc", "gRPC"

    provider = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="provided_apis")
    type = models.CharField(max_length=16, choices=Type.choices)
    lifecycle = models.CharField(
        max_length=16, choices=Lifecycle.choices, default=Lifecycle.EXPERIMENTAL
    )
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.SET_NULL, related_name="apis"
    )
    # The version consumers are pointed at: the newest unless the publishing policy
    # (catalog.publishing) holds a version back; "" before the first publish.
    current_version = models.CharField(max_length=50, blank=True, editable=False)

    objects = querysets.ApiQuerySet.as_manager()

    class Meta(SluggedModel.Meta):
        pass

    def get_absolute_url(self) -> str:
        return reverse("catalog:api-detail", kwargs={"slug": self.slug})


class ApiVersionManager(models.Manager.from_queryset(querysets.ApiVersionQuerySet)):
    def get_queryset(self):
        # A summary can be as large as its spec; only the API page reads it (one row).
        return super().get_queryset().defer("summary")


class ApiVersion(TimestampedModel):
    """One published version of an API's specification; immutable once published."""

    owner_team_path = "api__provider__owner_team"

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="versions")
    version = models.CharField(
        max_length=50,
        validators=[
            # Versions appear in URLs: keep them to a safe alphabet.
            RegexValidator(
                r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,49}\Z",
                "Use letters, digits, dots, hyphens, plus or underscores (for example 1.2.0).",
            )
        ],
    )
    spec = models.TextField()
    digest = models.CharField(max_length=64, editable=False)
    # Worked out from the spec when it is validated (catalog.spec_summaries): pages read this,
    # never the document.
    summary = models.JSONField(default=dict, editable=False)
    published_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="published_api_versions",
    )

    constraint_error_fields = {"duplicate_version": "version"}

    objects = ApiVersionManager()

    class Meta:
        ordering = ["api", "-published_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["api", "version"],
                name="catalog_apiversion_unique_version",
                violation_error_message="This version is already published; publish a new version instead.",
                violation_error_code="duplicate_version",
            )
        ]

    def __str__(self) -> str:
        return f"{self.api.slug} {self.version}"

    def get_absolute_url(self) -> str:
        return reverse("catalog:api-detail", kwargs={"slug": self.api.slug})

    def clean(self):
        super().clean()
        if self.api_id and self.spec:
            parsed = validate_spec(self.api.type, self.spec)
            self.summary = summarise(self.api.type, parsed)
            # The contract diff that follows in the same write reads this, not the text again.
            self._parsed_spec = (self.spec, parsed)
            # Stored as ApiOperation rows when the version is published (catalog.operations).
            self.found_operations = extract_operations(self.api.type, parsed)
        self.digest = hashlib.sha256(self.spec.encode()).hexdigest()


class ApiOperation(models.Model):
    """One operation of a published version (an OpenAPI method and path, an AsyncAPI
    operation on its channel, a GraphQL root field, a gRPC method), read from the spec once
    when the version is published (``catalog.spec_operations``) so that search finds an API by
    what it does. Derived from the immutable version and recorded with its publish.

    ``position`` is where the API page lists it: the operation's index for OpenAPI, its
    channel's for AsyncAPI, 0 for GraphQL (root types come first) and gRPC.
    """

    owner_team_path = "api__provider__owner_team"
    history_recorded = False  # removed with its version, whose removal is recorded

    api = models.ForeignKey(Api, on_delete=models.CASCADE, related_name="operations")
    version = models.ForeignKey(ApiVersion, on_delete=models.CASCADE, related_name="operations")
    position = models.PositiveIntegerField(default=0)
    method = models.CharField(max_length=16, help_text="GET, send, query, rpc…")
    path = models.CharField(max_length=500, blank=True, help_text="Path, channel or root type.")
    identifier = models.CharField(
        max_length=200, blank=True, help_text="operationId, operation, field or method name."
    )
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["version", "position", "id"]
        indexes = [models.Index(fields=["version", "position"], name="catalog_operation_place")]

    def __str__(self) -> str:
        return f"{self.api.slug}: {self.name}"

    def get_absolute_url(self) -> str:
        """The API page at this operation: its version, the page of the list it is on, and
        its anchor there."""
        url = f"{self.api.get_absolute_url()}?version={self.version.version}"
        if self.api.type == Api.Type.GRAPHQL:
            return f"{url}#type-{self.path}"
        if self.api.type == Api.Type.GRPC:
            return f"{url}#spec-h"
        page = self.position // settings.KEEL_SPEC_PAGE_SIZE + 1
        return f"{url}&page={page}#op-{self.position}"

    @property
    def name(self) -> str:
        if self.method == "rpc" or self.path == "":
            return self.identifier
        if self.api.type == Api.Type.GRAPHQL:
            return f"{self.method} {self.identifier}"
        return f"{self.method} {self.path}"

    @property
    def slug(self) -> str:
        return self.identifier or self.path

    @property
    def description(self) -> str:
        return self.summary


class ApiConsumption(TimestampedModel):
    """A service consumes an API: the contract between two teams."""

    owner_team_path = "consumer__owner_team"

    consumer = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="consumptions")
    api = models.ForeignKey(Api, on_delete=models.PROTECT, related_name="consumptions")
    version_requirement = models.CharField(
        max_length=50, blank=True, help_text="The version range the consumer relies on."
    )

    constraint_error_fields = {"duplicate_consumption": "api"}

    objects = querysets.ApiConsumptionQuerySet.as_manager()

    class Meta:
        ordering = ["consumer__slug", "api__slug"]
        constraints = [
            models.UniqueConstraint(
                fields=["consumer", "api"],
                name="catalog_apiconsumption_unique",
                violation_error_message="This service already consumes this API.",
                violation_error_code="duplicate_consumption",
            )
        ]

    def __str__(self) -> str:
        return f"{self.consumer.slug} consumes {self.api.slug}"

    def get_absolute_url(self) -> str:
        return self.consumer.get_absolute_url()

    def clean(self):
        super().clean()
        if self.consumer_id and self.api_id and self.api.provider_id == self.consumer_id:
            raise ValidationError({"api": "A service does not consume its own API."})


class Resource(SluggedModel):
    """A database, queue, bucket or cache (Backstage's Resource), owned by one team.

    A resource may belong to a service (its store, its queue); it is then owned by that
    service's team, always: ``clean`` holds the rule for every interface, and a transfer of the
    service takes its resources along (``catalog.actions.transfer_service``).
    """

    owner_team_path = "owner_team"
    history_parent_field = "service"  # a service's resource shows on the service's history

    class Kind(models.TextChoices):
        DATABASE = "database", "Database"
        QUEUE = "queue", "Queue"
        BUCKET = "bucket", "Bucket"
        CACHE = "cache", "Cache"
        OTHER = "other", "Other"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # The type as a descriptor wrote it (``s3-bucket``, ``topic``) when it is not the kind's
    # own name: export writes it back unchanged.
    type = models.CharField(max_length=63, blank=True)
    owner_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="resources")
    service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.CASCADE, related_name="resources"
    )
    system = models.ForeignKey(
        System, null=True, blank=True, on_delete=models.SET_NULL, related_name="resources"
    )
    data_domain = models.ForeignKey(
        DataDomain, null=True, blank=True, on_delete=models.SET_NULL, related_name="resources"
    )

    objects = querysets.ResourceQuerySet.as_manager()

    class Meta(SluggedModel.Meta):
        pass

    @property
    def holder(self):
        """What pages show it under: its service, or its team when no service holds it."""
        return self.service if self.service_id else self.owner_team

    def get_absolute_url(self) -> str:
        return self.holder.get_absolute_url()

    def clean(self):
        super().clean()
        service = self.service if self.service_id else None
        if service is not None and self.owner_team_id != service.owner_team_id:
            raise ValidationError(
                {
                    "owner_team": f"A resource of service {service.slug} is owned by its team, "
                    f"{service.owner_team.slug}."
                }
            )


class Dependency(TimestampedModel):
    """A service depends on another service or on a resource.

    Cycles are allowed (they exist in real systems) and reported by ``catalog.graph``.
    """

    owner_team_path = "source__owner_team"

    class Kind(models.TextChoices):
        SYNC = "sync", "Synchronous call"
        ASYNC = "async", "Asynchronous event"
        DATA = "data", "Data"

    class Criticality(models.TextChoices):
        HIGH = "high", "High"
        MEDIUM = "medium", "Medium"
        LOW = "low", "Low"

    source = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="dependencies")
    target_service = models.ForeignKey(
        Service, null=True, blank=True, on_delete=models.PROTECT, related_name="dependents"
    )
    target_resource = models.ForeignKey(
        Resource, null=True, blank=True, on_delete=models.PROTECT, related_name="dependents"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices, default=Kind.SYNC)
    criticality = models.CharField(
        max_length=16, choices=Criticality.choices, default=Criticality.MEDIUM
    )
    description = models.CharField(max_length=500, blank=True)

    constraint_error_fields = {
        "one_target": "target_service",
        "self_dependency": "target_service",
        "duplicate_service_edge": "target_service",
        "duplicate_resource_edge": "target_resource",
    }

    objects = querysets.DependencyQuerySet.as_manager()

    class Meta:
        ordering = ["source__slug", "id"]
        verbose_name_plural = "dependencies"
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(target_service__isnull=False, target_resource__isnull=True)
                    | Q(target_service__isnull=True, target_resource__isnull=False)
                ),
                name="catalog_dependency_one_target",
                violation_error_message="A dependency points at exactly one service or one resource.",
                violation_error_code="one_target",
            ),
            models.CheckConstraint(
                condition=~Q(source=models.F("target_service")),
                name="catalog_dependency_not_self",
                violation_error_message="A service cannot depend on itself.",
                violation_error_code="self_dependency",
            ),
            models.UniqueConstraint(
                fields=["source", "target_service"],
                condition=Q(target_service__isnull=False),
                name="catalog_dependency_unique_service_edge",
                violation_error_message="This dependency already exists.",
                violation_error_code="duplicate_service_edge",
            ),
            models.UniqueConstraint(
                fields=["source", "target_resource"],
                condition=Q(target_resource__isnull=False),
                name="catalog_dependency_unique_resource_edge",
                violation_error_message="This dependency already exists.",
                violation_error_code="duplicate_resource_edge",
            ),
        ]
        indexes = [
            models.Index(fields=["target_service", "source"], name="dependency_reverse"),
        ]

    def __str__(self) -> str:
        return f"{self.source.slug} → {self.target}"

    def get_absolute_url(self) -> str:
        return self.source.get_absolute_url()

    @property
    def target(self):
        return self.target_service or self.target_resource


class ServiceDocument(models.Model):
    """A service's REST representations, rendered in the transaction that changed what they
    show (``catalog.documents``): a read serves these stored bytes with one indexed query.

    The row outlives its service as a tombstone (``detail`` null) so that readers following
    changes by ``generation`` (the in-process dependency graph) learn of the deletion too;
    ``db_constraint=False`` lets it.
    """

    service = models.OneToOneField(
        Service,
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="document",
    )
    # The catalog generation of the write that last changed the row (portal.audit).
    generation = models.BigIntegerField(default=0, db_index=True)
    # null in both: the service is gone (a tombstone)
    detail = models.TextField(null=True)  # noqa: DJ001 - GET /api/v1/services/<slug>/
    item = models.TextField(null=True)  # noqa: DJ001 - a row of GET /api/v1/services/
    # Services this one depends on (through their resources too), for the dependency graph.
    targets = models.JSONField(default=list)
    # The representation's shape when rendered (catalog.documents.shape): a release that
    # changes it renders every document again when it migrates.
    shape = models.CharField(max_length=16, blank=True)

    def __str__(self) -> str:
        return f"document of service {self.service_id}"
