"""The clinic's own diagnosis terms and SOAP templates (the seeded global ones are read-only)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import record
from vetrisys.core.errors import Conflict
from vetrisys.core.text import normalize_search
from vetrisys.records.models import DiagnosisTerm, SoapTemplate, VisitType
from vetrisys.records.services.common import raise_if, text

TEMPLATE_FIELDS = ("subjective", "objective", "assessment", "plan")


@transaction.atomic
def diagnosis_term_create(
    *, actor: Any, code: str, name_es: str, name_en: str = "", category: str = ""
) -> DiagnosisTerm:
    """Add a term of the clinic's own (its code must not clash with any visible one)."""
    require(actor, Capability.RECORDS_WRITE)
    errors: dict[str, list[str]] = {}
    cleaned_code = text(code, "code", 40, errors).upper()
    cleaned_es = text(name_es, "name_es", 200, errors)
    cleaned_en = text(name_en, "name_en", 200, errors) or cleaned_es
    cleaned_category = text(category, "category", 40, errors)
    if not cleaned_code:
        errors.setdefault("code", []).append(_("This field is required."))
    if not cleaned_es:
        errors.setdefault("name_es", []).append(_("This field is required."))
    raise_if(errors)
    clash = DiagnosisTerm.objects.filter(
        Q(organization__isnull=True) | Q(organization_id=actor.organization_id),
        code__iexact=cleaned_code,
    )
    if clash.exists():
        raise Conflict(_("This code is already in use."), code="code_taken")
    term = DiagnosisTerm.objects.create(
        organization_id=actor.organization_id,
        code=cleaned_code,
        name_es=cleaned_es,
        name_en=cleaned_en,
        category=cleaned_category,
        search_text=normalize_search(f"{cleaned_code} {cleaned_es} {cleaned_en}")[:500],
    )
    record(
        actor=actor,
        action="records.term.create",
        target=term,
        changes={"code": cleaned_code, "name_es": cleaned_es, "name_en": cleaned_en},
    )
    return term


@transaction.atomic
def diagnosis_term_set_active(*, actor: Any, term: DiagnosisTerm, is_active: bool) -> DiagnosisTerm:
    """Retire (or bring back) one of the clinic's own terms; used ones stay on past visits."""
    require(actor, Capability.RECORDS_WRITE)
    term.is_active = is_active
    term.bump_version()
    term.save()
    record(actor=actor, action="records.term.update", target=term, changes={"is_active": is_active})
    return term


def _clean_template(fields: dict[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    cleaned: dict[str, Any] = {}
    if "name" in fields:
        cleaned["name"] = text(fields["name"], "name", 120, errors)
        if not cleaned["name"]:
            errors.setdefault("name", []).append(_("This field is required."))
    if "visit_type" in fields:
        if fields["visit_type"] not in VisitType.values:
            errors["visit_type"] = [_("Choose a kind of visit.")]
        cleaned["visit_type"] = str(fields["visit_type"])
    if "language" in fields:
        if fields["language"] not in ("es", "en"):
            errors["language"] = [_("Choose Spanish or English.")]
        cleaned["language"] = str(fields["language"])
    for name in TEMPLATE_FIELDS:
        if name in fields:
            cleaned[name] = text(fields[name], name, 5000, errors)
    if "is_active" in fields:
        cleaned["is_active"] = bool(fields["is_active"])
    raise_if(errors)
    return cleaned


@transaction.atomic
def soap_template_create(*, actor: Any, name: str, visit_type: str, **fields: Any) -> SoapTemplate:
    """Add a SOAP template of the clinic's own."""
    require(actor, Capability.RECORDS_WRITE)
    cleaned = _clean_template({"name": name, "visit_type": visit_type, **fields})
    template = SoapTemplate.objects.create(organization_id=actor.organization_id, **cleaned)
    record(
        actor=actor,
        action="records.template.create",
        target=template,
        changes={"name": template.name, "visit_type": template.visit_type},
    )
    return template


@transaction.atomic
def soap_template_update(*, actor: Any, template: SoapTemplate, **fields: Any) -> SoapTemplate:
    """Change one of the clinic's own SOAP templates."""
    require(actor, Capability.RECORDS_WRITE)
    cleaned = _clean_template(fields)
    for name, value in cleaned.items():
        setattr(template, name, value)
    template.bump_version()
    template.save()
    record(
        actor=actor,
        action="records.template.update",
        target=template,
        changes={
            name: value
            for name, value in cleaned.items()
            if name in ("name", "visit_type", "is_active")
        },
    )
    return template
