"""The dashboards' figures against sums computed here from the rows themselves: appointments
by status in each location's day, invoicing of this month against the same days of last
month and of last year, receivables, no-shows, new clients, stock and vaccinations due."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from vetrisys.billing.models import Invoice, Payment
from vetrisys.billing.services import LineSpec
from vetrisys.clients.models import Client
from vetrisys.core.errors import NotAllowed
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import Lot, ReorderRule
from vetrisys.inventory.selectors import expiring_lots_at, low_stock_at
from vetrisys.inventory.tests.factories import ProductFactory, receive
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory
from vetrisys.reporting import kpis
from vetrisys.reporting.tests.conftest import lima, pay, sell
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory, make_appointment
from vetrisys.vaccinations.models import Vaccination

TODAY = dt.date(2026, 3, 18)
SANTIAGO = ZoneInfo("America/Santiago")


@dataclass
class Scene:
    """What happened at both locations around 18 March 2026."""

    invoices: list[Invoice]
    owner_new: Client


def _book(
    world: Any, location: Any, vet: Any, pet: Any, kind: Any, at: dt.datetime, status: str
) -> None:
    make_appointment(
        location=location, patient=pet, vet=vet, appointment_type=kind, starts_at=at, status=status
    )


@pytest.fixture
def scene(world, admin, vet_a, vet_b, owner, pet, consult, amoxicillin) -> Scene:
    """Location B keeps Santiago's clock (two hours ahead of Lima in March)."""
    world.location_b.time_zone = "America/Santiago"
    world.location_b.save()
    a, b = world.location_a, world.location_b
    kind = AppointmentTypeFactory(organization=world.org, duration_minutes=20)
    # Today at A, one per status and two still to come; every slot its own 20 minutes.
    statuses = ["scheduled", "scheduled", "checked_in", "in_progress", "completed",
                "no_show", "cancelled"]  # fmt: skip
    for number, status in enumerate(statuses):
        _book(world, a, vet_a, pet, kind, lima(TODAY, f"{9 + number}:00"), status)
    # 23:30 of yesterday in Lima is already today in UTC: yesterday's.
    _book(world, a, vet_a, pet, kind, lima(TODAY - dt.timedelta(days=1), "23:30"), "completed")
    # Earlier this month at A: three seen, one no-show, one cancelled.
    for day, status in [(2, "completed"), (3, "completed"), (9, "completed"),
                        (10, "no_show"), (11, "cancelled")]:  # fmt: skip
        _book(world, a, vet_a, pet, kind, lima(dt.date(2026, 3, day)), status)
    # Last month at A: the 1st-18th has two seen and one no-show; the 20th is after.
    for day, status in [(5, "completed"), (6, "completed"), (7, "no_show"), (20, "no_show")]:
        _book(world, a, vet_a, pet, kind, lima(dt.date(2026, 2, day)), status)
    # B: checked in today at 09:00 Santiago; 23:30 Santiago tonight is today there.
    b_today = dt.datetime.combine(TODAY, dt.time(9), tzinfo=SANTIAGO)
    _book(world, b, vet_b, pet, kind, b_today, "checked_in")
    _book(world, b, vet_b, pet, kind, b_today.replace(hour=23, minute=30), "scheduled")

    line = [LineSpec(product=consult, quantity=1)]  # 59.00 with tax
    two = [LineSpec(product=consult, quantity=1), LineSpec(product=amoxicillin, quantity=2)]
    invoices = [
        sell(admin, a, owner, line, issued_at=lima(TODAY, "10:00")),
        sell(admin, a, owner, two, issued_at=lima(TODAY, "11:00")),
        sell(admin, a, owner, line, issued_at=lima(dt.date(2026, 3, 2))),
        sell(admin, a, owner, two, issued_at=lima(dt.date(2026, 2, 10))),
        sell(admin, a, owner, line, issued_at=lima(dt.date(2026, 2, 25))),
        sell(admin, a, owner, two, issued_at=lima(dt.date(2025, 3, 4))),
        sell(admin, a, owner, line, issued_at=lima(dt.date(2025, 3, 25))),
        sell(admin, a, owner, line, issued_at=lima(dt.date(2024, 7, 1))),
        sell(admin, b, owner, two, issued_at=dt.datetime(2026, 3, 18, 0, 30, tzinfo=SANTIAGO)),
        # 23:30 of 17 March in Lima is 01:30 of the 18th in Santiago, yet A's day counts.
        sell(admin, a, owner, line, issued_at=lima(TODAY - dt.timedelta(days=1), "23:30")),
    ]
    pay(admin, invoices[0], "59.00", lima(TODAY, "10:05"))
    pay(admin, invoices[1], "20.00", lima(TODAY, "11:05"))
    pay(admin, invoices[3], "10.00", lima(dt.date(2026, 3, 1), "09:00"))
    for invoice in invoices[2:8]:
        if invoice is not invoices[3] and invoice is not invoices[7]:
            pay(
                admin,
                invoice,
                str(Invoice.objects.get(pk=invoice.pk).balance),
                lima(dt.date(2026, 3, 3)),
            )

    # An owner registered this month who came to A, one registered in February who came too,
    # and one registered this month who has not come yet.
    owner_new = OwnerFactory(organization=world.org, first_name="Lucía", last_name="Quispe")
    Client.objects.filter(pk=owner_new.pk).update(created_at=lima(dt.date(2026, 3, 5)))
    Client.objects.filter(pk=owner.pk).update(created_at=lima(dt.date(2026, 2, 5)))
    late = OwnerFactory(organization=world.org, first_name="Iván", last_name="Ramos")
    Client.objects.filter(pk=late.pk).update(created_at=lima(dt.date(2026, 3, 6)))
    new_pet = PatientFactory(client=owner_new, name="Luna")
    _book(world, a, vet_a, new_pet, kind, lima(dt.date(2026, 3, 12)), "completed")
    _book(
        world, b, vet_b, new_pet, kind, dt.datetime(2026, 3, 13, 10, tzinfo=SANTIAGO), "completed"
    )
    Client.objects.exclude(pk__in=[owner.pk, owner_new.pk, late.pk]).filter(
        organization=world.org
    ).update(created_at=lima(dt.date(2025, 1, 1)))
    return Scene(invoices=invoices, owner_new=owner_new)


def _local(at: dt.datetime, zone: str) -> dt.date:
    return at.astimezone(ZoneInfo(zone)).date()


def _invoiced(location: Any, date_from: dt.date, date_to: dt.date) -> Decimal:
    """Invoicing of the local days date_from..date_to, summed here."""
    return sum(
        (
            invoice.total
            for invoice in Invoice.objects.filter(location=location).exclude(status="void")
            if date_from <= _local(invoice.issued_at, location.time_zone) <= date_to
        ),
        Decimal("0.00"),
    )


def _collected(location: Any, day: dt.date) -> Decimal:
    return sum(
        (
            payment.amount
            for payment in Payment.objects.filter(location=location)
            if _local(payment.received_at, location.time_zone) == day
        ),
        Decimal("0.00"),
    )


def test_location_dashboard_counts_the_location_s_day_in_its_zone(world, manager_a, scene):
    board = kpis.location_dashboard(actor=manager_a, location=world.location_a, today=TODAY)
    totals = board.totals
    assert totals.appointments_today == {
        "scheduled": 2, "checked_in": 1, "in_progress": 1, "completed": 1, "cancelled": 1,
        "no_show": 1,
    }  # fmt: skip
    assert totals.appointments_today_total == 7
    assert totals.waiting_now == 1
    assert totals.in_consultation == 1
    # This month so far at A: today 1 completed + 1 no-show + 1 cancelled (+4 active), the
    # 17th at 23:30, the 2nd, 3rd, 9th, 10th, 11th and the new owner's 12th.
    assert totals.month_appointments == 7 + 1 + 5 + 1
    assert totals.month_cancelled == 2
    assert totals.month_no_shows == 2
    assert totals.no_show_rate == Decimal("16.67")  # 2 / 12
    assert totals.no_show_rate_last_month == Decimal("33.33")  # 1 / 3 (the 20th is later)
    assert totals.no_show_change == Decimal("-16.66")


def test_location_dashboard_revenue_matches_the_invoices(world, manager_a, scene):
    a = world.location_a
    board = kpis.location_dashboard(actor=manager_a, location=a, today=TODAY)
    totals = board.totals
    assert (
        totals.invoiced_today
        == _invoiced(a, TODAY, TODAY)
        == Decimal("59.00") + Decimal("59.00") + Decimal("2") * Decimal("12.50") * Decimal("1.18")
    )
    assert totals.collected_today == _collected(a, TODAY) == Decimal("79.00")
    month = _invoiced(a, dt.date(2026, 3, 1), TODAY)
    last_same_days = _invoiced(a, dt.date(2026, 2, 1), dt.date(2026, 2, 18))
    last_year = _invoiced(a, dt.date(2025, 3, 1), dt.date(2025, 3, 18))
    assert totals.invoiced_month == month
    assert totals.invoiced_last_month_to_date == last_same_days
    assert totals.invoiced_last_month == _invoiced(a, dt.date(2026, 2, 1), dt.date(2026, 2, 28))
    assert totals.invoiced_last_year == last_year
    assert totals.month_change == ((month - last_same_days) * 100 / last_same_days).quantize(
        Decimal("0.01")
    )
    assert totals.year_change == ((month - last_year) * 100 / last_year).quantize(Decimal("0.01"))
    unpaid = sum(
        (i.balance for i in Invoice.objects.filter(location=a, balance__gt=0)), Decimal("0.00")
    )
    assert totals.outstanding == unpaid
    assert totals.outstanding > 0


def test_revenue_chart_has_every_day_of_both_months(world, manager_a, scene):
    board = kpis.location_dashboard(actor=manager_a, location=world.location_a, today=TODAY)
    days = {point.day: point for point in board.days}
    assert len(board.days) == 31
    assert days[18].this_month == _invoiced(world.location_a, TODAY, TODAY)
    assert days[19].this_month is None  # not yet
    assert days[2].this_month == Decimal("59.00")
    assert days[3].this_month == Decimal("0.00")
    assert days[10].last_month == _invoiced(
        world.location_a, dt.date(2026, 2, 10), dt.date(2026, 2, 10)
    )
    assert days[29].last_month is None  # February 2026 has 28 days
    assert sum((p.this_month or Decimal(0) for p in board.days), Decimal(0)) == (
        board.totals.invoiced_month
    )


def test_chain_dashboard_adds_the_locations_each_in_its_zone(world, admin, scene):
    board = kpis.chain_dashboard(actor=admin, today=TODAY)
    a, b = world.location_a, world.location_b
    totals = board.totals
    assert board.is_chain
    assert [location.name for location in board.locations] == ["Arequipa Centro", "Miraflores"]
    assert totals.appointments_today_total == 7 + 2
    assert totals.waiting_now == 2
    assert totals.invoiced_today == _invoiced(a, TODAY, TODAY) + _invoiced(b, TODAY, TODAY)
    assert totals.invoiced_month == (
        _invoiced(a, dt.date(2026, 3, 1), TODAY) + _invoiced(b, dt.date(2026, 3, 1), TODAY)
    )
    assert totals.outstanding == sum(
        (i.balance for i in Invoice.objects.filter(organization=world.org, balance__gt=0)),
        Decimal("0.00"),
    )
    # The chain counts owners registered this month, whether they came or not.
    assert totals.new_clients == 2


def test_comparison_shows_each_location_and_the_chain(world, admin, scene):
    board = kpis.comparison(actor=admin, today=TODAY)
    by_name = {site.location.name: site for site in board.sites}
    a = by_name["Miraflores"]
    b = by_name["Arequipa Centro"]
    assert a.appointments_today_total == 7
    assert b.appointments_today_total == 2
    assert b.waiting_now == 1
    assert a.invoiced_today == _invoiced(world.location_a, TODAY, TODAY)
    assert b.invoiced_today == _invoiced(world.location_b, TODAY, TODAY)
    assert a.collected_today == Decimal("79.00")
    assert a.invoiced_last_month_to_date == _invoiced(
        world.location_a, dt.date(2026, 2, 1), dt.date(2026, 2, 18)
    )
    assert b.invoiced_last_year == Decimal("0.00")
    assert b.year_change is None
    # The new owner came to both: counted at both; the chain counts her once, and Iván too.
    assert (a.new_clients, b.new_clients, board.totals.new_clients) == (1, 1, 2)
    assert board.totals.invoiced_month == a.invoiced_month + b.invoiced_month
    assert board.totals.outstanding == a.outstanding + b.outstanding


def test_stock_figures_use_the_inventory_definitions(world, admin, manager_a, pharmacist_a):
    a = world.location_a
    today = today_in(a.time_zone)  # the stock services check expiry against the real date
    low, enough, unstocked = (ProductFactory(organization=world.org) for _ in range(3))
    receive(pharmacist_a, a, low, 3, lot="L-LOW")
    receive(pharmacist_a, a, enough, 50, lot="L-OK", expires_on=today + dt.timedelta(days=20))
    receive(pharmacist_a, a, enough, 5, lot="L-OLD", expires_on=today + dt.timedelta(days=1))
    Lot.objects.filter(lot_number="L-OLD").update(expires_on=today - dt.timedelta(days=1))
    receive(pharmacist_a, a, low, 1, lot="L-FAR", expires_on=today + dt.timedelta(days=400))
    for product, level in ((low, "5"), (enough, "10"), (unstocked, "1")):
        ReorderRule.objects.create(
            organization=world.org, location=a, product=product,
            reorder_level=Decimal(level), reorder_quantity=Decimal(20),
        )  # fmt: skip
    board = kpis.location_dashboard(actor=manager_a, location=a)
    assert board.totals.low_stock == len(low_stock_at(location=a)) == 2  # low, unstocked
    assert board.totals.expiring == len(expiring_lots_at(location=a, today=today)) == 2


def test_vaccinations_due_this_week_are_the_last_doses(world, admin, vet_a, owner, pet):
    a = world.location_a
    vaccine = ProductFactory(organization=world.org, name="Vacuna séxtuple", kind="vaccine")
    rabies = ProductFactory(organization=world.org, name="Vacuna antirrábica", kind="vaccine")
    other = PatientFactory(client=owner, name="Toby")
    gone = PatientFactory(client=owner, name="Rocky", deceased_on=dt.date(2026, 1, 1))

    def give(patient: Any, product: Any, on: dt.date, due: dt.date, location: Any = a) -> None:
        Vaccination.objects.create(
            organization=world.org, location=location, patient=patient, vet=vet_a,
            product=product, administered_on=on, next_due_on=due,
        )  # fmt: skip

    give(pet, vaccine, dt.date(2025, 3, 20), TODAY + dt.timedelta(days=2))  # due
    give(pet, rabies, dt.date(2025, 3, 20), TODAY)  # due today
    give(other, vaccine, dt.date(2025, 3, 20), TODAY + dt.timedelta(days=3))  # replaced:
    give(other, vaccine, dt.date(2026, 3, 1), dt.date(2027, 3, 1))
    give(other, rabies, dt.date(2025, 3, 20), TODAY + dt.timedelta(days=7))  # next week
    give(other, rabies, dt.date(2025, 3, 20), TODAY - dt.timedelta(days=1))  # overdue
    give(gone, vaccine, dt.date(2025, 3, 20), TODAY + dt.timedelta(days=1))  # deceased
    kira = PatientFactory(client=owner, name="Kira")
    give(kira, vaccine, dt.date(2025, 3, 20), TODAY + dt.timedelta(days=1), world.location_b)
    board = kpis.location_dashboard(actor=admin, location=a, today=TODAY)
    assert board.totals.vaccinations_due == 2
    sites = {s.location.name: s for s in kpis.comparison(actor=admin, today=TODAY).sites}
    assert (sites["Miraflores"].vaccinations_due, sites["Arequipa Centro"].vaccinations_due) == (
        2,
        1,
    )


def test_periods_compare_the_same_days():
    march_31 = kpis.Periods.on(dt.date(2026, 3, 31))
    assert march_31.last_month_to_date == dt.date(2026, 2, 28)
    assert march_31.last_year_to_date == dt.date(2025, 3, 31)
    leap = kpis.Periods.on(dt.date(2028, 2, 29))
    assert leap.last_year_to_date == dt.date(2027, 2, 28)
    january = kpis.Periods.on(dt.date(2027, 1, 15))
    assert (january.last_month_start, january.last_month_end) == (
        dt.date(2026, 12, 1),
        dt.date(2026, 12, 31),
    )


@pytest.mark.parametrize("name", ["vet_a", "receptionist_a", "vet_b"])
def test_location_dashboard_needs_reports_view(world, people, name):
    with pytest.raises(NotAllowed):
        kpis.location_dashboard(actor=people[name], location=world.location_a, today=TODAY)


def test_manager_sees_only_their_location(world, manager_a):
    kpis.location_dashboard(actor=manager_a, location=world.location_a, today=TODAY)
    with pytest.raises(NotAllowed):
        kpis.location_dashboard(actor=manager_a, location=world.location_b, today=TODAY)
    with pytest.raises(NotAllowed):
        kpis.location_dashboard(actor=manager_a, location=None, today=TODAY)


@pytest.mark.parametrize("name", ["manager_a", "vet_a", "receptionist_a", "vet_b"])
def test_chain_views_are_for_reports_chain_only(people, name):
    with pytest.raises(NotAllowed):
        kpis.chain_dashboard(actor=people[name], today=TODAY)
    with pytest.raises(NotAllowed):
        kpis.comparison(actor=people[name], today=TODAY)


def test_outsider_sees_nothing_of_the_organization(world, outsider, scene):
    with pytest.raises(NotAllowed):
        kpis.location_dashboard(actor=outsider, location=world.location_a, today=TODAY)
    board = kpis.chain_dashboard(actor=outsider, today=TODAY)
    assert [location.name for location in board.locations] == ["Trujillo"]
    assert board.totals.invoiced_month == Decimal("0.00")
    assert board.totals.appointments_today_total == 0


def test_queries_are_bounded_whatever_the_number_of_locations(
    world, admin, manager_a, scene, django_assert_num_queries
):
    from vetrisys.accounts.permissions import capability_map

    capability_map(admin), capability_map(manager_a)  # the request's middleware did this
    # Zones of the day series and last year, 3 sums each; appointments, receivables, new
    # clients, low stock, expiring, vaccinations.
    with django_assert_num_queries(14):
        kpis.location_dashboard(actor=manager_a, location=world.location_a, today=TODAY)
    # The same plus the locations, and the day series' three sums once more for the second
    # zone (Santiago): queries grow with the zones, never with the locations or rows.
    with django_assert_num_queries(18):
        kpis.chain_dashboard(actor=admin, today=TODAY)
    # Locations; four revenue reports by location (zones, 3 sums, names); appointments, low
    # stock, expiring, vaccinations, receivables, new clients per location and in the chain.
    with django_assert_num_queries(28):
        kpis.comparison(actor=admin, today=TODAY)
