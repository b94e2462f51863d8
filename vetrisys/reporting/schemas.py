"""Ninja schemas of the reports API (money as decimal strings, rates in percent)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Literal

from ninja import Schema
from pydantic import Field

ExportFormat = Literal["json", "csv", "xlsx"]


class PageQuery(Schema):
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)
    format: ExportFormat = Field(
        "json", description="json (default), or csv / xlsx for the whole report as a download"
    )


class PeriodQuery(PageQuery):
    date_from: dt.date
    date_to: dt.date
    location: str | None = Field(None, description="a location id; every visible one if absent")


class RevenueQuery(PeriodQuery):
    group_by: str = Field("day", description="day, month, location, vet or service")


class AppointmentsQuery(PeriodQuery):
    group_by: str = Field("day", description="day, vet, type or status")


class TopItemsQuery(PeriodQuery):
    kind: str = Field("all", description="all, services or products")
    order: str = Field("revenue", description="revenue or quantity")


class DayQuery(PageQuery):
    on: dt.date | None = Field(None, description="the day the figures are for (today)")
    location: str | None = None


class RetentionQuery(DayQuery):
    months: int = Field(12, ge=1, le=120, description="the window of activity, in months")


class RevenueRowOut(Schema):
    key: str
    label: str
    invoiced: Decimal
    credited: Decimal
    collected: Decimal
    outstanding: Decimal


class RevenueTotalsOut(Schema):
    invoiced: Decimal
    credited: Decimal
    collected: Decimal
    outstanding: Decimal


class RevenueOut(Schema):
    date_from: dt.date
    date_to: dt.date
    group_by: str
    count: int
    items: list[RevenueRowOut]
    totals: RevenueTotalsOut


class AppointmentCountsOut(Schema):
    total: int
    scheduled: int
    checked_in: int
    in_progress: int
    completed: int
    cancelled: int
    no_show: int
    no_show_rate: Decimal
    cancellation_rate: Decimal


class AppointmentRowOut(AppointmentCountsOut):
    key: str
    label: str


class AppointmentsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    group_by: str
    count: int
    items: list[AppointmentRowOut]
    totals: AppointmentCountsOut


class ComplianceRowOut(Schema):
    location_id: str
    location: str
    species_id: str
    species: str
    patients: int
    patients_due: int
    patients_overdue: int
    vaccines_due: int
    vaccines_overdue: int
    compliance_rate: Decimal


class ComplianceOut(Schema):
    on: dt.date
    due_within_days: int
    count: int
    items: list[ComplianceRowOut]


class ItemRowOut(Schema):
    product_id: str
    name: str
    kind: str
    quantity: Decimal
    invoices: int
    net: Decimal
    revenue: Decimal


class TopItemsOut(Schema):
    date_from: dt.date
    date_to: dt.date
    kind: str
    order: str
    count: int
    items: list[ItemRowOut]


class RetentionRowOut(Schema):
    location_id: str
    location: str
    active: int
    lapsed: int
    new: int
    returning: int
    retention_rate: Decimal


class RetentionOut(Schema):
    on: dt.date
    months: int
    count: int
    items: list[RetentionRowOut]
    total: RetentionRowOut
