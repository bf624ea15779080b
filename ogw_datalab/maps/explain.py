"""Each indicator's computation in Dutch words, for the colophon: driven by the formula registry.

The sentence per formula type, with the formula's own parameters (distance, minimum, per how many
inhabitants) filled in, is part of the type's registry entry (:mod:`ogw_datalab.indicators.formulas.registry`);
how wijk and gemeente follow from the buurten and what disclosure control rests on follow from the
entry's aggregation and denominator. A test fails when an entry has no sentence, so a new formula type
cannot reach the colophon unexplained.
"""

from __future__ import annotations

from ..config import Privacy
from ..indicators.catalogue import Indicator

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
    return indicator.formule.explain()


def explain_roll_up(indicator: Indicator) -> str:
    """How the wijk and gemeente values follow from the buurten (from the registry's aggregation)."""
    return ROLL_UP[indicator.aggregation]


def explain_protection(indicator: Indicator, privacy: Privacy) -> str:
    """Which thresholds keep the figure from describing a small group."""
    if indicator.openbaar:
        return "In elke buurt gepubliceerd: het telt openbare objecten, geen personen, woningen of meldingen."
    base = f"Niet gepubliceerd voor een buurt of wijk met minder dan {privacy.min_inwoners} inwoners"
    counted = indicator.denominator
    if counted == "respondenten":
        return base + f", of als het over minder dan {privacy.min_respondenten} respondenten gaat."
    if counted in COUNTED:
        return base + f", of als het over minder dan {privacy.min_noemer} {COUNTED[counted]} gaat."
    return base + "."
