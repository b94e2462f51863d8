"""An owner's communication history: manual entries (calls, notes) merged with what other apps
register, newest first, one page at a time.

Apps that come after clients (the notifications outbox) register a source in their
AppConfig.ready(); clients never imports them:

    from vetrisys.clients import history
    history.register(MessageHistorySource())

Each source answers at most `offset + limit` of its newest entries and, when it has that many,
its count: two queries per source per page, whatever the page.
"""

from __future__ import annotations

import datetime as dt
import heapq
import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from vetrisys.clients.models import Client


@dataclass(frozen=True)
class HistoryEntry:
    """One dated contact with an owner."""

    id: Any
    occurred_at: dt.datetime
    source: str
    kind: str
    kind_label: str
    direction: str
    direction_label: str
    subject: str = ""
    body: str = ""
    author: Any = None
    created_at: dt.datetime | None = None
    client_id: Any = None
    # Messages sent by the system: their status and why they were sent.
    status: str = ""
    status_label: str = ""
    topic: str = ""
    topic_label: str = ""
    url: str = ""
    data: dict[str, Any] = field(default_factory=dict)


class HistorySource(Protocol):
    """Something that knows a kind of entry of an owner's history."""

    @property
    def key(self) -> str:
        """Unique in the registry."""
        ...

    def newest(self, *, actor: Any, client: Client, limit: int) -> list[HistoryEntry]:
        """At most `limit` entries the actor may see, newest first."""
        ...

    def count(self, *, actor: Any, client: Client) -> int:
        """How many entries the actor may see in all."""
        ...


class CommunicationSource:
    """The entries logged by hand: calls, emails, notes."""

    key = "log"

    def _rows(self, actor: Any, client: Client) -> Any:
        from vetrisys.clients import selectors

        return selectors.communication_list(actor=actor, client=client)

    def newest(self, *, actor: Any, client: Client, limit: int) -> list[HistoryEntry]:
        return [
            HistoryEntry(
                id=row.pk,
                occurred_at=row.occurred_at,
                source=self.key,
                kind=row.kind,
                kind_label=str(row.get_kind_display()),
                direction=row.direction,
                direction_label=str(row.get_direction_display()),
                subject=row.subject,
                body=row.body,
                author=row.author,
                created_at=row.created_at,
                client_id=row.client_id,
            )
            for row in self._rows(actor, client)[:limit]
        ]

    def count(self, *, actor: Any, client: Client) -> int:
        return int(self._rows(actor, client).count())


_SOURCES: dict[str, HistorySource] = {"log": CommunicationSource()}


def register(source: HistorySource) -> HistorySource:
    """Add (or replace) a source."""
    _SOURCES[source.key] = source
    return source


def registered() -> list[HistorySource]:
    return list(_SOURCES.values())


@dataclass(frozen=True)
class HistoryPage:
    """A page of the history, newest first, and the number of entries in all."""

    items: list[HistoryEntry]
    count: int


def history_page(
    *,
    actor: Any,
    client: Client,
    limit: int,
    offset: int,
    sources: Iterable[HistorySource] | None = None,
) -> HistoryPage:
    """Entries `offset`..`offset + limit` of every source merged, newest first."""
    wanted = offset + limit
    streams: list[list[HistoryEntry]] = []
    count = 0
    for source in registered() if sources is None else sources:
        entries = source.newest(actor=actor, client=client, limit=wanted)
        streams.append(entries)
        # A source that gave fewer than asked gave everything: no need to count it.
        count += len(entries) if len(entries) < wanted else source.count(actor=actor, client=client)
    merged = heapq.merge(*streams, key=lambda e: e.occurred_at, reverse=True)
    return HistoryPage(items=list(itertools.islice(merged, offset, wanted)), count=count)


class HistoryWindow:
    """The history as a sliceable sequence, for Django's Paginator (one merge per page)."""

    def __init__(self, *, actor: Any, client: Client) -> None:
        self.actor = actor
        self.client = client
        self._count: int | None = None

    def count(self) -> int:
        if self._count is None:
            self._count = history_page(
                actor=self.actor, client=self.client, limit=1, offset=0
            ).count
        return self._count

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[HistoryEntry]:
        start = index.start or 0
        stop = index.stop if index.stop is not None else self.count()
        page = history_page(
            actor=self.actor, client=self.client, limit=max(stop - start, 0), offset=start
        )
        self._count = page.count
        return page.items
