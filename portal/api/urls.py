"""The REST API at /api/v1/: one router for every app's viewsets, plus the OpenAPI document."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from accounts.api.urls import register as register_accounts
from catalog.api import viewsets as catalog
from contracts.api import urls as contracts
from descriptors.api import urls as descriptors
from scaffolding.api.urls import register as register_scaffolding
from teams.api import viewsets as teams

router = DefaultRouter()
router.register("teams", teams.TeamViewSet, basename="team")
router.register(
    r"teams/(?P<team_slug>[^/.]+)/members", teams.TeamMemberViewSet, basename="team-member"
)
router.register("services", catalog.ServiceViewSet, basename="service")
router.register("apis", catalog.ApiViewSet, basename="api")
router.register(
    r"apis/(?P<api_slug>[^/.]+)/versions", catalog.ApiVersionViewSet, basename="api-version"
)
router.register("domains", catalog.DataDomainViewSet, basename="domain")
router.register("systems", catalog.SystemViewSet, basename="system")
router.register("business-domains", catalog.BusinessDomainViewSet, basename="business-domain")
router.register("resources", catalog.ResourceViewSet, basename="resource")
router.register("dependencies", catalog.DependencyViewSet, basename="dependency")
router.register("consumptions", catalog.ApiConsumptionViewSet, basename="consumption")
router.register("graph/cycles", catalog.CycleViewSet, basename="graph-cycle")
register_scaffolding(router)  # templates, scaffold-runs, pipelines
register_accounts(router)  # tokens
descriptors.register(router)  # locations, import-runs

# Like the data, the document describing it is for signed-in users (drf-spectacular's
# default would publish it to anyone).
_signed_in = {"permission_classes": [IsAuthenticated]}

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(**_signed_in), name="api-schema"),
    path(
        "docs/",
        # The split view serves its script as a file: the CSP allows no inline script.
        SpectacularSwaggerSplitView.as_view(
            url_name="api-schema", template_name="portal/swagger_ui.html", **_signed_in
        ),
        name="api-docs",
    ),
    *descriptors.urlpatterns,  # entities by reference, export
    *contracts.urlpatterns,  # checks, compare, breaking versions
    *router.urls,
]
