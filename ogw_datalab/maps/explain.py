"""Each indicator's computation in Dutch words, for the colophon: driven by the formula registry.

Every formula type of :data:`ogw_datalab.indicators.formulas.FORMULAS` has a sentence here that fills in
the formula's own parameters (distance, minimum, per how many inhabitants); how wijk and gemeente follow
from the buurten and what disclosure control rests on come from the registry entry itself. A test keeps
this table complete, so a new formula type cannot reach the colophon unexplained.
"""

from __future__ import annotations

from collections.abc import Callable

from ..config import Privacy
from ..indicators.catalogue import Formule, Indicator
from .dutch import format_number, join_words

KERNCIJFERS = {"aantal_inwoners": "het aantal inwoners", "aantal_huishoudens": "het aantal huishoudens"}


def _n(value: float) -> str:
    return format_number(value, 0 if float(value).is_integer() else 1)


def _target(formule: Formule) -> str:
    return "een park (een aaneengesloten groengebied)" if formule.laag == "parken" else "een object uit de bron"


def _types(formule: Formule) -> str:
    return f" met {join_words(list(formule.typen), 'of')}" if formule.typen else ""


def _values(values: list[str] | None) -> str:
    return join_words(list(values or []), "of")


MONTHS = ("januari februari maart april mei juni juli augustus september oktober november december").split()
SENSORS = {"referentie": " van de referentiemeetstations", "laagkosten": " van de goedkope sensoren", "alle": ""}


def _month(value: str | None) -> str:
    """'2024-03' -> 'maart 2024'."""
    if not value:
        return "?"
    year, month = value.split("-")
    return f"{MONTHS[int(month) - 1]} {year}"


def _period(formule: Formule) -> str:
    return f"van {_month(formule.maand_van)} tot en met {_month(formule.maand_tot)}"


def _series(formule: Formule) -> str:
    return f"de geldige uurwaarden {formule.grootheid or ''}{SENSORS.get(formule.soort, '')} in de buurt".replace(
        "  ", " "
    )


WORDS: dict[str, Callable[[Formule], str]] = {
    "kerncijfer": lambda f: f"Het cijfer van het CBS: {KERNCIJFERS.get(f.kolom or '', 'een kerncijfer')} per buurt.",
    "aantal": lambda f: "Het aantal objecten uit de bron dat in de buurt ligt.",
    "per_inwoners": lambda f: f"Het aantal objecten uit de bron in de buurt per {_n(f.per)} inwoners.",
    "per_km2_land": lambda f: "Het aantal objecten uit de bron per vierkante kilometer land (water telt niet mee).",
    "aandeel_oppervlak": lambda f: (
        f"Het deel van het landoppervlak van de buurt dat bedekt is{_types(f)}, in procenten; "
        "een vlak over een buurtgrens telt alleen met het deel binnen de buurt."
    ),
    "binnen_afstand": lambda f: (
        f"Het aandeel woningen met {_target(f)} binnen {_n(f.afstand_m)} meter in rechte lijn van het adres."
    ),
    "gemiddelde_afstand": lambda f: (
        f"De gemiddelde afstand in rechte lijn van een woning tot het dichtstbijzijnde {_target(f).split(' ', 1)[1]}, "
        f"gezocht tot {_n(f.max_afstand_m)} meter."
    ),
    "bomen_bij_woning": lambda f: (
        f"Het aandeel woningen met minstens {f.minimum} bomen binnen {_n(f.afstand_m)} meter van het adres "
        "(afstand staat in voor zicht)."
    ),
    "kronendak": lambda f: (
        f"Het geschatte bladerdak als deel van het landoppervlak: elke boom telt voor {_n(f.kroon_m2)} m² kroon, "
        "bos telt met zijn oppervlakte."
    ),
    "drie_dertig_driehonderd": lambda f: (
        f"Het aandeel woningen dat aan de hele 3-30-300-regel voldoet: minstens {f.minimum} bomen binnen "
        f"{_n(f.afstand_m)} meter, een park binnen 300 meter, en een buurt met minstens 30% geschat bladerdak "
        f"(elke boom {_n(f.kroon_m2)} m² kroon)."
    ),
    "partner_aandeel": lambda f: (
        f"Het aandeel van de rijen van de partner (bij koppeling op adres: woningen) met als waarde "
        f"{_values(f.waarden)}" + (f", van de rijen met {_values(f.van)}" if f.van else "") + "."
    ),
    "partner_per_inwoners": lambda f: f"Het aantal rijen van de partner (meldingen, zaken) per {_n(f.per)} inwoners.",
    "partner_gemiddelde": lambda f: "Het gemiddelde van de waarden die de partner per rij geeft.",
    "partner_waarde": lambda f: "Het cijfer dat de partner zelf per buurt publiceert, ongewijzigd overgenomen.",
    "partner_wijkwaarde": lambda f: (
        "Het cijfer dat de partner per wijk publiceert, toegekend aan de buurten van die wijk naar hun overlap "
        "(op adressen, of anders op oppervlakte)."
    ),
    "tijdreeks_gemiddelde": lambda f: (
        f"Het gemiddelde van {_series(f)}, {_period(f)}; zonder sensor of met te weinig gemeten uren heeft de "
        "buurt geen cijfer."
    ),
    "tijdreeks_percentiel": lambda f: (
        (f"Het {_n(f.percentiel)}e percentiel" if f.percentiel else "Een hoog percentiel (zoals ingesteld)")
        + f" van {_series(f)}, {_period(f)}."
    ),
    "tijdreeks_dagen_boven": lambda f: (
        f"Het aandeel volledig gemeten dagen waarop het daggemiddelde van {_series(f)} boven de "
        f"24-uursrichtlijn van de WHO (2021) lag, {_period(f)}."
    ),
}

ROLL_UP = {
    "som": "Wijk en gemeente: de som van de buurten.",
    "verhouding": "Wijk en gemeente: opnieuw berekend uit de opgetelde tellers en noemers van de buurten, "
    "nooit als gemiddelde van buurtcijfers.",
    "geen": "Alleen per buurt: dit cijfer is niet op te tellen tot wijk of gemeente.",
}

COUNTED = {
    "personen": "inwoners",
    "woningen": "woningen",
    "rijen": "rijen van de partner",
    "respondenten": "respondenten",
}


def explain_formula(indicator: Indicator) -> str:
    """Say what the value per buurt is, in one Dutch sentence with the formula's parameters."""
    return WORDS[indicator.formule.type](indicator.formule)


def explain_roll_up(indicator: Indicator) -> str:
    """How the wijk and gemeente values follow from the buurten (from the registry's aggregation)."""
    return ROLL_UP[indicator.aggregatie]


def explain_protection(indicator: Indicator, privacy: Privacy) -> str:
    """Which thresholds keep the figure from describing a small group."""
    base = f"Niet gepubliceerd voor een buurt of wijk met minder dan {privacy.min_inwoners} inwoners"
    counted = indicator.noemer_soort
    if counted == "respondenten":
        return base + f", of als het over minder dan {privacy.min_respondenten} respondenten gaat."
    if counted in COUNTED:
        return base + f", of als het over minder dan {privacy.min_noemer} {COUNTED[counted]} gaat."
    return base + "."
