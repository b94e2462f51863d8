from django.urls import path

from vetrisys.vaccinations import views

app_name = "vaccinations"

urlpatterns = [
    path("visits/<uuid:visit_id>/add/", views.visit_add, name="visit_add"),
    path("patients/<uuid:patient_id>/", views.patient_card, name="patient_card"),
    path("patients/<uuid:patient_id>/certificate.pdf", views.certificate, name="certificate"),
    path("protocols/", views.protocol_list, name="protocols"),
    path("protocols/<uuid:protocol_id>/", views.protocol_edit, name="protocol_edit"),
]
