"""The indicator catalogue: every number on a map traces back to one entry here."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class Indicator:
    """One indicator.

    ``sql`` names a query in ``ogw_datalab/sql/indicators/`` returning ``buurtcode``,
    ``teller`` (numerator), ``noemer`` (denominator) and ``waarde`` per buurt. ``schaal``
    turns teller/noemer into ``waarde`` (100 for a percentage, 1000 for "per 1,000"),
    which is how wijk and gemeente values are recomputed from sums.
    """

    id: str
    titel: str
    eenheid: str
    beschrijving: str
    bron: str
    richting: Literal["hoger_is_beter", "lager_is_beter", "neutraal"]
    aggregatie: Literal["som", "verhouding", "geen"]
    schaal: float = 1.0
    partner: str | None = None
    layers: tuple[str, ...] = ()
    needs_adressen: bool = False
    needs_parks: bool = False
    decimalen: int = 1

    @property
    def sql(self) -> str:
        return f"indicators/{self.id}.sql"


CATALOGUE: tuple[Indicator, ...] = (
    Indicator(
        "inwoners",
        "Aantal inwoners",
        "inwoners",
        "Aantal inwoners op 1 januari, afgerond op 5 (CBS).",
        "CBS Wijk- en buurtkaart (kerncijfers)",
        "neutraal",
        "som",
        decimalen=0,
    ),
    Indicator(
        "bomen_per_1000_inwoners",
        "Bomen per 1.000 inwoners",
        "bomen per 1.000 inwoners",
        "Aantal bomen uit het bomenregister in de buurt, per 1.000 inwoners. "
        "Niet berekend voor buurten met te weinig inwoners.",
        "Gemeentelijk bomenregister; CBS inwoners",
        "hoger_is_beter",
        "verhouding",
        1000.0,
        layers=("bomen",),
    ),
    Indicator(
        "woningen_binnen_300m_park_pct",
        "Woningen binnen 300 m van een park",
        "% van de woningen",
        "Aandeel woonadressen (BAG, gebruiksdoel woonfunctie) met een park van minstens 1 ha "
        "binnen 300 meter hemelsbreed (3-30-300-regel).",
        "BAG verblijfsobjecten; BGT begroeid terreindeel",
        "hoger_is_beter",
        "verhouding",
        100.0,
        needs_adressen=True,
        needs_parks=True,
    ),
    Indicator(
        "energielabel_efg_pct",
        "Corporatiewoningen met label E, F of G",
        "% van de woningen met label",
        "Aandeel corporatiewoningen met energielabel E, F of G, van de woningen met een bekend label.",
        "Woningcorporatie (via adres gekoppeld aan BAG)",
        "lager_is_beter",
        "verhouding",
        100.0,
        partner="corporatie_woningen",
    ),
    Indicator(
        "meldingen_per_1000_inwoners",
        "Meldingen openbare ruimte per 1.000 inwoners",
        "meldingen per 1.000 inwoners",
        "Meldingen openbare ruimte met een locatie in de buurt, per 1.000 inwoners.",
        "Gemeente, meldingen openbare ruimte",
        "lager_is_beter",
        "verhouding",
        1000.0,
        partner="meldingen_openbare_ruimte",
    ),
    Indicator(
        "eenzaam_pct",
        "Volwassenen die zich eenzaam voelen",
        "% van de 18-plussers",
        "Aandeel volwassenen (18+) dat zich matig of ernstig eenzaam voelt, zoals de GGD het per buurt publiceert.",
        "GGD Gezondheidsmonitor Volwassenen en Ouderen",
        "lager_is_beter",
        "geen",
        partner="gezondheidsmonitor",
    ),
)


def indicator_by_id(indicator_id: str) -> Indicator:
    for indicator in CATALOGUE:
        if indicator.id == indicator_id:
            return indicator
    raise KeyError(f"unknown indicator {indicator_id!r}; known: {[i.id for i in CATALOGUE]}")
