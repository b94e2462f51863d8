"""Panels and API sections other apps hang on a visit, without records importing them.

An app registers in its AppConfig.ready():

    from vetrisys.records import panels
    panels.register(panels.Panel(
        name="prescriptions",
        template_name="pharmacy/partials/_visit_prescriptions.html",
        context=lambda request, visit: {"prescriptions": ...},
        capability=Capability.RECORDS_VIEW,
    ))
    panels.register_section("prescriptions", lambda actor, visit: [...])

The visit page renders every panel whose capability the reader holds at the visit's location;
`GET /visits/{id}` includes every registered section under its name (an empty list if none).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vetrisys.accounts.permissions import has_capability

if TYPE_CHECKING:
    from django.http import HttpRequest

    from vetrisys.accounts.capabilities import Capability
    from vetrisys.records.models import Visit


@dataclass(frozen=True)
class Panel:
    """A block of the visit page: a template and the context it needs."""

    name: str
    template_name: str
    context: Callable[[HttpRequest, Visit], dict[str, Any]]
    capability: Capability | None = None


@dataclass(frozen=True)
class RenderedPanel:
    """A panel ready for `{% include panel.template_name with panel=panel.context %}`."""

    name: str
    template_name: str
    context: dict[str, Any]


_PANELS: dict[str, Panel] = {}
_SECTIONS: dict[str, Callable[[Any, Visit], list[dict[str, Any]]]] = {}


def register(panel: Panel) -> Panel:
    """Add (or replace) a panel of the visit page."""
    _PANELS[panel.name] = panel
    return panel


def registered() -> list[Panel]:
    """Every panel, in registration order."""
    return list(_PANELS.values())


def for_visit(request: HttpRequest, visit: Visit) -> list[RenderedPanel]:
    """The panels the reader may see, with their context."""
    return [
        RenderedPanel(panel.name, panel.template_name, panel.context(request, visit))
        for panel in _PANELS.values()
        if panel.capability is None
        or has_capability(request.user, panel.capability, visit.location_id)
    ]


def register_section(name: str, rows: Callable[[Any, Visit], list[dict[str, Any]]]) -> None:
    """Add (or replace) a list that `GET /visits/{id}` includes under `name`."""
    _SECTIONS[name] = rows


def sections_for(actor: Any, visit: Visit) -> dict[str, list[dict[str, Any]]]:
    """Every registered section of the visit."""
    return {name: rows(actor, visit) for name, rows in _SECTIONS.items()}
