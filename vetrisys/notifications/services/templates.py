"""Message templates: an organization's own wording of a kind, channel and language."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from vetrisys.accounts.capabilities import Capability
from vetrisys.accounts.permissions import require
from vetrisys.audit.services import record
from vetrisys.core.errors import NotFound, ValidationFailed
from vetrisys.notifications import rendering
from vetrisys.notifications.models import MessageChannel, MessageKind, MessageTemplate
from vetrisys.notifications.selectors import LANGUAGES


def _check_key(kind: str, channel: str, language: str) -> None:
    if (
        kind not in MessageKind.values
        or channel not in MessageChannel.values
        or language not in LANGUAGES
    ):
        raise NotFound(_("No such message template."))


def template_save(
    *,
    actor: Any,
    kind: str,
    channel: str,
    language: str,
    subject: str,
    body: str,
    is_active: bool = True,
) -> MessageTemplate:
    """Write the organization's template of (kind, channel, language) (messages.manage).
    The text is compiled and rendered with sample data first: a syntax error or an unknown
    variable is a 422 naming the field."""
    require(actor, Capability.MESSAGES_MANAGE)
    _check_key(kind, channel, language)
    subject, body = subject.strip(), body.strip()
    errors: dict[str, list[str]] = {}
    if not body:
        errors["body"] = [_("Write the text of the message.")]
    if channel == MessageChannel.EMAIL and not subject:
        errors["subject"] = [_("An email needs a subject.")]
    if len(subject) > 200:
        errors["subject"] = [_("At most 200 characters.")]
    if errors:
        raise ValidationFailed(_("The template has errors."), fields=errors)
    rendering.validate(subject=subject, body=body, language=language, zone="UTC")
    with transaction.atomic():
        template, created = MessageTemplate.objects.select_for_update().get_or_create(
            organization_id=actor.organization_id, kind=kind, channel=channel, language=language,
            defaults={"subject": subject, "body": body, "is_active": is_active},
        )  # fmt: skip
        before = {"subject": template.subject, "body": template.body, "active": template.is_active}
        if not created:
            template.subject, template.body, template.is_active = subject, body, is_active
            template.version += 1
            template.save()
        record(
            actor=actor, action="message_template.save", target=template,
            changes={"before": None if created else before,
                     "after": {"subject": subject, "body": body, "active": is_active}},
        )  # fmt: skip
    return template


def template_reset(*, actor: Any, kind: str, channel: str, language: str) -> int:
    """Drop the organization's template: the built-in text applies again; answers 1 or 0."""
    require(actor, Capability.MESSAGES_MANAGE)
    _check_key(kind, channel, language)
    with transaction.atomic():
        template = MessageTemplate.objects.filter(
            organization_id=actor.organization_id, kind=kind, channel=channel, language=language
        ).first()
        if template is None:
            return 0
        record(
            actor=actor, action="message_template.reset", target=template,
            changes={"subject": template.subject, "body": template.body},
        )  # fmt: skip
        template.delete()
    return 1
