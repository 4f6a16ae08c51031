from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.mark_read, name="mark-read"),
    path("teams/<slug:slug>/webhook/", views.webhook, name="webhook"),
    path("teams/<slug:slug>/webhook/remove/", views.webhook_remove, name="webhook-remove"),
]
