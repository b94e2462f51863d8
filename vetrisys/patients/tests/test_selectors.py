import datetime as dt

import pytest
from django.utils import timezone

from vetrisys.clients.selectors import client_search
from vetrisys.clients.services import client_create
from vetrisys.clients.tests.factories import add_phone
from vetrisys.core.errors import NotAllowed, NotFound
from vetrisys.patients import selectors, services
from vetrisys.patients.tests.factories import OwnerFactory, PatientFactory


@pytest.fixture
def family(world, admin):
    owner = client_create(
        actor=admin, first_name="Óscar", last_name="Ñahui Pérez", phone="+51 987 654 321"
    )
    pet = PatientFactory(client=owner, organization=world.org, name="Peluchín",
                         microchip="985112003456789")  # fmt: skip
    sibling = PatientFactory(client=owner, organization=world.org, name="Rocky")
    return owner, pet, sibling


@pytest.mark.parametrize("typed", ["peluchin", "PELUCHÍN", "pelu"])
def test_quick_search_finds_a_pet_by_name_ignoring_accents_and_case(vet_a, family, typed):
    owner, pet, _sibling = family

    result = selectors.quick_search(actor=vet_a, q=typed)

    assert result.patients[0] == pet
    assert owner in result.clients  # the owner of a pet of that name


@pytest.mark.parametrize("typed", ["985112003456789", "985 112 003", "98511200"])
def test_quick_search_finds_a_pet_by_microchip_or_its_start(vet_a, family, typed):
    _owner, pet, _sibling = family

    assert selectors.quick_search(actor=vet_a, q=typed).patients[0] == pet


@pytest.mark.parametrize("typed", ["4321", "654-321", "987 654 321", "+51987654321"])
def test_quick_search_finds_owner_and_pets_by_phone_digits(vet_a, family, typed):
    owner, pet, sibling = family

    result = selectors.quick_search(actor=vet_a, q=typed)

    assert result.clients == [owner]
    assert result.patients == [pet, sibling]


def test_quick_search_by_owner_name_without_accents(vet_a, family):
    owner, pet, sibling = family

    result = selectors.quick_search(actor=vet_a, q="oscar nahui")

    assert result.clients == [owner]
    assert result.patients == [pet, sibling]


def test_quick_search_never_crosses_organizations(outsider, family):
    result = selectors.quick_search(actor=outsider, q="4321")

    assert result.is_empty


def test_quick_search_ignores_one_character(vet_a, family):
    assert selectors.quick_search(actor=vet_a, q="p").is_empty


def test_quick_search_is_a_bounded_number_of_queries(vet_a, family, django_assert_num_queries):
    selectors.quick_search(actor=vet_a, q="xx")  # capabilities cached on the user

    with django_assert_num_queries(3):
        selectors.quick_search(actor=vet_a, q="4321")


def test_history_is_newest_first_and_paginated(world, vet_a):
    patient = PatientFactory(client__organization=world.org)
    now = timezone.now()
    for days in (30, 10, 20):
        services.weight_record_add(
            actor=vet_a, patient=patient, value=str(days), measured_at=now - dt.timedelta(days=days)
        )
    note = services.note_add(actor=vet_a, patient=patient, text="Hola")

    page = selectors.patient_history(actor=vet_a, patient=patient, limit=3, offset=0)
    rest = selectors.patient_history(actor=vet_a, patient=patient, limit=3, offset=3)

    assert page.count == 5
    assert [(e.kind, e.detail) for e in page.items] == [
        ("note", "Hola"), ("registration", f"{patient.name} was registered."), ("weight", "10 kg"),
    ]  # fmt: skip
    assert [(e.kind, e.detail) for e in rest.items] == [("weight", "20 kg"), ("weight", "30 kg")]
    assert page.items[0].object_id == str(note.pk)


def test_history_needs_patients_view(world, outsider):
    patient = PatientFactory(client__organization=world.org)

    with pytest.raises(NotFound):
        selectors.patient_history(actor=outsider, patient=patient)


def test_a_registered_source_joins_the_history(world, vet_a, monkeypatch):
    from vetrisys.patients import timeline

    patient = PatientFactory(client__organization=world.org)
    visit_at = timezone.now() + dt.timedelta(seconds=1)
    source = timeline.PatientSource(
        kind="visit",
        entries=lambda p: [timeline.TimelineEntry(occurred_at=visit_at, kind="visit", title="V")],
    )
    monkeypatch.setattr(timeline, "_SOURCES", {**timeline._SOURCES, "visit": source})

    page = selectors.patient_history(actor=vet_a, patient=patient)

    assert [e.kind for e in page.items] == ["visit", "registration"]


def test_lists_need_patients_view(world):
    from vetrisys.accounts.tests.factories import UserFactory

    nobody = UserFactory(organization=world.org)

    with pytest.raises(NotAllowed):
        selectors.patient_list(actor=nobody)


def test_punctuation_alone_finds_nothing(vet_a, family):
    assert selectors.quick_search(actor=vet_a, q="--").patients == []


@pytest.fixture
def busy_clinic(world):
    """30 owners called Luna, each with a mobile, and 45 pets called Luna."""
    owners = [
        OwnerFactory(organization=world.org, first_name="Rosa", last_name=f"Luna {n}")
        for n in range(30)
    ]
    for n, owner in enumerate(owners):
        add_phone(owner, f"9876{n:05d}")
    for n in range(45):
        PatientFactory(client=owners[n % 30], organization=world.org, name=f"Luna {n}")
    return owners


@pytest.mark.parametrize(
    ("typed", "owners_found", "quick_search_queries"),
    [("luna", 20, 3), ("rosa luna", 20, 3), ("600001", 1, 3), ("nobody", 0, 2)],
)
def test_search_queries_do_not_grow_with_matches(
    vet_a, busy_clinic, typed, owners_found, quick_search_queries, django_assert_num_queries
):
    selectors.quick_search(actor=vet_a, q="xx")  # capabilities cached on the user

    with django_assert_num_queries(1):
        assert len(list(client_search(actor=vet_a, q=typed)[:20])) == owners_found
    # The owners' phones are prefetched only when there are owners to show.
    with django_assert_num_queries(quick_search_queries):
        selectors.quick_search(actor=vet_a, q=typed)
