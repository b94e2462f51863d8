from django.urls import path

from vetrisys.patients import views

app_name = "patients"

urlpatterns = [
    path("", views.patient_list, name="list"),
    path("search/", views.quick_search, name="search"),
    path("register/", views.family_register, name="register"),
    path("new/", views.patient_create, name="create"),
    path("species/", views.species_list, name="species"),
    path("<uuid:patient_id>/", views.patient_detail, name="detail"),
    path("<uuid:patient_id>/edit/", views.patient_edit, name="edit"),
    path("<uuid:patient_id>/transfer/", views.patient_transfer, name="transfer"),
    path("<uuid:patient_id>/deceased/", views.patient_deceased, name="deceased"),
    path("<uuid:patient_id>/weights/", views.weight_add, name="weight_add"),
    path("<uuid:patient_id>/attachments/", views.attachment_upload, name="attachment_upload"),
    path("<uuid:patient_id>/photo/<uuid:attachment_id>/", views.photo_set, name="photo_set"),
    path("<uuid:patient_id>/notes/", views.note_add, name="note_add"),
    path(
        "attachments/<uuid:attachment_id>/download/",
        views.attachment_download,
        name="attachment_download",
    ),
]
