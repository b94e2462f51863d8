from vetrisys.clients.demo import load as load_owners
from vetrisys.patients import demo
from vetrisys.patients.models import Patient, WeightRecord


def test_demo_pets_are_loaded_once(world):
    owners = load_owners(organization=world.org)

    created = demo.load(organization=world.org, clients=owners)
    again = demo.load(organization=world.org, clients=owners)

    assert len(created) >= len(owners)
    assert again == []
    assert Patient.objects.filter(organization=world.org).count() == len(created)
    assert set(Patient.objects.values_list("client_id", flat=True)) == {o.pk for o in owners}
    assert WeightRecord.objects.filter(weight_kg__lte=0).count() == 0
    assert WeightRecord.objects.count() >= len(created)
