"""Demo medical records: a signed visit for every completed appointment of the demo week (a
SOAP note in Spanish, vitals, a diagnosis and the service performed, which becomes a pending
charge) and an open visit for every consultation under way today.

Idempotent: an appointment that already has its visit is left as it is; older appointments
(the dashboards' months of history) get none.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vetrisys.core.timeutil import now
from vetrisys.inventory.models import Product
from vetrisys.patients.models import WeightRecord
from vetrisys.records import services
from vetrisys.records.models import DiagnosisTerm, Visit, VisitType
from vetrisys.scheduling.models import Appointment

if TYPE_CHECKING:
    from vetrisys.config.demo import DemoContext


@dataclass(frozen=True)
class DemoCase:
    """What a demo consultation found and did."""

    subjective: str
    objective: str
    assessment: str
    plan: str
    diagnosis_code: str
    weight_kg: str
    temperature_c: str


CASES: tuple[DemoCase, ...] = (
    DemoCase(
        "Vómitos desde ayer (3 episodios), decaído, come poco. Comió restos de comida.",
        "Alerta, mucosas rosadas, TLLC < 2 s. Dolor leve a la palpación abdominal craneal.",
        "Gastroenteritis aguda por indiscreción alimentaria; sin signos de obstrucción.",
        "Dieta blanda 3 días, fluidoterapia subcutánea, control en 48 h si no mejora.",
        "DX-GI-001", "12.400", "39.2",
    ),
    DemoCase(
        "Se rasca la oreja derecha y sacude la cabeza desde hace una semana.",
        "Conducto auditivo derecho eritematoso con secreción marrón; izquierdo normal.",
        "Otitis externa derecha.",
        "Limpieza del oído, gotas óticas cada 12 h por 10 días, control en 2 semanas.",
        "DX-EAR-001", "8.750", "38.7",
    ),
    DemoCase(
        "Cojea de la pata trasera izquierda tras jugar en el parque.",
        "Claudicación grado 2/5 del miembro posterior izquierdo; cajón negativo.",
        "Osteoartritis con reagudización; descartar lesión de ligamento si persiste.",
        "Antiinflamatorio 5 días, reposo relativo, control en una semana.",
        "DX-MSK-001", "24.100", "38.5",
    ),
    DemoCase(
        "Control anual; sin molestias según el propietario.",
        "Buen estado general; sarro dental moderado; condición corporal 6/9.",
        "Enfermedad periodontal leve; sobrepeso leve.",
        "Profilaxis dental programada, ajustar la ración diaria, control en 6 meses.",
        "DX-DENT-001", "6.300", "38.4",
    ),
    DemoCase(
        "Se rasca mucho el lomo; vio pulgas en la cama.",
        "Pápulas y costras en la zona dorsolumbar; heces de pulga al peinar.",
        "Dermatitis alérgica por pulgas.",
        "Antiparasitario externo mensual, tratar el ambiente, control en 3 semanas.",
        "DX-DERM-002", "4.200", "38.6",
    ),
)  # fmt: skip

# The service of the price list performed for each kind of appointment.
SERVICE_FOR_TYPE = {
    "Vacunación": "Vacunación (aplicación)",
    "Cirugía": "Cirugía menor",
    "Ecografía": "Ecografía abdominal",
    "Baño y corte": "Baño y corte",
}
DEFAULT_SERVICE = "Consulta general"
VISIT_TYPE_FOR_TYPE = {
    "Vacunación": VisitType.VACCINATION,
    "Control": VisitType.FOLLOW_UP,
    "Cirugía": VisitType.SURGERY,
}


def load(context: DemoContext) -> None:
    """Record the visits of the demo's past and current consultations that have none."""
    organization = context.organization
    services_by_name = {
        product.name: product
        for product in Product.objects.filter(
            organization=organization, kind=Product.Kind.SERVICE, is_active=True
        )
    }
    terms = {term.code: term for term in DiagnosisTerm.objects.filter(organization__isnull=True)}
    appointments = (
        Appointment.objects.filter(
            organization=organization,
            status__in=[Appointment.Status.COMPLETED, Appointment.Status.IN_PROGRESS],
            visit__isnull=True,
            starts_at__gte=now() - dt.timedelta(days=2),  # the demo week starts yesterday
        )
        .select_related("location", "patient", "vet", "appointment_type")
        .order_by("starts_at", "id")
    )
    for index, appointment in enumerate(appointments):
        case = CASES[index % len(CASES)]
        type_name = appointment.appointment_type.name
        visit = services.visit_start_from_appointment(
            actor=appointment.vet,
            appointment=appointment,
            visit_type=VISIT_TYPE_FOR_TYPE.get(type_name, VisitType.CONSULTATION),
            reason=appointment.notes or type_name,
        )
        if appointment.status == Appointment.Status.IN_PROGRESS:
            _under_way(appointment.vet, visit, case)
        else:
            service = services_by_name.get(SERVICE_FOR_TYPE.get(type_name, DEFAULT_SERVICE))
            _done(appointment.vet, visit, case, service, terms.get(case.diagnosis_code))


def _weight(visit: Visit, case: DemoCase) -> str:
    """The patient's last weight when it has one, so that its weight chart stays plausible."""
    last = (
        WeightRecord.objects.filter(patient_id=visit.patient_id)
        .order_by("-measured_at")
        .values_list("weight_kg", flat=True)
        .first()
    )
    return str(last) if last is not None else case.weight_kg


def _under_way(vet: Any, visit: Visit, case: DemoCase) -> None:
    services.soap_save(actor=vet, visit=visit, subjective=case.subjective)
    services.vitals_add(
        actor=vet, visit=visit, weight_kg=_weight(visit, case), temperature_c=case.temperature_c
    )


def _done(
    vet: Any, visit: Visit, case: DemoCase, service: Product | None, term: DiagnosisTerm | None
) -> None:
    services.soap_save(
        actor=vet,
        visit=visit,
        subjective=case.subjective,
        objective=case.objective,
        assessment=case.assessment,
        plan=case.plan,
    )
    services.vitals_add(
        actor=vet,
        visit=visit,
        weight_kg=_weight(visit, case),
        temperature_c=case.temperature_c,
        mucous_membranes="pink",
        crt_seconds="1.5",
    )
    services.diagnosis_add(
        actor=vet,
        visit=visit,
        term=term,
        free_text="" if term else case.assessment,
        status="confirmed",
    )
    if service is not None:
        services.procedure_add(actor=vet, visit=visit, product=service)
    services.visit_sign(actor=vet, visit=visit)
