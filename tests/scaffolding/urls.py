"""The portal's URLs with the scaffolding REST routes mounted, for tests that run before (or
after) portal/api/urls.py registers them: the first match wins, so both work."""

from django.urls import include, path

from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [path("api/v1/", include("scaffolding.api.urls")), *portal_urlpatterns]
