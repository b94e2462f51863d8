"""The world the security suite runs against: the demo organization (two locations, staff of
every built-in role, a week of work) and a second organization loaded the same way, plus the
objects the demo does not make (estimates, counts, attachments, problems, a custom role, …).

Every target of the matrix is a `Site`: the same set of objects at location A (Miraflores),
at location B (Arequipa) of the same organization, and at the other organization (X)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from unittest import mock

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection

from vetrisys.accounts.models import Location, Organization, Role, User

OTHER_ORGANIZATION = "Otra Clínica"
OTHER_PREFIX = "x."
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")

# Identity name → (demo username, built-in role). vet_b works at B; outsider is the other
# organization's administrator.
IDENTITIES: dict[str, str | None] = {
    "admin": "admin",
    "manager_a": "manager",
    "vet_a": "vet",
    "technician_a": "technician",
    "receptionist_a": "receptionist",
    "pharmacist_a": "pharmacist",
    "cashier_a": "cashier",
    "vet_b": "vet.arequipa",
    "outsider": OTHER_PREFIX + "admin",
    "anonymous": None,
}


# The path parameters the world can fill (Site.values); a route with another one needs it added
# in `_site` below.
PATH_PARAMETERS = frozenset(
    {
        "location_id", "user_id", "role_id", "event_id", "client_id", "patient_id",
        "attachment_id", "species_id", "type_id", "shift_id", "appointment_id", "visit_id",
        "diagnosis_id", "procedure_id", "problem_id", "template_id", "estimate_id",
        "invoice_id", "product_id", "supplier_id", "order_id", "count_id", "vaccination_id",
        "protocol_id", "prescription_id", "lot_id", "room_id", "token", "action",
        "message_id", "rule_id", "kind", "channel", "language", "report", "job_id",
        "erasure_id",
    }
)  # fmt: skip


@dataclass
class Site:
    """The objects of one target: a location and what lives there (or in its organization)."""

    name: str  # "A", "B" or "X"
    organization: Organization
    location: Location
    values: dict[str, str] = field(default_factory=dict)  # path parameter / reference → id
    owners: dict[str, str] = field(default_factory=dict)  # path parameter → its person


@dataclass
class Identity:
    name: str
    user: User | None
    token: str | None = None


@dataclass
class MatrixWorld:
    sites: dict[str, Site]
    identities: dict[str, Identity]
    ids_by_organization: dict[str, frozenset[str]]

    def foreign_ids(self, identity: Identity) -> frozenset[str]:
        """Ids of rows that belong to an organization the identity is not in."""
        own = str(identity.user.organization_id) if identity.user else None
        return frozenset().union(
            *(ids for org, ids in self.ids_by_organization.items() if org != own)
        )


def _load_demo_twice() -> None:
    from vetrisys.config import demo

    demo.demo_load()
    staff = tuple(
        type(s)(OTHER_PREFIX + s.username, s.first_name, s.last_name, s.role, s.location)
        for s in demo.STAFF
    )
    with (
        mock.patch.object(demo, "DEMO_ORGANIZATION", OTHER_ORGANIZATION),
        mock.patch.object(demo, "STAFF", staff),
    ):
        demo.demo_load()


def _user(username: str) -> User:
    return User.objects.get(username=username)


def _site(name: str, organization: Organization, location: Location, admin: User) -> Site:
    from vetrisys.accounts.services import role_create
    from vetrisys.audit.models import AuditEvent
    from vetrisys.billing.models import Estimate, Invoice
    from vetrisys.billing.services import estimate_create
    from vetrisys.billing.services.documents import LineSpec
    from vetrisys.inventory.models import Lot, Product, PurchaseOrder, StockBalance, Supplier
    from vetrisys.inventory.services.counts import stock_count_start
    from vetrisys.inventory.services.orders import LineSpec as OrderLine
    from vetrisys.inventory.services.orders import purchase_order_create
    from vetrisys.patients.models import Species
    from vetrisys.patients.services import attachment_upload, note_add
    from vetrisys.pharmacy.models import Prescription
    from vetrisys.pharmacy.services import prescription_create
    from vetrisys.records.models import Visit
    from vetrisys.records.services.catalog import soap_template_create
    from vetrisys.records.services.clinical import problem_add
    from vetrisys.records.services.visits import visit_open
    from vetrisys.scheduling.ical import calendar_feed_rotate
    from vetrisys.scheduling.models import Appointment, AppointmentType, Shift
    from vetrisys.vaccinations.models import Vaccination
    from vetrisys.vaccinations.services import protocol_create

    index = {"A": 0, "B": 1, "X": 0}[name]
    vet = (
        User.objects.filter(
            organization=organization, memberships__location=location, memberships__role__key="vet"
        )
        .order_by("username")
        .first()
    )
    assert vet is not None, f"no vet at {location}"
    appointment = (
        Appointment.objects.filter(location=location, status=Appointment.Status.SCHEDULED)
        .order_by("starts_at")
        .first()
    )
    assert appointment is not None
    patient = appointment.patient
    visit = Visit.objects.filter(
        location=location, status=Visit.Status.OPEN, patient=patient
    ).first() or visit_open(
        actor=admin, location=location, patient=patient, vet=vet, reason="Control"
    )
    product = Product.objects.filter(
        organization=organization,
        kind="medication",
        pk__in=StockBalance.objects.filter(location=location, on_hand__gt=0).values("product_id"),
    ).order_by("name")[index]
    balance = (
        StockBalance.objects.filter(location=location, product=product, on_hand__gt=0)
        .order_by("lot__expires_on")
        .first()
    )
    assert balance is not None
    lot = Lot.objects.get(pk=balance.lot_id)
    prescription = Prescription.objects.filter(
        location=location, status=Prescription.Status.ACTIVE
    ).first() or prescription_create(
        actor=admin, visit=visit, product=product, dose="1 tableta", route="oral",
        frequency="cada 12 horas", quantity=Decimal(4), duration_days=2,
    )  # fmt: skip
    invoices = Invoice.objects.filter(
        location=location, status__in=[Invoice.Status.ISSUED, Invoice.Status.PARTIALLY_PAID]
    ).order_by("issued_at")
    invoice = invoices.filter(payment_plans__isnull=False).first() or invoices.first()
    assert invoice is not None, f"no issued invoice at {location}"
    if not invoice.payment_plans.exists():
        import datetime as dt

        from vetrisys.billing.services.plans import payment_plan_create

        payment_plan_create(
            actor=admin, invoice=invoice, installments=2, first_due_on=dt.date(2027, 1, 15)
        )
    assert invoice is not None, f"no issued invoice at {location}"
    estimate = Estimate.objects.filter(location=location).first() or estimate_create(
        actor=admin,
        location=location,
        client=patient.client,
        patient=patient,
        lines=[LineSpec(description="Consulta general", unit_price=Decimal("60.00"))],
    )
    supplier = Supplier.objects.filter(organization=organization).order_by("name")[index]
    order = PurchaseOrder.objects.filter(location=location).first() or purchase_order_create(
        actor=admin,
        location=location,
        supplier=supplier,
        lines=[OrderLine(product=product, quantity=Decimal(10), unit_cost=Decimal("2.00"))],
    )
    count = stock_count_start(actor=admin, location=location, note="Conteo de prueba")
    dog = Species.objects.get(organization=None, code="dog")
    attachment = attachment_upload(
        actor=admin,
        patient=patient,
        file=SimpleUploadedFile("placa.png", PNG),
        kind="xray",
        description="Placa de tórax",
    )
    note_add(actor=admin, patient=patient, text="Muerde al tomar la temperatura.")
    problem = problem_add(actor=admin, patient=patient, free_text="Otitis externa")
    template = soap_template_create(
        actor=admin, name=f"Plantilla {name}", visit_type="consultation", subjective="Motivo"
    )
    protocol = protocol_create(
        actor=admin, species=dog, name_es=f"Vacuna de prueba {name}", min_age_weeks=8
    )
    role = role_create(
        actor=admin, name=f"Recepción reducida {name}", capabilities=["clients.view"]
    )
    feed = calendar_feed_rotate(actor=vet)
    vaccination = Vaccination.objects.filter(location=location).first()
    if vaccination is None:
        import datetime as dt

        from vetrisys.vaccinations.services import vaccination_record

        vaccine = Product.objects.filter(organization=organization, kind="vaccine").first()
        assert vaccine is not None
        vaccination = vaccination_record(
            actor=admin, patient=patient, product=vaccine, location=location,
            administered_on=dt.date(2026, 1, 10), lot="L-SEG-1",
            lot_expires_on=dt.date(2027, 1, 1), vet=vet,
        )  # fmt: skip
    appointment_type = AppointmentType.objects.filter(organization=organization).order_by("name")[
        index
    ]
    shift = Shift.objects.filter(location=location).first()
    assert shift is not None
    event = AuditEvent.objects.filter(organization=organization, location=location).first()
    assert event is not None
    diagnosis = visit.diagnoses.first()
    if diagnosis is None:
        from vetrisys.records.services.clinical import diagnosis_add

        diagnosis = diagnosis_add(actor=admin, visit=visit, free_text="Otitis")
    procedure = visit.procedures.first()
    if procedure is None:
        from vetrisys.records.services.procedures import procedure_add

        service = Product.objects.filter(organization=organization, kind="service").first()
        assert service is not None
        procedure = procedure_add(actor=admin, visit=visit, product=service)
    values = {
        **_later_apps(name, organization, location, admin, patient),
        "location_id": location.pk,
        "user_id": vet.pk,
        "role_id": role.pk,
        "event_id": event.pk,
        "client_id": patient.client_id,
        "patient_id": patient.pk,
        "attachment_id": attachment.pk,
        "species_id": dog.pk,
        "type_id": appointment_type.pk,
        "shift_id": shift.pk,
        "appointment_id": appointment.pk,
        "visit_id": visit.pk,
        "diagnosis_id": diagnosis.pk,
        "procedure_id": procedure.pk,
        "problem_id": problem.pk,
        "template_id": template.pk,
        "estimate_id": estimate.pk,
        "invoice_id": invoice.pk,
        "product_id": product.pk,
        "supplier_id": supplier.pk,
        "order_id": order.pk,
        "count_id": count.pk,
        "vaccination_id": vaccination.pk,
        "protocol_id": protocol.pk,
        "prescription_id": prescription.pk,
        "lot_id": lot.pk,
        "room_id": appointment.room_id or location.rooms.first().pk,  # type: ignore[union-attr]
        "token": feed.token,
        "action": "check-in",
    }
    assert set(values) == PATH_PARAMETERS, set(values) ^ PATH_PARAMETERS
    site = Site(name, organization, location, {k: str(v) for k, v in values.items()})
    # Objects of one person: only they may reach them.
    site.owners = {"job_id": admin.username}
    return site


def _later_apps(
    name: str, organization: Organization, location: Location, admin: User, patient: Any
) -> dict[str, Any]:
    """Objects of the notifications, reporting and privacy apps."""
    import datetime as dt

    from django.utils import timezone

    from vetrisys.notifications.models import Message, ReminderRule
    from vetrisys.notifications.services.outbox import message_queue
    from vetrisys.privacy.models import ErasureRecord
    from vetrisys.reporting.models import ExportJob

    message = Message.objects.filter(location=location).first() or message_queue(
        organization=organization,
        client=patient.client,
        patient=patient,
        location=location,
        kind="general",
        idempotency_key=f"security-world-{name}",
        scheduled_for=timezone.now() + dt.timedelta(days=2),
        context={},
        channel="email",
    )
    if message is None:
        message = Message.objects.filter(organization=organization).first()
    assert message is not None, f"no message at {location}"
    rule = (
        ReminderRule.objects.filter(organization=organization, location=location).first()
        or ReminderRule.objects.filter(organization=organization).first()
    )
    assert rule is not None, f"no reminder rule in {organization}"
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    stored = default_storage.save(f"exports/security-{name}.csv", ContentFile(b"fecha,total\n"))
    job = ExportJob.objects.create(
        organization=organization, requested_by=admin, report="revenue", params={},
        file_format="csv", status=ExportJob.Status.DONE, file_path=stored,
        file_name=f"ingresos-{name}.csv",
    )  # fmt: skip
    from vetrisys.clients.models import Client

    erased = (
        Client.objects.filter(organization=organization)
        .exclude(pk=patient.client_id)
        .exclude(pk__in=ErasureRecord.objects.values("client_id"))
    )
    erasure = ErasureRecord.objects.create(
        organization=organization,
        client=erased.order_by("-pk").first(),
        erased_at=timezone.now(),
        erased_by=admin,
        reason="Pedido del dueño",
    )
    return {
        "message_id": message.pk,
        "rule_id": rule.pk,
        "kind": "appointment_reminder",
        "channel": "email",
        "language": "es",
        "report": "revenue",
        "job_id": job.pk,
        "erasure_id": erasure.pk,
    }


def _ids_by_organization() -> dict[str, frozenset[str]]:
    """Every id of every organization-owned row, per organization (for the leak check)."""
    found: dict[str, set[str]] = {}
    for model in apps.get_models():
        names = {f.attname for f in model._meta.concrete_fields}
        if "organization_id" not in names or model._meta.pk is None:
            continue
        for org, pk in model._default_manager.values_list("organization_id", "pk"):
            if org is not None and UUID.fullmatch(str(pk)):
                found.setdefault(str(org), set()).add(str(pk))
    for org, pk in User.objects.values_list("organization_id", "pk"):
        if org is not None:
            found.setdefault(str(org), set()).add(str(pk))
    for org, pk in Location.objects.values_list("organization_id", "pk"):
        found.setdefault(str(org), set()).add(str(pk))
    for pk in Organization.objects.values_list("pk", flat=True):
        found.setdefault(str(pk), set()).add(str(pk))
    return {org: frozenset(ids) for org, ids in found.items()}


def build_world() -> MatrixWorld:
    """Load both organizations and pick the objects of each site (inside the caller's
    transaction)."""
    from vetrisys.accounts.services import api_token_issue
    from vetrisys.config.demo import DEMO_ORGANIZATION, DEMO_PASSWORD

    _load_demo_twice()
    org = Organization.objects.get(name=DEMO_ORGANIZATION)
    other = Organization.objects.get(name=OTHER_ORGANIZATION)
    admin = _user("admin")
    other_admin = _user(OTHER_PREFIX + "admin")
    sites = {
        "A": _site("A", org, Location.objects.get(organization=org, name="Miraflores"), admin),
        "B": _site("B", org, Location.objects.get(organization=org, name="Arequipa"), admin),
        "X": _site(
            "X", other, Location.objects.get(organization=other, name="Miraflores"), other_admin
        ),
    }
    identities = {}
    for name, username in IDENTITIES.items():
        if username is None:
            identities[name] = Identity(name, None)
            continue
        user = _user(username)
        token = api_token_issue(username=username, password=DEMO_PASSWORD).key
        identities[name] = Identity(name, user, token)
    assert Role.objects.filter(organization=org).exists()
    assert connection.in_atomic_block
    return MatrixWorld(sites, identities, _ids_by_organization())


def role_key(identity: Identity) -> str:
    """The identity's built-in role (for the report)."""
    if identity.user is None:
        return "anonymous"
    membership = identity.user.memberships.select_related("role").first()  # type: ignore[attr-defined]
    return str(membership.role.key) if membership else "-"


def describe(value: Any) -> str:
    return str(value)
