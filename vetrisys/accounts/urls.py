"""Staff screens of accounts."""

from django.urls import path

from vetrisys.accounts import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("switch-location/", views.location_switch, name="location_switch"),
    path("language/", views.language_switch, name="language_switch"),
    path("staff/", views.staff_list, name="staff_list"),
    path("staff/new/", views.staff_create, name="staff_create"),
    path("staff/<uuid:user_id>/", views.staff_detail, name="staff_detail"),
    path("staff/<uuid:user_id>/active/", views.staff_set_active, name="staff_set_active"),
    path("roles/", views.role_list, name="role_list"),
    path("roles/new/", views.role_create, name="role_create"),
    path("roles/<uuid:role_id>/", views.role_detail, name="role_detail"),
    path("organization/", views.organization_settings, name="organization_settings"),
    path("locations/", views.location_list, name="location_list"),
    path("locations/new/", views.location_create, name="location_create"),
    path("locations/<uuid:location_id>/", views.location_detail, name="location_detail"),
    path("locations/<uuid:location_id>/rooms/", views.room_create, name="room_create"),
]
