from django.urls import path

from vetrisys.notifications import views, views_rules

app_name = "notifications"

urlpatterns = [
    path("", views.outbox, name="outbox"),
    path("<uuid:message_id>/", views.message_detail, name="message"),
    path("<uuid:message_id>/retry/", views.message_retry_view, name="message_retry"),
    path("<uuid:message_id>/cancel/", views.message_cancel_view, name="message_cancel"),
    path("quiet-hours/", views.quiet_hours, name="quiet_hours"),
    path("quiet-hours/<uuid:location_id>/", views.quiet_hours_save, name="quiet_hours_save"),
    path("templates/", views.templates, name="templates"),
    path(
        "templates/<str:kind>/<str:channel>/<str:language>/",
        views.template_edit,
        name="template_edit",
    ),
    path(
        "templates/<str:kind>/<str:channel>/<str:language>/preview/",
        views.template_preview,
        name="template_preview",
    ),
    path(
        "templates/<str:kind>/<str:channel>/<str:language>/reset/",
        views.template_reset_view,
        name="template_reset",
    ),
    path("rules/", views_rules.rule_list, name="rules"),
    path("rules/new/", views_rules.rule_create, name="rule_create"),
    path("rules/recommended/", views_rules.rules_recommended, name="rules_recommended"),
    path("rules/<uuid:rule_id>/", views_rules.rule_edit, name="rule_edit"),
    path("rules/<uuid:rule_id>/deactivate/", views_rules.rule_deactivate, name="rule_deactivate"),
    path("rules/<uuid:rule_id>/preview/", views_rules.rule_preview, name="rule_preview"),
]
