from django.urls import path

from . import webhooks

app_name = "descriptor-hooks"

urlpatterns = [path("<str:slug>/", webhooks.push_webhook, name="push")]
