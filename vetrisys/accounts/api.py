"""HTTP API of accounts: tokens, me, locations, rooms, staff."""

from typing import Any
from uuid import UUID

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Status
from ninja.pagination import paginate

from vetrisys.accounts import selectors, services
from vetrisys.accounts.auth import BearerToken, api_actor
from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, Room, User
from vetrisys.accounts.permissions import require
from vetrisys.accounts.schemas import (
    LocationIn,
    LocationOut,
    LocationPatch,
    MembershipIn,
    MeOut,
    RoomIn,
    RoomOut,
    StaffIn,
    StaffOut,
    StaffPatch,
    TokenIn,
    TokenOut,
)
from vetrisys.accounts.throttle import (
    token_attempt_check,
    token_attempt_failed,
    token_attempt_succeeded,
)
from vetrisys.core.api import ERRORS, ErrorOut, Pagination, patch_fields
from vetrisys.core.errors import NotAuthenticated

auth_router = Router(tags=["auth"])
router = Router(tags=["accounts"])


def _memberships(items: list[MembershipIn]) -> list[services.MembershipSpec]:
    return [services.MembershipSpec(location=item.location, role=item.role) for item in items]


# ---------------------------------------------------------------- auth


@auth_router.post(
    "/token",
    auth=None,
    response={201: TokenOut, 401: ErrorOut, 403: ErrorOut, 422: ErrorOut, 429: ErrorOut},
    summary="Exchange a username, password (and one-time code) for a bearer token",
)
def token_create(request: HttpRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    client_ip = request.META.get("REMOTE_ADDR") or "unknown"
    token_attempt_check(username=payload.username, client_ip=client_ip)
    try:
        issued = services.api_token_issue(
            username=payload.username, password=payload.password, otp_code=payload.otp_code
        )
    except NotAuthenticated as error:
        if error.code in {"invalid_credentials", "mfa_invalid"}:
            token_attempt_failed(username=payload.username, client_ip=client_ip)
        raise
    token_attempt_succeeded(username=payload.username)
    return Status(201, {"token": issued.key, "expires_at": issued.expires_at})


@auth_router.delete(
    "/token",
    auth=[BearerToken()],
    response={204: None, 401: ErrorOut},
    summary="Revoke the bearer token this request carries",
)
def token_delete(request: HttpRequest) -> Status[None]:
    actor = api_actor(request)
    services.api_token_revoke(actor=actor, token=actor.api_token)  # type: ignore[attr-defined]
    return Status(204, None)


# ---------------------------------------------------------------- me


@router.get("/me", response={200: MeOut, 401: ErrorOut}, tags=["me"])
def me(request: HttpRequest) -> dict[str, Any]:
    actor = api_actor(request)
    found = selectors.me(user=actor)
    return {
        "user": actor,
        "memberships": found["memberships"],
        "capabilities": found["capabilities"],
    }


# ---------------------------------------------------------------- locations and rooms


@router.get("/locations", response=list[LocationOut], tags=["locations"])
@paginate(Pagination)
def location_list(request: HttpRequest) -> QuerySet[Location]:
    return selectors.location_list(actor=api_actor(request))


@router.post("/locations", response={201: LocationOut, **ERRORS}, tags=["locations"])
def location_create(request: HttpRequest, payload: LocationIn) -> Status[Location]:
    fields = payload.model_dump(exclude_unset=True)
    return Status(201, services.location_create(actor=api_actor(request), **fields))


@router.get("/locations/{location_id}", response={200: LocationOut, **ERRORS}, tags=["locations"])
def location_get(request: HttpRequest, location_id: UUID) -> Location:
    return selectors.location_get(actor=api_actor(request), location_id=location_id)


@router.patch("/locations/{location_id}", response={200: LocationOut, **ERRORS}, tags=["locations"])
def location_update(request: HttpRequest, location_id: UUID, payload: LocationPatch) -> Location:
    actor = api_actor(request)
    location = selectors.location_get(actor=actor, location_id=location_id)
    return services.location_update(actor=actor, location=location, **patch_fields(payload))


@router.get(
    "/locations/{location_id}/rooms",
    response={200: list[RoomOut], **ERRORS},
    tags=["locations"],
)
@paginate(Pagination)
def room_list(request: HttpRequest, location_id: UUID) -> QuerySet[Room]:
    actor = api_actor(request)
    location = selectors.location_get(actor=actor, location_id=location_id)
    return selectors.room_list(actor=actor, location=location)


@router.post(
    "/locations/{location_id}/rooms", response={201: RoomOut, **ERRORS}, tags=["locations"]
)
def room_create(request: HttpRequest, location_id: UUID, payload: RoomIn) -> Status[Room]:
    actor = api_actor(request)
    location = selectors.location_get(actor=actor, location_id=location_id)
    room = services.room_create(
        actor=actor, location=location, name=payload.name, kind=str(payload.kind)
    )
    return Status(201, room)


# ---------------------------------------------------------------- staff


def _require_staff_view(actor: User) -> None:
    # Lacking the capability everywhere is a 403; a colleague out of sight is a 404.
    require(actor, Capability.STAFF_VIEW)


@router.get("/staff", response={200: list[StaffOut], **ERRORS}, tags=["staff"])
@paginate(Pagination)
def staff_list(request: HttpRequest) -> QuerySet[User]:
    actor = api_actor(request)
    _require_staff_view(actor)
    return selectors.staff_list(actor=actor)


@router.post("/staff", response={201: StaffOut, **ERRORS}, tags=["staff"])
def staff_create(request: HttpRequest, payload: StaffIn) -> Status[User]:
    actor = api_actor(request)
    user = services.staff_create(
        actor=actor,
        username=payload.username,
        password=payload.password,
        memberships=_memberships(payload.memberships),
        first_name=payload.first_name,
        last_name=payload.last_name,
        email=payload.email,
        language=str(payload.language),
    )
    return Status(201, selectors.staff_get(actor=actor, user_id=user.pk))


@router.get("/staff/{user_id}", response={200: StaffOut, **ERRORS}, tags=["staff"])
def staff_get(request: HttpRequest, user_id: UUID) -> User:
    actor = api_actor(request)
    _require_staff_view(actor)
    return selectors.staff_get(actor=actor, user_id=user_id)


@router.patch("/staff/{user_id}", response={200: StaffOut, **ERRORS}, tags=["staff"])
def staff_update(request: HttpRequest, user_id: UUID, payload: StaffPatch) -> User:
    actor = api_actor(request)
    _require_staff_view(actor)
    user = selectors.staff_get(actor=actor, user_id=user_id)
    fields = patch_fields(payload)
    memberships = payload.memberships if "memberships" in fields else None
    fields.pop("memberships", None)
    if "language" in fields:
        fields["language"] = str(fields["language"])
    services.staff_update(
        actor=actor,
        user=user,
        memberships=_memberships(memberships) if memberships is not None else None,
        **fields,
    )
    return selectors.staff_get(actor=actor, user_id=user.pk)
