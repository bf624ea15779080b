"""The indicator catalogue: every number on a map traces back to one entry here.

A catalogue is a YAML file (``indicatoren:`` in the project configuration). Each entry
names its source and licence, and a ``formule``: one of the engine's computations (the
SQL files in ``ogw_datalab/sql/indicators/<type>.sql``) with its inputs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..config import ConfigError, ProjectConfig, load_yaml_model

FormulaType = Literal[
    "kerncijfer",
    "aantal",
    "per_inwoners",
    "per_km2_land",
    "aandeel_oppervlak",
    "binnen_afstand",
    "gemiddelde_afstand",
    "bomen_bij_woning",
    "kronendak",
    "drie_dertig_driehonderd",
    "partner_aandeel",
    "partner_per_inwoners",
    "partner_gemiddelde",
    "partner_waarde",
    "partner_wijkwaarde",
]
FORMULA_TYPES = get_args(FormulaType)
# How a formula's wijk and gemeente values follow from the buurten: added up, recomputed as
# schaal * sum(teller) / sum(noemer), or not at all (a published figure).
AGGREGATION = {
    "kerncijfer": "som",
    "aantal": "som",
    "partner_waarde": "geen",
    "partner_wijkwaarde": "geen",
}
KERNCIJFERS = ("aantal_inwoners", "aantal_huishoudens")
CANOPY_TYPES = ["loofbos", "gemengd bos", "naaldbos"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Bron(_Strict):
    uitgever: str
    dataset: str
    jaar: int | str
    licentie: str
    url: str | None = None

    def text(self) -> str:
        return f"{self.uitgever}, {self.dataset} ({self.jaar}), licentie {self.licentie}"


class Formule(_Strict):
    """Which computation, on which inputs. Fields not used by the type must stay empty."""

    type: FormulaType
    kolom: str | None = Field(None, description="kerncijfer or partner column")
    laag: str | None = Field(None, description="a layer name, or 'parken'")
    partner: str | None = None
    per: float = Field(1000.0, gt=0, description="per_inwoners: per how many inhabitants")
    afstand_m: float = Field(300.0, gt=0, description="binnen_afstand, bomen_bij_woning: distance in metres")
    max_afstand_m: float = Field(5000.0, gt=0, description="gemiddelde_afstand: search radius in metres")
    typen: list[str] | None = Field(None, description="aandeel_oppervlak: only polygons of these types")
    waarden: list[str] | None = Field(None, description="partner_aandeel: values counted in the numerator")
    van: list[str] | None = Field(None, description="partner_aandeel: values in the denominator (default: any)")
    minimum: int = Field(3, ge=1, description="bomen_bij_woning: trees a home should see")
    kroon_m2: float = Field(50.0, gt=0, description="kronendak: crown area assumed per tree, m²")

    @model_validator(mode="after")
    def _inputs_for_type(self) -> Formule:
        needs = {
            "kerncijfer": ["kolom"],
            "aantal": ["laag"],
            "per_inwoners": ["laag"],
            "per_km2_land": ["laag"],
            "aandeel_oppervlak": ["laag"],
            "binnen_afstand": ["laag"],
            "gemiddelde_afstand": ["laag"],
            "bomen_bij_woning": ["laag"],
            "kronendak": ["laag"],
            "drie_dertig_driehonderd": ["laag"],
            "partner_aandeel": ["partner", "kolom", "waarden"],
            "partner_per_inwoners": ["partner"],
            "partner_gemiddelde": ["partner", "kolom"],
            "partner_waarde": ["partner", "kolom"],
            "partner_wijkwaarde": ["partner", "kolom"],
        }[self.type]
        missing = [field for field in needs if getattr(self, field) in (None, [])]
        if missing:
            raise ValueError(f"formule type '{self.type}' needs {missing}")
        if self.type == "kerncijfer" and self.kolom not in KERNCIJFERS:
            raise ValueError(f"kerncijfer kolom must be one of {list(KERNCIJFERS)}")
        return self

    @property
    def aggregatie(self) -> str:
        return AGGREGATION.get(self.type, "verhouding")

    @property
    def schaal(self) -> float:
        """Factor from teller / noemer to waarde."""
        if self.type in ("per_inwoners", "partner_per_inwoners"):
            return self.per
        if self.type in (
            "aandeel_oppervlak",
            "binnen_afstand",
            "bomen_bij_woning",
            "kronendak",
            "drie_dertig_driehonderd",
            "partner_aandeel",
        ):
            return 100.0
        return 1.0


class Klassen(_Strict):
    """Class breaks for the map: quantiles (default), natural breaks (Fisher-Jenks) or fixed bounds."""

    methode: Literal["kwantielen", "natuurlijk", "vast"] = "kwantielen"
    aantal: int = Field(5, ge=2, le=9)
    grenzen: list[float] | None = Field(None, description="vast: upper bounds of the classes, ascending")

    @model_validator(mode="after")
    def _bounds_for_fixed(self) -> Klassen:
        if self.methode == "vast" and not self.grenzen:
            raise ValueError("methode 'vast' needs 'grenzen'")
        if self.grenzen and self.grenzen != sorted(self.grenzen):
            raise ValueError("'grenzen' must be ascending")
        return self


# The denominator a figure's privacy rests on, per formula type (the catalogue may say otherwise).
NOEMER_SOORT = {
    "kerncijfer": "geen",
    "aantal": "geen",
    "per_km2_land": "geen",
    "aandeel_oppervlak": "geen",
    "kronendak": "geen",
    "per_inwoners": "personen",
    "partner_per_inwoners": "personen",
    "binnen_afstand": "woningen",
    "gemiddelde_afstand": "woningen",
    "bomen_bij_woning": "woningen",
    "drie_dertig_driehonderd": "woningen",
    "partner_aandeel": "rijen",
    "partner_gemiddelde": "rijen",
    "partner_waarde": "geen",
    "partner_wijkwaarde": "geen",
}


class Indicator(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    titel: str
    eenheid: str
    beschrijving: str
    bron: Bron
    formule: Formule
    richting: Literal["hoger_is_beter", "lager_is_beter", "neutraal"] = "neutraal"
    decimalen: int = Field(1, ge=0, le=4)
    noemer: Literal["personen", "woningen", "rijen", "respondenten", "geen"] | None = Field(
        None, description="what the denominator counts, for disclosure control (default: from the formula type)"
    )
    nederland: float | None = Field(None, description="the value for the Netherlands, where the source gives one")
    klassen: Klassen = Field(default_factory=Klassen)

    @property
    def noemer_soort(self) -> str:
        return self.noemer or NOEMER_SOORT[self.formule.type]

    @property
    def niveaus(self) -> list[str]:
        """Levels the indicator is published at; a figure that cannot be rolled up exists per buurt only."""
        return ["buurt"] if self.aggregatie == "geen" else ["buurt", "wijk", "gemeente"]

    @property
    def sql(self) -> str:
        return f"indicators/{self.formule.type}.sql"

    @property
    def aggregatie(self) -> str:
        return self.formule.aggregatie

    @property
    def schaal(self) -> float:
        return self.formule.schaal


class Catalogue(_Strict):
    indicatoren: list[Indicator] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> Catalogue:
        ids = [i.id for i in self.indicatoren]
        doubles = sorted({i for i in ids if ids.count(i) > 1})
        if doubles:
            raise ValueError(f"indicator ids must be unique; repeated: {doubles}")
        return self

    def by_id(self, indicator_id: str) -> Indicator:
        for indicator in self.indicatoren:
            if indicator.id == indicator_id:
                return indicator
        raise KeyError(f"unknown indicator {indicator_id!r}; the catalogue has {self.ids}")

    @property
    def ids(self) -> list[str]:
        return [i.id for i in self.indicatoren]


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
    problems = []
    layer = formule.laag
    if layer == "parken":
        if config.parameters.park_layer is None:
            problems.append(f"{where}.laag: 'parken' needs parameters.park_layer")
    elif layer is not None and layer not in config.layers:
        problems.append(f"{where}.laag: no layer '{layer}' under 'layers' (configured: {sorted(config.layers)})")
    elif layer is not None:
        wanted = "polygons" if formule.type in ("aandeel_oppervlak",) else None
        if wanted and config.layers[layer].geometry != wanted:
            problems.append(f"{where}.laag: '{layer}' must be a polygon layer for '{formule.type}'")
        if (
            formule.type
            in ("aantal", "per_inwoners", "per_km2_land", "bomen_bij_woning", "kronendak", "drie_dertig_driehonderd")
            and config.layers[layer].geometry != "points"
        ):
            problems.append(f"{where}.laag: '{layer}' must be a point layer for '{formule.type}'")
    needs_homes = formule.type in (
        "binnen_afstand",
        "gemiddelde_afstand",
        "bomen_bij_woning",
        "drie_dertig_driehonderd",
    )
    if needs_homes and config.sources.adressen is None:
        problems.append(f"{where}.type: '{formule.type}' needs sources.adressen (homes)")
    if formule.type in ("kronendak", "drie_dertig_driehonderd") and config.parameters.park_layer is None:
        problems.append(f"{where}.type: '{formule.type}' needs parameters.park_layer (woods and parks)")
    if formule.partner is not None:
        partners = {p.name: p for p in config.partners}
        if formule.partner not in partners:
            problems.append(f"{where}.partner: no partner '{formule.partner}' (configured: {sorted(partners)})")
        elif (partners[formule.partner].key == "wijkcode") != (formule.type == "partner_wijkwaarde"):
            problems.append(
                f"{where}.partner: '{formule.partner}' is keyed by {partners[formule.partner].key}; "
                "use 'partner_wijkwaarde' for a partner keyed by wijkcode, and only for such a partner"
            )
        elif formule.kolom and formule.kolom not in partners[formule.partner].columns:
            problems.append(f"{where}.kolom: partner '{formule.partner}' maps no column '{formule.kolom}'")
    return problems
