"""Normal ranges of vital signs per species (adult, at rest), and the flags they give.

Reference values from common small-animal and exotic-pet texts; a clinic reads them as a
prompt to look again, not as a diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext_lazy as _

LOW = "low"
HIGH = "high"
ABNORMAL = "abnormal"


@dataclass(frozen=True)
class Range:
    """Inclusive normal limits of one measurement."""

    low: Decimal
    high: Decimal

    def flag(self, value: Decimal | int | None) -> str:
        """'low', 'high' or '' (normal or not measured)."""
        if value is None:
            return ""
        if Decimal(value) < self.low:
            return LOW
        if Decimal(value) > self.high:
            return HIGH
        return ""

    def __str__(self) -> str:
        return f"{self.low.normalize():f}-{self.high.normalize():f}"


def _r(low: str, high: str) -> Range:
    return Range(Decimal(low), Decimal(high))


# species code → measurement → normal range
SPECIES_RANGES: dict[str, dict[str, Range]] = {
    "dog": {
        "temperature_c": _r("37.5", "39.2"),
        "heart_rate": _r("60", "140"),
        "respiratory_rate": _r("10", "30"),
    },
    "cat": {
        "temperature_c": _r("37.8", "39.2"),
        "heart_rate": _r("140", "220"),
        "respiratory_rate": _r("20", "30"),
    },
    "rabbit": {
        "temperature_c": _r("38.5", "40.0"),
        "heart_rate": _r("130", "325"),
        "respiratory_rate": _r("30", "60"),
    },
    "guinea_pig": {
        "temperature_c": _r("37.2", "39.5"),
        "heart_rate": _r("230", "380"),
        "respiratory_rate": _r("42", "104"),
    },
    "hamster": {
        "temperature_c": _r("36.2", "37.5"),
        "heart_rate": _r("250", "500"),
        "respiratory_rate": _r("35", "135"),
    },
    "ferret": {
        "temperature_c": _r("37.8", "40.0"),
        "heart_rate": _r("180", "250"),
        "respiratory_rate": _r("33", "36"),
    },
    "horse": {
        "temperature_c": _r("37.2", "38.3"),
        "heart_rate": _r("28", "44"),
        "respiratory_rate": _r("10", "24"),
    },
}

# The same for every species.
COMMON_RANGES: dict[str, Range] = {
    "body_condition_score": _r("4", "5"),
    "pain_score": _r("0", "3"),
    "crt_seconds": _r("0", "2"),
}

MEASUREMENTS = (
    "temperature_c", "heart_rate", "respiratory_rate", "body_condition_score", "pain_score",
    "crt_seconds",
)  # fmt: skip

FLAG_LABELS = {LOW: _("Low"), HIGH: _("High"), ABNORMAL: _("Abnormal")}


def ranges_for(species_code: str) -> dict[str, Range]:
    """Every range known for the species (the common ones at least)."""
    return {**COMMON_RANGES, **SPECIES_RANGES.get(species_code, {})}


def vitals_flags(vitals: Any, species_code: str) -> dict[str, str]:
    """Measurement → 'low' / 'high' / 'abnormal', only for those outside the normal range."""
    limits = ranges_for(species_code)
    flags: dict[str, str] = {}
    for name in MEASUREMENTS:
        limit = limits.get(name)
        flag = limit.flag(getattr(vitals, name, None)) if limit else ""
        if flag:
            flags[name] = flag
    membranes = getattr(vitals, "mucous_membranes", "")
    if membranes and membranes != "pink":
        flags["mucous_membranes"] = ABNORMAL
    return flags
