"""Dutch phrases the formula types' explanations share (numbers, lists, months, sensors).

Every number is written by :mod:`ogw_datalab.maps.dutch`, as everywhere on the site.
"""

from __future__ import annotations

from ...maps.dutch import format_number, join_words
from .formula_type import Formule

KERNCIJFERS = {"aantal_inwoners": "het aantal inwoners", "aantal_huishoudens": "het aantal huishoudens"}
MONTHS = ("januari februari maart april mei juni juli augustus september oktober november december").split()
SENSORS = {"referentie": " van de referentiemeetstations", "laagkosten": " van de goedkope sensoren", "alle": ""}


def number(value: float) -> str:
    """Write a parameter in nl-NL notation: whole numbers without decimals, else with one."""
    return format_number(value, 0 if float(value).is_integer() else 1)


def kerncijfer(formule: Formule) -> str:
    """Name the kerncijfer of the formula: 'het aantal inwoners'."""
    return KERNCIJFERS.get(formule.kolom or "", "een kerncijfer")


def target(formule: Formule) -> str:
    """Name what a home's distance is measured to: a park, or an object of the source."""
    return "een park (een aaneengesloten groengebied)" if formule.laag == "parken" else "een object uit de bron"


def of_types(formule: Formule) -> str:
    """Return ' met loofbos of naaldbos' when the formula takes only polygons of some types, else ''."""
    return f" met {join_words(list(formule.typen), 'of')}" if formule.typen else ""


def one_of(values: list[str] | None) -> str:
    """Join values as a Dutch choice: 'a, b of c'."""
    return join_words(list(values or []), "of")


def month(value: str | None) -> str:
    """Write a month in Dutch: '2024-03' -> 'maart 2024'."""
    if not value:
        return "?"
    year, month_number = value.split("-")
    return f"{MONTHS[int(month_number) - 1]} {year}"


def period(formule: Formule) -> str:
    """Return the formula's months: 'van januari 2024 tot en met maart 2024'."""
    return f"van {month(formule.maand_van)} tot en met {month(formule.maand_tot)}"


def series(formule: Formule) -> str:
    """Return the values it reads: 'de geldige uurwaarden NO2 van de goedkope sensoren in de buurt'."""
    return f"de geldige uurwaarden {formule.grootheid or ''}{SENSORS.get(formule.soort, '')} in de buurt".replace(
        "  ", " "
    )
