"""The appointments report: counts per status and the rates, against counts made here."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from decimal import Decimal

import pytest

from vetrisys.core.errors import NotAllowed, NotFound, ValidationFailed
from vetrisys.reporting.appointments import appointment_report, appointment_totals
from vetrisys.reporting.tests.conftest import lima
from vetrisys.scheduling.models import Appointment
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory, make_appointment

DAY_1, DAY_2 = dt.date(2026, 3, 9), dt.date(2026, 3, 10)
S = Appointment.Status


@pytest.fixture
def book(world, vet_a, vet_b, pet):
    consult = AppointmentTypeFactory(organization=world.org, name="Consulta")
    vaccine = AppointmentTypeFactory(organization=world.org, name="Vacunación")
    plan = [
        # location, vet, type, local day, clock, status
        ("a", vet_a, consult, DAY_1, "09:00", S.COMPLETED),
        ("a", vet_a, consult, DAY_1, "10:00", S.NO_SHOW),
        ("a", vet_a, vaccine, DAY_1, "11:00", S.CANCELLED),
        ("a", vet_a, vaccine, DAY_1, "23:30", S.COMPLETED),  # 04:30 UTC on day 2
        ("a", vet_a, consult, DAY_2, "09:00", S.SCHEDULED),
        ("a", vet_a, consult, DAY_2, "10:00", S.CHECKED_IN),
        ("b", vet_b, consult, DAY_2, "09:00", S.NO_SHOW),
        ("b", vet_b, vaccine, DAY_2, "10:00", S.COMPLETED),
        ("a", vet_a, consult, dt.date(2026, 3, 11), "09:00", S.COMPLETED),  # outside
    ]
    made = []
    for place, vet, kind, day, clock, status in plan:
        location = world.location_a if place == "a" else world.location_b
        made.append(
            make_appointment(
                location=location, vet=vet, appointment_type=kind, patient=pet,
                starts_at=lima(day, clock), status=status,
            )
        )  # fmt: skip
    return {"rows": made, "consult": consult, "vaccine": vaccine}


def test_by_day_in_the_locations_zone(book, admin):
    rows = appointment_report(actor=admin, date_from=DAY_1, date_to=DAY_2, group_by="day")

    assert [(r.key, r.total, r.completed, r.no_show, r.cancelled) for r in rows] == [
        ("2026-03-09", 4, 2, 1, 1),
        ("2026-03-10", 4, 1, 1, 0),
    ]
    # Day 1: one no-show of three not cancelled; one cancelled of four.
    assert (rows[0].no_show_rate, rows[0].cancellation_rate) == (Decimal("33.33"), Decimal("25.00"))
    assert (rows[1].no_show_rate, rows[1].cancellation_rate) == (Decimal("25.00"), Decimal("0.00"))


@pytest.mark.parametrize("group_by", ["day", "vet", "type", "status"])
def test_every_grouping_counts_the_same_appointments(book, admin, group_by):
    inside = [a for a in book["rows"] if a.starts_at < lima(dt.date(2026, 3, 11), "00:00")]
    expected = Counter(a.status for a in inside)

    rows = appointment_report(actor=admin, date_from=DAY_1, date_to=DAY_2, group_by=group_by)

    assert sum(r.total for r in rows) == len(inside) == 8
    for status in S.values:
        assert sum(getattr(r, status) for r in rows) == expected[status]
    totals = appointment_totals(
        organization_id=admin.organization_id,
        location_ids=[book["rows"][0].location_id, book["rows"][6].location_id],
        date_from=DAY_1,
        date_to=DAY_2,
    )
    assert (totals.total, totals.no_show, totals.cancelled, totals.completed) == (8, 2, 1, 3)
    assert (totals.no_show_rate, totals.cancellation_rate) == (Decimal("28.57"), Decimal("12.50"))


def test_labels_of_vets_types_and_statuses(book, admin, vet_a, vet_b):
    vet_a.first_name, vet_a.last_name = "Lucía", "Ramos"
    vet_a.save(update_fields=["first_name", "last_name"])
    vet_b.first_name, vet_b.last_name = "", ""
    vet_b.save(update_fields=["first_name", "last_name"])

    by_vet = appointment_report(actor=admin, date_from=DAY_1, date_to=DAY_2, group_by="vet")
    # The vet's full name; the username of one who has none.
    assert [(r.key, r.label, r.total) for r in by_vet] == [
        (str(vet_a.pk), "Lucía Ramos", 6), (str(vet_b.pk), vet_b.username, 2),
    ]  # fmt: skip
    by_type = appointment_report(actor=admin, date_from=DAY_1, date_to=DAY_2, group_by="type")
    assert [(r.label, r.total, r.no_show) for r in by_type] == [
        ("Consulta", 5, 2), ("Vacunación", 3, 0),
    ]  # fmt: skip
    by_status = appointment_report(actor=admin, date_from=DAY_1, date_to=DAY_2, group_by="status")
    assert [(r.key, r.label, r.total) for r in by_status] == [
        ("scheduled", "Scheduled", 1), ("checked_in", "Checked in", 1),
        ("completed", "Completed", 3), ("cancelled", "Cancelled", 1), ("no_show", "No-show", 2),
    ]  # fmt: skip


def test_a_manager_counts_their_location_only(book, manager_a, world):
    rows = appointment_report(actor=manager_a, date_from=DAY_1, date_to=DAY_2, group_by="status")
    assert sum(r.total for r in rows) == 6
    with pytest.raises(NotFound):
        appointment_report(
            actor=manager_a, date_from=DAY_1, date_to=DAY_2, group_by="day",
            location=world.location_b,
        )  # fmt: skip


@pytest.mark.parametrize("name", ["vet_a", "vet_b", "receptionist_a"])
def test_staff_without_reports_view_are_refused(people, name):
    with pytest.raises(NotAllowed):
        appointment_report(actor=people[name], date_from=DAY_1, date_to=DAY_2, group_by="day")


def test_a_bad_grouping_is_invalid(admin):
    with pytest.raises(ValidationFailed) as error:
        appointment_report(actor=admin, date_from=DAY_1, date_to=DAY_2, group_by="room")
    assert list(error.value.extra["fields"]) == ["group_by"]
