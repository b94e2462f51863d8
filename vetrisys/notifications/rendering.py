"""Rendering message templates: Django's template syntax in a sandbox, plain text out.

The engine here is not the site's: it has no loaders (no `include`/`extends`), no `load`, no
`debug`, no `url`, and the context holds plain strings only, so a template written by a manager
can reach nothing but the variables documented on the templates screen. Dates and times are
written in the client's language and the location's time zone before they reach the template.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from django.template import (
    Context,
    Engine,
    Library,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.utils import formats, translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vetrisys.core.errors import ValidationFailed

# The tags a message template may use: flow and text only.
ALLOWED_TAGS = frozenset(
    {"if", "for", "with", "firstof", "comment", "spaceless", "filter", "cycle", "now"}
)
_INVALID = "\x00invalid:%s\x00"


def _library() -> Library:
    library = Library()
    library.tags = {k: v for k, v in defaulttags.register.tags.items() if k in ALLOWED_TAGS}
    library.filters = dict(defaultfilters.register.filters)
    return library


def _engine(*, strict: bool) -> Engine:
    engine = Engine(
        loaders=[],
        libraries={},
        autoescape=False,
        string_if_invalid=_INVALID if strict else "",
    )
    # Engine always adds Django's default tags; keep only the allowed ones.
    engine.template_builtins = [_library()]
    return engine


_ENGINE = _engine(strict=False)
_STRICT_ENGINE = _engine(strict=True)

# The variables a template may use: name → (what it is, a sample for the preview).
VARIABLES: dict[str, tuple[Promise, str]] = {
    "client_name": (gettext_lazy("The owner's full name"), "María Quispe"),
    "client_first_name": (gettext_lazy("The owner's first name"), "María"),
    "pet_name": (gettext_lazy("The pet's name"), "Firulais"),
    "clinic_name": (gettext_lazy("The organization's name"), "Clínica Veterinaria Huellitas"),
    "location_name": (gettext_lazy("The location's name"), "Huellitas Miraflores"),
    "location_address": (gettext_lazy("The location's address"), "Av. Larco 345, Miraflores"),
    "location_phone": (gettext_lazy("The location's phone"), "01 445 1234"),
    "portal_url": (gettext_lazy("The link to the owners' portal (empty when none)"), ""),
    "appointment_starts_at": (
        gettext_lazy("Date and time of the appointment, in the location's time zone"),
        "",
    ),
    "appointment_date": (gettext_lazy("Date of the appointment"), ""),
    "appointment_time": (gettext_lazy("Time of the appointment"), ""),
    "vet_name": (gettext_lazy("The veterinarian's name"), "Dra. Ana Torres"),
    "vaccine_name": (gettext_lazy("The vaccine's name"), "Rabia"),
    "due_on": (gettext_lazy("The date the vaccine is due"), ""),
    "invoice_number": (gettext_lazy("The receipt's number"), "B001-00000123"),
    "amount": (gettext_lazy("The amount paid, with its currency"), "PEN 120.00"),
    "message": (gettext_lazy("Free text of a general message"), ""),
}


@dataclass(frozen=True)
class Rendered:
    """A message's subject and body, ready to send."""

    subject: str
    body: str


def plain(value: Any, *, language: str, zone: str) -> str:
    """A context value as text: dates and times in `language`, datetimes in `zone`."""
    if value is None:
        return ""
    with translation.override(language):
        if isinstance(value, dt.datetime):
            local = value.astimezone(ZoneInfo(zone)) if value.tzinfo else value
            return str(formats.date_format(local, "DATETIME_FORMAT"))
        if isinstance(value, dt.date):
            return str(formats.date_format(value, "DATE_FORMAT"))
        if isinstance(value, dt.time):
            return str(formats.time_format(value, "TIME_FORMAT"))
        if isinstance(value, Decimal):
            return str(formats.number_format(value, decimal_pos=2))
        return str(value)


def plain_context(values: Mapping[str, Any], *, language: str, zone: str) -> dict[str, str]:
    """Every value of `values` as text; a datetime also gives `<name>`'s date and time parts."""
    result = {name: plain(value, language=language, zone=zone) for name, value in values.items()}
    for name, value in values.items():
        if isinstance(value, dt.datetime) and name.endswith("_starts_at"):
            stem = name.removesuffix("_starts_at")
            local = value.astimezone(ZoneInfo(zone)) if value.tzinfo else value
            if not result.get(f"{stem}_date"):
                result[f"{stem}_date"] = plain(local.date(), language=language, zone=zone)
            if not result.get(f"{stem}_time"):
                result[f"{stem}_time"] = plain(local.time(), language=language, zone=zone)
    return result


@functools.lru_cache(maxsize=512)
def _compiled(source: str) -> Any:
    """A template source compiled once (the reminder job renders thousands with one text)."""
    return _ENGINE.from_string(source)


def render(subject: str, body: str, context: Mapping[str, str]) -> Rendered:
    """Render a subject and body with a context of plain strings (no syntax check here)."""
    ctx = Context(dict(context), autoescape=False)
    rendered_subject = _compiled(subject).render(ctx) if subject else ""
    return Rendered(
        subject=" ".join(rendered_subject.split())[:200],
        body=_compiled(body).render(Context(dict(context), autoescape=False)).strip(),
    )


def sample_context(*, language: str, zone: str) -> dict[str, str]:
    """The documented variables with sample values, dates a week from now in `zone`."""
    starts_at = dt.datetime.now(ZoneInfo(zone)).replace(
        hour=10, minute=30, second=0, microsecond=0
    ) + dt.timedelta(days=7)
    values: dict[str, Any] = {name: sample for name, (_label, sample) in VARIABLES.items()}
    values["appointment_starts_at"] = starts_at
    values["due_on"] = starts_at.date()
    with translation.override(language):
        values["message"] = _("Our opening hours change next week.")
    return plain_context(values, language=language, zone=zone)


def validate(*, subject: str, body: str, language: str, zone: str) -> Rendered:
    """Compile and render both with sample data; a syntax error or an unknown variable is a
    ValidationFailed naming the field."""
    context = sample_context(language=language, zone=zone)
    errors: dict[str, list[str]] = {}
    results: dict[str, str] = {}
    for field, source in (("subject", subject), ("body", body)):
        try:
            text = _STRICT_ENGINE.from_string(source).render(Context(context, autoescape=False))
        except TemplateSyntaxError as error:
            errors[field] = [_("Template error: %(error)s") % {"error": error}]
            continue
        unknown = sorted(set(_unknown_names(text)))
        if unknown:
            errors[field] = [
                _("Unknown variable: %(names)s.") % {"names": ", ".join(unknown)},
            ]
            continue
        results[field] = text
    if errors:
        raise ValidationFailed(_("The template has errors."), fields=errors)
    return render(subject, body, context)


def _unknown_names(text: str) -> list[str]:
    names = []
    marker = _INVALID.split("%s")[0]
    for part in text.split(marker)[1:]:
        names.append(part.split("\x00", 1)[0])
    return names
