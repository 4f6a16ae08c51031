"""The REST API at /api/v1/: one router for every app's viewsets, plus the OpenAPI document."""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.permissions import IsAuthenticated
from rest_framework.routers import DefaultRouter

from accounts.api.urls import register as register_accounts
from catalog.api import viewsets as catalog
from contracts.api import urls as contracts
from delivery.api import urls as delivery
from delivery.api.urls import register as register_delivery
from descriptors.api import urls as descriptors
from notifications.api.urls import register as register_notifications
from scaffolding.api.urls import register as register_scaffolding
from teams.api import viewsets as teams

from .search import SearchView

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
router.register("graph/teams", catalog.TeamLinkViewSet, basename="graph-team")
register_scaffolding(router)  # templates, scaffold-runs, pipelines
register_accounts(router)  # tokens
descriptors.register(router)  # locations, import-runs
register_delivery(router)  # pipelines/<slug>/runs, environments, deployments; runs
register_notifications(router)  # the signed-in person's inbox

# Like the data, the document describing it is for signed-in users (drf-spectacular's
# default would publish it to anyone).
_signed_in = {"permission_classes": [IsAuthenticated]}


def _page(view):
    """The docs are a page: a signed-out browser is sent to sign in and back, as from every
    other page, instead of a bare 401. A token in the request still reaches DRF's check."""

    def page(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if response.status_code == 401 and "Authorization" not in request.headers:
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return response

    return page


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(**_signed_in), name="api-schema"),
    path(
        "docs/",
        # The split view serves its script as a file: the CSP allows no inline script.
        _page(
            SpectacularSwaggerSplitView.as_view(
                url_name="api-schema", template_name="portal/swagger_ui.html", **_signed_in
            )
        ),
        name="api-docs",
    ),
    path("search/", SearchView.as_view(), name="api-search"),
    *descriptors.urlpatterns,  # entities by reference, export
    path("graph/teams/", catalog.TeamCouplingView.as_view(), name="graph-team-list"),
    *contracts.urlpatterns,  # checks, compare, breaking versions
    *delivery.urlpatterns,  # events webhook, can-promote, approvals, violations
    *router.urls,
]
