import datetime as dt

import pytest

from vetrisys.vaccinations import schedule
from vetrisys.vaccinations.schedule import Phase, Rules, Status

BORN = dt.date(2025, 1, 1)
DHPP = Rules(primary_doses=1, primary_interval_weeks=4, series_end_age_weeks=16,
             first_booster_months=12, booster_interval_months=36)  # fmt: skip
FVRCP = Rules(primary_doses=2, primary_interval_weeks=4, series_end_age_weeks=16,
              first_booster_months=12, booster_interval_months=36)  # fmt: skip
RABIES = Rules(primary_doses=1, booster_interval_months=12)
FELV = Rules(primary_doses=2, primary_interval_weeks=4, first_booster_months=12,
             booster_interval_months=24)  # fmt: skip


def week(n: int) -> dt.date:
    return BORN + dt.timedelta(weeks=n)


@pytest.mark.parametrize(
    ("rules", "given", "expected"),
    [
        pytest.param(
            DHPP,
            [week(8), week(12), week(16), dt.date(2026, 4, 23), dt.date(2029, 4, 23)],
            [
                (1, Phase.PRIMARY, week(12)),
                (2, Phase.PRIMARY, week(16)),
                (3, Phase.SERIES_COMPLETE, dt.date(2026, 4, 23)),
                (4, Phase.BOOSTER, dt.date(2029, 4, 23)),
                (5, Phase.BOOSTER, dt.date(2032, 4, 23)),
            ],
            id="puppy 8/12/16 weeks, 1-year booster, then every 3 years",
        ),
        pytest.param(
            DHPP,
            [week(6), week(9), week(12), week(15), week(18)],
            [
                (1, Phase.PRIMARY, week(10)),
                (2, Phase.PRIMARY, week(13)),
                (3, Phase.PRIMARY, week(16)),
                (4, Phase.PRIMARY, week(19)),
                (5, Phase.SERIES_COMPLETE, dt.date(2026, 5, 7)),
            ],
            id="puppy started at 6 weeks keeps going until 16 weeks or older",
        ),
        pytest.param(
            DHPP,
            [week(20)],
            [(1, Phase.SERIES_COMPLETE, dt.date(2026, 5, 21))],
            id="puppy started late at 20 weeks: one dose, then the 1-year booster",
        ),
        pytest.param(
            FVRCP,
            [week(8), week(12), week(16)],
            [
                (1, Phase.PRIMARY, week(12)),
                (2, Phase.PRIMARY, week(16)),
                (3, Phase.SERIES_COMPLETE, dt.date(2026, 4, 23)),
            ],
            id="kitten 8/12/16 weeks then the booster at 12 months",
        ),
        pytest.param(
            FVRCP,
            [week(20), week(24)],
            [
                (1, Phase.PRIMARY, week(24)),
                (2, Phase.SERIES_COMPLETE, dt.date(2026, 6, 18)),
            ],
            id="kitten started late at 20 weeks: two doses, then the booster",
        ),
        pytest.param(
            RABIES,
            [week(13), dt.date(2026, 4, 2), dt.date(2027, 3, 30)],
            [
                (1, Phase.SERIES_COMPLETE, dt.date(2026, 4, 2)),
                (2, Phase.BOOSTER, dt.date(2027, 4, 2)),
                (3, Phase.BOOSTER, dt.date(2028, 3, 30)),
            ],
            id="rabies every year from 3 months",
        ),
        pytest.param(
            FELV,
            [week(9), week(13), dt.date(2026, 4, 2)],
            [
                (1, Phase.PRIMARY, week(13)),
                (2, Phase.SERIES_COMPLETE, dt.date(2026, 4, 2)),
                (3, Phase.BOOSTER, dt.date(2028, 4, 2)),
            ],
            id="FeLV two doses, booster at a year, then every 2 years",
        ),
    ],
)
def test_due_dates_follow_the_protocol(rules, given, expected):
    doses = schedule.series(rules, birth_date=BORN, given=given)

    assert [(d.number, d.phase, d.next_due_on) for d in doses] == expected


def test_without_a_birth_date_the_primary_doses_alone_make_the_series():
    doses = schedule.series(
        FVRCP, birth_date=None, given=[dt.date(2025, 6, 1), dt.date(2025, 6, 29)]
    )

    assert [(d.phase, d.next_due_on) for d in doses] == [
        (Phase.PRIMARY, dt.date(2025, 6, 29)),
        (Phase.SERIES_COMPLETE, dt.date(2026, 6, 29)),
    ]


def test_months_are_added_to_the_last_day_of_a_shorter_month():
    assert schedule.add_months(dt.date(2024, 2, 29), 12) == dt.date(2025, 2, 28)
    assert schedule.add_months(dt.date(2025, 1, 31), 1) == dt.date(2025, 2, 28)


@pytest.mark.parametrize(
    ("next_due_on", "status"),
    [
        (None, Status.OK),
        (dt.date(2025, 5, 31), Status.OVERDUE),
        (dt.date(2025, 6, 1), Status.DUE),
        (dt.date(2025, 7, 1), Status.DUE),
        (dt.date(2025, 7, 2), Status.OK),
    ],
)
def test_status_on_a_day(next_due_on, status):
    assert schedule.status_on(next_due_on, today=dt.date(2025, 6, 1), due_within_days=30) == status
