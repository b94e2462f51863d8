"""The built-in text of every kind of message, in Spanish and English.

An organization without its own `MessageTemplate` for (kind, channel, language) gets these.
They are template source (the same syntax a manager edits), not gettext strings: each language
is written out, so a clinic can compare its own wording with the original side by side.
Email has a subject and a longer body; SMS, WhatsApp and in-app messages share a short body.
"""

from __future__ import annotations

from dataclasses import dataclass

from vetrisys.notifications.models import MessageChannel, MessageKind


@dataclass(frozen=True)
class DefaultText:
    """The built-in subject and bodies of one kind in one language."""

    subject: str
    email_body: str
    short_body: str


_SIGNATURE_ES = "\n\n{{ location_name }}\n{{ location_address }}\n{{ location_phone }}"
_SIGNATURE_EN = _SIGNATURE_ES

DEFAULTS: dict[str, dict[str, DefaultText]] = {
    MessageKind.APPOINTMENT_CONFIRMATION: {
        "es": DefaultText(
            subject="Cita confirmada para {{ pet_name }}",
            email_body=(
                "Hola {{ client_first_name }}:\n\nConfirmamos la cita de {{ pet_name }} el "
                "{{ appointment_starts_at }} en {{ location_name }}."
                "{% if portal_url %}\n\nPuede verla o cambiarla en {{ portal_url }}{% endif %}"
                + _SIGNATURE_ES
            ),
            short_body=(
                "{{ location_name }}: cita de {{ pet_name }} confirmada para el "
                "{{ appointment_starts_at }}."
            ),
        ),
        "en": DefaultText(
            subject="Appointment confirmed for {{ pet_name }}",
            email_body=(
                "Hello {{ client_first_name }},\n\nWe confirm {{ pet_name }}'s appointment on "
                "{{ appointment_starts_at }} at {{ location_name }}."
                "{% if portal_url %}\n\nSee or change it at {{ portal_url }}{% endif %}"
                + _SIGNATURE_EN
            ),
            short_body=(
                "{{ location_name }}: {{ pet_name }}'s appointment is confirmed for "
                "{{ appointment_starts_at }}."
            ),
        ),
    },
    MessageKind.APPOINTMENT_REMINDER: {
        "es": DefaultText(
            subject="Recordatorio: cita de {{ pet_name }}",
            email_body=(
                "Hola {{ client_first_name }}:\n\nLe recordamos la cita de {{ pet_name }} el "
                "{{ appointment_starts_at }} en {{ location_name }} ({{ location_address }})."
                "\n\nSi no puede venir, llámenos al {{ location_phone }}." + _SIGNATURE_ES
            ),
            short_body=(
                "{{ location_name }}: recuerde la cita de {{ pet_name }} el "
                "{{ appointment_starts_at }}. Para cambiarla: {{ location_phone }}."
            ),
        ),
        "en": DefaultText(
            subject="Reminder: {{ pet_name }}'s appointment",
            email_body=(
                "Hello {{ client_first_name }},\n\nThis is a reminder of {{ pet_name }}'s "
                "appointment on {{ appointment_starts_at }} at {{ location_name }} "
                "({{ location_address }}).\n\nIf you cannot come, please call us at "
                "{{ location_phone }}." + _SIGNATURE_EN
            ),
            short_body=(
                "{{ location_name }}: reminder of {{ pet_name }}'s appointment on "
                "{{ appointment_starts_at }}. To change it: {{ location_phone }}."
            ),
        ),
    },
    MessageKind.VACCINE_DUE: {
        "es": DefaultText(
            subject="{{ pet_name }}: vacuna {{ vaccine_name }} próxima",
            email_body=(
                "Hola {{ client_first_name }}:\n\nLa vacuna {{ vaccine_name }} de {{ pet_name }} "
                "vence el {{ due_on }}. Reserve su cita llamando al {{ location_phone }}"
                "{% if portal_url %} o en {{ portal_url }}{% endif %}." + _SIGNATURE_ES
            ),
            short_body=(
                "{{ location_name }}: la vacuna {{ vaccine_name }} de {{ pet_name }} vence el "
                "{{ due_on }}. Reserve al {{ location_phone }}."
            ),
        ),
        "en": DefaultText(
            subject="{{ pet_name }}: {{ vaccine_name }} vaccine coming due",
            email_body=(
                "Hello {{ client_first_name }},\n\n{{ pet_name }}'s {{ vaccine_name }} vaccine is "
                "due on {{ due_on }}. Book a visit by calling {{ location_phone }}"
                "{% if portal_url %} or at {{ portal_url }}{% endif %}." + _SIGNATURE_EN
            ),
            short_body=(
                "{{ location_name }}: {{ pet_name }}'s {{ vaccine_name }} vaccine is due on "
                "{{ due_on }}. Book at {{ location_phone }}."
            ),
        ),
    },
    MessageKind.VACCINE_OVERDUE: {
        "es": DefaultText(
            subject="{{ pet_name }}: vacuna {{ vaccine_name }} vencida",
            email_body=(
                "Hola {{ client_first_name }}:\n\nLa vacuna {{ vaccine_name }} de {{ pet_name }} "
                "venció el {{ due_on }}. Para que siga protegido, reserve su cita llamando al "
                "{{ location_phone }}{% if portal_url %} o en {{ portal_url }}{% endif %}."
                + _SIGNATURE_ES
            ),
            short_body=(
                "{{ location_name }}: la vacuna {{ vaccine_name }} de {{ pet_name }} venció el "
                "{{ due_on }}. Reserve al {{ location_phone }}."
            ),
        ),
        "en": DefaultText(
            subject="{{ pet_name }}: {{ vaccine_name }} vaccine overdue",
            email_body=(
                "Hello {{ client_first_name }},\n\n{{ pet_name }}'s {{ vaccine_name }} vaccine "
                "was due on {{ due_on }}. To keep {{ pet_name }} protected, book a visit by "
                "calling {{ location_phone }}{% if portal_url %} or at {{ portal_url }}"
                "{% endif %}." + _SIGNATURE_EN
            ),
            short_body=(
                "{{ location_name }}: {{ pet_name }}'s {{ vaccine_name }} vaccine was due on "
                "{{ due_on }}. Book at {{ location_phone }}."
            ),
        ),
    },
    MessageKind.FOLLOW_UP: {
        "es": DefaultText(
            subject="¿Cómo sigue {{ pet_name }}?",
            email_body=(
                "Hola {{ client_first_name }}:\n\nQueremos saber cómo sigue {{ pet_name }} "
                "después de su visita. Si tiene dudas o notó algún cambio, llámenos al "
                "{{ location_phone }}." + _SIGNATURE_ES
            ),
            short_body=(
                "{{ location_name }}: ¿cómo sigue {{ pet_name }}? Si tiene dudas, llámenos al "
                "{{ location_phone }}."
            ),
        ),
        "en": DefaultText(
            subject="How is {{ pet_name }} doing?",
            email_body=(
                "Hello {{ client_first_name }},\n\nWe would like to know how {{ pet_name }} is "
                "doing after the visit. If you have questions or noticed any change, call us at "
                "{{ location_phone }}." + _SIGNATURE_EN
            ),
            short_body=(
                "{{ location_name }}: how is {{ pet_name }} doing? Questions? Call "
                "{{ location_phone }}."
            ),
        ),
    },
    MessageKind.BIRTHDAY: {
        "es": DefaultText(
            subject="¡Feliz cumpleaños, {{ pet_name }}!",
            email_body=(
                "Hola {{ client_first_name }}:\n\nTodo el equipo de {{ location_name }} le desea "
                "un feliz cumpleaños a {{ pet_name }}." + _SIGNATURE_ES
            ),
            short_body="{{ location_name }}: ¡feliz cumpleaños, {{ pet_name }}!",
        ),
        "en": DefaultText(
            subject="Happy birthday, {{ pet_name }}!",
            email_body=(
                "Hello {{ client_first_name }},\n\nEveryone at {{ location_name }} wishes "
                "{{ pet_name }} a happy birthday." + _SIGNATURE_EN
            ),
            short_body="{{ location_name }}: happy birthday, {{ pet_name }}!",
        ),
    },
    MessageKind.LAPSED_CLIENT: {
        "es": DefaultText(
            subject="Le extrañamos en {{ location_name }}",
            email_body=(
                "Hola {{ client_first_name }}:\n\nHace tiempo que no vemos a {{ pet_name }}. "
                "Un control anual ayuda a detener problemas a tiempo: reserve al "
                "{{ location_phone }}{% if portal_url %} o en {{ portal_url }}{% endif %}."
                + _SIGNATURE_ES
            ),
            short_body=(
                "{{ location_name }}: hace tiempo que no vemos a {{ pet_name }}. Reserve su "
                "control al {{ location_phone }}."
            ),
        ),
        "en": DefaultText(
            subject="We miss you at {{ location_name }}",
            email_body=(
                "Hello {{ client_first_name }},\n\nWe have not seen {{ pet_name }} for a while. "
                "A yearly check-up catches problems early: book at {{ location_phone }}"
                "{% if portal_url %} or at {{ portal_url }}{% endif %}." + _SIGNATURE_EN
            ),
            short_body=(
                "{{ location_name }}: we have not seen {{ pet_name }} for a while. Book a "
                "check-up at {{ location_phone }}."
            ),
        ),
    },
    MessageKind.RECEIPT: {
        "es": DefaultText(
            subject="Su comprobante {{ invoice_number }} de {{ clinic_name }}",
            email_body=(
                "Hola {{ client_first_name }}:\n\nGracias por su pago. Comprobante "
                "{{ invoice_number }} por {{ amount }}." + _SIGNATURE_ES
            ),
            short_body=(
                "{{ clinic_name }}: comprobante {{ invoice_number }} por {{ amount }}. Gracias."
            ),
        ),
        "en": DefaultText(
            subject="Your receipt {{ invoice_number }} from {{ clinic_name }}",
            email_body=(
                "Hello {{ client_first_name }},\n\nThank you for your payment. Receipt "
                "{{ invoice_number }} for {{ amount }}." + _SIGNATURE_EN
            ),
            short_body=(
                "{{ clinic_name }}: receipt {{ invoice_number }} for {{ amount }}. Thank you."
            ),
        ),
    },
    MessageKind.GENERAL: {
        "es": DefaultText(
            subject="Mensaje de {{ location_name }}",
            email_body="Hola {{ client_first_name }}:\n\n{{ message }}" + _SIGNATURE_ES,
            short_body="{{ location_name }}: {{ message }}",
        ),
        "en": DefaultText(
            subject="A message from {{ location_name }}",
            email_body="Hello {{ client_first_name }},\n\n{{ message }}" + _SIGNATURE_EN,
            short_body="{{ location_name }}: {{ message }}",
        ),
    },
}


def default_text(kind: str, channel: str, language: str) -> tuple[str, str]:
    """The built-in (subject, body) of a kind for a channel and language (Spanish if unknown)."""
    texts = DEFAULTS.get(kind) or DEFAULTS[MessageKind.GENERAL]
    text = texts.get(language) or texts["es"]
    if channel == MessageChannel.EMAIL:
        return text.subject, text.email_body
    return text.subject, text.short_body
