"""Medical records in Django's admin: read-only, for operators (a record changes only through
the application's services, which keep the signing lock and the audit log)."""

from __future__ import annotations

from django.contrib import admin

from vetrisys.accounts.admin import ReadOnlyAdmin
from vetrisys.records.models import (
    Addendum,
    DiagnosisTerm,
    LabResult,
    Problem,
    Procedure,
    SoapTemplate,
    Visit,
    VisitAttachment,
    VisitDiagnosis,
    Vitals,
)


@admin.register(Visit)
class VisitAdmin(ReadOnlyAdmin):
    list_display = ["opened_at", "patient", "vet", "location", "visit_type", "status"]
    list_filter = ["organization", "status", "visit_type"]
    list_select_related = ["patient", "vet", "location"]
    date_hierarchy = "opened_at"


@admin.register(Vitals)
class VitalsAdmin(ReadOnlyAdmin):
    list_display = ["recorded_at", "visit", "weight_kg", "temperature_c", "heart_rate"]
    list_select_related = ["visit"]


@admin.register(VisitDiagnosis)
class VisitDiagnosisAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "visit", "term", "free_text", "status"]
    list_select_related = ["visit", "term"]


@admin.register(Problem)
class ProblemAdmin(ReadOnlyAdmin):
    list_display = ["patient", "term", "free_text", "status", "is_chronic"]
    list_filter = ["status", "is_chronic"]
    list_select_related = ["patient", "term"]


@admin.register(Procedure)
class ProcedureAdmin(ReadOnlyAdmin):
    list_display = ["performed_at", "visit", "product", "quantity", "removed_at"]
    list_select_related = ["visit", "product"]


@admin.register(LabResult)
class LabResultAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "visit", "test_name", "value", "unit", "flag"]
    list_select_related = ["visit"]


@admin.register(VisitAttachment)
class VisitAttachmentAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "visit", "attachment"]
    list_select_related = ["visit", "attachment"]


@admin.register(Addendum)
class AddendumAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "visit", "author"]
    list_select_related = ["visit", "author"]


@admin.register(DiagnosisTerm)
class DiagnosisTermAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_es", "name_en", "category", "organization", "is_active"]
    list_filter = ["category", "is_active"]
    search_fields = ["code", "search_text"]


@admin.register(SoapTemplate)
class SoapTemplateAdmin(ReadOnlyAdmin):
    list_display = ["name", "visit_type", "language", "organization", "is_active"]
    list_filter = ["visit_type", "is_active"]
