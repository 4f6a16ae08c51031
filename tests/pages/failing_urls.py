"""The portal's URLs plus one view that fails, to see the 500 page (tests/pages/test_error_pages.py)."""

from django.urls import include, path

from portal.urls import handler400, handler404, handler500  # noqa: F401 - the handlers Django looks up here


def fail(request):
    raise RuntimeError("the view failed on purpose")


urlpatterns = [path("fail/", fail), path("", include("portal.urls"))]
