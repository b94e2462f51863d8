from django.urls import path

from vetrisys.records import views

app_name = "records"

urlpatterns = [
    path("visits/<uuid:visit_id>/", views.visit_detail, name="visit_detail"),
    path("visits/<uuid:visit_id>/soap/", views.soap_autosave, name="soap_save"),
    path("visits/<uuid:visit_id>/vitals/", views.vitals_add, name="vitals_add"),
    path("visits/<uuid:visit_id>/diagnoses/", views.diagnosis_add, name="diagnosis_add"),
    path("visits/<uuid:visit_id>/procedures/", views.procedure_add, name="procedure_add"),
    path(
        "visits/<uuid:visit_id>/procedures/<uuid:procedure_id>/remove/",
        views.procedure_remove,
        name="procedure_remove",
    ),
    path("visits/<uuid:visit_id>/lab-results/", views.lab_result_add, name="lab_result_add"),
    path("visits/<uuid:visit_id>/attachments/", views.attachment_link, name="attachment_link"),
    path("visits/<uuid:visit_id>/files/", views.attachment_upload, name="attachment_upload"),
    path("visits/<uuid:visit_id>/sign/", views.visit_sign, name="visit_sign"),
    path("visits/<uuid:visit_id>/addenda/", views.addendum_add, name="addendum_add"),
    path(
        "appointments/<uuid:appointment_id>/start/",
        views.start_from_appointment,
        name="start_from_appointment",
    ),
    path("patients/<uuid:patient_id>/visits/", views.patient_visits, name="patient_visits"),
    path("patients/<uuid:patient_id>/visits/new/", views.visit_new, name="visit_new"),
    path("terms/", views.term_list, name="term_list"),
    path("terms/search/", views.term_search, name="term_search"),
    path("products/search/", views.product_search, name="product_search"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/new/", views.template_edit, name="template_new"),
    path("templates/<uuid:template_id>/", views.template_edit, name="template_edit"),
]
