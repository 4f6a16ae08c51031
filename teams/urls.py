from django.urls import path

from . import views

app_name = "teams"

urlpatterns = [
    path("", views.TeamList.as_view(), name="list"),
    path("<slug:slug>/", views.TeamDetail.as_view(), name="detail"),
    path("<slug:slug>/members/", views.members, name="members"),
    path("<slug:slug>/members/<str:username>/", views.member_change, name="member-change"),
]
