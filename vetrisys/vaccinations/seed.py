"""The protocols every clinic starts with: WSAVA core vaccines for dogs and cats, rabies as
Peru requires it, and the non-core vaccines commonly given in Peru. Used by a data migration."""

from __future__ import annotations

from typing import Any

WSAVA = "WSAVA 2016 vaccination guidelines."
PUPPY_SERIES = (
    "Start at 6-8 weeks, repeat every 2-4 weeks until 16 weeks of age or older; booster at "
    "26-52 weeks (here 12 months), then no more often than every 3 years. "
)
RABIES_PERU = (
    "Peru (MINSA, Ley 27596 and its rules): rabies vaccination of dogs and cats is compulsory "
    "from 3 months of age and repeated every year."
)

SEEDED: list[dict[str, Any]] = [
    {
        "code": "dog-dhpp", "species": "dog", "is_core": True,
        "name_es": "Séxtuple / DHPP (moquillo, adenovirus, parvovirus)",
        "name_en": "DHPP (distemper, adenovirus, parvovirus)",
        "diseases": "CDV, CAV-2, CPV-2",
        "product_keywords": "dhpp,séxtuple,sextuple,quíntuple,quintuple,parvo,distemper,puppy dp",
        "min_age_weeks": 6, "primary_doses": 1, "primary_interval_weeks": 4,
        "series_end_age_weeks": 16, "first_booster_months": 12, "booster_interval_months": 36,
        "notes": PUPPY_SERIES + "A dog first vaccinated after 16 weeks needs one dose. " + WSAVA,
    },
    {
        "code": "dog-rabies", "species": "dog", "is_core": True,
        "name_es": "Antirrábica", "name_en": "Rabies",
        "diseases": "Rabies", "product_keywords": "rabia,rabies,antirrábica,antirrabica",
        "min_age_weeks": 12, "primary_doses": 1, "primary_interval_weeks": 4,
        "series_end_age_weeks": None, "first_booster_months": None,
        "booster_interval_months": 12, "notes": RABIES_PERU,
    },
    {
        "code": "cat-fvrcp", "species": "cat", "is_core": True,
        "name_es": "Triple felina (panleucopenia, herpesvirus, calicivirus)",
        "name_en": "Feline triple FVRCP (panleukopenia, herpesvirus, calicivirus)",
        "diseases": "FPV, FHV-1, FCV",
        "product_keywords": "triple felina,fvrcp,felocell,panleucopenia,panleukopenia",
        "min_age_weeks": 6, "primary_doses": 2, "primary_interval_weeks": 4,
        "series_end_age_weeks": 16, "first_booster_months": 12, "booster_interval_months": 36,
        "notes": (
            "Start at 6-8 weeks, repeat every 2-4 weeks until 16 weeks of age or older; booster "
            "at 6-12 months (here 12 months), then every 3 years. A cat first vaccinated after "
            "16 weeks gets two doses 2-4 weeks apart. " + WSAVA
        ),
    },
    {
        "code": "cat-rabies", "species": "cat", "is_core": True,
        "name_es": "Antirrábica", "name_en": "Rabies",
        "diseases": "Rabies", "product_keywords": "rabia,rabies,antirrábica,antirrabica",
        "min_age_weeks": 12, "primary_doses": 1, "primary_interval_weeks": 4,
        "series_end_age_weeks": None, "first_booster_months": None,
        "booster_interval_months": 12, "notes": RABIES_PERU,
    },
    {
        "code": "dog-leptospirosis", "species": "dog", "is_core": False,
        "name_es": "Leptospirosis", "name_en": "Leptospirosis",
        "diseases": "Leptospira interrogans", "product_keywords": "lepto",
        "min_age_weeks": 8, "primary_doses": 2, "primary_interval_weeks": 4,
        "series_end_age_weeks": None, "first_booster_months": None,
        "booster_interval_months": 12,
        "notes": "Non-core; common in Peru. Two doses 2-4 weeks apart, then yearly. " + WSAVA,
    },
    {
        "code": "dog-bordetella", "species": "dog", "is_core": False,
        "name_es": "Tos de las perreras (Bordetella)", "name_en": "Kennel cough (Bordetella)",
        "diseases": "Bordetella bronchiseptica, CPiV",
        "product_keywords": "bordetella,tos de las perreras,kennel cough,kc",
        "min_age_weeks": 3, "primary_doses": 1, "primary_interval_weeks": 4,
        "series_end_age_weeks": None, "first_booster_months": None,
        "booster_interval_months": 12,
        "notes": (
            "Non-core. Intranasal: one dose from 3 weeks, then yearly (a parenteral vaccine "
            "needs two doses 2-4 weeks apart: raise the primary doses). " + WSAVA
        ),
    },
    {
        "code": "cat-felv", "species": "cat", "is_core": False,
        "name_es": "Leucemia felina (FeLV)", "name_en": "Feline leukaemia (FeLV)",
        "diseases": "FeLV", "product_keywords": "felv,leucemia,leukemia,leukaemia",
        "min_age_weeks": 8, "primary_doses": 2, "primary_interval_weeks": 4,
        "series_end_age_weeks": None, "first_booster_months": 12,
        "booster_interval_months": 24,
        "notes": (
            "Non-core (for cats at risk; test FeLV-negative first). Two doses 3-4 weeks apart "
            "from 8 weeks, booster at 1 year, then every 2-3 years (here 2). " + WSAVA
        ),
    },
]  # fmt: skip
