"""Demo history for the dashboards: at every location, one or two sales a day (not on
Sundays) from the first of last month to yesterday and on the same days of this month a year
ago, most paid the same day; and past appointments until three days ago, mostly completed,
some no-shows and cancellations. So the dashboard has a month to compare with and charts
with a shape.

Sales go through the billing services and are then dated back; past appointments are written
as rows (the booking services refuse the past). Idempotent: nothing is added once the
history's invoices exist.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from zoneinfo import ZoneInfo

from vetrisys.accounts.models import Location, Organization, StaffMembership, User
from vetrisys.billing import services
from vetrisys.billing.models import Invoice
from vetrisys.billing.services import LineSpec
from vetrisys.clients.models import Client
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import Product
from vetrisys.scheduling.models import Appointment, AppointmentType

HISTORY_NOTE = "Demo: historial"
SKUS = ("SRV-CONS", "SRV-VACU", "MED-AMOX250", "SRV-BANO", "SRV-ECO", "AP-NEX-M", "VAC-DHPPI")


def _days(today: dt.date) -> list[dt.date]:
    """The days of the history: last month's first to yesterday, and a year ago."""
    last_month_start = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    days = [last_month_start + dt.timedelta(days=n) for n in range((today - last_month_start).days)]
    year_ago = today.replace(day=1).replace(year=today.year - 1)
    days += [year_ago + dt.timedelta(days=n) for n in range(today.day - 1)]
    return [day for day in days if day.weekday() != 6]


def load(*, organization: Organization, admin: User, locations: list[Location]) -> None:
    """Add the history unless it is there."""
    if Invoice.objects.filter(organization=organization, notes=HISTORY_NOTE).exists():
        return
    products = list(Product.objects.filter(organization=organization, sku__in=SKUS).order_by("sku"))
    owners = list(
        Client.objects.filter(organization=organization, is_active=True)
        .prefetch_related("patients")
        .order_by("last_name", "first_name", "id")
    )
    owners = [owner for owner in owners if owner.patients.all()]
    if not products or not owners:
        return
    rng = random.Random(11)
    for location in sorted(locations, key=lambda loc: loc.name):
        _sales(organization, admin, location, products, owners, rng)
        _appointments(organization, location, owners, rng)


def _sales(
    organization: Organization,
    admin: User,
    location: Location,
    products: list[Product],
    owners: list[Client],
    rng: random.Random,
) -> None:
    zone = ZoneInfo(location.time_zone)
    for day in _days(today_in(location.time_zone)):
        for _ in range(rng.randint(1, 2)):
            owner = rng.choice(owners)
            lines = [
                LineSpec(product=product, quantity=Decimal(rng.randint(1, 2)))
                for product in rng.sample(products, k=rng.randint(1, 2))
            ]
            invoice = services.invoice_create(
                actor=admin, location=location, client=owner,
                patient=owner.patients.all()[0], lines=lines, notes=HISTORY_NOTE,
            )  # fmt: skip
            invoice = services.invoice_issue(actor=admin, invoice=invoice)
            at = dt.datetime.combine(day, dt.time(rng.randint(9, 18), rng.randint(0, 59)), zone)
            Invoice.objects.filter(pk=invoice.pk).update(issued_at=at, created_at=at)
            services.revenue_shares_rebuild(invoice_ids=[invoice.pk])
            if rng.random() < 0.9:
                services.payment_record(
                    actor=admin, invoice=invoice, amount=invoice.balance, method="cash",
                    received_at=at + dt.timedelta(minutes=5),
                )  # fmt: skip


def _appointments(
    organization: Organization, location: Location, owners: list[Client], rng: random.Random
) -> None:
    vets = list(
        User.objects.filter(memberships__location=location, memberships__role__key="vet").distinct()
    ) or list(
        User.objects.filter(
            pk__in=StaffMembership.objects.filter(location=location).values("user_id")
        )
    )
    kind = AppointmentType.objects.filter(organization=organization, is_active=True).first()
    if not vets or kind is None:
        return
    zone = ZoneInfo(location.time_zone)
    rows = []
    today = today_in(location.time_zone)
    # Not the last days: the demo week (from yesterday) has its own appointments, visits
    # and charges, and the records demo gives a visit to every completed one from then on.
    for day in [day for day in _days(today) if day < today - dt.timedelta(days=2)]:
        for slot in range(rng.randint(3, 6)):
            owner = rng.choice(owners)
            starts_at = dt.datetime.combine(day, dt.time(9 + slot), zone)
            ends_at = starts_at + kind.duration
            roll = rng.random()
            status = "completed" if roll < 0.82 else ("no_show" if roll < 0.92 else "cancelled")
            cancelled_at = starts_at - dt.timedelta(days=1) if status == "cancelled" else None
            rows.append(
                Appointment(
                    organization=organization, location=location, patient=owner.patients.all()[0],
                    client=owner, vet=vets[slot % len(vets)], appointment_type=kind,
                    starts_at=starts_at, ends_at=ends_at, busy_from=starts_at, busy_until=ends_at,
                    status=status, notes=HISTORY_NOTE,
                    checked_in_at=starts_at if status == "completed" else None,
                    started_at=starts_at if status == "completed" else None,
                    completed_at=ends_at if status == "completed" else None,
                    no_show_at=ends_at if status == "no_show" else None,
                    cancelled_at=cancelled_at,
                )
            )  # fmt: skip
    Appointment.objects.bulk_create(rows)
