"""HTTP API of the audit log (administrators)."""

from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router
from ninja.pagination import paginate

from vetrisys.audit import selectors
from vetrisys.audit.models import AuditEvent
from vetrisys.audit.schemas import AuditEventOut, AuditFilter
from vetrisys.core.api import ErrorOut, Pagination

router = Router(tags=["audit"])

ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 422: ErrorOut}


@router.get("", response={200: list[AuditEventOut], **ERRORS})
@paginate(Pagination)
def audit_event_list(request: HttpRequest, filters: Query[AuditFilter]) -> QuerySet[AuditEvent]:
    return selectors.audit_event_list(
        actor=request.auth,  # type: ignore[attr-defined]
        target=filters.target,
        actor_id=filters.actor,
        action=filters.action,
        date_from=filters.date_from,
        date_to=filters.date_to,
    )


@router.get("/{event_id}", response={200: AuditEventOut, **ERRORS})
def audit_event_get(request: HttpRequest, event_id: UUID) -> AuditEvent:
    return selectors.audit_event_get(
        actor=request.auth,  # type: ignore[attr-defined]
        event_id=event_id,
    )
