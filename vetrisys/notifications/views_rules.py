"""Staff screens of reminder rules: the list, add and edit, deactivate, the recommended set,
and a preview of who a rule would remind now (messages.manage)."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from vetrisys.core.errors import ValidationFailed
from vetrisys.core.views import error_text, staff_view
from vetrisys.notifications import rules
from vetrisys.notifications.forms_rules import ReminderRuleForm
from vetrisys.notifications.models import ReminderRule


@staff_view
def rule_list(request: HttpRequest) -> HttpResponse:
    """Every reminder rule the user manages, by trigger and moment."""
    rows = rules.rule_list(actor=request.user)[:200]
    context = {"rules": [(rule, rules.offset_text(rule.offset_minutes)) for rule in rows]}
    return render(request, "notifications/rule_list.html", context)


def _form_page(
    request: HttpRequest, form: ReminderRuleForm, rule: ReminderRule | None, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "rule": rule}
    return render(request, "notifications/rule_form.html", context, status=status)


def _save(request: HttpRequest, rule: ReminderRule | None) -> HttpResponse:
    actor: Any = request.user
    form = ReminderRuleForm(request.POST, organization_id=actor.organization_id)
    if not form.is_valid():
        return _form_page(request, form, rule, status=422)
    try:
        if rule is None:
            rule = rules.rule_create(actor=actor, **form.service_fields())
        else:
            rule = rules.rule_update(actor=actor, rule=rule, **form.service_fields())
    except ValidationFailed as error:
        for field, errors in error.fields.items():
            for message in errors:
                form.add_error(field if field in form.fields else None, message)
        if not error.fields:
            form.add_error(None, error_text(error))
        return _form_page(request, form, rule, status=422)
    messages.success(request, _("Reminder rule saved."))
    return HttpResponseRedirect(reverse("notifications:rules"))


@staff_view
def rule_create(request: HttpRequest) -> HttpResponse:
    """A new rule."""
    actor: Any = request.user
    rules.rule_list(actor=actor)  # messages.manage, else 403
    if request.method == "POST":
        return _save(request, None)
    form = ReminderRuleForm(
        organization_id=actor.organization_id,
        initial={"unit": "hours", "direction": "before", "is_active": True},
    )
    return _form_page(request, form, None)


@staff_view
def rule_edit(request: HttpRequest, rule_id: UUID) -> HttpResponse:
    """Change a rule."""
    actor: Any = request.user
    rule = rules.rule_get(actor=actor, rule_id=rule_id)
    if request.method == "POST":
        return _save(request, rule)
    form = ReminderRuleForm(
        organization_id=actor.organization_id, initial=ReminderRuleForm.initial_of(rule)
    )
    return _form_page(request, form, rule)


@staff_view
@require_POST
def rule_deactivate(request: HttpRequest, rule_id: UUID) -> HttpResponse:
    """Switch a rule off; its queued reminders are cancelled at the next run."""
    rule = rules.rule_get(actor=request.user, rule_id=rule_id)
    rules.rule_update(actor=request.user, rule=rule, is_active=False)
    messages.success(request, _("Reminder rule deactivated."))
    return HttpResponseRedirect(reverse("notifications:rules"))


@staff_view
@require_POST
def rules_recommended(request: HttpRequest) -> HttpResponse:
    """Add the recommended rules the organization does not have yet."""
    actor: Any = request.user
    added = rules.rules_create_recommended(actor=actor, organization=actor.organization_id)
    if added:
        messages.success(
            request,
            ngettext(
                "%(count)d recommended rule added.",
                "%(count)d recommended rules added.",
                len(added),
            )
            % {"count": len(added)},
        )
    else:
        messages.info(request, _("The organization already has every recommended rule."))
    return HttpResponseRedirect(reverse("notifications:rules"))


@staff_view
def rule_preview(request: HttpRequest, rule_id: UUID) -> HttpResponse:
    """Who the rule would remind if the job ran now: how many, and the first 20."""
    rule = rules.rule_get(actor=request.user, rule_id=rule_id)
    preview = rules.rule_preview(actor=request.user, rule=rule, now=timezone.now())
    return render(request, "notifications/rule_preview.html", {"rule": rule, "preview": preview})
