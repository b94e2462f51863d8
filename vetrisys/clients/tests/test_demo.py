from vetrisys.clients import demo
from vetrisys.clients.models import Client, ClientPhone, Communication


def test_demo_owners_are_realistic_and_loaded_once(world):
    first = demo.load(organization=world.org)
    again = demo.load(organization=world.org)

    assert len(first) == 40
    assert again == []
    assert Client.objects.filter(organization=world.org).count() == 40
    assert ClientPhone.objects.filter(is_primary=True).count() == 40
    assert Communication.objects.count() == 10
    for client in first:
        assert len(client.document_number) == 8
        assert client.search_name == client.search_name.lower()
    assert all(p.e164.startswith("+51") for p in ClientPhone.objects.all())
