"""Stored XSS: payloads in every free-text field that a staff page shows, each page opened in
Chromium; nothing runs (no dialog, no flag set, no inline markup reaching the page)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import models

from vetrisys.accounts.tests.factories import (
    PASSWORD,
    LocationFactory,
    OrganizationFactory,
    make_staff,
)
from vetrisys.billing.services import invoice_create
from vetrisys.billing.services.documents import LineSpec
from vetrisys.clients.services import communication_log
from vetrisys.inventory.tests.factories import ProductFactory
from vetrisys.patients.services import note_add
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory
from vetrisys.records.services.clinical import diagnosis_add, lab_result_add
from vetrisys.records.services.procedures import procedure_add
from vetrisys.records.services.visits import visit_open
from vetrisys.scheduling.tests.factories import AppointmentTypeFactory, make_appointment

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# {tag} names the field the payload was written to, so a hit says where it came from.
PAYLOADS = {
    "script": "<script>window.xss='{tag}'</script>",
    "img-onerror": "<img src=x onerror=window.xss='{tag}'>",
    "svg-onload": "\"><svg onload=window.xss='{tag}'>",
    "javascript-url": "javascript:window.xss='{tag}'",
    "template": "{{{{7*7}}}}{tag}",
    "js-string": "';alert('{tag}');'",
}

# What the page must not contain once rendered: live markup the payloads would create.
INJECTED_MARKUP = """() => {
  const found = [];
  const cut = (el) => el.outerHTML.slice(0, 80);
  for (const el of document.querySelectorAll('[onerror],[onload],[onclick]')) found.push(cut(el));
  for (const el of document.querySelectorAll('script:not([src])')) {
    if (el.textContent.includes('xss')) found.push('inline script');
  }
  for (const el of document.querySelectorAll('a[href],form[action],iframe[src]')) {
    const url = el.getAttribute('href') || el.getAttribute('action') || el.getAttribute('src');
    if (url.trim().toLowerCase().startsWith('javascript:')) found.push(cut(el));
  }
  return found;
}"""


@pytest.fixture(autouse=True)
def _static_files(settings: Any) -> Any:
    from django.conf import settings as django_settings
    from django.contrib.staticfiles import finders

    if finders.find("vendor/htmx/htmx.min.js") is None:
        settings.STATICFILES_DIRS = [Path(django_settings.PACKAGE_DIR) / "static"]
        finders.get_finder.cache_clear()
    yield
    finders.get_finder.cache_clear()


def _world() -> dict[str, Any]:
    """A clinic with one of everything a staff page shows, written through the services."""
    org = OrganizationFactory(name="Huellitas")
    location = LocationFactory(organization=org, name="Miraflores")
    admin = make_staff(location=location, role="admin", username="admin_xss")
    vet = make_staff(location=location, role="vet", username="vet_xss")
    owner = OwnerFactory(organization=org)
    patient = PatientFactory(client=owner)
    kind = AppointmentTypeFactory(organization=org)
    today = dt.datetime.now(dt.UTC).replace(hour=15, minute=0, second=0, microsecond=0)
    appointment = make_appointment(
        location=location, patient=patient, vet=vet, appointment_type=kind, starts_at=today
    )
    visit = visit_open(actor=vet, location=location, patient=patient, vet=vet, reason="Control")
    diagnosis = diagnosis_add(actor=vet, visit=visit, free_text="Otitis")
    lab = lab_result_add(actor=vet, visit=visit, test_name="Hematocrito", value="45")
    product = ProductFactory(organization=org, name="Amoxicilina")
    service = ProductFactory(organization=org, name="Limpieza de oídos", kind="service")
    procedure = procedure_add(actor=vet, visit=visit, product=service)
    invoice = invoice_create(
        actor=admin,
        location=location,
        client=owner,
        patient=patient,
        lines=[LineSpec(description="Consulta", unit_price=Decimal("50.00"))],
    )
    contact = communication_log(
        actor=admin, client=owner, kind="call", subject="Llamada", body="Ok"
    )
    note = note_add(actor=vet, patient=patient, text="Tranquilo")
    return {
        "admin": admin,
        "objects": {
            "client": owner,
            "patient": patient,
            "appointment": appointment,
            "visit": visit,
            "soap": visit.soap,
            "diagnosis": diagnosis,
            "lab": lab,
            "product": product,
            "procedure": procedure,
            "line": invoice.lines.first(),
            "communication": contact,
            "note": note,
            "vet": vet,
        },
        "pages": [
            "/",
            "/clients/",
            f"/clients/{owner.pk}/",
            f"/clients/{owner.pk}/edit/",
            f"/clients/{owner.pk}/?tab=communications",
            f"/clients/{owner.pk}/?tab=pets",
            "/patients/",
            f"/patients/{patient.pk}/",
            f"/patients/{patient.pk}/edit/",
            f"/patients/{patient.pk}/?tab=notes",
            f"/patients/{patient.pk}/?tab=history",
            f"/schedule/?date={today.date().isoformat()}",
            f"/schedule/appointments/{appointment.pk}/",
            "/schedule/waiting-room/",
            f"/records/visits/{visit.pk}/",
            f"/records/patients/{patient.pk}/visits/",
            f"/vaccinations/patients/{patient.pk}/",
            "/stock/products/",
            "/billing/prices/",
            "/billing/",
            f"/billing/invoices/{invoice.pk}/",
            f"/billing/invoices/{invoice.pk}/receipt/",
            f"/billing/checkout/{owner.pk}/",
            "/staff/",
        ],
    }


# The free-text fields of each object (what a person types and a page shows).
FIELDS: dict[str, tuple[str, ...]] = {
    "client": ("first_name", "last_name", "address", "district", "city",
               "emergency_contact_name", "notes"),
    "patient": ("name", "color", "allergies", "chronic_conditions", "alert_note"),
    "appointment": ("notes",),
    "visit": ("reason",),
    "soap": ("subjective", "objective", "assessment", "plan"),
    "diagnosis": ("free_text", "notes"),
    "lab": ("test_name", "value"),  # its notes are on no staff page
    "procedure": ("notes",),
    "product": ("name",),
    "line": ("description",),
    "communication": ("subject", "body"),
    "note": ("text",),
    "vet": ("first_name", "last_name"),
}  # fmt: skip


def _write(objects: dict[str, Any], payload: str) -> dict[str, str]:
    """Put the payload (tagged per field) in every field; tag → field."""
    tags = {}
    for index, (name, fields) in enumerate(FIELDS.items()):
        obj = objects[name]
        for number, field in enumerate(fields):
            tag = f"q{index}{chr(97 + number)}z"
            limit = obj._meta.get_field(field).max_length or 1000
            setattr(obj, field, payload.format(tag=tag)[:limit])
            tags[tag] = f"{name}.{field}"
        extra = [f.name for f in obj._meta.concrete_fields if f.name == "search_name"]
        if isinstance(obj, models.Model):
            obj.save(update_fields=[*fields, *extra])
    return tags


def test_no_stored_payload_runs_on_any_staff_page(live_server: Any, page: Any) -> None:
    world = _world()
    page.set_default_timeout(60_000)  # many page loads on a busy machine
    page.set_default_navigation_timeout(60_000)
    dialogs: list[str] = []
    console: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server.url}/accounts/login/")
    form = page.locator("form", has=page.locator("input[name=login]"))
    form.locator("input[name=login]").fill("admin_xss")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")

    problems: list[str] = []
    tried = 0
    shown_fields: set[str] = set()
    for payload_name, payload in PAYLOADS.items():
        tags = _write(world["objects"], payload)
        for url in world["pages"]:
            console.clear()
            response = page.goto(f"{live_server.url}{url}")
            assert response is not None, url
            assert response.status == 200, url
            tried += len(tags)
            html = page.content()
            shown = [tag for tag in tags if tag in html]
            shown_fields.update(tags[tag] for tag in shown)
            flag = page.evaluate("() => window.xss")
            markup = page.evaluate(INJECTED_MARKUP)
            blocked = [m for m in console if "Content Security Policy" in m]
            evaluated = [tags[t] for t in shown if f"49{t}" in html]
            if flag or markup or blocked or evaluated or dialogs:
                problems.append(
                    f"{payload_name} on {url}: flag={flag!r} ({tags.get(str(flag))}) "
                    f"markup={markup} csp={blocked[:2]} evaluated={evaluated} dialogs={dialogs}"
                )
                dialogs.clear()

    pages = len(world["pages"])
    fields = sum(len(f) for f in FIELDS.values())
    assert tried == len(PAYLOADS) * fields * pages
    # Each field shows on at least one of the pages (else a page is missing from the list).
    every = {f"{name}.{field}" for name, fields_of in FIELDS.items() for field in fields_of}
    missing = sorted(every - shown_fields)
    assert missing == [], f"fields on none of the pages: {missing}"
    assert problems == [], "\n".join(problems)
