"""The demo clinic: a two-location organization in Peru with staff of every built-in role.

Loading is idempotent: each step looks for what it would create and creates only what is
missing, always through the services, so running `vetrisys demo` twice creates nothing twice
and the audit log tells the same story as for a real clinic.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import BUILTIN_ROLE_NAMES, BuiltinRole
from vetrisys.accounts.models import Location, Organization, Room, User
from vetrisys.accounts.services import (
    MembershipSpec,
    location_create,
    location_update,
    organization_create,
    organization_update,
    room_create,
    staff_create,
    staff_update,
)
from vetrisys.core.errors import Conflict
from vetrisys.records import demo as records_demo

DEMO_ORGANIZATION = "Veterinaria Huellitas"
DEMO_PASSWORD = "vetrisys-demo"
DEMO_URL = "http://127.0.0.1:8000/"


@dataclass(frozen=True)
class DemoLocation:
    """A site of the demo organization and its rooms."""

    name: str
    address: str
    phone: str
    rooms: tuple[tuple[str, Room.Kind], ...]
    time_zone: str = "America/Lima"
    currency: str = "PEN"
    tax_rate: Decimal = Decimal("18.00")


@dataclass(frozen=True)
class DemoStaff:
    """A demo login: who they are, their role and where they work."""

    username: str
    first_name: str
    last_name: str
    role: BuiltinRole
    location: str

    @property
    def email(self) -> str:
        return f"{self.username.replace('.', '-')}@huellitas.example.pe"


LOCATIONS: tuple[DemoLocation, ...] = (
    DemoLocation(
        name="Miraflores",
        address="Av. José Larco 812, Miraflores, Lima",
        phone="+51 1 445 2211",
        rooms=(
            ("Consultorio 1", Room.Kind.EXAM),
            ("Consultorio 2", Room.Kind.EXAM),
            ("Quirófano", Room.Kind.SURGERY),
            ("Rayos X y ecografía", Room.Kind.IMAGING),
        ),
    ),
    DemoLocation(
        name="Arequipa",
        address="Calle Mercaderes 214, Cercado, Arequipa",
        phone="+51 54 281 930",
        rooms=(
            ("Consultorio 1", Room.Kind.EXAM),
            ("Quirófano", Room.Kind.SURGERY),
            ("Ecografía", Room.Kind.IMAGING),
        ),
    ),
)

# The first entry is the organization's administrator, created with the organization.
STAFF: tuple[DemoStaff, ...] = (
    DemoStaff("admin", "Rosa", "Quispe Mamani", BuiltinRole.ADMIN, "Miraflores"),
    DemoStaff("manager", "Jorge", "Huamán Torres", BuiltinRole.MANAGER, "Miraflores"),
    DemoStaff("vet", "Lucía", "Flores Rojas", BuiltinRole.VET, "Miraflores"),
    DemoStaff("technician", "Milagros", "Chávez Ramos", BuiltinRole.TECHNICIAN, "Miraflores"),
    DemoStaff("receptionist", "Diego", "Ramírez Soto", BuiltinRole.RECEPTIONIST, "Miraflores"),
    DemoStaff("pharmacist", "Carmen", "Vargas Paredes", BuiltinRole.PHARMACIST, "Miraflores"),
    DemoStaff("cashier", "Luis", "Mendoza Castillo", BuiltinRole.CASHIER, "Miraflores"),
    DemoStaff("vet.arequipa", "Carlos", "Condori Apaza", BuiltinRole.VET, "Arequipa"),
    DemoStaff("receptionist.arequipa", "Ana", "Ccama Huanca", BuiltinRole.RECEPTIONIST, "Arequipa"),
)


@dataclass(frozen=True)
class DemoLogin:
    """One line of the table `vetrisys demo` prints."""

    username: str
    password: str
    role: str
    location: str


@dataclass
class DemoContext:
    """What the steps share: the organization, its admin (the actor) and its locations."""

    organization: Organization
    admin: User
    locations: dict[str, Location] = field(default_factory=dict)


def _organization() -> DemoContext:
    organization = Organization.objects.filter(name=DEMO_ORGANIZATION).first()
    admin_spec = STAFF[0]
    if organization is None:
        first = LOCATIONS[0]
        created = organization_create(
            name=DEMO_ORGANIZATION,
            location_name=first.name,
            admin_username=admin_spec.username,
            admin_password=DEMO_PASSWORD,
            time_zone=first.time_zone,
            currency=first.currency,
            tax_rate=first.tax_rate,
        )
        admin = created.admin
        staff_update(
            actor=admin,
            user=admin,
            first_name=admin_spec.first_name,
            last_name=admin_spec.last_name,
            email=admin_spec.email,
        )
        organization_update(
            actor=admin,
            organization=created.organization,
            legal_name="Huellitas Servicios Veterinarios S.A.C.",
            tax_id="20601234567",
        )
        location_update(
            actor=admin, location=created.location, address=first.address, phone=first.phone
        )
        return DemoContext(organization=created.organization, admin=admin)
    existing = User.objects.filter(organization=organization, username=admin_spec.username).first()
    if existing is None:
        raise Conflict(
            _("The organization %(name)s exists but has no user %(username)s.")
            % {"name": DEMO_ORGANIZATION, "username": admin_spec.username},
            code="demo_incomplete",
        )
    return DemoContext(organization=organization, admin=existing)


def _locations(context: DemoContext) -> None:
    for spec in LOCATIONS:
        location = Location.objects.filter(
            organization=context.organization, name=spec.name
        ).first()
        if location is None:
            location = location_create(
                actor=context.admin,
                name=spec.name,
                time_zone=spec.time_zone,
                currency=spec.currency,
                tax_rate=spec.tax_rate,
                address=spec.address,
                phone=spec.phone,
            )
        context.locations[spec.name] = location


def _rooms(context: DemoContext) -> None:
    for spec in LOCATIONS:
        location = context.locations[spec.name]
        for name, kind in spec.rooms:
            if not Room.objects.filter(location=location, name=name).exists():
                room_create(actor=context.admin, location=location, name=name, kind=kind)


def _staff(context: DemoContext) -> None:
    for spec in STAFF[1:]:
        existing = User.objects.filter(username__iexact=spec.username).first()
        if existing is not None:
            if existing.organization_id != context.organization.pk:
                raise Conflict(
                    _("The username %(username)s is taken by another organization.")
                    % {"username": spec.username},
                    code="username_taken",
                )
            continue
        staff_create(
            actor=context.admin,
            username=spec.username,
            password=DEMO_PASSWORD,
            memberships=[
                MembershipSpec(location=context.locations[spec.location].pk, role=spec.role)
            ],
            first_name=spec.first_name,
            last_name=spec.last_name,
            email=spec.email,
        )


def _owners_and_pets(context: DemoContext) -> None:
    from vetrisys.clients import demo as clients_demo
    from vetrisys.patients import demo as patients_demo

    owners = clients_demo.load(organization=context.organization)
    patients_demo.load(organization=context.organization, clients=owners)


def _stock(context: DemoContext) -> None:
    from vetrisys.inventory import demo as inventory_demo

    inventory_demo.load(
        organization=context.organization,
        admin=context.admin,
        locations=list(context.locations.values()),
    )


def _schedule(context: DemoContext) -> None:
    from vetrisys.scheduling import demo as scheduling_demo

    scheduling_demo.load(
        organization=context.organization,
        admin=context.admin,
        locations=list(context.locations.values()),
    )


def _billing(context: DemoContext) -> None:
    from vetrisys.billing import demo as billing_demo

    billing_demo.load(
        organization=context.organization,
        admin=context.admin,
        locations=list(context.locations.values()),
    )


def _reports_history(context: DemoContext) -> None:
    from vetrisys.reporting import demo as reporting_demo

    reporting_demo.load(
        organization=context.organization,
        admin=context.admin,
        locations=list(context.locations.values()),
    )


def _messages_history(context: DemoContext) -> None:
    from vetrisys.notifications import demo as notifications_demo

    notifications_demo.load(
        organization=context.organization, locations=list(context.locations.values())
    )


def _vaccinations_and_prescriptions(context: DemoContext) -> None:
    from vetrisys.pharmacy import demo as pharmacy_demo
    from vetrisys.vaccinations import demo as vaccinations_demo

    locations = list(context.locations.values())
    vaccinations_demo.load(organization=context.organization, locations=locations)
    pharmacy_demo.load(organization=context.organization, locations=locations)


def _reminder_rules(context: DemoContext) -> None:
    from django.utils import translation

    from vetrisys.notifications.rules import rules_create_recommended

    with translation.override("es"):
        rules_create_recommended(organization=context.organization)


# Steps run in order on every load; each creates only what is missing.
STEPS: tuple[Callable[[DemoContext], None], ...] = (
    _locations,
    _rooms,
    _staff,
    _owners_and_pets,
    _stock,
    _schedule,
    records_demo.load,
    _vaccinations_and_prescriptions,
    _reminder_rules,
    _billing,
    _reports_history,
    _messages_history,
)


@transaction.atomic
def demo_load() -> list[DemoLogin]:
    """Create whatever part of the demo organization is missing; return the demo logins."""
    context = _organization()
    for step in STEPS:
        step(context)
    return [
        DemoLogin(
            username=spec.username,
            password=DEMO_PASSWORD,
            role=str(BUILTIN_ROLE_NAMES[spec.role]),
            location=spec.location,
        )
        for spec in STAFF
    ]
