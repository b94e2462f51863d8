"""The due-date arithmetic of a vaccine protocol, free of the database.

A dose is part of the primary series while the animal is younger than the series end age
(puppies and kittens: every 2-4 weeks until 16 weeks or older) or while fewer than the
protocol's primary doses have been given. The dose that completes the series is followed by
the first booster (when the protocol has one), and every later dose by the adult interval.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum


class Phase(StrEnum):
    """Where a dose stands in a protocol."""

    PRIMARY = "primary"
    SERIES_COMPLETE = "series_complete"
    BOOSTER = "booster"


class Status(StrEnum):
    """How a patient stands with one vaccine on a given day."""

    OK = "ok"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class Rules:
    """The numbers of a protocol the arithmetic needs."""

    primary_doses: int = 1
    primary_interval_weeks: int = 4
    series_end_age_weeks: int | None = None
    first_booster_months: int | None = None
    booster_interval_months: int | None = None


@dataclass(frozen=True)
class Dose:
    """One computed dose: its number, its phase and when the next is due."""

    number: int
    phase: Phase
    next_due_on: dt.date | None


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has fewer days)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def age_in_weeks(birth_date: dt.date | None, on: dt.date) -> int | None:
    """Whole weeks of age on a day, or None when the birth date is unknown."""
    if birth_date is None:
        return None
    return (on - birth_date).days // 7


def next_dose(
    rules: Rules, *, birth_date: dt.date | None, earlier: Sequence[Phase], given_on: dt.date
) -> Dose:
    """The dose given on `given_on`, after the doses of phases `earlier` (oldest first)."""
    number = len(earlier) + 1
    age = age_in_weeks(birth_date, given_on)
    young = (
        rules.series_end_age_weeks is not None
        and age is not None
        and age < rules.series_end_age_weeks
    )
    if young or number < rules.primary_doses:
        phase = Phase.PRIMARY
        next_due: dt.date | None = given_on + dt.timedelta(weeks=rules.primary_interval_weeks)
    elif all(p == Phase.PRIMARY for p in earlier):
        phase = Phase.SERIES_COMPLETE
        months = rules.first_booster_months or rules.booster_interval_months
        next_due = add_months(given_on, months) if months else None
    else:
        phase = Phase.BOOSTER
        months = rules.booster_interval_months
        next_due = add_months(given_on, months) if months else None
    return Dose(number=number, phase=phase, next_due_on=next_due)


def series(rules: Rules, *, birth_date: dt.date | None, given: Sequence[dt.date]) -> list[Dose]:
    """Every dose of a history (dates in any order), oldest first."""
    doses: list[Dose] = []
    for day in sorted(given):
        doses.append(
            next_dose(rules, birth_date=birth_date, earlier=[d.phase for d in doses], given_on=day)
        )
    return doses


def status_on(next_due_on: dt.date | None, *, today: dt.date, due_within_days: int) -> Status:
    """Overdue after the due date, due within the window before it, ok otherwise."""
    if next_due_on is None:
        return Status.OK
    if next_due_on < today:
        return Status.OVERDUE
    if next_due_on <= today + dt.timedelta(days=due_within_days):
        return Status.DUE
    return Status.OK
