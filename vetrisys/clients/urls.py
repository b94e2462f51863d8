from django.urls import path

from vetrisys.clients import views

urlpatterns = [
    path("", views.client_list, name="client_list"),
    path("new/", views.client_create, name="client_create"),
    path("<uuid:client_id>/", views.client_detail, name="client_detail"),
    path("<uuid:client_id>/edit/", views.client_edit, name="client_edit"),
    path("<uuid:client_id>/archive/", views.client_archive, name="client_archive"),
    path("<uuid:client_id>/merge/", views.client_merge, name="client_merge"),
    path(
        "<uuid:client_id>/communications/",
        views.communication_log,
        name="client_communication_log",
    ),
]
