from django.urls import path

from vetrisys.pharmacy import views

app_name = "pharmacy"

urlpatterns = [
    path("queue/", views.queue, name="queue"),
    path("prescriptions/<uuid:prescription_id>/dispense/", views.dispense, name="dispense"),
    path("visits/<uuid:visit_id>/prescriptions/", views.visit_add, name="visit_add"),
    path(
        "prescriptions/<uuid:prescription_id>/prescription.pdf",
        views.prescription_pdf,
        name="prescription_pdf",
    ),
    path("prescriptions/<uuid:prescription_id>/label.pdf", views.label_pdf, name="label_pdf"),
]
