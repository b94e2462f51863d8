from typing import Any

import pytest
from django.utils import timezone

from vetrisys.clients import selectors
from vetrisys.clients.models import Client
from vetrisys.clients.tests.factories import ClientFactory, add_phone
from vetrisys.core.errors import NotAllowed, NotFound


def make_pet(client: Client, name: str, microchip: str = "") -> Any:
    """A pet of `client`, when the patients app is installed (skips the test otherwise)."""
    patient = selectors.patient_model()
    if patient is None:
        pytest.skip("the patients app is not installed")
    species = patient._meta.get_field("species").related_model
    from vetrisys.core.text import normalize_search

    return patient._default_manager.create(
        organization_id=client.organization_id,
        client=client,
        name=name,
        search_name=normalize_search(name),
        species=species._default_manager.get(code="dog", organization=None),
        microchip=microchip,
    )


@pytest.fixture
def owners(world) -> dict[str, Client]:
    munoz = ClientFactory(
        organization=world.org,
        first_name="Ana",
        last_name="Muñoz Pérez",
        search_name="ana munoz perez",
        email="ana.munoz@correo.pe",
        document_number="45678912",
    )
    add_phone(munoz, "+51 987 654 321")
    quispe = ClientFactory(
        organization=world.org,
        first_name="José",
        last_name="Quispe",
        search_name="jose quispe",
        email="jq@example.com",
    )
    add_phone(quispe, "01 234 5678")
    add_phone(quispe, "912 000 111", is_primary=False)
    foreign = ClientFactory(
        organization=world.other_org,
        first_name="Ana",
        last_name="Munoz",
        search_name="ana munoz",
        document_number="45678912",
    )
    add_phone(foreign, "987 654 321")
    return {"munoz": munoz, "quispe": quispe, "foreign": foreign}


def _found(actor, q: str, **kwargs: Any) -> list[str]:
    return [c.last_name for c in selectors.client_search(actor=actor, q=q, **kwargs)]


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("Muñoz", ["Muñoz Pérez"]),
        ("munoz", ["Muñoz Pérez"]),
        ("MUNOZ PEREZ", ["Muñoz Pérez"]),
        ("perez ana", ["Muñoz Pérez"]),
        ("quis", ["Quispe"]),
        ("4321", ["Muñoz Pérez"]),
        ("987 654 321", ["Muñoz Pérez"]),
        ("+51 987-654-321", ["Muñoz Pérez"]),
        ("51987654321", ["Muñoz Pérez"]),
        ("(01) 234-5678", ["Quispe"]),
        ("0111", ["Quispe"]),
        ("ana.munoz@", ["Muñoz Pérez"]),
        ("EXAMPLE.COM", ["Quispe"]),
        ("45678912", ["Muñoz Pérez"]),
        ("45.678.912", ["Muñoz Pérez"]),
        ("nobody", []),
        ("", ["Muñoz Pérez", "Quispe"]),
    ],
)
def test_search_finds_owners_the_way_the_front_desk_types(receptionist_a, owners, q, expected):
    assert _found(receptionist_a, q) == expected


def test_search_never_crosses_organizations(outsider, owners):
    assert _found(outsider, "4321") == ["Munoz"]
    assert _found(outsider, "Quispe") == []


def test_search_leaves_archived_owners_out_unless_asked(receptionist_a, owners):
    quispe = owners["quispe"]
    Client.objects.filter(pk=quispe.pk).update(is_active=False, archived_at=timezone.now())

    assert _found(receptionist_a, "quispe") == []
    assert _found(receptionist_a, "quispe", is_active=None) == ["Quispe"]
    assert _found(receptionist_a, "", is_active=False) == ["Quispe"]


def test_search_finds_owners_by_pet_name_and_microchip(receptionist_a, owners):
    make_pet(owners["quispe"], "Firulaís", microchip="981020000123456")
    make_pet(owners["quispe"], "Firulais Jr")

    assert _found(receptionist_a, "firulais") == ["Quispe"]
    assert _found(receptionist_a, "981020000123456") == ["Quispe"]


def test_client_get_answers_not_found_for_another_organization(receptionist_a, owners):
    with pytest.raises(NotFound):
        selectors.client_get(actor=receptionist_a, client_id=owners["foreign"].pk)
    with pytest.raises(NotFound):
        selectors.client_get(actor=receptionist_a, client_id="not-a-uuid")


def test_search_needs_the_capability(world, owners):
    from vetrisys.accounts.tests.factories import UserFactory

    stranger = UserFactory(organization=world.org)  # no membership: no capability anywhere

    with pytest.raises(NotAllowed):
        selectors.client_search(actor=stranger, q="")


def test_possible_duplicates_share_a_name_phone_or_email(receptionist_a, owners, world):
    same_phone = ClientFactory(organization=world.org, first_name="A", last_name="Otra")
    add_phone(same_phone, "987654321")

    found = selectors.possible_duplicates(actor=receptionist_a, client=owners["munoz"])

    assert found == [same_phone]
