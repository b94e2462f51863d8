"""Staff screens of medical records: the visit page (SOAP with autosave, vitals, diagnoses,
procedures, lab results, files, addenda, signing), a patient's visits, terms and templates."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.models import Location, User
from vetrisys.accounts.permissions import has_capability
from vetrisys.core.errors import Conflict, DomainError, ValidationFailed
from vetrisys.core.text import normalize_search
from vetrisys.core.views import staff_view
from vetrisys.inventory.models import Product
from vetrisys.patients import selectors as patient_selectors
from vetrisys.patients.models import Attachment
from vetrisys.records import panels, ranges, selectors, services
from vetrisys.records.models import (
    LabResult,
    Procedure,
    SoapTemplate,
    Visit,
    VisitDiagnosis,
    VisitType,
    Vitals,
)
from vetrisys.records.permissions import can_sign
from vetrisys.scheduling import selectors as scheduling_selectors

View = Callable[..., HttpResponseBase]
PAGE_SIZE = 25


def _zone(location: Location) -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo(location.time_zone)


def _visit_url(visit: Visit | UUID, anchor: str = "") -> str:
    pk = visit.pk if isinstance(visit, Visit) else visit
    url = reverse("records:visit_detail", args=[pk])
    return f"{url}#{anchor}" if anchor else url


def _error_text(error: DomainError) -> str:
    if isinstance(error, ValidationFailed) and error.fields:
        details = "; ".join(" ".join(str(m) for m in msgs) for msgs in error.fields.values())
        return f"{error.message} {details}"
    return error.message


def _write(
    request: HttpRequest, visit_id: UUID, anchor: str, action: Callable[[Visit], Any], done: str
) -> HttpResponse:
    """Run one write on the visit; come back to its section with a message."""
    visit = selectors.visit_for_write(actor=request.user, visit_id=visit_id)
    try:
        action(visit)
    except (ValidationFailed, Conflict) as error:
        # The page again, with the message and the status of what went wrong (422, 409).
        messages.error(request, _error_text(error))
        return _visit_page(request, visit_id, status=error.status)
    messages.success(request, done)
    return HttpResponseRedirect(_visit_url(visit_id, anchor))


# ---------------------------------------------------------------- the visit page


@staff_view
def visit_detail(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    """One visit: everything recorded in it, the patient's alerts and active problems."""
    return _visit_page(request, visit_id)


def _visit_page(request: HttpRequest, visit_id: UUID, status: int = 200) -> HttpResponse:
    actor = request.user
    visit = selectors.visit_get(actor=actor, visit_id=visit_id)
    services.visit_record_read(actor=actor, visit=visit)
    patient = visit.patient
    species_code = patient.species.code
    vitals = [(row, ranges.vitals_flags(row, species_code)) for row in visit.vitals.all()]
    can_write = not visit.is_signed and has_capability(
        actor, Capability.RECORDS_WRITE, visit.location_id
    )
    templates = list(selectors.soap_template_list(actor=actor))
    context = {
        "visit": visit,
        "patient": patient,
        "soap": visit.soap,
        "vitals": vitals,
        "normal_ranges": ranges.ranges_for(species_code),
        "diagnoses": list(visit.diagnoses.all()),
        "procedures": list(visit.procedures.all()),
        "lab_results": list(visit.lab_results.all()),
        "attachment_links": list(visit.attachment_links.all()),
        "addenda": list(visit.addenda.all()),
        "problems": list(selectors.patient_problems(actor=actor, patient=patient)),
        "patient_files": list(
            Attachment.objects.filter(patient=patient)
            .exclude(visit_links__visit=visit)
            .order_by("-created_at")[:20]
        )
        if can_write
        else [],
        "templates": templates,
        "templates_data": {
            str(t.pk): {f: getattr(t, f) for f in ("subjective", "objective", "assessment", "plan")}
            for t in templates
        },
        "panels": panels.for_visit(request, visit),
        "can_write": can_write,
        "can_add_addendum": visit.is_signed
        and has_capability(actor, Capability.RECORDS_WRITE, visit.location_id),
        "can_sign": not visit.is_signed and can_sign(actor, visit),
        "membrane_choices": Vitals.MucousMembranes.choices,
        "diagnosis_statuses": VisitDiagnosis.Status.choices,
        "lab_flags": LabResult.Flag.choices,
        "attachment_kinds": Attachment.Kind.choices,
    }
    with timezone.override(_zone(visit.location)):
        return render(request, "records/visit_detail.html", context, status=status)


@staff_view
@require_POST
def soap_autosave(request: HttpRequest, visit_id: UUID) -> JsonResponse:
    """Save the SOAP note as the vet types: JSON with the new version, or 409 stale/signed."""
    visit = selectors.visit_for_write(actor=request.user, visit_id=visit_id)
    raw_version = request.POST.get("version", "")
    fields = {
        name: request.POST[name]
        for name in ("subjective", "objective", "assessment", "plan")
        if name in request.POST
    }
    try:
        version = int(raw_version) if raw_version else None
        soap = services.soap_save(actor=request.user, visit=visit, version=version, **fields)
    except ValueError:
        return JsonResponse({"message": _("Reload the page."), "code": "invalid"}, status=422)
    except DomainError as error:
        return JsonResponse(
            {"message": error.message, "code": error.code, "extra": error.extra},
            status=error.status,
            json_dumps_params={"default": str},
        )
    return JsonResponse(
        {"version": soap.version, "saved_at": timezone.localtime(soap.updated_at).isoformat()}
    )


@staff_view
@require_POST
def vitals_add(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    names = (
        "weight_kg", "temperature_c", "heart_rate", "respiratory_rate", "body_condition_score",
        "pain_score", "mucous_membranes", "crt_seconds", "notes",
    )  # fmt: skip
    fields = {name: request.POST.get(name, "").strip() for name in names}
    return _write(
        request,
        visit_id,
        "vitals",
        lambda visit: services.vitals_add(actor=request.user, visit=visit, **fields),
        _("Vitals recorded."),
    )


@staff_view
@require_POST
def diagnosis_add(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    actor = request.user
    code = request.POST.get("code", "").strip()

    def action(visit: Visit) -> Any:
        term = selectors.diagnosis_term_resolve(actor=actor, value=code) if code else None
        return services.diagnosis_add(
            actor=actor,
            visit=visit,
            term=term,
            free_text="" if term else request.POST.get("free_text", ""),
            status=request.POST.get("status", VisitDiagnosis.Status.PROVISIONAL),
            notes=request.POST.get("notes", ""),
            add_to_problems=request.POST.get("add_to_problems") == "on",
            chronic=request.POST.get("chronic") == "on",
        )

    return _write(request, visit_id, "diagnoses", action, _("Diagnosis added."))


@staff_view
@require_POST
def procedure_add(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    actor = request.user

    def action(visit: Visit) -> Any:
        product = Product.objects.filter(
            organization_id=_org(actor), pk=_uuid_or_none(request.POST.get("product"))
        ).first()
        if product is None:
            raise ValidationFailed.for_field("price_item", _("Choose an item of the price list."))
        return services.procedure_add(
            actor=actor,
            visit=visit,
            product=product,
            quantity=request.POST.get("quantity", "1").strip() or "1",
            notes=request.POST.get("notes", ""),
        )

    return _write(
        request, visit_id, "procedures", action, _("Procedure added; it will be charged.")
    )


@staff_view
@require_POST
def procedure_remove(request: HttpRequest, visit_id: UUID, procedure_id: UUID) -> HttpResponse:
    def action(visit: Visit) -> Any:
        procedure = Procedure.objects.filter(visit=visit, pk=procedure_id).first()
        if procedure is None:
            raise Http404
        return services.procedure_remove(
            actor=request.user, procedure=procedure, reason=request.POST.get("reason", "")
        )

    return _write(
        request, visit_id, "procedures", action, _("Procedure removed; its charge was cancelled.")
    )


@staff_view
@require_POST
def lab_result_add(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    fields: dict[str, Any] = {
        name: request.POST.get(name, "")
        for name in ("test_name", "value", "unit", "reference_range", "flag", "notes")
    }
    return _write(
        request,
        visit_id,
        "lab-results",
        lambda visit: services.lab_result_add(actor=request.user, visit=visit, **fields),
        _("Lab result added."),
    )


@staff_view
@require_POST
def attachment_link(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    def action(visit: Visit) -> Any:
        attachment = Attachment.objects.filter(
            organization_id=visit.organization_id,
            pk=_uuid_or_none(request.POST.get("attachment")),
        ).first()
        if attachment is None:
            raise ValidationFailed.for_field("attachment", _("Choose a file."))
        return services.attachment_link(actor=request.user, visit=visit, attachment=attachment)

    return _write(request, visit_id, "attachments", action, _("File linked to the visit."))


@staff_view
@require_POST
def attachment_upload(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    """Upload a file (X-ray, lab report…) straight into the visit."""
    upload = request.FILES.get("file")

    def action(visit: Visit) -> Any:
        if upload is None:
            raise ValidationFailed.for_field("file", _("Choose a file."))
        return services.attachment_upload_to_visit(
            actor=request.user,
            visit=visit,
            file=upload,
            kind=request.POST.get("kind", ""),
            description=request.POST.get("description", ""),
        )

    return _write(request, visit_id, "attachments", action, _("The file was uploaded."))


@staff_view
@require_POST
def visit_sign(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    return _write(
        request,
        visit_id,
        "",
        lambda visit: services.visit_sign(actor=request.user, visit=visit),
        _("Visit signed. It can no longer be changed; add an addendum if needed."),
    )


@staff_view
@require_POST
def addendum_add(request: HttpRequest, visit_id: UUID) -> HttpResponse:
    return _write(
        request,
        visit_id,
        "addenda",
        lambda visit: services.addendum_add(
            actor=request.user, visit=visit, text_value=request.POST.get("text", "")
        ),
        _("Addendum added."),
    )


def _org(user: Any) -> Any:
    return user.organization_id


def _uuid_or_none(value: Any) -> Any:
    try:
        return UUID(str(value))
    except (TypeError, ValueError):
        return None


# ---------------------------------------------------------------- opening visits


@staff_view
@require_POST
def start_from_appointment(request: HttpRequest, appointment_id: UUID) -> HttpResponse:
    """Start the consultation of a checked-in appointment (or open its visit again)."""
    appointment = scheduling_selectors.appointment_get(
        actor=request.user, appointment_id=appointment_id
    )
    try:
        visit = services.visit_start_from_appointment(actor=request.user, appointment=appointment)
    except (ValidationFailed, Conflict) as error:
        messages.error(request, _error_text(error))
        return HttpResponseRedirect(reverse("scheduling:appointment", args=[appointment.pk]))
    return HttpResponseRedirect(_visit_url(visit))


@staff_view
def visit_new(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Open a visit without an appointment: a walk-in or an emergency."""
    actor = request.user
    patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id)
    location = getattr(request, "location", None)
    if location is None or not has_capability(actor, Capability.RECORDS_WRITE, location):
        raise PermissionDenied(_("You do not have permission to do this."))
    status = 200
    if request.method == "POST":
        try:
            visit = services.visit_open(
                actor=actor,
                location=location,
                patient=patient,
                vet=actor,
                reason=request.POST.get("reason", ""),
                visit_type=request.POST.get("visit_type", VisitType.CONSULTATION),
            )
        except (ValidationFailed, Conflict) as error:
            messages.error(request, _error_text(error))
            status = error.status
        else:
            return HttpResponseRedirect(_visit_url(visit))
    return render(
        request,
        "records/visit_new.html",
        {"patient": patient, "visit_types": VisitType.choices, "location": location},
        status=status,
    )


@staff_view
def patient_visits(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """A patient's visits, newest first, with the active problem list."""
    actor = request.user
    patient = patient_selectors.patient_get(actor=actor, patient_id=patient_id)
    visits = selectors.visit_list(actor=actor, patient=patient.pk)
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "records/patient_visits.html",
        {
            "patient": patient,
            "page": page,
            "problems": list(selectors.patient_problems(actor=actor, patient=patient)),
            "can_open": has_capability(actor, Capability.RECORDS_WRITE),
        },
    )


# ---------------------------------------------------------------- search boxes


@staff_view
def term_search(request: HttpRequest) -> HttpResponse:
    """Diagnosis terms matching what is typed (an htmx fragment)."""
    q = request.GET.get("q", "").strip()[:100]
    terms = list(selectors.diagnosis_term_search(actor=request.user, q=q)[:15]) if q else []
    return render(request, "records/partials/_term_options.html", {"terms": terms})


@staff_view
def product_search(request: HttpRequest) -> HttpResponse:
    """Price-list items matching what is typed, services first (an htmx fragment)."""
    selectors.soap_template_list(actor=request.user)  # records.view, like the visit page
    q = request.GET.get("q", "").strip()[:100]
    products: list[Product] = []
    if q:
        query = Product.objects.filter(organization_id=_org(request.user), is_active=True)
        for word in normalize_search(q).split():
            query = query.filter(search_name__contains=word)
        products = list(query.order_by("kind", "name")[:15])
    return render(request, "records/partials/_product_options.html", {"products": products})


# ---------------------------------------------------------------- terms and templates


@staff_view
def term_list(request: HttpRequest) -> HttpResponse:
    """The coded diagnosis list; staff add the clinic's own terms."""
    actor = request.user
    if request.method == "POST":
        try:
            services.diagnosis_term_create(
                actor=actor,
                code=request.POST.get("code", ""),
                name_es=request.POST.get("name_es", ""),
                name_en=request.POST.get("name_en", ""),
                category=request.POST.get("category", ""),
            )
        except (ValidationFailed, Conflict) as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Term added."))
            return HttpResponseRedirect(reverse("records:term_list"))
    q = request.GET.get("q", "").strip()[:100]
    terms = selectors.diagnosis_term_search(actor=actor, q=q)
    page = Paginator(terms, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "records/term_list.html",
        {"page": page, "q": q, "can_manage": has_capability(actor, Capability.RECORDS_WRITE)},
    )


@staff_view
def template_list(request: HttpRequest) -> HttpResponse:
    """SOAP templates by kind of visit."""
    actor = request.user
    templates = selectors.soap_template_list(actor=actor, include_inactive=True)
    return render(
        request,
        "records/template_list.html",
        {
            "templates": list(templates),
            "can_manage": has_capability(actor, Capability.RECORDS_WRITE),
        },
    )


@staff_view
def template_edit(request: HttpRequest, template_id: UUID | None = None) -> HttpResponse:
    """Create or change one of the clinic's own SOAP templates."""
    actor: User = request.user  # type: ignore[assignment]
    template: SoapTemplate | None = None
    if template_id is not None:
        template = selectors.soap_template_get(actor=actor, template_id=template_id)
    if request.method == "POST":
        fields = {
            name: request.POST.get(name, "")
            for name in (
                "name",
                "visit_type",
                "language",
                "subjective",
                "objective",
                "assessment",
                "plan",
            )
        }
        try:
            if template is None:
                services.soap_template_create(actor=actor, **fields)
            else:
                fields["is_active"] = request.POST.get("is_active") == "on"  # type: ignore[assignment]
                services.soap_template_update(actor=actor, template=template, **fields)
        except ValidationFailed as error:
            messages.error(request, _error_text(error))
        else:
            messages.success(request, _("Template saved."))
            return HttpResponseRedirect(reverse("records:template_list"))
    selectors.soap_template_list(actor=actor)
    return render(
        request,
        "records/template_form.html",
        {"template": template, "visit_types": VisitType.choices},
    )
