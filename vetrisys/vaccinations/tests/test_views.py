import datetime as dt

from django.test import Client as HttpClient
from django.urls import reverse

from vetrisys.accounts.models import User
from vetrisys.inventory.models import StockBalance
from vetrisys.inventory.tests.factories import receive
from vetrisys.pharmacy.models import Prescription
from vetrisys.vaccinations import services
from vetrisys.vaccinations.models import Vaccination, VaccineProtocol
from vetrisys.vaccinations.tests.conftest import open_visit, sign


def _as(user: User) -> HttpClient:
    http = HttpClient()
    http.force_login(user)
    return http


def test_the_visit_page_shows_both_panels_with_their_forms(world, vet_a, puppy, dhpp, admin):
    receive(admin, world.location_a, dhpp, 2, lot="V-5", expires_on=dt.date(2099, 1, 31))
    visit = open_visit(puppy, world.location_a, vet_a)

    page = _as(vet_a).get(reverse("records:visit_detail", args=[visit.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert "data-vaccination-form" in html
    assert "data-prescription-form" in html
    assert '<option value="V-5">' in html


def test_a_vet_records_a_vaccination_from_the_visit_page(world, vet_a, admin, puppy, dhpp):
    receive(admin, world.location_a, dhpp, 2, lot="V-5", expires_on=dt.date(2099, 1, 31))
    visit = open_visit(puppy, world.location_a, vet_a)

    response = _as(vet_a).post(
        reverse("vaccinations:visit_add", args=[visit.pk]),
        {"product": str(dhpp.pk), "lot": "V-5", "administered_on": "2025-02-26", "route": "sc"},
    )

    assert response.status_code == 302
    assert response["Location"].endswith("#vaccinations")
    given = Vaccination.objects.get()
    assert (given.visit, given.lot.lot_number, given.route) == (visit, "V-5", "sc")
    assert StockBalance.objects.get(location=world.location_a, product=dhpp).on_hand == 1


def test_a_signed_visit_has_no_forms_and_refuses_a_posted_vaccination(world, vet_a, puppy, dhpp):
    visit = sign(open_visit(puppy, world.location_a, vet_a), vet_a)
    http = _as(vet_a)

    page = http.get(reverse("records:visit_detail", args=[visit.pk]))
    posted = http.post(
        reverse("vaccinations:visit_add", args=[visit.pk]),
        {"product": str(dhpp.pk), "lot": "A1", "administered_on": "2025-02-26"},
        follow=True,
    )

    assert "data-vaccination-form" not in page.content.decode()
    assert "data-prescription-form" not in page.content.decode()
    assert "signed" in posted.content.decode()
    assert Vaccination.objects.count() == 0


def test_a_receptionist_cannot_post_a_vaccination_or_a_prescription(
    world, vet_a, receptionist_a, puppy, dhpp, rabies_vaccine
):
    visit = open_visit(puppy, world.location_a, vet_a)
    http = _as(receptionist_a)

    vaccination = http.post(
        reverse("vaccinations:visit_add", args=[visit.pk]),
        {"product": str(dhpp.pk), "lot": "A1", "administered_on": "2025-02-26"},
    )
    prescription = http.post(
        reverse("pharmacy:visit_add", args=[visit.pk]),
        {"product": str(dhpp.pk), "dose": "1", "route": "oral", "frequency": "daily",
         "quantity": "1"},
    )  # fmt: skip

    assert (vaccination.status_code, prescription.status_code) == (403, 403)
    assert Vaccination.objects.count() == 0
    assert Prescription.objects.count() == 0


def test_the_vaccination_card_shows_badges_and_the_certificate_link(
    world, vet_a, receptionist_a, puppy, dhpp
):
    services.vaccination_record(actor=vet_a, patient=puppy, product=dhpp,
                                location=world.location_a, administered_on=dt.date(2025, 4, 23),
                                lot="A1")  # fmt: skip

    page = _as(receptionist_a).get(reverse("vaccinations:patient_card", args=[puppy.pk]))

    html = page.content.decode()
    assert page.status_code == 200
    assert 'data-status="overdue"' in html
    assert reverse("vaccinations:certificate", args=[puppy.pk]) in html


def test_the_certificate_page_is_a_pdf(world, vet_a, puppy, dhpp):
    response = _as(vet_a).get(reverse("vaccinations:certificate", args=[puppy.pk]))

    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_another_organizations_patient_card_is_404(outsider, puppy):
    response = _as(outsider).get(reverse("vaccinations:patient_card", args=[puppy.pk]))

    assert response.status_code == 404


def test_a_vet_edits_a_seeded_protocol_from_the_protocols_page(world, vet_a):
    seeded = VaccineProtocol.objects.get(organization=None, code="dog-rabies")
    http = _as(vet_a)

    listed = http.get(reverse("vaccinations:protocols"))
    saved = http.post(
        reverse("vaccinations:protocol_edit", args=[seeded.pk]),
        {"name_es": "Antirrábica", "name_en": "Rabies", "min_age_weeks": "12",
         "primary_doses": "1", "primary_interval_weeks": "4", "booster_interval_months": "12",
         "notes": "Campaña municipal", "is_core": "on", "is_active": "on"},
    )  # fmt: skip

    assert listed.status_code == 200
    assert "Rabies" in listed.content.decode()
    assert saved.status_code == 302
    own = VaccineProtocol.objects.get(organization=world.org, code="dog-rabies")
    assert (own.notes, own.replaces_id) == ("Campaña municipal", seeded.pk)
