import datetime as dt

import pytest
from django.test import Client as HttpClient

from vetrisys.patients.tests.factories import PatientFactory
from vetrisys.scheduling import ical, services
from vetrisys.scheduling.models import CalendarFeed
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory

pytestmark = pytest.mark.django_db


def test_folding_and_escaping():
    assert ical.escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    line = "SUMMARY:" + "ñ" * 60
    folded = ical.fold(line)
    assert all(len(part.encode()) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


def _book(world, receptionist_a, vet_a, when):
    return services.appointment_book(
        actor=receptionist_a, location=world.location_a,
        patient=PatientFactory(client__organization=world.org, name="Rocky"), vet=vet_a,
        appointment_type=AppointmentTypeFactory(organization=world.org, name="Consulta, general"),
        starts_at=when,
    )  # fmt: skip


def test_the_feed_has_stable_uids_sequences_and_cancellations(world, receptionist_a, vet_a):
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(days=3)).replace(
        hour=15, minute=0, second=0, microsecond=0
    )
    appointment = _book(world, receptionist_a, vet_a, soon)
    issued = ical.calendar_feed_rotate(actor=vet_a)
    assert CalendarFeed.objects.get(user=vet_a).token_hash == ical.token_hash(issued.token)
    http = HttpClient()
    first = http.get(f"/calendar/{issued.token}.ics")
    assert first.status_code == 200
    assert first["Content-Type"] == "text/calendar; charset=utf-8"
    text = first.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert f"UID:{appointment.pk}@testserver\r\n" in text
    assert "SEQUENCE:0\r\n" in text
    assert "SUMMARY:Consulta\\, general: Rocky\r\n" in text
    assert f"DTSTART:{soon:%Y%m%dT%H%M%SZ}\r\n" in text
    moved = services.appointment_reschedule(
        actor=receptionist_a, appointment=appointment, starts_at=soon + dt.timedelta(hours=1)
    )
    services.appointment_cancel(actor=receptionist_a, appointment=moved, reason="Rain")
    text = http.get(f"/calendar/{issued.token}.ics").content.decode()
    assert f"UID:{appointment.pk}@testserver\r\n" in text
    assert "SEQUENCE:2\r\n" in text
    assert "STATUS:CANCELLED\r\n" in text


def test_a_rotated_or_unknown_token_is_404(world, vet_a):
    old = ical.calendar_feed_rotate(actor=vet_a)
    new = ical.calendar_feed_rotate(actor=vet_a)
    http = HttpClient()
    assert http.get(f"/calendar/{old.token}.ics").status_code == 404
    assert http.get("/calendar/nonsense.ics").status_code == 404
    assert http.get(f"/calendar/{new.token}.ics").status_code == 200


def test_the_api_issues_a_feed_for_oneself(world, vet_a):
    http = HttpClient()
    http.force_login(vet_a)
    assert http.get("/api/v1/me/calendar-feed").json()["url"] is None
    response = http.post("/api/v1/me/calendar-feed")
    assert response.status_code == 201
    url = response.json()["url"]
    assert url.startswith("http://testserver/calendar/")
    assert HttpClient().get(url.removeprefix("http://testserver")).status_code == 200
