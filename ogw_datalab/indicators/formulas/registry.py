"""The formula registry: one entry per formula type, and nothing about a type anywhere else.

Each entry declares the fields of ``formule:`` the type takes, what it needs configured, its
preparation steps and SQL file, how it rolls up, what disclosure control rests on and how the audit
reads its numerator, and its sentence in Dutch for the colophon (see :class:`.FormulaType`). The
catalogue's validation, the computation, the disclosure audit, the colophon and the documentation's formula
table all follow from it.

Adding a formula type is one entry here plus one SQL file under ``ogw_datalab/sql/indicators/`` that
returns ``buurtcode, teller, noemer, waarde`` for every buurt (``staging.buurten``).
"""

from __future__ import annotations

from . import phrases as say
from . import prepare
from .formula_type import Disclosure, FormulaType, register

COUNT = Disclosure(counting=True)
MEASURE = Disclosure(counting=False)
POINTS = Disclosure(counting=True, numerator="points")  # points of a layer, however they are divided
HOMES_OR_ROWS = Disclosure(counting=True, share=True)  # a part of the homes or of the partner's rows

register(
    FormulaType(
        name="kerncijfer",
        value="the CBS figure",
        inputs=("kolom",),
        allowed={"kolom": ("aantal_inwoners", "aantal_huishoudens")},
        copies="kaart",
        aggregation="som",
        denominator="geen",
        disclosure=COUNT,
        explanation=lambda f: f"Het cijfer van het CBS: {say.kerncijfer(f)} per buurt.",
    ),
    FormulaType(
        name="aantal",
        value="number of points",
        inputs=("laag",),
        layer="points",
        aggregation="som",
        denominator="geen",
        disclosure=POINTS,
        may_be_public=True,
        explanation=lambda f: "Het aantal objecten uit de bron dat in de buurt ligt.",
    ),
    FormulaType(
        name="per_inwoners",
        value="points × per / inhabitants",
        inputs=("laag",),
        optional=("per",),
        layer="points",
        aggregation="verhouding",
        denominator="personen",
        disclosure=POINTS,
        scale="per",
        explanation=lambda f: f"Het aantal objecten uit de bron in de buurt per {say.number(f.per)} inwoners.",
    ),
    FormulaType(
        name="per_km2_land",
        value="points / km² land",
        inputs=("laag",),
        layer="points",
        aggregation="verhouding",
        denominator="geen",
        disclosure=POINTS,
        may_be_public=True,
        explanation=lambda f: "Het aantal objecten uit de bron per vierkante kilometer land (water telt niet mee).",
    ),
    FormulaType(
        name="aandeel_oppervlak",
        value="% of land area covered (polygons cut at buurt boundaries)",
        inputs=("laag",),
        optional=("typen",),
        layer="polygons",
        prepare=(prepare.area_of_layer,),
        aggregation="verhouding",
        denominator="geen",
        disclosure=Disclosure(counting=False, share=True),  # m² of the buurt's land
        scale=100.0,
        explanation=lambda f: (
            f"Het deel van het landoppervlak van de buurt dat bedekt is{say.of_types(f)}, in procenten; "
            "een vlak over een buurtgrens telt alleen met het deel binnen de buurt."
        ),
    ),
    FormulaType(
        name="binnen_afstand",
        value="% of homes with a feature within the distance",
        inputs=("laag",),
        optional=("afstand_m",),
        layer="any",
        needs_addresses=True,
        prepare=(prepare.distances_within_afstand,),
        aggregation="verhouding",
        denominator="woningen",
        disclosure=HOMES_OR_ROWS,
        scale=100.0,
        explanation=lambda f: (
            f"Het aandeel woningen met {say.target(f)} binnen {say.number(f.afstand_m)} meter in rechte lijn van "
            "het adres."
        ),
    ),
    FormulaType(
        name="gemiddelde_afstand",
        value="mean distance from home to the nearest feature",
        inputs=("laag",),
        optional=("max_afstand_m",),
        layer="any",
        needs_addresses=True,
        prepare=(prepare.distances_within_max_afstand,),
        aggregation="verhouding",
        denominator="woningen",
        disclosure=MEASURE,  # metres
        explanation=lambda f: (
            f"De gemiddelde afstand in rechte lijn van een woning tot het dichtstbijzijnde "
            f"{say.target(f).split(' ', 1)[1]}, gezocht tot {say.number(f.max_afstand_m)} meter."
        ),
    ),
    FormulaType(
        name="bomen_bij_woning",
        value="% of homes with at least `minimum` trees within `afstand_m`",
        inputs=("laag",),
        optional=("afstand_m", "minimum"),
        layer="points",
        needs_addresses=True,
        aggregation="verhouding",
        denominator="woningen",
        disclosure=HOMES_OR_ROWS,
        scale=100.0,
        explanation=lambda f: (
            f"Het aandeel woningen met minstens {f.minimum} bomen binnen {say.number(f.afstand_m)} meter van het "
            "adres (afstand staat in voor zicht)."
        ),
    ),
    FormulaType(
        name="kronendak",
        value="approximated canopy, % of land",
        inputs=("laag",),
        optional=("kroon_m2",),
        layer="points",
        needs_park_layer=True,
        prepare=(prepare.area_of_woods,),
        aggregation="verhouding",
        denominator="geen",
        disclosure=Disclosure(counting=False, cap=100.0),  # m² of canopy; a buurt value stops at 100 %
        scale=100.0,
        explanation=lambda f: (
            f"Het geschatte bladerdak als deel van het landoppervlak: elke boom telt voor {say.number(f.kroon_m2)} "
            "m² kroon, bos telt met zijn oppervlakte."
        ),
    ),
    FormulaType(
        name="drie_dertig_driehonderd",
        value="% of homes meeting all of 3-30-300",
        inputs=("laag",),
        optional=("afstand_m", "minimum", "kroon_m2"),
        layer="points",
        needs_addresses=True,
        needs_park_layer=True,
        prepare=(prepare.area_of_woods, prepare.distances_to_parks),
        aggregation="verhouding",
        denominator="woningen",
        disclosure=HOMES_OR_ROWS,
        scale=100.0,
        explanation=lambda f: (
            f"Het aandeel woningen dat aan de hele 3-30-300-regel voldoet: minstens {f.minimum} bomen binnen "
            f"{say.number(f.afstand_m)} meter, een park binnen 300 meter, en een buurt met minstens 30% geschat "
            f"bladerdak (elke boom {say.number(f.kroon_m2)} m² kroon)."
        ),
    ),
    FormulaType(
        name="partner_aandeel",
        value="% of the partner's rows (dwellings, when placed by address) with one of `waarden`",
        inputs=("partner", "kolom", "waarden"),
        optional=("van",),
        partner_level="buurt",
        aggregation="verhouding",
        denominator="rijen",
        disclosure=HOMES_OR_ROWS,
        scale=100.0,
        explanation=lambda f: (
            f"Het aandeel van de rijen van de partner (bij koppeling op adres: woningen) met als waarde "
            f"{say.one_of(f.waarden)}" + (f", van de rijen met {say.one_of(f.van)}" if f.van else "") + "."
        ),
    ),
    FormulaType(
        name="partner_per_inwoners",
        value="partner rows (reports, cases) per `per` inhabitants",
        inputs=("partner",),
        optional=("per",),
        partner_level="buurt",
        aggregation="verhouding",
        denominator="personen",
        disclosure=COUNT,  # rows
        scale="per",
        explanation=lambda f: f"Het aantal rijen van de partner (meldingen, zaken) per {say.number(f.per)} inwoners.",
    ),
    FormulaType(
        name="partner_gemiddelde",
        value="mean of a numeric column",
        inputs=("partner", "kolom"),
        partner_level="buurt",
        aggregation="verhouding",
        denominator="rijen",
        disclosure=MEASURE,  # the sum of a partner column
        explanation=lambda f: "Het gemiddelde van de waarden die de partner per rij geeft.",
    ),
    FormulaType(
        name="partner_waarde",
        value="the figure the partner publishes per buurt",
        inputs=("partner", "kolom"),
        partner_level="buurt",
        copies="partner",
        aggregation="geen",
        denominator="geen",
        disclosure=MEASURE,
        explanation=lambda f: "Het cijfer dat de partner zelf per buurt publiceert, ongewijzigd overgenomen.",
    ),
    FormulaType(
        name="partner_wijkwaarde",
        value="the partner's wijk figure, spread over the buurten by overlap (addresses, else area)",
        inputs=("partner", "kolom"),
        partner_level="wijk",
        prepare=(prepare.wijk_values_onto_buurten,),
        aggregation="geen",
        denominator="geen",
        disclosure=MEASURE,
        explanation=lambda f: (
            "Het cijfer dat de partner per wijk publiceert, toegekend aan de buurten van die wijk naar hun overlap "
            "(op adressen, of anders op oppervlakte)."
        ),
    ),
    FormulaType(
        name="tijdreeks_gemiddelde",
        value="mean of the buurt's valid hourly sensor values over the months "
        "(none without a sensor or with too few hours)",
        inputs=("tijdreeks", "grootheid", "maand_van", "maand_tot"),
        optional=("soort",),
        prepare=(prepare.timeseries_tables,),
        parameters=prepare.timeseries_parameters,
        aggregation="verhouding",
        denominator="geen",
        disclosure=MEASURE,  # the sum of hourly values
        explanation=lambda f: (
            f"Het gemiddelde van {say.series(f)}, {say.period(f)}; zonder sensor of met te weinig gemeten uren "
            "heeft de buurt geen cijfer."
        ),
    ),
    FormulaType(
        name="tijdreeks_percentiel",
        value="a high percentile of the buurt's valid hourly sensor values over the months",
        inputs=("tijdreeks", "grootheid", "maand_van", "maand_tot"),
        optional=("soort", "percentiel"),
        prepare=(prepare.timeseries_tables,),
        parameters=prepare.timeseries_parameters,
        aggregation="geen",
        denominator="geen",
        disclosure=MEASURE,
        explanation=lambda f: (
            (f"Het {say.number(f.percentiel)}e percentiel" if f.percentiel else "Een hoog percentiel (zoals ingesteld)")
            + f" van {say.series(f)}, {say.period(f)}."
        ),
    ),
    FormulaType(
        name="tijdreeks_dagen_boven",
        value="% of complete days whose mean exceeds the WHO 2021 24-hour guideline",
        inputs=("tijdreeks", "grootheid", "maand_van", "maand_tot"),
        optional=("soort",),
        prepare=(prepare.timeseries_tables,),
        parameters=prepare.timeseries_parameters,
        aggregation="verhouding",
        denominator="geen",
        disclosure=MEASURE,  # it counts days, yet is audited as a measure, as it was before the registry said so
        scale=100.0,
        explanation=lambda f: (
            f"Het aandeel volledig gemeten dagen waarop het daggemiddelde van {say.series(f)} boven de "
            f"24-uursrichtlijn van de WHO (2021) lag, {say.period(f)}."
        ),
    ),
)
