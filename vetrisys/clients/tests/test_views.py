import pytest
from django.test import Client as HttpClient
from django.urls import reverse

from vetrisys.accounts.models import User
from vetrisys.accounts.tests.factories import make_staff
from vetrisys.clients.models import Client, Communication
from vetrisys.clients.tests.factories import ClientFactory, CommunicationFactory, add_phone


def _as(user: User | None) -> HttpClient:
    http = HttpClient()
    if user is not None:
        http.force_login(user)
    return http


@pytest.fixture
def technician_a(world) -> User:
    return make_staff(location=world.location_a, role="technician", username="tech_a")


@pytest.fixture
def owner(world) -> Client:
    client = ClientFactory(
        organization=world.org, first_name="Rosa", last_name="Huamán", search_name="rosa huaman"
    )
    add_phone(client, "987654321")
    return client


@pytest.mark.parametrize(
    ("person", "list_status", "detail_status", "new_status"),
    [
        ("admin", 200, 200, 200),
        ("manager_a", 200, 200, 200),
        ("vet_a", 200, 200, 200),
        ("receptionist_a", 200, 200, 200),
        ("vet_b", 200, 200, 200),
        ("technician_a", 200, 200, 403),
        ("outsider", 200, 404, 200),
    ],
)
def test_screens_answer_each_person(
    people, technician_a, owner, person, list_status, detail_status, new_status
):
    http = _as({**people, "technician_a": technician_a}[person])

    statuses = (
        http.get(reverse("client_list")).status_code,
        http.get(reverse("client_detail", args=[owner.pk])).status_code,
        http.get(reverse("client_create")).status_code,
    )

    assert statuses == (list_status, detail_status, new_status)


def test_anonymous_people_are_sent_to_sign_in(owner):
    response = _as(None).get(reverse("client_list"))

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_search_as_you_type_answers_the_results_fragment(receptionist_a, owner, world):
    ClientFactory(organization=world.org, first_name="Pedro", search_name="pedro")

    response = _as(receptionist_a).get(
        reverse("client_list"), {"q": "4321"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert "Huamán, Rosa" in body
    assert "Pedro" not in body


def test_every_tab_renders(receptionist_a, owner):
    CommunicationFactory(client=owner, subject="Recordatorio de vacuna")
    http = _as(receptionist_a)

    pages = {
        tab: http.get(reverse("client_detail", args=[owner.pk]), {"tab": tab})
        for tab in ("details", "pets", "communications", "merge")
    }

    assert {tab: page.status_code for tab, page in pages.items()} == {
        "details": 200,
        "pets": 200,
        "communications": 200,
        "merge": 200,
    }
    assert "Recordatorio de vacuna" in pages["communications"].content.decode()


def test_create_registers_the_owner_with_phones_and_consents(receptionist_a, world):
    response = _as(receptionist_a).post(
        reverse("client_create"),
        {
            "first_name": "Lucía",
            "last_name": "Mamani",
            "document_type": "dni",
            "document_number": "45678912",
            "email": "lucia@correo.pe",
            "preferred_channel": "whatsapp",
            "language": "es",
            "phone_0_number": "01 234 5678",
            "phone_0_label": "home",
            "phone_1_number": "987 654 321",
            "phone_1_label": "mobile",
            "primary_phone": "1",
            "consent_whatsapp": "on",
        },
    )

    client = Client.objects.get(organization=world.org, last_name="Mamani")
    assert response.status_code == 302
    assert response["Location"] == reverse("client_detail", args=[client.pk])
    assert sorted((p.e164, p.label, p.is_primary) for p in client.phones.all()) == [
        ("+5112345678", "home", False),
        ("+51987654321", "mobile", True),
    ]
    assert client.whatsapp_consent_at is not None
    assert client.email_consent_at is None


def test_create_shows_the_service_errors_next_to_their_fields(receptionist_a):
    response = _as(receptionist_a).post(
        reverse("client_create"),
        {
            "first_name": "Lucía",
            "document_type": "dni",
            "document_number": "123",
            "preferred_channel": "phone",
            "language": "es",
            "phone_1_number": "12",
        },
    )

    assert response.status_code == 422
    form = response.context["form"]
    assert form.errors == {
        "document_number": ["A DNI has 8 digits."],
        "phone_1_number": ["Enter a valid phone number, e.g. 987 654 321 or +51 1 234 5678."],
    }
    assert Client.objects.count() == 0


def test_edit_a_technician_may_not_and_nothing_changes(technician_a, owner):
    response = _as(technician_a).post(
        reverse("client_edit", args=[owner.pk]), {"first_name": "X", "language": "es"}
    )

    assert response.status_code == 403
    owner.refresh_from_db()
    assert (owner.first_name, owner.version) == ("Rosa", 1)


def test_communication_form_adds_to_the_history(vet_a, owner):
    response = _as(vet_a).post(
        reverse("client_communication_log", args=[owner.pk]),
        {"kind": "call", "direction": "in", "subject": "Pregunta", "body": "Por la dieta"},
    )

    assert response.status_code == 302
    [entry] = Communication.objects.filter(client=owner)
    assert (entry.kind, entry.subject, entry.author_id) == ("call", "Pregunta", vet_a.pk)


def test_archive_and_merge_from_the_screen(receptionist_a, owner, world):
    duplicate = ClientFactory(organization=world.org, first_name="Rosa", last_name="Huaman")
    http = _as(receptionist_a)

    merged = http.post(reverse("client_merge", args=[owner.pk]), {"duplicate": duplicate.pk})
    archived = http.post(reverse("client_archive", args=[owner.pk]))

    assert (merged.status_code, archived.status_code) == (302, 302)
    duplicate.refresh_from_db()
    owner.refresh_from_db()
    assert duplicate.merged_into_id == owner.pk
    assert owner.is_active is False


def test_list_page_queries_are_pinned(receptionist_a, world, django_assert_num_queries):
    for n in range(3):
        add_phone(ClientFactory(organization=world.org), f"98765432{n}")
    http = _as(receptionist_a)
    http.get(reverse("client_list"))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as three:
        http.get(reverse("client_list"))
    for n in range(3, 10):
        add_phone(ClientFactory(organization=world.org), f"98765432{n}")

    with django_assert_num_queries(len(three)):
        response = http.get(reverse("client_list"))
    assert response.content.decode().count("/clients/") >= 10
    assert len(three) == LIST_PAGE_QUERIES


# Session, user, location and capability lookups, then count, page and phones.
LIST_PAGE_QUERIES = 13
