"""Demo owners: realistic Peruvian names, DNIs, mobiles and districts of Lima and Arequipa."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction

from vetrisys.accounts.models import Organization
from vetrisys.clients.bulk import client_row, create_phones, phone_row
from vetrisys.clients.models import Client, ClientPhone, Communication
from vetrisys.core.timeutil import now

FIRST_NAMES = [
    "María", "José", "Rosa", "Juan", "Carmen", "Luis", "Ana", "Carlos", "Lucía", "Jorge",
    "Milagros", "Víctor", "Elena", "César", "Gladys", "Raúl", "Patricia", "Óscar", "Julia",
    "Miguel", "Sofía", "Fernando", "Yolanda", "Andrés", "Mónica", "Héctor", "Valeria", "Iván",
]  # fmt: skip
LAST_NAMES = [
    "Quispe", "Mamani", "Huamán", "Flores", "Rojas", "Chávez", "Vargas", "Ramos", "Gutiérrez",
    "Sánchez", "Torres", "Mendoza", "Castillo", "Ccori", "Condori", "Apaza", "Cárdenas", "Núñez",
    "Paredes", "Zúñiga", "Salazar", "Ticona", "Villanueva", "Muñoz", "Espinoza", "Llerena",
]  # fmt: skip
PLACES = [
    ("Miraflores", "Lima"), ("San Isidro", "Lima"), ("Surco", "Lima"), ("San Borja", "Lima"),
    ("Jesús María", "Lima"), ("Lince", "Lima"), ("Los Olivos", "Lima"), ("Barranco", "Lima"),
    ("Cayma", "Arequipa"), ("Yanahuara", "Arequipa"), ("Cercado", "Arequipa"),
    ("José Luis Bustamante y Rivero", "Arequipa"),
]  # fmt: skip
STREETS = ["Av. Larco", "Jr. Junín", "Calle Las Begonias", "Av. Ejército", "Calle Mercaderes",
           "Av. Arequipa", "Jr. Huallaga", "Av. Benavides"]  # fmt: skip
DOMAINS = ["gmail.com", "hotmail.com", "outlook.com", "yahoo.es"]
COUNT = 40


@transaction.atomic
def load(*, organization: Organization, seed: int = 7) -> list[Client]:
    """About forty owners with phones and a little history; running it again adds nothing."""
    planned: list[tuple[Client, list[ClientPhone]]] = []
    taken = set(
        Client.objects.filter(organization=organization).values_list("document_number", flat=True)
    )
    current = now()
    for index in range(COUNT):
        rng = random.Random(f"{seed}:{index}")  # one stream per owner: skipping one shifts none
        first = rng.choice(FIRST_NAMES)
        last = f"{rng.choice(LAST_NAMES)} {rng.choice(LAST_NAMES)}"
        dni = f"{rng.randint(10_000_000, 79_999_999)}"
        district, city = rng.choice(PLACES)
        mobile = f"9{rng.randint(10_000_000, 99_999_999)}"
        email_name = f"{first}.{last.split()[0]}{index}".lower()
        email_name = email_name.translate(str.maketrans("áéíóúñ", "aeioun"))
        consent = current - timedelta(days=rng.randint(1, 700))
        if dni in taken:
            continue
        taken.add(dni)
        client = client_row(
            organization_id=organization.pk,
            first_name=first,
            last_name=last,
            document_type=Client.DocumentType.DNI,
            document_number=dni,
            email=f"{email_name}@{rng.choice(DOMAINS)}" if rng.random() < 0.7 else "",
            address=f"{rng.choice(STREETS)} {rng.randint(100, 1999)}",
            district=district,
            city=city,
            preferred_channel=rng.choice(["whatsapp", "whatsapp", "phone", "sms", "email"]),
            whatsapp_consent_at=consent if rng.random() < 0.8 else None,
            sms_consent_at=consent if rng.random() < 0.4 else None,
            emergency_contact_name=f"{rng.choice(FIRST_NAMES)} {last.split()[0]}",
            emergency_contact_phone=f"+519{rng.randint(10_000_000, 99_999_999)}",
        )
        phones = [phone_row(client=client, number=f"{mobile[:3]} {mobile[3:6]} {mobile[6:]}")]
        if rng.random() < 0.25:
            landline = f"01 {rng.randint(200, 799)} {rng.randint(1000, 9999)}"
            phones.append(phone_row(client=client, number=landline, label="home", is_primary=False))
        planned.append((client, phones))
    clients = Client.objects.bulk_create([client for client, _phones in planned])
    create_phones([phone for _client, phones in planned for phone in phones])
    Communication.objects.bulk_create(
        Communication(
            organization_id=organization.pk,
            client=client,
            kind=Communication.Kind.CALL,
            direction=Communication.Direction.INBOUND,
            subject="Consulta por horarios",
            body="Pregunta por los horarios de atención del sábado.",
            occurred_at=current - timedelta(days=1 + index),
        )
        for index, client in enumerate(clients[::4])
    )
    return clients
