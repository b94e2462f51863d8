"""Services of tenancy and people: organizations, privilege escalation, deactivation."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from conftest import World
from vetrisys.accounts.capabilities import BuiltinRole
from vetrisys.accounts.models import (
    ApiToken,
    Location,
    Organization,
    Role,
    StaffMembership,
    User,
)
from vetrisys.accounts.services import (
    MembershipSpec,
    api_token_authenticate,
    api_token_issue,
    location_update,
    organization_create,
    role_create,
    staff_create,
    staff_update,
)
from vetrisys.accounts.tests.factories import PASSWORD
from vetrisys.audit.models import AuditEvent
from vetrisys.core.errors import Conflict, NotAllowed, NotAuthenticated, ValidationFailed

ADMIN_PASSWORD = "a-long-enough-password"


@pytest.fixture(autouse=True)
def _in_english() -> Iterator[None]:
    with translation.override("en"):
        yield


def _counts() -> tuple[int, ...]:
    return (
        Organization.objects.count(),
        Location.objects.count(),
        Role.objects.count(),
        User.objects.count(),
        StaffMembership.objects.count(),
        AuditEvent.objects.count(),
    )


def _people_state() -> tuple[Any, ...]:
    return (
        list(
            User.objects.order_by("pk").values_list(
                "pk", "first_name", "is_active", "password", "updated_at"
            )
        ),
        sorted(StaffMembership.objects.values_list("user_id", "location_id", "role__key")),
        AuditEvent.objects.count(),
    )


# ---------------------------------------------------------------- organization_create


def test_organization_create_makes_the_organization_its_location_roles_and_admin(
    db: None,
) -> None:
    # when
    made = organization_create(
        name="  Patitas  ",
        location_name="Surco",
        admin_username="jefa",
        admin_password=ADMIN_PASSWORD,
        time_zone="America/Bogota",
        currency="COP",
        tax_rate=Decimal("19"),
    )

    # then
    assert made.organization.name == "Patitas"
    assert (made.location.name, made.location.time_zone, made.location.currency) == (
        "Surco",
        "America/Bogota",
        "COP",
    )
    assert Location.objects.get(pk=made.location.pk).tax_rate == Decimal("19.00")
    assert sorted(
        Role.objects.filter(organization=made.organization).values_list("key", flat=True)
    ) == (sorted(str(role) for role in BuiltinRole))
    assert made.admin.organization == made.organization
    assert made.admin.check_password(ADMIN_PASSWORD)
    membership = StaffMembership.objects.get(user=made.admin)
    assert (membership.location, membership.role.key) == (made.location, "admin")
    assert made.admin.is_organization_wide() is True
    event = AuditEvent.objects.get(action="organization.create")
    assert event.organization_id == made.organization.pk
    assert event.changes == {"name": "Patitas", "location": "Surco", "admin": "jefa"}


def test_a_second_organization_shares_the_database_but_nothing_else(world: World) -> None:
    # when
    made = organization_create(
        name="Patitas", location_name="Surco", admin_username="jefa", admin_password=ADMIN_PASSWORD
    )

    # then
    assert Organization.objects.count() == 3
    assert list(Location.objects.visible_to(made.admin)) == [made.location]


@pytest.mark.parametrize("name", ["Huellitas", "HUELLITAS", " huellitas "])
def test_a_duplicate_organization_name_is_a_conflict_that_creates_nothing(
    world: World, name: str
) -> None:
    # given
    before = _counts()

    # when
    with pytest.raises(Conflict) as caught:
        organization_create(
            name=name, location_name="Surco", admin_username="jefa", admin_password=ADMIN_PASSWORD
        )

    # then
    assert caught.value.code == "organization_exists"
    assert caught.value.status == 409
    assert _counts() == before


def test_a_taken_username_is_a_conflict_that_creates_nothing(world: World, vet_a: User) -> None:
    # given
    before = _counts()

    # when
    with pytest.raises(Conflict) as caught:
        organization_create(
            name="Patitas",
            location_name="Surco",
            admin_username="Vet_A",
            admin_password=ADMIN_PASSWORD,
        )

    # then
    assert caught.value.code == "username_taken"
    assert _counts() == before


def test_a_weak_admin_password_creates_nothing(db: None) -> None:
    # when
    with pytest.raises(ValidationFailed) as caught:
        organization_create(
            name="Patitas", location_name="Surco", admin_username="jefa", admin_password="123"
        )

    # then
    assert list(caught.value.fields) == ["password"]
    assert _counts() == (0, 0, 0, 0, 0, 0)


def test_a_bad_time_zone_creates_nothing(db: None) -> None:
    # when
    with pytest.raises(ValidationFailed) as caught:
        organization_create(
            name="Patitas",
            location_name="Surco",
            admin_username="jefa",
            admin_password=ADMIN_PASSWORD,
            time_zone="Mars/Olympus",
        )

    # then
    assert list(caught.value.fields) == ["time_zone"]
    assert _counts() == (0, 0, 0, 0, 0, 0)


# ---------------------------------------------------------------- privilege escalation


def test_a_manager_cannot_grant_admin(world: World, manager_a: User) -> None:
    # given
    before = _people_state()

    # when
    with pytest.raises(NotAllowed) as caught:
        staff_create(
            actor=manager_a,
            username="boss",
            password=ADMIN_PASSWORD,
            memberships=[MembershipSpec(location=world.location_a.pk, role="admin")],
        )

    # then
    assert caught.value.message == "Only an administrator can grant this role."
    assert _people_state() == before
    assert not User.objects.filter(username="boss").exists()


def test_a_manager_cannot_grant_a_role_with_organization_wide_rights(
    world: World, admin: User, manager_a: User, vet_a: User
) -> None:
    # given: a custom role holding audit.view, which a manager does not hold
    role_create(actor=admin, name="Auditor", capabilities=["audit.view", "staff.view"])
    before = _people_state()

    # when
    with pytest.raises(NotAllowed) as on_create:
        staff_create(
            actor=manager_a,
            username="auditor",
            password=ADMIN_PASSWORD,
            memberships=[MembershipSpec(location=world.location_a.pk, role="auditor")],
        )
    with pytest.raises(NotAllowed) as on_update:
        staff_update(
            actor=manager_a,
            user=vet_a,
            memberships=[MembershipSpec(location=world.location_a.pk, role="auditor")],
        )

    # then
    message = "Only an administrator can grant this role."
    assert on_create.value.message == on_update.value.message == message
    assert _people_state() == before


def test_a_manager_staffs_their_location_with_a_vet(world: World, manager_a: User) -> None:
    # when: a vet signs records, which a manager does not, yet managers hire vets
    user = staff_create(
        actor=manager_a,
        username="vet_nueva",
        password=ADMIN_PASSWORD,
        memberships=[MembershipSpec(location=world.location_a.pk, role="vet")],
    )

    # then
    assert [(m.location_id, m.role.key) for m in user.memberships.all()] == [
        (world.location_a.pk, "vet")
    ]


def test_a_manager_grants_a_role_within_their_own(world: World, manager_a: User) -> None:
    # when
    user = staff_create(
        actor=manager_a,
        username="recepcion2",
        password=ADMIN_PASSWORD,
        memberships=[MembershipSpec(location=world.location_a.pk, role="receptionist")],
    )

    # then
    assert [(m.location_id, m.role.key) for m in user.memberships.all()] == [
        (world.location_a.pk, "receptionist")
    ]


def test_a_manager_cannot_grant_at_a_location_they_do_not_manage(
    world: World, manager_a: User
) -> None:
    # given
    before = _people_state()

    # when
    with pytest.raises(ValidationFailed) as caught:
        staff_create(
            actor=manager_a,
            username="recepcion_b",
            password=ADMIN_PASSWORD,
            memberships=[MembershipSpec(location=world.location_b.pk, role="receptionist")],
        )

    # then
    assert caught.value.fields == {"memberships.0.location": ["Unknown location."]}
    assert _people_state() == before


def test_a_vet_cannot_create_staff(world: World, vet_a: User) -> None:
    # given
    before = _people_state()

    # when
    with pytest.raises(NotAllowed):
        staff_create(
            actor=vet_a,
            username="friend",
            password=ADMIN_PASSWORD,
            memberships=[MembershipSpec(location=world.location_a.pk, role="vet")],
        )

    # then
    assert _people_state() == before


def test_a_vet_cannot_change_a_location(world: World, vet_a: User) -> None:
    # when
    with pytest.raises(NotAllowed):
        location_update(actor=vet_a, location=world.location_a, name="Mine")

    # then
    assert Location.objects.get(pk=world.location_a.pk).name == "Miraflores"


# ---------------------------------------------------------------- self-change and deactivation


def test_nobody_deactivates_themselves(world: World, admin: User) -> None:
    # given
    before = _people_state()

    # when
    with pytest.raises(Conflict) as caught:
        staff_update(actor=admin, user=admin, is_active=False)

    # then
    assert caught.value.code == "self_change"
    assert _people_state() == before
    assert User.objects.get(pk=admin.pk).is_active is True


def test_nobody_changes_their_own_roles(world: World, manager_a: User) -> None:
    # given
    before = _people_state()

    # when
    with pytest.raises(Conflict):
        staff_update(
            actor=manager_a,
            user=manager_a,
            memberships=[MembershipSpec(location=world.location_a.pk, role="receptionist")],
        )

    # then
    assert _people_state() == before


def test_deactivation_revokes_every_token(world: World, admin: User, vet_a: User) -> None:
    # given
    first = api_token_issue(username="vet_a", password=PASSWORD)
    second = api_token_issue(username="vet_a", password=PASSWORD)
    assert api_token_authenticate(key=first.key) == vet_a

    # when
    staff_update(actor=admin, user=vet_a, is_active=False)

    # then
    assert ApiToken.objects.filter(user=vet_a, revoked_at__isnull=True).count() == 0
    assert api_token_authenticate(key=first.key) is None
    assert api_token_authenticate(key=second.key) is None
    event = AuditEvent.objects.get(action="staff.update", target_id=str(vet_a.pk))
    assert event.changes == {"is_active": [True, False]}
    with pytest.raises(NotAuthenticated) as refused:
        api_token_issue(username="vet_a", password=PASSWORD)
    assert refused.value.code == "invalid_credentials"
