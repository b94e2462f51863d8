"""Reminder rules: the services (validation, audit, recommended set, preview), the API and the
screens, with who may do what."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client as HttpClient
from django.utils import timezone

from vetrisys.accounts.models import User
from vetrisys.audit.models import AuditEvent
from vetrisys.core.errors import NotAllowed, ValidationFailed
from vetrisys.notifications import rules
from vetrisys.notifications.models import ReminderRule
from vetrisys.notifications.tests.reminder_factories import (
    DAY,
    HOUR,
    Trigger,
    appointment,
    appointment_type,
    owner,
    pet,
    rule,
    twilio_settings,
)

API = "/api/v1/reminder-rules"
__all__ = ["twilio_settings"]  # a fixture


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


def _json(http: HttpClient, method: str, path: str, body: dict[str, Any]) -> Any:
    send = getattr(http, method)
    return send(path, json.dumps(body, default=str), content_type="application/json")


def _snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        ReminderRule.objects.values_list("name", "trigger", "offset_minutes", "is_active")
    )


# ---------------------------------------------------------------- services


def test_a_manager_adds_a_rule_with_its_audit_event(world, manager_a):
    made = rules.rule_create(
        actor=manager_a,
        name="Cita: 24 horas antes",
        trigger=Trigger.APPOINTMENT,
        kind="appointment_reminder",
        offset_minutes=-24 * HOUR,
        species="cat",
    )

    assert (made.organization, made.offset_minutes, made.species) == (world.org, -1440, "cat")
    event = AuditEvent.objects.get(action="reminder_rule.create")
    assert event.target_id == str(made.pk)
    assert event.changes["offset_minutes"] == -1440


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"name": " "}, "name"),
        ({"kind": "birthday"}, "kind"),
        ({"offset_minutes": 60}, "offset_minutes"),
        ({"offset_minutes": -10 * 365 * DAY}, "offset_minutes"),
        ({"channel": "fax"}, "channel"),
        ({"species": "dragon"}, "species"),
        ({"visit_type": "surgery"}, "visit_type"),
    ],
)
def test_an_invalid_rule_names_the_field_and_writes_nothing(world, manager_a, fields, field):
    base = {
        "name": "Cita",
        "trigger": Trigger.APPOINTMENT,
        "kind": "appointment_reminder",
        "offset_minutes": -120,
    }

    with pytest.raises(ValidationFailed) as error:
        rules.rule_create(actor=manager_a, **{**base, **fields})

    assert list(error.value.fields) == [field]
    assert ReminderRule.objects.count() == 0
    assert not AuditEvent.objects.filter(action="reminder_rule.create").exists()


def test_a_vet_may_not_manage_rules(world, vet_a):
    with pytest.raises(NotAllowed):
        rules.rule_create(
            actor=vet_a,
            name="Cita",
            trigger=Trigger.APPOINTMENT,
            kind="appointment_reminder",
            offset_minutes=-120,
        )
    with pytest.raises(NotAllowed):
        rules.rule_list(actor=vet_a)

    assert ReminderRule.objects.count() == 0


def test_a_manager_of_a_may_not_make_a_rule_of_location_b(world, manager_a):
    with pytest.raises(NotAllowed):
        rules.rule_create(
            actor=manager_a,
            name="Cita",
            trigger=Trigger.APPOINTMENT,
            kind="appointment_reminder",
            offset_minutes=-120,
            location=world.location_b,
        )

    assert ReminderRule.objects.count() == 0


def test_the_recommended_rules_are_added_once(world, admin):
    first = rules.rules_create_recommended(organization=world.org, actor=admin)
    again = rules.rules_create_recommended(organization=world.org, actor=admin)

    assert len(first) == 8
    assert again == []
    assert sorted(
        ReminderRule.objects.values_list("trigger", "kind", "offset_minutes", "visit_type")
    ) == sorted(
        [
            ("appointment", "appointment_reminder", -2880, ""),
            ("appointment", "appointment_reminder", -120, ""),
            ("vaccine_due", "vaccine_due", -10080, ""),
            ("vaccine_due", "vaccine_due", 0, ""),
            ("vaccine_due", "vaccine_overdue", 20160, ""),
            ("follow_up", "follow_up", 4320, "surgery"),
            ("birthday", "birthday", 0, ""),
            ("lapsed_client", "lapsed_client", 548 * DAY, ""),
        ]
    )
    assert AuditEvent.objects.filter(action="reminder_rule.create_recommended").count() == 1


def test_offsets_in_words():
    assert rules.offset_text(-48 * HOUR) == "2 days before"
    assert rules.offset_text(-2 * HOUR) == "2 hours before"
    assert rules.offset_text(14 * DAY) == "14 days after"
    assert rules.offset_text(-90) == "90 minutes before"
    assert rules.offset_text(0) == "on the moment"


def test_the_preview_counts_who_would_be_reminded_now_and_queues_nothing(
    world, manager_a, twilio_settings
):
    now = timezone.now()
    kind = appointment_type(world.org)
    for number in range(3):
        appointment(
            pet(owner(world.org), name=f"Pet {number}"),
            world.location_a,
            now + dt.timedelta(hours=47, minutes=number),
            kind,
            booked_at=now - dt.timedelta(days=3),
        )
    reminder = rule(world.org, Trigger.APPOINTMENT, -48 * HOUR)

    preview = rules.rule_preview(actor=manager_a, rule=reminder, now=now, first=2)

    assert preview.count == 3
    assert [row.pet_name for row in preview.rows] == ["Pet 0", "Pet 1"]
    assert reminder.messages.count() == 0


# ---------------------------------------------------------------- API


def test_a_manager_lists_creates_and_patches_rules_through_the_api(world, manager_a):
    http = _as(manager_a)
    kind = appointment_type(world.org, "Cirugía")

    created = _json(
        http,
        "post",
        API,
        {
            "name": "Cirugía: 24 h antes",
            "trigger": "appointment",
            "kind": "appointment_reminder",
            "offset_minutes": -1440,
            "appointment_type": str(kind.pk),
        },
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["appointment_type"], body["location"], body["channel"]) == (
        str(kind.pk),
        None,
        "",
    )

    patched = _json(http, "patch", f"{API}/{body['id']}", {"is_active": False, "channel": "sms"})
    assert patched.status_code == 200
    assert (patched.json()["is_active"], patched.json()["channel"]) == (False, "sms")

    listed = http.get(API)
    assert listed.status_code == 200
    assert listed.json()["count"] == 1
    assert listed.json()["items"][0]["name"] == "Cirugía: 24 h antes"


def test_an_invalid_rule_answers_422_with_the_fields(world, manager_a):
    answer = _json(
        _as(manager_a),
        "post",
        API,
        {
            "name": "Mal",
            "trigger": "appointment",
            "kind": "birthday",
            "offset_minutes": 30,
        },
    )

    assert answer.status_code == 422
    assert sorted(answer.json()["extra"]["fields"]) == ["kind", "offset_minutes"]
    assert ReminderRule.objects.count() == 0


def test_an_appointment_type_of_another_organization_is_404(world, manager_a):
    foreign = appointment_type(world.other_org)

    answer = _json(
        _as(manager_a),
        "post",
        API,
        {
            "name": "Cita",
            "trigger": "appointment",
            "kind": "appointment_reminder",
            "offset_minutes": -60,
            "appointment_type": str(foreign.pk),
        },
    )

    assert answer.status_code == 404
    assert ReminderRule.objects.count() == 0


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("admin", 200),
        ("manager_a", 200),
        ("vet_a", 403),
        ("receptionist_a", 403),
        ("vet_b", 403),
        ("outsider", 404),
    ],
)
def test_who_may_patch_a_rule(world, people, who, status):
    reminder = rule(world.org, Trigger.BIRTHDAY, 0, name="Cumpleaños")
    before = _snapshot()

    answer = _json(_as(people[who]), "patch", f"{API}/{reminder.pk}", {"name": "Otro"})

    assert answer.status_code == status
    if status != 200:
        assert _snapshot() == before


def test_a_rule_of_an_unseen_location_is_404_and_another_organizations_too(
    world, manager_a, vet_a, outsider
):
    at_b = rule(world.org, Trigger.BIRTHDAY, 0, location=world.location_b)
    everywhere = rule(world.org, Trigger.BIRTHDAY, 0)

    assert _as(manager_a).get(f"{API}/{at_b.pk}").status_code == 404
    assert _as(vet_a).get(f"{API}/{everywhere.pk}").status_code == 403
    assert _as(outsider).get(f"{API}/{everywhere.pk}").status_code == 404
    answer = _json(
        _as(manager_a),
        "post",
        API,
        {"name": "B", "trigger": "birthday", "kind": "birthday", "offset_minutes": 0,
         "location": str(world.location_b.pk)},
    )  # fmt: skip
    assert answer.status_code == 404
    assert ReminderRule.objects.count() == 2


def test_the_outsider_sees_none_of_the_rules(world, outsider):
    rule(world.org, Trigger.BIRTHDAY, 0)

    answer = _as(outsider).get(API)

    assert answer.status_code == 200
    assert answer.json() == {"items": [], "count": 0}


def test_anonymous_is_401(world):
    assert _as(None).get(API).status_code == 401


def test_the_rule_list_takes_a_fixed_number_of_queries(world, manager_a, django_assert_num_queries):
    for offset in range(1, 6):
        rule(
            world.org,
            Trigger.APPOINTMENT,
            -offset * HOUR,
            appointment_type=appointment_type(world.org, f"T{offset}"),
        )
    http = _as(manager_a)
    http.get(API)  # session and capabilities warmed up

    # the request's own nine (session, user, location, MFA, capabilities, the session saved
    # in a savepoint), then the count and the page, whatever the number of rules
    with django_assert_num_queries(11):
        answer = http.get(f"{API}?limit=3")

    assert answer.json()["count"] == 5
    assert len(answer.json()["items"]) == 3


def test_recommended_and_preview_through_the_api(world, manager_a):
    http = _as(manager_a)

    added = http.post(f"{API}/recommended")
    again = http.post(f"{API}/recommended")
    some = ReminderRule.objects.get(trigger="birthday")
    preview = http.get(f"{API}/{some.pk}/preview")

    assert (added.status_code, len(added.json())) == (201, 8)
    assert (again.status_code, again.json()) == (201, [])
    assert preview.status_code == 200
    assert preview.json() == {"count": 0, "items": []}


# ---------------------------------------------------------------- screens


def test_a_manager_sees_the_rules_screen(world, manager_a):
    rule(world.org, Trigger.APPOINTMENT, -48 * HOUR, name="Cita: 48 horas antes")

    page = _as(manager_a).get("/messages/rules/")

    assert page.status_code == 200
    text = page.content.decode()
    assert "Cita: 48 horas antes" in text
    assert "2 days before" in text
    assert "Create the recommended rules" in text


@pytest.mark.parametrize(("who", "status"), [("vet_a", 403), ("receptionist_a", 403)])
def test_staff_without_messages_manage_get_403(world, people, who, status):
    assert _as(people[who]).get("/messages/rules/").status_code == status


def test_a_rule_of_another_organization_is_404_on_screens(world, outsider):
    reminder = rule(world.org, Trigger.BIRTHDAY, 0)

    for path in (f"/messages/rules/{reminder.pk}/", f"/messages/rules/{reminder.pk}/preview/"):
        assert _as(outsider).get(path).status_code == 404
    answer = _as(outsider).post(f"/messages/rules/{reminder.pk}/deactivate/")

    assert answer.status_code == 404
    reminder.refresh_from_db()
    assert reminder.is_active is True


def test_a_manager_adds_a_rule_with_the_form(world, manager_a):
    http = _as(manager_a)
    assert http.get("/messages/rules/new/").status_code == 200

    answer = http.post(
        "/messages/rules/new/",
        {
            "name": "Vacuna: 3 días antes",
            "trigger": "vaccine_due",
            "kind": "vaccine_due",
            "amount": "3",
            "unit": "days",
            "direction": "before",
            "channel": "",
            "species": "dog",
            "visit_type": "",
            "is_active": "on",
        },
    )

    assert answer.status_code == 302
    made = ReminderRule.objects.get()
    assert (made.name, made.offset_minutes, made.species, made.is_active) == (
        "Vacuna: 3 días antes",
        -3 * DAY,
        "dog",
        True,
    )


def test_the_form_shows_the_services_errors_and_writes_nothing(world, manager_a):
    answer = _as(manager_a).post(
        "/messages/rules/new/",
        {
            "name": "Cita después",
            "trigger": "appointment",
            "kind": "appointment_reminder",
            "amount": "2",
            "unit": "hours",
            "direction": "after",
        },
    )

    assert answer.status_code == 422
    assert "An appointment reminder goes out before the appointment." in answer.content.decode()
    assert ReminderRule.objects.count() == 0


def test_a_manager_edits_deactivates_previews_and_adds_the_recommended(world, manager_a):
    http = _as(manager_a)
    reminder = rule(world.org, Trigger.APPOINTMENT, -48 * HOUR, name="Cita")

    edit_page = http.get(f"/messages/rules/{reminder.pk}/")
    edited = http.post(
        f"/messages/rules/{reminder.pk}/",
        {
            "name": "Cita: un día antes",
            "trigger": "appointment",
            "kind": "appointment_reminder",
            "amount": "1",
            "unit": "days",
            "direction": "before",
            "is_active": "on",
        },
    )
    preview = http.get(f"/messages/rules/{reminder.pk}/preview/")
    deactivated = http.post(f"/messages/rules/{reminder.pk}/deactivate/")
    recommended = http.post("/messages/rules/recommended/")

    assert edit_page.status_code == 200
    assert 'value="2"' in edit_page.content.decode()  # 48 hours shown as 2 days
    assert edited.status_code == 302
    assert preview.status_code == 200
    assert "would remind 0 owners" in preview.content.decode()
    assert deactivated.status_code == 302
    assert recommended.status_code == 302
    reminder.refresh_from_db()
    assert (reminder.name, reminder.offset_minutes, reminder.is_active) == (
        "Cita: un día antes",
        -DAY,
        False,
    )
    assert ReminderRule.objects.count() == 9


def test_the_demo_step_adds_the_recommended_rules_in_spanish_once(world, admin):
    from vetrisys.config.demo import DemoContext, _reminder_rules

    context = DemoContext(organization=world.org, admin=admin)
    _reminder_rules(context)
    _reminder_rules(context)

    assert ReminderRule.objects.filter(organization=world.org).count() == 8
    assert ReminderRule.objects.filter(name="Cumpleaños", trigger="birthday").count() == 1
