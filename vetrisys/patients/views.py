"""Staff screens of patients: list, search, family registration, detail with tabs, actions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import FileResponse, HttpRequest, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import has_capability, require
from vetrisys.clients import services as client_services
from vetrisys.clients.selectors import client_search
from vetrisys.core.errors import Conflict, ValidationFailed
from vetrisys.core.views import staff_view
from vetrisys.patients import selectors, services
from vetrisys.patients.downloads import open_download
from vetrisys.patients.forms import (
    AttachmentForm,
    BreedForm,
    DeceasedForm,
    NoteForm,
    OwnerForm,
    PatientForm,
    PetFormSet,
    SpeciesForm,
    WeightForm,
    apply_errors,
)
from vetrisys.patients.models import Patient

View = Callable[..., HttpResponseBase]
TABS = ("overview", "weights", "attachments", "history", "notes")
PAGE_SIZE = 25


def _patient(request: HttpRequest, patient_id: UUID) -> Patient:
    return selectors.patient_get(actor=request.user, patient_id=patient_id)


def _detail_url(patient: Patient, tab: str = "overview") -> str:
    url = reverse("patients:detail", args=[patient.pk])
    return url if tab == "overview" else f"{url}?tab={tab}"


# ---------------------------------------------------------------- list and search


@staff_view
def patient_list(request: HttpRequest) -> HttpResponse:
    """All patients, filtered by the search box as one types."""
    query = request.GET.get("q", "").strip()[:100]
    patients = selectors.patient_list(actor=request.user, q=query)
    page = Paginator(patients, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page_obj": page,
        "patients": page.object_list,
        "query": query,
        "query_string": f"q={query}" if query else "",
        "can_manage": has_capability(request.user, Capability.PATIENTS_MANAGE),
    }
    if request.headers.get("HX-Request"):
        return render(request, "patients/partials/_patient_rows.html", context)
    return render(request, "patients/list.html", context)


@staff_view
def quick_search(request: HttpRequest) -> HttpResponse:
    """The one search box: owners and patients by name, phone, email, document or microchip."""
    query = request.GET.get("q", "")
    result = selectors.quick_search(actor=request.user, q=query)
    context = {"result": result, "query": result.query}
    if request.headers.get("HX-Request") or request.GET.get("partial"):
        return render(request, "patients/partials/_search_results.html", context)
    return render(request, "patients/search.html", context)


# ---------------------------------------------------------------- registration and editing


@staff_view
def family_register(request: HttpRequest) -> HttpResponse:
    """A new owner and their pets, in one form and one transaction."""
    require(request.user, Capability.CLIENTS_MANAGE)
    require(request.user, Capability.PATIENTS_MANAGE)
    owner_form = OwnerForm(request.POST or None, prefix="owner")
    pets = PetFormSet(request.POST or None, prefix="pets", form_kwargs={"actor": request.user})
    if request.method == "POST" and owner_form.is_valid() and pets.is_valid():
        try:
            with transaction.atomic():
                owner_fields = {k: v for k, v in owner_form.cleaned_data.items() if v != ""}
                client = client_services.client_create(actor=request.user, **owner_fields)
                created = []
                for index, pet in enumerate(pets.forms):
                    try:
                        created.append(
                            services.patient_create(
                                actor=request.user, client=client, **pet.service_fields()
                            )
                        )
                    except (ValidationFailed, Conflict) as error:
                        error.extra["pet"] = index
                        raise
        except ValidationFailed as error:
            target = pets.forms[error.extra["pet"]] if "pet" in error.extra else owner_form
            apply_errors(target, error)
        except Conflict as error:
            target = pets.forms[error.extra["pet"]] if "pet" in error.extra else owner_form
            target.add_error(None, error.message)
        else:
            messages.success(
                request,
                _("%(owner)s was registered with %(count)d pet(s).")
                % {"owner": client.full_name, "count": len(created)},
            )
            return HttpResponseRedirect(_detail_url(created[0]))
    return render(
        request,
        "patients/register_family.html",
        {"owner_form": owner_form, "pets": pets},
    )


@staff_view
def patient_create(request: HttpRequest) -> HttpResponse:
    """A new pet of an existing owner (?client=<id>)."""
    require(request.user, Capability.PATIENTS_MANAGE)
    client = (
        selectors.owner_for_patient(
            actor=request.user, client_id=request.GET.get("client") or request.POST.get("client")
        )
        if (request.GET.get("client") or request.POST.get("client"))
        else None
    )
    if client is None:
        return HttpResponseRedirect(reverse("patients:register"))
    form = PatientForm(request.POST or None, actor=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            patient = services.patient_create(
                actor=request.user, client=client, **form.service_fields()
            )
        except ValidationFailed as error:
            apply_errors(form, error)
        except Conflict as error:
            form.add_error("microchip" if error.code == "microchip_taken" else None, error.message)
        else:
            messages.success(request, _("%(name)s was registered.") % {"name": patient.name})
            return HttpResponseRedirect(_detail_url(patient))
    return render(request, "patients/form.html", {"form": form, "client": client, "patient": None})


@staff_view
def patient_edit(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Change a patient's details."""
    patient = _patient(request, patient_id)
    require(request.user, Capability.PATIENTS_MANAGE)
    form = PatientForm(
        request.POST or None, actor=request.user, initial=PatientForm.initial_for(patient)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_update(actor=request.user, patient=patient, **form.service_fields())
        except ValidationFailed as error:
            apply_errors(form, error)
        except Conflict as error:
            form.add_error("microchip" if error.code == "microchip_taken" else None, error.message)
        else:
            messages.success(request, _("The changes were saved."))
            return HttpResponseRedirect(_detail_url(patient))
    return render(
        request, "patients/form.html", {"form": form, "client": patient.client, "patient": patient}
    )


# ---------------------------------------------------------------- detail and its tabs


@staff_view
def patient_detail(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """One patient: overview with alerts, weights, files, history and notes."""
    patient = _patient(request, patient_id)
    tab = request.GET.get("tab", "overview")
    if tab not in TABS:
        tab = "overview"
    context: dict[str, Any] = {
        "patient": patient,
        "tab": tab,
        "tabs": [(key, label) for key, label in _tab_labels().items()],
        "can_manage": has_capability(request.user, Capability.PATIENTS_MANAGE),
    }
    if tab == "weights":
        weights = list(selectors.weight_list(actor=request.user, patient=patient)[:100])
        context["weights"] = weights
        context["weight_form"] = WeightForm()
        context["chart"] = [
            {"x": w.measured_at.isoformat(), "y": float(w.weight_kg)} for w in reversed(weights)
        ]
    elif tab == "attachments":
        context["attachments"] = selectors.attachment_list(actor=request.user, patient=patient)[
            :100
        ]
        context["attachment_form"] = AttachmentForm()
    elif tab == "history":
        offset = _int(request.GET.get("offset"), 0)
        page = selectors.patient_history(
            actor=request.user, patient=patient, limit=PAGE_SIZE, offset=offset
        )
        context["history"] = page
        context["next_offset"] = offset + PAGE_SIZE if offset + PAGE_SIZE < page.count else None
        context["previous_offset"] = max(0, offset - PAGE_SIZE) if offset else None
    elif tab == "notes":
        context["notes"] = selectors.note_list(actor=request.user, patient=patient)[:100]
        context["note_form"] = NoteForm()
    return render(request, "patients/detail.html", context)


def _tab_labels() -> dict[str, str]:
    return {
        "overview": _("Overview"),
        "weights": _("Weights"),
        "attachments": _("Files"),
        "history": _("History"),
        "notes": _("Notes"),
    }


def _int(value: str | None, default: int) -> int:
    try:
        return max(0, int(value or default))
    except ValueError:
        return default


def _location_zone(request: HttpRequest) -> ZoneInfo:
    location = getattr(request, "location", None)
    return ZoneInfo(location.time_zone if location else "America/Lima")


@staff_view
@require_POST
def weight_add(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Record a weighing (a time typed on the screen is the location's local time)."""
    patient = _patient(request, patient_id)
    with timezone.override(_location_zone(request)):
        form = WeightForm(request.POST)
        valid = form.is_valid()
    if valid:
        try:
            services.weight_record_add(
                actor=request.user,
                patient=patient,
                value=form.cleaned_data["value"],
                unit=form.cleaned_data["unit"],
                measured_at=form.cleaned_data["measured_at"],
                note=form.cleaned_data["note"],
            )
        except ValidationFailed as error:
            messages.error(request, " ".join(m for ms in error.fields.values() for m in ms))
        else:
            messages.success(request, _("The weight was recorded."))
    else:
        messages.error(request, _("Enter a valid weight."))
    return HttpResponseRedirect(_detail_url(patient, "weights"))


@staff_view
@require_POST
def attachment_upload(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Upload a file about the patient."""
    patient = _patient(request, patient_id)
    form = AttachmentForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.attachment_upload(
                actor=request.user,
                patient=patient,
                file=form.cleaned_data["file"],
                kind=form.cleaned_data["kind"],
                description=form.cleaned_data["description"],
            )
        except ValidationFailed as error:
            messages.error(request, " ".join(m for ms in error.fields.values() for m in ms))
        else:
            messages.success(request, _("The file was uploaded."))
    else:
        messages.error(request, _("Choose a file and its kind."))
    return HttpResponseRedirect(_detail_url(patient, "attachments"))


@staff_view
def attachment_download(request: HttpRequest, attachment_id: UUID) -> FileResponse:
    """The file itself, for those who may see the patient (?inline=1 shows an image)."""
    attachment = selectors.attachment_get(actor=request.user, attachment_id=attachment_id)
    return open_download(
        actor=request.user, attachment=attachment, inline=request.GET.get("inline") == "1"
    )


@staff_view
@require_POST
def photo_set(request: HttpRequest, patient_id: UUID, attachment_id: UUID) -> HttpResponse:
    """Use an image attachment as the patient's photo."""
    patient = _patient(request, patient_id)
    attachment = selectors.attachment_get(actor=request.user, attachment_id=attachment_id)
    try:
        services.patient_set_photo(actor=request.user, patient=patient, attachment=attachment)
    except ValidationFailed as error:
        messages.error(request, error.fields.get("attachment", [error.message])[0])
    return HttpResponseRedirect(_detail_url(patient, "attachments"))


@staff_view
@require_POST
def note_add(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Write a note on the patient."""
    patient = _patient(request, patient_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services.note_add(actor=request.user, patient=patient, text=form.cleaned_data["text"])
        except ValidationFailed as error:
            messages.error(request, error.message)
    else:
        messages.error(request, _("Write the note."))
    return HttpResponseRedirect(_detail_url(patient, "notes"))


# ---------------------------------------------------------------- transfer and death


@staff_view
def patient_transfer(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Find the new owner and hand the patient over."""
    patient = _patient(request, patient_id)
    require(request.user, Capability.PATIENTS_MANAGE)
    if request.method == "POST":
        try:
            client = selectors.owner_for_patient(
                actor=request.user, client_id=request.POST.get("client")
            )
            services.patient_transfer(
                actor=request.user,
                patient=patient,
                client=client,
                reason=request.POST.get("reason", ""),
            )
        except (ValidationFailed, Conflict) as error:
            messages.error(
                request,
                error.message
                if not error.extra.get("fields")
                else " ".join(m for ms in error.extra["fields"].values() for m in ms),
            )
        else:
            messages.success(
                request,
                _("%(name)s now belongs to %(owner)s.")
                % {"name": patient.name, "owner": client.full_name},
            )
            return HttpResponseRedirect(_detail_url(patient))
    query = request.GET.get("q", "").strip()
    candidates = (
        list(
            client_search(actor=request.user, q=query)
            .exclude(pk=patient.client_id)
            .prefetch_related("phones")[:20]
        )
        if len(query) >= 2
        else []
    )
    return render(
        request,
        "patients/transfer.html",
        {"patient": patient, "query": query, "candidates": candidates},
    )


@staff_view
def patient_deceased(request: HttpRequest, patient_id: UUID) -> HttpResponse:
    """Record the patient's death."""
    patient = _patient(request, patient_id)
    require(request.user, Capability.PATIENTS_MANAGE)
    form = DeceasedForm(request.POST or None, initial={"deceased_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.patient_mark_deceased(
                actor=request.user, patient=patient, deceased_on=form.cleaned_data["deceased_on"]
            )
        except ValidationFailed as error:
            apply_errors(form, error)
        except Conflict as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, _("The death of %(name)s was recorded.") % {"name": patient.name}
            )
            return HttpResponseRedirect(_detail_url(patient))
    return render(request, "patients/deceased.html", {"patient": patient, "form": form})


# ---------------------------------------------------------------- species and breeds


@staff_view
def species_list(request: HttpRequest) -> HttpResponse:
    """Species and breeds; staff who manage patients add their clinic's own."""
    can_manage = has_capability(request.user, Capability.PATIENTS_MANAGE)
    species_form = SpeciesForm(prefix="species")
    breed_form = BreedForm(prefix="breed")
    if request.method == "POST":
        require(request.user, Capability.PATIENTS_MANAGE)
        try:
            if "species-name_es" in request.POST:
                species_form = SpeciesForm(request.POST, prefix="species")
                if species_form.is_valid():
                    services.species_create(actor=request.user, **species_form.cleaned_data)
                    messages.success(request, _("The species was added."))
                    return HttpResponseRedirect(reverse("patients:species"))
            else:
                breed_form = BreedForm(request.POST, prefix="breed")
                if breed_form.is_valid():
                    parent = selectors.species_get(
                        actor=request.user, species_id=breed_form.cleaned_data["species"]
                    )
                    services.breed_create(
                        actor=request.user,
                        species=parent,
                        name_es=breed_form.cleaned_data["name_es"],
                        name_en=breed_form.cleaned_data["name_en"],
                    )
                    messages.success(request, _("The breed was added."))
                    return HttpResponseRedirect(reverse("patients:species"))
        except (ValidationFailed, Conflict) as error:
            messages.error(request, error.message)
    all_species = list(selectors.species_list(actor=request.user))
    breeds: dict[Any, list[Any]] = {s.pk: [] for s in all_species}
    for breed in selectors.breed_list(actor=request.user, species=None):
        breeds.setdefault(breed.species_id, []).append(breed)
    return render(
        request,
        "patients/species.html",
        {
            "species_rows": [(s, breeds.get(s.pk, [])) for s in all_species],
            "species_form": species_form,
            "breed_form": breed_form,
            "can_manage": can_manage,
        },
    )
