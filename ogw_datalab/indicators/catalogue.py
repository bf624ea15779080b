"""The indicator catalogue: every number on a map traces back to one entry here.

A catalogue is a YAML file (``indicatoren:`` in the project configuration). Each entry
names its source and licence, and a ``formule``: one of the engine's computations with its
inputs (:class:`~ogw_datalab.indicators.formulas.Formule`; the formula types are the entries of
:mod:`ogw_datalab.indicators.formulas.registry`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..config import GEOMETRIE, ConfigError, ProjectConfig, load_yaml_model
from .formulas import FORMULAS, Aggregation, Denominator, FormulaType, Formule, example_formule


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bron(_Strict):
    """``bron:`` of an indicator: who publishes the data, which data set, of which year, under which licence."""

    uitgever: str = Field(description="wie de gegevens publiceert", examples=["CBS"])
    dataset: str = Field(description="de naam van de dataset", examples=["Wijk- en buurtkaart (kerncijfers)"])
    jaar: int | str = Field(description="het jaar (of de periode) van de gegevens", examples=[2024])
    licentie: str = Field(description="de licentie waaronder de gegevens gepubliceerd zijn", examples=["CC BY 4.0"])
    url: str | None = Field(
        None,
        description="waar de dataset te vinden is",
        examples=["https://www.cbs.nl/nl-nl/dossier/nederland-regionaal"],
    )

    def text(self) -> str:
        """Return the source as one line, as the site lists it."""
        return f"{self.uitgever}, {self.dataset} ({self.jaar}), licentie {self.licentie}"


class Klassen(_Strict):
    """Class breaks for the map: quantiles (default), natural breaks (Fisher-Jenks) or fixed bounds."""

    methode: Literal["kwantielen", "natuurlijk", "vast"] = Field(
        "kwantielen",
        description="hoe de klassen van de kaart gekozen worden: kwantielen, natuurlijke grenzen (Fisher-Jenks) of "
        "vaste grenzen",
        examples=["vast"],
    )
    aantal: int = Field(5, ge=2, le=9, description="het aantal klassen", examples=[5])
    grenzen: list[float] | None = Field(
        None, description="vast: de bovengrenzen van de klassen, oplopend", examples=[[10, 20, 30, 40]]
    )

    @model_validator(mode="after")
    def _bounds_for_fixed(self) -> Klassen:
        if self.methode == "vast" and not self.grenzen:
            raise ValueError("methode 'vast' needs 'grenzen'")
        if self.grenzen and self.grenzen != sorted(self.grenzen):
            raise ValueError("'grenzen' must be ascending")
        return self


# Formula types an indicator of which may be 'openbaar' (see FormulaType.may_be_public).
PUBLIC_TYPES = tuple(name for name, formula in FORMULAS.items() if formula.may_be_public)


class Indicator(_Strict):
    """One entry under ``indicatoren:``: what it measures, where its data come from and how it is computed."""

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="de naam van de indicator: kleine letters, cijfers en _ (ook de naam van haar kaart)",
        examples=["bomen_per_1000_inwoners"],
    )
    titel: str = Field(description="de titel op de kaart", examples=["Bomen per 1.000 inwoners"])
    eenheid: str = Field(description="de eenheid van de waarde", examples=["bomen per 1.000 inwoners"])
    beschrijving: str = Field(
        description="wat de indicator meet, in een of twee zinnen", examples=["Bomen in de buurt per 1.000 inwoners."]
    )
    bron: Bron = Field(
        description="wie de gegevens publiceert, welke dataset, van welk jaar, onder welke licentie",
        examples=[{"uitgever": "CBS", "dataset": "Wijk- en buurtkaart", "jaar": 2024, "licentie": "CC BY 4.0"}],
    )
    formule: Formule = Field(
        description="hoe de indicator berekend wordt: een formuletype en zijn invoer",
        json_schema_extra=lambda schema: schema.update(examples=[example_formule()]),
    )
    richting: Literal["hoger_is_beter", "lager_is_beter", "neutraal"] = Field(
        "neutraal", description="of een hogere waarde beter of slechter is", examples=["hoger_is_beter"]
    )
    decimalen: int = Field(1, ge=0, le=4, description="het aantal decimalen van de gepubliceerde waarde", examples=[0])
    noemer: Denominator | None = Field(
        None,
        description="wat de noemer telt, voor de onthullingscontrole (leeg: volgens het formuletype)",
        examples=["woningen"],
    )
    openbaar: bool = Field(
        False,
        description="ja als de indicator openbare objecten telt (brandweerkazernes, scholen, bomen), geen personen, "
        "woningen of meldingen: dan staat hij in elke buurt, ook onder de privacydrempels. Alleen bij de "
        "formuletypen " + " en ".join(PUBLIC_TYPES),
        examples=[True],
    )
    nederland: float | None = Field(
        None, description="de waarde voor heel Nederland, als de bron die geeft", examples=[12.5]
    )
    klassen: Klassen = Field(
        default_factory=Klassen,
        description="de klassen van de kaart",
        examples=[{"methode": "kwantielen", "aantal": 5}],
    )
    modelschatting: str | None = Field(
        None,
        min_length=1,
        description="alleen als het cijfer een modelschatting is en geen telling: één zin die zegt wat geschat is en "
        "hoe; die staat overal waar het cijfer staat (kaart, profielen, colofon, downloads)",
        examples=["Geschat met een model uit leeftijd en huishoudens van de buurt (RIVM)."],
    )

    @model_validator(mode="after")
    def _public_only_counts_objects(self) -> Indicator:
        if self.openbaar and not self.formule.formula.may_be_public:
            raise ValueError(
                f"openbaar: only an indicator of formula type {' or '.join(PUBLIC_TYPES)} counts public objects "
                f"without persons; '{self.formule.type}' does not"
            )
        return self

    @property
    def denominator(self) -> Denominator:
        """Return what the denominator counts: ``noemer`` when given, else the formula type's."""
        return self.noemer or self.formule.denominator

    @property
    def niveaus(self) -> list[str]:
        """Levels the indicator is published at; a figure that cannot be rolled up exists per buurt only."""
        return ["buurt"] if self.aggregation == "geen" else ["buurt", "wijk", "gemeente"]

    @property
    def aggregation(self) -> Aggregation:
        """Return how wijk and gemeente values follow from the buurten (``som``, ``verhouding`` or ``geen``)."""
        return self.formule.aggregation

    @property
    def scale(self) -> float:
        """Return the factor from teller / noemer to waarde."""
        return self.formule.scale


def _example_indicator() -> dict[str, Any]:
    """Return an example entry of the catalogue for its JSON Schema, its formule from the registry."""
    bron = {"uitgever": "CBS", "dataset": "Wijk- en buurtkaart", "jaar": 2024, "licentie": "CC BY 4.0"}
    fields = {"titel": "Mijn indicator", "eenheid": "eenheid", "beschrijving": "Wat de indicator meet.", "bron": bron}
    return {"id": "mijn_indicator", **fields, "formule": example_formule()}


class Catalogue(_Strict):
    """The indicator catalogue file: its ``indicatoren:``, each with a unique id."""

    indicatoren: list[Indicator] = Field(
        min_length=1,
        description="de indicatoren: elk getal op een kaart, met bron en formule",
        json_schema_extra=lambda schema: schema.update(examples=[[_example_indicator()]]),
    )

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalogue:
        ids = [i.id for i in self.indicatoren]
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"indicator ids must be unique; repeated: {doubles}")
        return self

    @model_validator(mode="after")
    def _public_counts_stand_alone(self) -> Catalogue:
        """Refuse a public count beside an indicator of the same points that is not public.

        The published count would give that one's withheld figures away (a rate per inhabitants, for one, then gives
        the inhabitants of a small buurt).
        """
        for public in (i for i in self.indicatoren if i.openbaar):
            others = [
                i.id
                for i in self.indicatoren
                if not i.openbaar and i.formule.laag == public.formule.laag and _counts_points(i)
            ]
            if others:
                raise ValueError(
                    f"{public.id}: openbaar publishes the count of '{public.formule.laag}' in every buurt, which would "
                    f"give away the withheld figures of {', '.join(others)} (the same points); make "
                    f"{'them' if len(others) > 1 else 'it'} openbaar too where allowed, or leave openbaar off"
                )
        return self

    def by_id(self, indicator_id: str) -> Indicator:
        """Return the indicator with id ``indicator_id``.

        Raises
        ------
        KeyError
            When the catalogue has no such indicator; the message lists the ids it has.
        """
        for indicator in self.indicatoren:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(f"unknown indicator {indicator_id!r}; the catalogue has {self.ids}")

    @property
    def ids(self) -> list[str]:
        """Return the ids of the indicators, in the catalogue's order."""
        return [i.id for i in self.indicatoren]


def _counts_points(indicator: Indicator) -> bool:
    """Whether the indicator's numerator is the points of its layer (counted, per inhabitants, per km²)."""
    return indicator.formule.formula.disclosure.numerator == "points"


# What ``init`` writes in a bron where it cannot know the publisher, year or licence; ``check`` and ``build`` name
# the indicators that still hold it (the colophon and the downloads would show it as it is).
UNKNOWN = "onbekend: vul in"


def unfilled_sources(catalogue: Catalogue) -> list[str]:
    """Return the ids of the indicators whose ``bron`` still holds :data:`UNKNOWN`, in catalogue order."""
    return [i.id for i in catalogue.indicatoren if UNKNOWN in (str(v) for v in i.bron.model_dump().values())]


def load_catalogue(path: str | Path, config: ProjectConfig | None = None) -> Catalogue:
    """Read and validate a catalogue; with ``config``, check that every input it names is configured."""
    path = Path(path)
    catalogue = load_yaml_model(path, Catalogue, "indicatoren", "indicator catalogue")
    if config is not None:
        problems = [p for i, indicator in enumerate(catalogue.indicatoren) for p in _unmet(i, indicator, config)]
        if problems:
            raise ConfigError(f"{path}: indicators whose inputs are not configured\n" + "\n".join(problems))
    return catalogue


def _unmet(index: int, indicator: Indicator, config: ProjectConfig) -> list[str]:
    formule, where = indicator.formule, f"  indicatoren.{index} ({indicator.id}).formule"
    formula = formule.formula
    problems = _unmet_layer(formule, formula, config, where)
    if formula.needs_addresses and config.bronnen.adressen is None:
        problems.append(f"{where}.type: '{formule.type}' needs bronnen.adressen (homes)")
    if formula.needs_park_layer and config.parameters.park_laag is None:
        problems.append(f"{where}.type: '{formule.type}' needs parameters.park_laag (woods and parks)")
    if formule.partner is not None:
        problems += _unmet_partner(formule, formula, config, where)
    if formule.tijdreeks is not None:
        problems += _unmet_tijdreeks(formule, config, where)
    return problems


def _unmet_tijdreeks(formule: Formule, config: ProjectConfig, where: str) -> list[str]:
    if formule.tijdreeks not in config.tijdreeksen:
        return [f"{where}.tijdreeks: no tijdreeks '{formule.tijdreeks}' (configured: {sorted(config.tijdreeksen)})"]
    mixing = config.tijdreeksen[formule.tijdreeks].aggregatie.soorten
    if (mixing == "apart") == (formule.soort == "alle"):
        wanted = "'referentie' or 'laagkosten'" if mixing == "apart" else "'alle'"
        return [f"{where}.soort: tijdreeks '{formule.tijdreeks}' keeps sensors {mixing}; use soort {wanted}"]
    if formule.maand_van and formule.maand_tot and formule.maand_tot < formule.maand_van:
        return [f"{where}.maand_tot: {formule.maand_tot} is before maand_van {formule.maand_van}"]
    return []


def _unmet_layer(formule: Formule, formula: FormulaType, config: ProjectConfig, where: str) -> list[str]:
    layer = formule.laag
    if layer is None:
        return []
    if layer == "parken":
        if formula.layer != "any":
            return [f"{where}.laag: '{formule.type}' cannot use 'parken'; name a layer under 'lagen'"]
        if config.parameters.park_laag is None:
            return [f"{where}.laag: 'parken' needs parameters.park_laag"]
        return []
    if layer not in config.lagen:
        return [f"{where}.laag: no layer '{layer}' under 'lagen' (configured: {sorted(config.lagen)})"]
    wanted = GEOMETRIE.get(formula.layer or "")
    if wanted is not None and config.lagen[layer].geometrie != wanted:
        return [f"{where}.laag: '{layer}' must be a layer of {wanted} (geometrie: {wanted}) for '{formule.type}'"]
    return []


def _unmet_partner(formule: Formule, formula: FormulaType, config: ProjectConfig, where: str) -> list[str]:
    partners = {p.naam: p for p in config.partners}
    if formule.partner not in partners:
        return [f"{where}.partner: no partner '{formule.partner}' (configured: {sorted(partners)})"]
    partner = partners[formule.partner]
    if (partner.sleutel == "wijkcode") != (formula.partner_level == "wijk"):
        by_wijk = " or ".join(f"'{f.name}'" for f in FORMULAS.values() if f.partner_level == "wijk")
        return [
            f"{where}.partner: '{formule.partner}' is keyed by {partner.sleutel}; "
            f"use {by_wijk} for a partner keyed by wijkcode, and only for such a partner"
        ]
    if formule.kolom and formule.kolom not in partner.kolommen:
        return [f"{where}.kolom: partner '{formule.partner}' maps no column '{formule.kolom}'"]
    return []
