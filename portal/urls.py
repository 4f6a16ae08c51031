from django.contrib import admin
from django.urls import include, path

from teams import views as teams_views

from . import health, views

urlpatterns = [
    path("", views.home, name="home"),
    path("overview/", views.overview, name="overview"),
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    path("accounts/login/", views.login, name="login"),
    path("accounts/", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include("portal.api.urls")),
    path("graphql/", include("portal.graphql.urls")),
    path("hooks/descriptors/", include("descriptors.webhook_urls")),
    path("search/", views.search, name="search"),
    path("graph/", views.graph, name="graph"),
    path("graph/teams/", views.team_graph, name="graph-teams"),
    path("", include("notifications.urls")),  # /inbox/, /teams/<slug>/webhook/
    path("teams/", include("teams.urls")),
    path("people/<str:username>/", teams_views.person, name="person"),
    path("imports/", include("descriptors.urls")),
    path("", include("delivery.urls")),
    path("", include("scaffolding.urls")),
    path("", include("contracts.urls")),
    path("", include("catalog.urls")),
]

# Paths under /api/ get JSON error bodies, pages get the HTML ones.
handler400 = "portal.api.exceptions.bad_request"
handler404 = "portal.api.exceptions.not_found"
handler500 = "portal.api.exceptions.server_error"
