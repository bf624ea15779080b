"""A first indicator catalogue and opgaven from what was found, in the engine's existing formula types only.

Every indicator the found data support: inhabitants and households (``kerncijfer``), the kaart's own kerncijfers per
buurt (``partner_waarde`` on the kaart read as partner ``cbs_kerncijfers``), a count of every point layer
(``aantal``) and, with BAG addresses, the mean distance from the homes to it (``gemiddelde_afstand``), and the
figures of tables keyed by code (``partner_waarde``, ``partner_wijkwaarde``). Three to five standard opgaven are
kept when the catalogue carries them; their texts say they are a first draft for the team to rewrite, and they
describe where figures are high or low, never why.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..indicators.catalogue import UNKNOWN
from ..indicators.compare import MIN_DISTINCT_VALUES
from ..indicators.formulas import FORMULAS, FormulaType
from .choose_partners import ChosenPartner
from .choose_sources import ChosenLayer, Selection, points_text

CBS_URL = "https://www.cbs.nl/nl-nl/dossier/nederland-regionaal/geografische-data"
DRAFT = "Een eerste opzet om te herschrijven: "
# Our kerncijfer name -> (indicator id, title, unit, description, decimals).
KERNCIJFER_TEXTS: dict[str, tuple[str, str, str, str, int]] = {
    "aandeel_0_14": (
        "aandeel_0_14_pct",
        "Kinderen tot 15 jaar",
        "% van de inwoners",
        "Aandeel inwoners van 0 tot 15 jaar",
        0,
    ),
    "aandeel_15_24": (
        "aandeel_15_24_pct",
        "Jongeren van 15 tot 25 jaar",
        "% van de inwoners",
        "Aandeel inwoners van 15 tot 25 jaar",
        0,
    ),
    "aandeel_65plus": (
        "aandeel_65plus_pct",
        "Inwoners van 65 jaar en ouder",
        "% van de inwoners",
        "Aandeel inwoners van 65 jaar of ouder",
        0,
    ),
    "eenpersoonshuishoudens": (
        "eenpersoonshuishoudens_pct",
        "Eenpersoonshuishoudens",
        "% van de huishoudens",
        "Aandeel huishoudens van één persoon",
        0,
    ),
    "huishoudens_met_kinderen": (
        "huishoudens_met_kinderen_pct",
        "Huishoudens met kinderen",
        "% van de huishoudens",
        "Aandeel huishoudens met kinderen",
        0,
    ),
    "huishoudensgrootte": (
        "huishoudensgrootte",
        "Gemiddelde huishoudensgrootte",
        "personen per huishouden",
        "Gemiddeld aantal personen per particulier huishouden",
        1,
    ),
    "bevolkingsdichtheid": (
        "bevolkingsdichtheid",
        "Bevolkingsdichtheid",
        "inwoners per km² land",
        "Inwoners per vierkante kilometer land",
        0,
    ),
    "autos_per_huishouden": (
        "autos_per_huishouden",
        "Personenauto's per huishouden",
        "auto's per huishouden",
        "Personenauto's per particulier huishouden",
        1,
    ),
}
RIVM_MODEL = (
    "Het RIVM schat dit cijfer met een statistisch model (SMAP) uit de antwoorden van alle deelnemers aan de "
    "Gezondheidsmonitor en de samenstelling van de bevolking van het gebied; het is geen telling van de antwoorden."
)


@dataclass
class FirstCatalogue:
    """The catalogue's and the opgaven file's contents, and what was left out for lack of data."""

    indicatoren: list[dict[str, Any]] = field(default_factory=list)
    opgaven: list[dict[str, Any]] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)

    @property
    def ids(self) -> set[str]:
        """The ids of the indicators."""
        return {i["id"] for i in self.indicatoren}


def first_catalogue(selection: Selection) -> FirstCatalogue:
    """Every indicator ``selection``'s data support, and the standard opgaven those indicators carry."""
    result = FirstCatalogue()
    jaar = selection.jaar
    kaart = {"uitgever": "CBS", "dataset": f"Wijk- en buurtkaart {jaar}", "jaar": jaar, "licentie": "CC BY 4.0"}
    for kolom, titel, eenheid in (
        ("aantal_inwoners", "Aantal inwoners", "inwoners"),
        ("aantal_huishoudens", "Aantal huishoudens", "huishoudens"),
    ):
        result.indicatoren.append(
            {
                "id": eenheid,
                "titel": titel,
                "eenheid": eenheid,
                "beschrijving": f"{titel} op 1 januari {jaar} volgens het CBS (kerncijfers bij de kaart).",
                "bron": {**kaart, "url": CBS_URL},
                "formule": {"type": _formula_type(lambda f: f.copies == "kaart"), "kolom": kolom},
                "decimalen": 0,
            }
        )
    for ours, column in selection.kerncijfers.items():
        indicator_id, titel, eenheid, beschrijving, decimalen = KERNCIJFER_TEXTS[ours]
        result.indicatoren.append(
            {
                "id": indicator_id,
                "titel": titel,
                "eenheid": eenheid,
                "beschrijving": f"{beschrijving} ({jaar}), zoals het CBS het per buurt publiceert; niet opgeteld "
                "naar wijk of gemeente.",
                "bron": {**kaart, "dataset": f"Wijk- en buurtkaart {jaar} ({column})", "url": CBS_URL},
                "formule": {"type": _partner_formula("buurt"), "partner": "cbs_kerncijfers", "kolom": ours},
                "decimalen": decimalen,
            }
        )
    for layer in selection.layers:
        indicators = _layer_indicators(layer, addresses=selection.has_addresses)
        if layer.inside < MIN_DISTINCT_VALUES:  # 2 points give at most 2 distinct counts (0 and 1, or 0 and 2)
            count = indicators.pop(0)
            result.left_out.append(
                f"{count['id']}: {points_text(layer.inside)} inside {selection.naam}: a count per buurt cannot tell "
                f"the buurten apart (fewer than {MIN_DISTINCT_VALUES} distinct values)"
                + ("; the distance from the homes is kept" if indicators else "")
            )
        result.indicatoren += indicators
    if selection.green_layer:
        result.indicatoren += _green_indicators(selection.green_layer, addresses=selection.has_addresses)
    for partner in selection.partners:
        result.indicatoren += _partner_indicators(partner, jaar)
    if not selection.has_addresses and selection.layers:
        result.left_out.append(
            "distances from homes to facilities (gemiddelde_afstand): they need BAG addresses (bronnen.adressen)"
        )
    _standard_opgaven(result, selection)
    return result


def _formula_type(declares: Callable[[FormulaType], bool]) -> str:
    """Name the one formula type of the registry that declares these properties (types are never named here)."""
    names = [f.name for f in FORMULAS.values() if declares(f)]
    if len(names) != 1:
        raise RuntimeError(f"the formula registry has {len(names)} types that fit a first catalogue's need: {names}")
    return names[0]


def _counts_points(formula: FormulaType) -> bool:
    return formula.layer == "points" and formula.aggregation == "som"


def _mean_distance(formula: FormulaType) -> bool:
    return formula.needs_addresses and formula.layer == "any" and "max_afstand_m" in formula.optional


def _partner_formula(level: str) -> str:
    """Name the type that publishes a partner's own figure per buurt, or its wijk figure spread over the buurten."""
    return _formula_type(
        lambda f: f.partner_level == level and f.aggregation == "geen" and f.inputs == ("partner", "kolom")
    )


def _layer_indicators(layer: ChosenLayer, *, addresses: bool) -> list[dict[str, Any]]:
    """Return the count of a layer's points per buurt first, then (with addresses) the mean distance from the homes."""
    what = layer.source_name.replace("_", " ")
    bron = {"uitgever": UNKNOWN, "dataset": f"{what} (bestand {layer.pad.name})", "jaar": UNKNOWN, "licentie": UNKNOWN}
    indicators: list[dict[str, Any]] = [
        {
            "id": f"aantal_{layer.name}",
            "titel": f"{what.capitalize()}: aantal in de buurt",
            "eenheid": "locaties",
            "beschrijving": f"Het aantal punten van de laag '{layer.name}' dat in de buurt ligt; wijk en gemeente "
            "tellen op.",
            "bron": bron,
            "formule": {"type": _formula_type(_counts_points), "laag": layer.name},
            "decimalen": 0,
        }
    ]
    if addresses:
        indicators.append(
            {
                "id": f"afstand_{layer.name}",
                "titel": f"{what.capitalize()}: gemiddelde afstand vanaf de woningen",
                "eenheid": "meter",
                "beschrijving": "De gemiddelde afstand in rechte lijn van de woningen in de buurt tot het "
                f"dichtstbijzijnde punt van de laag '{layer.name}'.",
                "bron": bron,
                "formule": {"type": _formula_type(_mean_distance), "laag": layer.name},
                "richting": "lager_is_beter",
                "decimalen": 0,
            }
        )
    return indicators


def _green_indicators(layer: str, *, addresses: bool) -> list[dict[str, Any]]:
    """Return the share of land that is green, and of the homes near green (BGT begroeid terreindeel)."""
    bron = {
        "uitgever": "Kadaster (BGT, via PDOK)",
        "dataset": "BGT begroeid terreindeel",
        "jaar": "actueel bij het ophalen",
        "licentie": "CC BY 4.0",
        "url": "https://api.pdok.nl/lv/bgt/ogc/v1",
    }
    what = "begroeid terreindeel volgens de BGT (gras, struiken, bos, maar ook akkers en weiland)"
    indicators: list[dict[str, Any]] = [
        {
            "id": "groen_aandeel_pct",
            "titel": "Groen: aandeel van het land",
            "eenheid": "% van het landoppervlak",
            "beschrijving": f"Het deel van het landoppervlak van de buurt dat {what} is.",
            "bron": bron,
            "formule": {"type": _formula_type(_covered_share), "laag": layer},
            "richting": "hoger_is_beter",
            "decimalen": 0,
        }
    ]
    if addresses:
        indicators.append(
            {
                "id": "groen_binnen_300m_pct",
                "titel": "Groen binnen 300 meter van de woning",
                "eenheid": "% van de woningen",
                "beschrijving": f"Het aandeel woningen (BAG) met {what} binnen 300 meter in rechte lijn; een grove "
                "lezing van de 300 uit de 3-30-300-regel, die een park van ongeveer een hectare bedoelt.",
                "bron": bron,
                "formule": {"type": _formula_type(_homes_within), "laag": layer, "afstand_m": 300},
                "richting": "hoger_is_beter",
                "decimalen": 0,
            }
        )
    return indicators


def _covered_share(formula: FormulaType) -> bool:
    return formula.layer == "polygons" and formula.aggregation == "verhouding" and formula.inputs == ("laag",)


def _homes_within(formula: FormulaType) -> bool:
    return formula.needs_addresses and formula.layer == "any" and "afstand_m" in formula.optional


def _partner_indicators(partner: ChosenPartner, jaar: int) -> list[dict[str, Any]]:
    by_wijk = partner.sleutel == "wijkcode"
    formula = _partner_formula("wijk" if by_wijk else "buurt")
    uitgever = "RIVM/GGD" if partner.rivm else UNKNOWN
    dataset = "Gezondheidsmonitor Volwassenen en Ouderen (50090NED)" if partner.rivm else f"bestand {partner.pad.name}"
    bron = {
        "uitgever": uitgever,
        "dataset": dataset,
        "jaar": partner.year or jaar,
        "licentie": "CC BY 4.0" if partner.rivm else UNKNOWN,
    }
    spread = " per wijk, en elke buurt krijgt het cijfer van haar wijk" if by_wijk else ""
    indicators = []
    for column in partner.columns:
        indicator: dict[str, Any] = {
            "id": f"{partner.naam}_{column.ours}"[:60],
            "titel": column.titel,
            "eenheid": column.eenheid,
            "beschrijving": f"{column.titel}: kolom '{column.column}' van {partner.pad.name}{spread}.",
            "bron": bron,
            "formule": {"type": formula, "partner": partner.naam, "kolom": column.ours},
            "richting": column.richting,
            "decimalen": 1,
        }
        if partner.rivm:
            indicator["modelschatting"] = RIVM_MODEL
        indicators.append(indicator)
    return indicators


def _standard_opgaven(result: FirstCatalogue, selection: Selection) -> None:
    """Keep each standard opgave whose indicators the catalogue has (at least one); say which were left out."""
    ids = result.ids
    distances = sorted(i for i in ids if i.startswith("afstand_"))
    health = [i for i in result.indicatoren if i.get("modelschatting") and i.get("richting") != "neutraal"]
    standard = [
        (
            "ouder_worden_in_de_buurt",
            "Ouder worden in de buurt",
            "de kaart laat zien in welke buurten veel 65-plussers en veel alleenstaanden wonen. Of langer thuis "
            "wonen daar moeilijker is, en waarom, zeggen deze cijfers niet; vul aan met wat het team en de buurt "
            "weten.",
            [("aandeel_65plus_pct", 2, "lager_is_beter"), ("eenpersoonshuishoudens_pct", 1, "lager_is_beter")],
            [
                ("Ontmoetingsplekken in de buurt", ["eenpersoonshuishoudens_pct"]),
                ("Levensloopbestendig wonen", ["aandeel_65plus_pct"]),
            ],
        ),
        (
            "ruimte_voor_gezinnen",
            "Ruimte voor jonge gezinnen",
            "hier wonen naar verhouding veel kinderen en grote huishoudens, dicht op elkaar. Of speelruimte, scholen "
            "of woningen er krap zijn, tonen deze cijfers niet; toets dat in de buurt.",
            [
                ("aandeel_0_14_pct", 2, "lager_is_beter"),
                ("huishoudens_met_kinderen_pct", 1, "lager_is_beter"),
                ("huishoudensgrootte", 1, "lager_is_beter"),
                ("bevolkingsdichtheid", 1, "lager_is_beter"),
            ],
            [("Speelplekken en schoolpleinen open na schooltijd", ["aandeel_0_14_pct", "bevolkingsdichtheid"])],
        ),
        (
            "bereikbaar_zonder_auto",
            "Bereikbaar zonder auto",
            "de kaart toont buurten met veel auto's per huishouden en weinig inwoners per km². Hoe afhankelijk "
            "bewoners van de auto zijn, meten deze cijfers niet.",
            [("autos_per_huishouden", 1, "lager_is_beter"), ("bevolkingsdichtheid", 1, "hoger_is_beter")],
            [("Buurtbus en deelvervoer", ["autos_per_huishouden"])],
        ),
        (
            "voorzieningen_dichtbij",
            "Voorzieningen dichtbij",
            "de kaart toont waar de woningen gemiddeld ver van deze voorzieningen liggen. Of bewoners ze daardoor "
            "minder gebruiken, zeggen deze cijfers niet.",
            [(i, 1, "lager_is_beter") for i in distances],
            [("Voorzieningen in de buurt houden of brengen", distances[:3])] if distances else [],
        ),
        (
            "gezondheid_en_meedoen",
            "Gezondheid en meedoen",
            "de kaart toont waar de geschatte gezondheidscijfers ongunstig zijn. Het zijn modelschattingen, en "
            "waarom ze daar ongunstig zijn, zeggen ze niet.",
            [(str(i["id"]), 1, str(i["richting"])) for i in health],
            [],
        ),
    ]
    if selection.green_layer:
        standard.append(
            (
                "groen_dichtbij",
                "Groen dichtbij",
                "de kaart toont buurten met weinig begroeid terrein en woningen ver van groen. Of bewoners daar groen "
                "missen, en waarom, zeggen deze cijfers niet; de BGT telt ook akkers en weiland als groen.",
                [("groen_aandeel_pct", 1, "hoger_is_beter"), ("groen_binnen_300m_pct", 2, "hoger_is_beter")],
                [("Vergroenen van straten en pleinen", ["groen_aandeel_pct", "groen_binnen_300m_pct"])],
            )
        )
    needs = {
        "voorzieningen_dichtbij": "distances from homes (BAG addresses and point layers)",
        "gezondheid_en_meedoen": "health figures (the RIVM gezondheidsmonitor of the kaart's year)",
    }
    for opgave_id, titel, angel, items, hefbomen in standard:
        kept = [(i, g, r) for i, g, r in items if i in ids]
        if not kept:
            why = needs.get(opgave_id, "its kerncijfers, which the kaart does not give for this gemeente")
            result.left_out.append(f"opgave '{opgave_id}': no indicator to carry it; it needs {why}")
            continue
        opgave: dict[str, Any] = {
            "id": opgave_id,
            "titel": titel,
            "angel": DRAFT + angel,
            "indicatoren": [{"id": i, "gewicht": g, "richting": r} for i, g, r in kept],
        }
        levers = [{"naam": n, "indicatoren": [i for i in ind if i in ids]} for n, ind in hefbomen]
        levers = [lever for lever in levers if lever["indicatoren"]]
        if levers:
            opgave["hefbomen"] = levers
        result.opgaven.append(opgave)
