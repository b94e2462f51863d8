import datetime as dt
from decimal import Decimal

import pytest

from vetrisys.audit.models import AuditEvent
from vetrisys.core.errors import Conflict, NotAllowed, NotFound, ValidationFailed
from vetrisys.core.timeutil import today_in
from vetrisys.inventory.models import Lot, StockBalance, StockMovement
from vetrisys.inventory.tests.factories import receive
from vetrisys.vaccinations import selectors, services
from vetrisys.vaccinations.models import Vaccination, VaccineProtocol
from vetrisys.vaccinations.tests.conftest import open_visit, sign

SEEDED = ["cat-felv", "cat-fvrcp", "cat-rabies", "dog-bordetella", "dog-dhpp",
          "dog-leptospirosis", "dog-rabies"]  # fmt: skip


def _give(actor, patient, product, location, on, **fields):
    return services.vaccination_record(
        actor=actor, patient=patient, product=product, location=location,
        administered_on=on, lot=fields.pop("lot", "A123"), **fields,
    )  # fmt: skip


def test_the_wsava_and_peruvian_protocols_are_seeded(db):
    codes = sorted(VaccineProtocol.objects.filter(organization=None).values_list("code", flat=True))
    dhpp = VaccineProtocol.objects.get(organization=None, code="dog-dhpp")

    assert codes == SEEDED
    assert (dhpp.min_age_weeks, dhpp.series_end_age_weeks, dhpp.first_booster_months,
            dhpp.booster_interval_months, dhpp.is_core) == (6, 16, 12, 36, True)  # fmt: skip
    assert VaccineProtocol.objects.get(organization=None, code="dog-leptospirosis").is_core is False


def test_a_puppy_series_is_numbered_and_each_dose_says_when_the_next_is_due(
    world, vet_a, puppy, dhpp
):
    first = _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 2, 26))  # 8 weeks
    second = _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 3, 26))  # 12 weeks
    third = _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 4, 23))  # 16 weeks

    assert first.protocol.code == "dog-dhpp"
    assert [(v.dose_number, v.next_due_on) for v in (first, second, third)] == [
        (1, dt.date(2025, 3, 26)),
        (2, dt.date(2025, 4, 23)),
        (3, dt.date(2026, 4, 23)),
    ]


def test_a_puppy_started_late_needs_only_one_dose_before_the_booster(world, vet_a, puppy, dhpp):
    given = _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 5, 21))  # 20 weeks

    assert (given.dose_number, given.next_due_on) == (1, dt.date(2026, 5, 21))


def test_rabies_is_due_again_a_year_later(world, vet_a, kitten, rabies_vaccine):
    given = _give(vet_a, kitten, rabies_vaccine, world.location_a, dt.date(2025, 4, 2))

    assert (given.protocol.code, given.next_due_on) == ("cat-rabies", dt.date(2026, 4, 2))


def test_the_next_due_date_can_be_set_by_hand(world, vet_a, puppy, dhpp):
    given = _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 2, 26),
                  next_due_on=dt.date(2025, 3, 19))  # fmt: skip

    assert (given.next_due_on, given.next_due_is_overridden) == (dt.date(2025, 3, 19), True)


def test_an_expired_lot_is_refused_and_nothing_is_written(world, vet_a, puppy, dhpp):
    with pytest.raises(Conflict) as error:
        _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 3, 1),
              lot="OLD-1", lot_expires_on=dt.date(2025, 2, 28))  # fmt: skip

    assert error.value.code == "lot_expired"
    assert Vaccination.objects.count() == 0
    assert not AuditEvent.objects.filter(action="vaccination.record").exists()


def test_an_expired_stock_lot_is_refused_and_stock_is_untouched(world, vet_a, admin, puppy, dhpp):
    receive(admin, world.location_a, dhpp, 5, lot="V-OLD")
    Lot.objects.filter(lot_number="V-OLD").update(expires_on=dt.date(2025, 1, 31))

    with pytest.raises(Conflict) as error:
        _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 2, 26), lot="V-OLD")

    assert error.value.code == "lot_expired"
    assert Vaccination.objects.count() == 0
    assert StockBalance.objects.get(location=world.location_a, product=dhpp).on_hand == 5


def test_a_future_date_is_invalid(world, vet_a, puppy, dhpp):
    with pytest.raises(ValidationFailed) as error:
        _give(vet_a, puppy, dhpp, world.location_a, today_in("America/Lima") + dt.timedelta(days=3))

    assert list(error.value.fields) == ["administered_on"]
    assert Vaccination.objects.count() == 0


def test_a_dose_from_a_stock_lot_leaves_the_locations_stock(world, vet_a, admin, puppy, dhpp):
    receive(admin, world.location_a, dhpp, 5, lot="V-77", expires_on=dt.date(2099, 1, 31))

    given = _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 2, 26), lot="V-77")

    assert given.lot.lot_number == "V-77"
    assert given.lot_expires_on == dt.date(2099, 1, 31)
    assert StockBalance.objects.get(location=world.location_a, product=dhpp).on_hand == 4
    move = StockMovement.objects.get(kind="dispense")
    assert (move.quantity, move.reference) == (Decimal(-1), f"vaccination {given.pk}")


def test_a_stock_lot_with_nothing_on_hand_here_is_a_conflict(world, vet_a, admin, puppy, dhpp):
    receive(admin, world.location_b, dhpp, 5, lot="V-77")

    with pytest.raises(Conflict) as error:
        _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 2, 26), lot="V-77")

    assert error.value.code == "insufficient_stock"
    assert Vaccination.objects.count() == 0


def test_a_signed_visit_refuses_a_vaccination(world, vet_a, puppy, dhpp):
    visit = sign(open_visit(puppy, world.location_a, vet_a), vet_a)

    with pytest.raises(Conflict) as error:
        _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 2, 26), visit=visit)

    assert error.value.code == "visit_signed"
    assert Vaccination.objects.count() == 0


def test_a_vaccination_on_an_open_visit_belongs_to_it(world, vet_a, puppy, dhpp):
    visit = open_visit(puppy, world.location_a, vet_a)

    given = _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 2, 26), visit=visit)

    assert given.visit == visit


@pytest.mark.parametrize(("who", "error"), [
    ("receptionist_a", NotAllowed), ("vet_b", NotAllowed), ("outsider", NotFound),
])  # fmt: skip
def test_only_clinical_staff_of_the_location_record_vaccinations(
    world, people, puppy, dhpp, who, error
):
    with pytest.raises(error):
        _give(people[who], puppy, dhpp, world.location_a, dt.date(2025, 2, 26))

    assert Vaccination.objects.count() == 0


@pytest.mark.parametrize(
    ("today", "status"),
    [
        (dt.date(2026, 3, 1), "ok"),
        (dt.date(2026, 3, 25), "due"),
        (dt.date(2026, 4, 24), "overdue"),
    ],
)
def test_vaccine_status_on_a_given_day(world, vet_a, puppy, dhpp, today, status):
    _give(vet_a, puppy, dhpp, world.location_a, dt.date(2025, 4, 23))  # due 2026-04-23

    rows = selectors.vaccine_status(actor=vet_a, patient=puppy, today=today)

    by_name = {row.protocol.code: row for row in rows}
    assert by_name["dog-dhpp"].status == status
    assert by_name["dog-dhpp"].next_due_on == dt.date(2026, 4, 23)
    # Rabies, never given, was due at 12 weeks of age.
    assert (by_name["dog-rabies"].status, by_name["dog-rabies"].next_due_on) == (
        "overdue",
        dt.date(2025, 3, 26),
    )
    assert "dog-leptospirosis" not in by_name


def test_editing_a_seeded_protocol_makes_the_clinics_own_copy(world, vet_a, outsider):
    seeded = VaccineProtocol.objects.get(organization=None, code="dog-rabies")

    own = services.protocol_update(actor=vet_a, protocol=seeded, booster_interval_months=24)

    assert (own.organization_id, own.replaces_id, own.booster_interval_months) == (
        world.org.pk,
        seeded.pk,
        24,
    )
    seeded.refresh_from_db()
    assert seeded.booster_interval_months == 12
    mine = selectors.protocol_list(actor=vet_a).filter(code="dog-rabies")
    theirs = selectors.protocol_list(actor=outsider).filter(code="dog-rabies")
    assert [p.pk for p in mine] == [own.pk]
    assert [p.pk for p in theirs] == [seeded.pk]


def test_a_receptionist_cannot_edit_protocols(receptionist_a):
    seeded = VaccineProtocol.objects.get(organization=None, code="dog-rabies")

    with pytest.raises(NotAllowed):
        services.protocol_update(actor=receptionist_a, protocol=seeded, booster_interval_months=24)

    assert VaccineProtocol.objects.count() == len(SEEDED)
