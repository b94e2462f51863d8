"""The screens: the outbox with its filters, one message with retry and cancel, the templates
with their live preview."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client as HttpClient
from django.test.utils import CaptureQueriesContext

from vetrisys.audit.models import AuditEvent
from vetrisys.notifications.models import Message, MessageTemplate

WHEN = dt.datetime(2026, 11, 22, 14, 0, tzinfo=dt.UTC)


def _as(user: Any) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def _message(client, *, location=None, status="sent", key="k", **extra):
    return Message.objects.create(
        organization=client.organization, location=location, client=client,
        kind=extra.pop("kind", "vaccine_due"), channel="email", language="en",
        to=client.email, subject="Vaccine due", body="Rex needs the rabies vaccine.",
        status=status, scheduled_for=extra.pop("scheduled_for", WHEN), idempotency_key=key,
        **extra,
    )  # fmt: skip


def test_the_outbox_lists_what_the_person_may_see(receptionist_a, world, john):
    _message(john, location=world.location_a, key="a")
    _message(john, location=world.location_b, key="b", status="failed")

    page = _as(receptionist_a).get("/messages/")

    assert page.status_code == 200
    html = page.content.decode()
    assert html.count("data-message-row") == 1
    assert "John Smith" in html
    assert 'data-status="sent"' in html
    assert 'href="/messages/"' in html  # the navigation entry


def test_the_outbox_filters_by_status_and_day(admin, world, john):
    _message(john, location=world.location_a, key="a")
    _message(john, location=world.location_a, key="b", status="failed",
             scheduled_for=WHEN + dt.timedelta(days=2))  # fmt: skip
    http = _as(admin)

    assert http.get("/messages/?status=failed").content.decode().count("data-message-row") == 1
    # 14:00 UTC on the 22nd is the 22nd in Lima too.
    by_day = http.get("/messages/?date_from=2026-11-22&date_to=2026-11-22").content.decode()
    assert by_day.count("data-message-row") == 1
    assert http.get("/messages/?date_from=nonsense").status_code == 200


def test_the_outbox_queries_are_pinned(admin, world, john, django_assert_num_queries):
    for n in range(3):
        _message(john, location=world.location_a, key=f"few{n}")
    http = _as(admin)
    with CaptureQueriesContext(connection) as few:
        http.get("/messages/")
    for n in range(30):
        _message(john, location=world.location_a, key=f"many{n}")

    with django_assert_num_queries(len(few)):
        assert http.get("/messages/").content.decode().count("data-message-row") == 33


def test_a_vet_without_messages_view_gets_403(world, john):
    from vetrisys.accounts.tests.factories import make_staff

    pharmacist = make_staff(location=world.location_a, role="pharmacist", username="pharma")

    assert _as(pharmacist).get("/messages/").status_code == 403


def test_a_message_of_another_location_is_404(vet_b, world, john):
    message = _message(john, location=world.location_a)

    assert _as(vet_b).get(f"/messages/{message.pk}/").status_code == 404


def test_a_manager_sends_a_failed_message_again(manager_a, world, john):
    message = _message(john, location=world.location_a, status="failed", error="SMTP 550 no")
    page = _as(manager_a).get(f"/messages/{message.pk}/").content.decode()
    assert "Send again" in page
    assert "SMTP 550 no" in page

    answer = _as(manager_a).post(f"/messages/{message.pk}/retry/")

    assert answer.status_code == 302
    message.refresh_from_db()
    assert message.status in ("queued", "sent")
    assert AuditEvent.objects.filter(action="message.retry").count() == 1


def test_a_receptionist_sees_no_retry_and_may_not_post_it(receptionist_a, world, john):
    message = _message(john, location=world.location_a, status="failed")

    assert "Send again" not in _as(receptionist_a).get(f"/messages/{message.pk}/").content.decode()
    assert _as(receptionist_a).post(f"/messages/{message.pk}/retry/").status_code == 403
    message.refresh_from_db()
    assert message.status == "failed"


def test_cancel_a_queued_message_from_the_screen(manager_a, world, john):
    message = _message(john, location=world.location_a, status="queued")

    _as(manager_a).post(f"/messages/{message.pk}/cancel/", {"reason": "Owner called"})

    message.refresh_from_db()
    assert (message.status, message.cancelled_reason) == ("cancelled", "Owner called")


def test_cancel_a_sent_message_says_why_and_changes_nothing(manager_a, world, john):
    message = _message(john, location=world.location_a)

    answer = _as(manager_a).post(f"/messages/{message.pk}/cancel/", {"reason": "x"}, follow=True)

    assert "Only a queued message can be cancelled." in answer.content.decode()
    message.refresh_from_db()
    assert message.status == "sent"


# ------------------------------------------------------------------ templates


def test_the_templates_screen_shows_every_kind(receptionist_a):
    page = _as(receptionist_a).get("/messages/templates/").content.decode()

    assert page.count("data-template=") == 9 * 4 * 2
    assert 'data-template="vaccine_due/sms/es"' in page


def test_the_edit_screen_previews_the_built_in_text(manager_a, world):
    page = _as(manager_a).get("/messages/templates/birthday/sms/en/").content.decode()

    assert "data-variables" in page
    assert "{{ pet_name }}" in page
    assert "Huellitas Miraflores: happy birthday, Firulais!" in page


def test_a_manager_saves_a_template(manager_a, world):
    answer = _as(manager_a).post(
        "/messages/templates/birthday/sms/en/",
        {"body": "Happy birthday {{ pet_name }}!", "is_active": "on"},
    )

    assert answer.status_code == 302
    template = MessageTemplate.objects.get()
    assert (template.kind, template.channel, template.language, template.body) == (
        "birthday", "sms", "en", "Happy birthday {{ pet_name }}!",
    )  # fmt: skip
    assert AuditEvent.objects.filter(action="message_template.save").count() == 1


def test_a_template_error_is_422_on_the_form_and_saves_nothing(manager_a):
    answer = _as(manager_a).post(
        "/messages/templates/birthday/sms/en/", {"body": "{% for x in %}", "is_active": "on"}
    )

    assert answer.status_code == 422
    assert "Template error" in answer.content.decode()
    assert MessageTemplate.objects.count() == 0


def test_a_receptionist_may_not_save_a_template(receptionist_a):
    answer = _as(receptionist_a).post(
        "/messages/templates/birthday/sms/en/", {"body": "Hi", "is_active": "on"}
    )

    assert answer.status_code == 403
    assert MessageTemplate.objects.count() == 0


def test_the_live_preview_renders_what_is_typed(manager_a, world):
    answer = _as(manager_a).post(
        "/messages/templates/appointment_reminder/email/es/preview/",
        {
            "subject": "Cita de {{ pet_name }}",
            "body": "El {{ appointment_date }} a las {{ appointment_time }}",
        },
        HTTP_HX_REQUEST="true",
    )

    html = answer.content.decode()
    assert answer.status_code == 200
    assert "Cita de Firulais" in html
    assert " a las 10:30" in html


def test_the_live_preview_shows_template_errors(manager_a):
    answer = _as(manager_a).post(
        "/messages/templates/general/sms/es/preview/", {"body": "{{ secret_key }}"}
    )

    assert "Unknown variable: secret_key." in answer.content.decode()


def test_an_unknown_kind_is_404(manager_a):
    assert _as(manager_a).get("/messages/templates/nothing/sms/es/").status_code == 404


def test_reset_goes_back_to_the_built_in_text(manager_a, world):
    MessageTemplate.objects.create(
        organization=world.org, kind="general", channel="sms", language="es", body="Hola"
    )

    _as(manager_a).post("/messages/templates/general/sms/es/reset/")

    assert MessageTemplate.objects.count() == 0


@pytest.mark.parametrize("person", ["admin", "vet_b"])
def test_templates_of_another_organization_are_never_shown(people, world, person):
    MessageTemplate.objects.create(
        organization=world.other_org, kind="general", channel="sms", language="es", body="Ajeno"
    )

    page = _as(people[person]).get("/messages/templates/general/sms/es/").content.decode()

    assert "Ajeno" not in page


def test_the_admin_lists_messages_read_only(world, john):
    from vetrisys.accounts.models import User

    operator = User.objects.create_superuser(username="operator", password="x" * 12)
    _message(john, location=world.location_a, key="adm")
    http = _as(operator)

    for model in ("message", "messagetemplate", "reminderrule", "locationmessaging"):
        assert http.get(f"/django-admin/notifications/{model}/").status_code == 200
    assert http.get("/django-admin/notifications/message/add/").status_code == 403
