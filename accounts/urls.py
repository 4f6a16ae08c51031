from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/<str:prefix>/revoke/", views.revoke, name="token-revoke"),
    path("saved-views/", views.saved_views, name="saved-views"),
    path("saved-views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
]
