"""One name per quantity and per unit, so that files from different sources can be combined.

Sources write the same thing in many ways: ``PM2.5``, ``pm25``, ``P2``; ``ug/m3``, ``µg/m³``,
``[ug/m-3]``. Quantities and units are mapped to one spelling here; a unit that cannot be
converted to the quantity's unit is an error, never silently mixed.
"""

from __future__ import annotations

import re

MICROGRAM = "µg/m³"
# Spellings of a quantity (lower case, without spaces, dots, dashes and underscores) -> our name.
GROOTHEDEN = {
    "no2": "NO2",
    "no": "NO",
    "nox": "NOX",
    "o3": "O3",
    "so2": "SO2",
    "nh3": "NH3",
    "co": "CO",
    "pm1": "PM1",
    "pm10": "PM10",
    "pm25": "PM25",
    "p1": "PM10",  # Sensor.Community: P1 is PM10
    "p2": "PM25",  # Sensor.Community: P2 is PM2.5
    "fn": "FN",
    "temp": "TEMP",
    "temperature": "TEMP",
    "rh": "RH",
    "humidity": "RH",
    "geluid": "LAEQ",
    "laeq": "LAEQ",
}
# Spellings of a unit (lower case, without spaces and brackets) -> (our unit, factor to it).
EENHEDEN = {
    "ug/m3": (MICROGRAM, 1.0),
    "ug/m-3": (MICROGRAM, 1.0),
    "ugm-3": (MICROGRAM, 1.0),
    "µg/m3": (MICROGRAM, 1.0),
    "µg/m³": (MICROGRAM, 1.0),
    "μg/m3": (MICROGRAM, 1.0),  # Greek mu
    "μg/m³": (MICROGRAM, 1.0),
    "microgram/m3": (MICROGRAM, 1.0),
    "mg/m3": (MICROGRAM, 1000.0),
    "mg/m³": (MICROGRAM, 1000.0),
    "c": ("°C", 1.0),
    "°c": ("°C", 1.0),
    "%": ("%", 1.0),
    "db(a)": ("dB(A)", 1.0),
    "dba": ("dB(A)", 1.0),
}


class UnitError(ValueError):
    """A quantity or unit is unknown or cannot be converted."""


def normalise_grootheid(name: str) -> str:
    """Our name of a quantity: ``PM2.5``, ``pm25`` and ``P2`` all become ``PM25``.

    A name we do not know is kept in upper case without separators (so ``Ozon`` stays ``OZON``).
    """
    key = re.sub(r"[\s._\-]", "", str(name)).lower()
    return GROOTHEDEN.get(key, key.upper())


def normalise_eenheid(unit: str, where: str) -> tuple[str, float]:
    """Our spelling of ``unit`` and the factor that converts values to it.

    Raises
    ------
    UnitError
        For a unit we do not know (the message names ``where`` and the unit).
    """
    key = re.sub(r"[\s\[\]]", "", str(unit)).lower()
    if key not in EENHEDEN:
        known = sorted({v[0] for v in EENHEDEN.values()})
        raise UnitError(f"{where}: unknown unit {unit!r}; known units are {known} (and their usual spellings)")
    return EENHEDEN[key]
