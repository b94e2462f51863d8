from django.urls import path

from vetrisys.scheduling import views

app_name = "scheduling"

urlpatterns = [
    path("", views.day_calendar, name="day"),
    path("week/", views.week_calendar, name="week"),
    path("waiting-room/", views.waiting_room, name="waiting_room"),
    path("book/", views.book, name="book"),
    path("book/patients/", views.patient_choices, name="patient_choices"),
    path("appointments/<uuid:appointment_id>/", views.appointment_detail, name="appointment"),
    path(
        "appointments/<uuid:appointment_id>/reschedule/",
        views.appointment_reschedule,
        name="appointment_reschedule",
    ),
    path(
        "appointments/<uuid:appointment_id>/move/", views.appointment_move, name="appointment_move"
    ),
    path(
        "appointments/<uuid:appointment_id>/<str:action>/",
        views.appointment_transition,
        name="appointment_transition",
    ),
    path("types/", views.type_list, name="type_list"),
    path("types/new/", views.type_form, name="type_create"),
    path("types/<uuid:type_id>/", views.type_form, name="type_edit"),
    path("opening-hours/", views.opening_hours, name="opening_hours"),
    path("shifts/", views.shift_list, name="shift_list"),
    path("shifts/<uuid:shift_id>/delete/", views.shift_delete, name="shift_delete"),
]
