from vetrisys.pharmacy.models import Prescription
from vetrisys.vaccinations.models import Vaccination


def test_the_demo_has_vaccination_histories_and_prescriptions_once(db):
    from vetrisys.config.demo import demo_load

    demo_load()
    counts = (Vaccination.objects.count(), Prescription.objects.count())
    demo_load()

    assert (Vaccination.objects.count(), Prescription.objects.count()) == counts
    assert counts[0] > 40
    assert counts[1] == 3
    assert Vaccination.objects.filter(protocol__code="dog-dhpp").exists()
    assert Vaccination.objects.filter(protocol__code="cat-rabies").exists()
    assert Prescription.objects.exclude(visit__status="signed").count() == 0
