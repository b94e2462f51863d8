"""The patient's history: a registry of sources that each contribute dated entries.

Apps that come after patients (visits, vaccinations, prescriptions, invoices) register their
own source in their AppConfig.ready(); patients never imports them:

    from vetrisys.patients import timeline
    timeline.register(timeline.QuerySetSource(
        kind="vaccination",
        capability=Capability.PATIENTS_VIEW,
        rows=lambda patient: Vaccination.objects.filter(patient=patient),
        date_field="administered_at",
        to_entry=lambda row: timeline.TimelineEntry(...),
    ))

Each source costs at most two queries per page (its newest rows, and its count when the page
is full), whatever the page size.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from django.db.models import Model, QuerySet

if TYPE_CHECKING:
    from vetrisys.accounts.capabilities import Capability
    from vetrisys.patients.models import Patient


@dataclass(frozen=True)
class TimelineEntry:
    """One dated thing that happened to a patient."""

    occurred_at: dt.datetime
    kind: str
    title: str
    detail: str = ""
    actor_name: str = ""
    object_id: str = ""
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class TimelineSource(Protocol):
    """Something that knows a kind of entry of a patient's history."""

    @property
    def kind(self) -> str:
        """The kind of entries, unique in the registry."""
        ...

    @property
    def capability(self) -> Capability | None:
        """What the reader must hold to see these entries (None: patients.view is enough)."""
        ...

    def newest(self, *, patient: Patient, limit: int) -> list[TimelineEntry]:
        """At most `limit` entries, newest first."""
        ...

    def count(self, *, patient: Patient) -> int:
        """How many entries the source has in all."""
        ...


@dataclass(frozen=True)
class QuerySetSource:
    """A source backed by one table: newest rows by a date field, mapped to entries."""

    kind: str
    rows: Callable[[Patient], QuerySet[Any]]
    date_field: str
    to_entry: Callable[[Any], TimelineEntry]
    capability: Capability | None = None

    def newest(self, *, patient: Patient, limit: int) -> list[TimelineEntry]:
        rows: Iterable[Model] = self.rows(patient).order_by(f"-{self.date_field}", "-pk")[:limit]
        return [self.to_entry(row) for row in rows]

    def count(self, *, patient: Patient) -> int:
        return self.rows(patient).count()


@dataclass(frozen=True)
class PatientSource:
    """A source computed from the patient row itself (no query)."""

    kind: str
    entries: Callable[[Patient], list[TimelineEntry]]
    capability: Capability | None = None

    def newest(self, *, patient: Patient, limit: int) -> list[TimelineEntry]:
        return sorted(self.entries(patient), key=lambda e: e.occurred_at, reverse=True)[:limit]

    def count(self, *, patient: Patient) -> int:
        return len(self.entries(patient))


_SOURCES: dict[str, TimelineSource] = {}


def register(source: TimelineSource) -> TimelineSource:
    """Add (or replace) the source of one kind of entry."""
    _SOURCES[source.kind] = source
    return source


def registered() -> list[TimelineSource]:
    """Every source, in registration order."""
    return list(_SOURCES.values())


@dataclass(frozen=True)
class TimelinePage:
    """A page of the history, newest first, and the number of entries in all."""

    items: list[TimelineEntry]
    count: int


def merge(
    sources: Iterable[TimelineSource], *, patient: Patient, limit: int, offset: int
) -> TimelinePage:
    """The entries `offset`..`offset + limit` of all sources merged, newest first."""
    wanted = offset + limit
    streams: list[list[TimelineEntry]] = []
    count = 0
    for source in sources:
        entries = source.newest(patient=patient, limit=wanted)
        streams.append(entries)
        # A source that gave fewer than asked has given everything: no need to count it.
        count += len(entries) if len(entries) < wanted else source.count(patient=patient)
    merged = heapq.merge(*streams, key=lambda e: e.occurred_at, reverse=True)
    items = list(itertools.islice(merged, offset, wanted))
    return TimelinePage(items=items, count=count)
