"""A tiny published database by hand (four 1 km buurten in two wijken, two indicators, one opgave, kiemen), for
tests of the site that need exact, known values: build_site reads only these tables.

    BU00010101 Noordwest | BU00010102 Noordoost     (wijk WK000101 "Boven")
    BU00010001 Zuidwest  | BU00010002 Zuidoost      (wijk WK000100 "Onder")

Optionally (``tijdreeks=True``) a sensor time series built by the library from a tiny CSV (see
:func:`write_tijdreeks`), and (``vergelijkbaar=True``) the similar-buurten tables (:func:`write_similar_tables`).
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from ogw_datalab.config import ProjectConfig
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.opgaven import Opgave
from ogw_datalab.indicators.similar_buurten import compare_with_similar
from ogw_datalab.storage import write_frame
from ogw_datalab.timeseries.aggregate import aggregate_tijdreeks
from ogw_datalab.timeseries.stage import stage_tijdreeks

from .factories import lucht_files

RD = "EPSG:28992"
X0, Y0 = 100_000, 450_000
CODES = ["BU00010001", "BU00010002", "BU00010101", "BU00010102"]
NAMES = ["Zuidwest", "Zuidoost", "Noordwest", "Noordoost"]
WIJK_OF = ["WK000100", "WK000100", "WK000101", "WK000101"]
CELLS = [(0, 0), (1000, 0), (0, 1000), (1000, 1000)]
# per buurt: (waarde, status, reden) of 'groen_pct'; Noordoost is withheld
GROEN = [
    (12.345, "gepubliceerd", None),
    (1234.5, "gepubliceerd", None),
    (0.04, "gepubliceerd", None),
    (None, "onderdrukt", "minder dan 50 inwoners in de buurt"),
]
LOCATIES = [1.0, 2.0, 0.0, None]


# The sensors of the tijdreeks 'lucht' (RD offsets from X0, Y0): a low-cost sensor in Zuidwest, a reference
# station in Zuidoost, 500 m below Noordoost (which takes it as its nearest sensor; Noordwest is 600 m and more
# from both, beyond NEAREST_M).
SENSORS = {"laag1": (300, 400), "ref": (1500, 500)}
NEAREST_M = 550


def tiny_project(
    folder: Path, *, tijdreeks: bool = False, vergelijkbaar: bool = False
) -> tuple[ProjectConfig, Catalogue, list[Opgave]]:
    """The configuration, catalogue and opgaven that go with :func:`write_tiny_tables`.

    With ``tijdreeks`` also the tijdreeks 'lucht' and the indicator 'no2_gemiddelde' computed from it (tables:
    :func:`write_tijdreeks`); with ``vergelijkbaar`` the search for similar buurten (:func:`write_similar_tables`).
    """
    extra: dict = {}
    if tijdreeks:
        extra["tijdreeksen"] = {
            "lucht": {
                **lucht_files(folder),
                "fasen": [
                    {
                        "naam": "kalibratie",
                        "sensoren": ["laag1"],
                        "van": "2016-06-01",
                        "tot": "2016-06-05",
                        "locatie": "ref",
                        "meetellen": False,
                    }
                ],
                "kwaliteit": {"opwarmen_uren": 0, "uitschieters": None, "ondergrens": {"NO2": 0}},
                "aggregatie": {"dichtstbijzijnde_m": NEAREST_M},
            }
        }
    if vergelijkbaar:
        extra["vergelijkbare_buurten"] = {
            "kenmerken": ["bevolkingsdichtheid", "aandeel_65plus"],
            "aantal": 3,
            "min_met_waarde": 2,
        }
    config = ProjectConfig.model_validate(
        {
            **extra,
            "gemeente": {"code": "GM0001", "naam": "Klein<dorp>"},
            "jaar": 2024,
            "bronnen": {
                "buurten": {"soort": "cbs_wijkbuurtkaart", "pad": str(folder / "b.gpkg")},
                "wijken": {"soort": "cbs_wijkbuurtkaart", "pad": str(folder / "w.gpkg")},
            },
            "lagen": {
                "initiatieven": {
                    "soort": "vector",
                    "geometrie": "punten",
                    "pad": str(folder / "i.geojson"),
                    "kolommen": {"naam": "naam"},
                }
            },
            "indicatoren": str(folder / "i.yaml"),
            "opgaven": str(folder / "o.yaml"),
        }
    )
    bron = {"uitgever": "Gemeente Klein", "dataset": "Test", "jaar": 2024, "licentie": "CC0 1.0"}
    catalogue = Catalogue.model_validate(
        {
            "indicatoren": [
                {
                    "id": "groen_pct",
                    "titel": "Groen",
                    "eenheid": "% van het land",
                    "beschrijving": "Aandeel groen.",
                    "bron": bron,
                    "formule": {"type": "aandeel_oppervlak", "laag": "initiatieven"},
                    "richting": "hoger_is_beter",
                    "decimalen": 1,
                    "nederland": 20.0,
                },
                {
                    "id": "locaties",
                    "titel": "Zorglocaties",
                    "eenheid": "locaties",
                    "beschrijving": "Aantal zorglocaties.",
                    "bron": bron,
                    "formule": {"type": "aantal", "laag": "initiatieven"},
                    "richting": "hoger_is_beter",
                    "decimalen": 0,
                },
                *([NO2_INDICATOR | {"bron": bron}] if tijdreeks else []),
            ]
        }
    )
    opgave = Opgave.model_validate(
        {
            "id": "groen",
            "titel": "Meer groen",
            "angel": "Te weinig groen.",
            "indicatoren": [
                {"id": "groen_pct", "gewicht": 1, "richting": "hoger_is_beter"},
                {"id": "locaties", "gewicht": 1, "richting": "hoger_is_beter"},
            ],
            "kiemen": {"laag": "initiatieven", "label": "naam"},
        }
    )
    return config, catalogue, [opgave]


NO2_INDICATOR = {
    "id": "no2_gemiddelde",
    "titel": "NO2 op straat",
    "eenheid": "µg/m³",
    "beschrijving": "Gemiddelde NO2 van de goedkope sensoren.",
    "formule": {
        "type": "tijdreeks_gemiddelde",
        "tijdreeks": "lucht",
        "grootheid": "NO2",
        "soort": "laagkosten",
        "maand_van": "2016-06",
        "maand_tot": "2016-07",
    },
    "richting": "lager_is_beter",
    "decimalen": 1,
}


def write_tiny_tables(con, names: list[str] | None = None) -> None:
    """Write the staging and published tables :func:`ogw_datalab.maps.build_site.build_site` reads."""
    names = names or NAMES
    buurten = gpd.GeoDataFrame(
        {"buurtcode": CODES, "buurtnaam": names, "wijkcode": WIJK_OF, "aantal_inwoners": [900, 800, 700, 20]},
        geometry=[box(X0 + x, Y0 + y, X0 + x + 1000, Y0 + y + 1000) for x, y in CELLS],
        crs=RD,
    )
    write_frame(con, "staging", "buurten", buurten)
    wijken = gpd.GeoDataFrame(
        {"wijkcode": ["WK000100", "WK000101"], "wijknaam": [names[0] + " wijk", "Boven"]},
        geometry=[box(X0, Y0, X0 + 2000, Y0 + 1000), box(X0, Y0 + 1000, X0 + 2000, Y0 + 2000)],
        crs=RD,
    )
    write_frame(con, "staging", "wijken", wijken)
    rows = []
    for code, name, wijk, (groen, status, reden), locaties in zip(CODES, names, WIJK_OF, GROEN, LOCATIES, strict=True):
        rows.append(("groen_pct", code, name, wijk, groen, status, reden))
        state = "onderdrukt" if locaties is None else "gepubliceerd"
        why = "minder dan 50 inwoners in de buurt" if locaties is None else None
        rows.append(("locaties", code, name, wijk, locaties, state, why))
    published = pd.DataFrame(
        rows, columns=["indicator", "buurtcode", "buurtnaam", "wijkcode", "waarde", "status", "reden"]
    )
    write_frame(con, "indicators", "publicatie_buurt", published)
    compared = published[["indicator", "buurtcode", "waarde", "status", "reden"]].sort_values(
        ["indicator", "buurtcode"]
    )
    compared["rang"] = pd.array([2, 1, 3, None, 2, 1, 3, None], dtype="Int64")
    compared["percentiel"] = [50.0, 0.0, 100.0, None, 50.0, 0.0, 100.0, None]
    compared["rang_reden"] = pd.Series([None] * 8, dtype="string")
    write_frame(con, "indicators", "vergelijking_buurt", compared)
    wijk_rows = pd.DataFrame(
        {
            "indicator": ["groen_pct", "groen_pct", "locaties", "locaties"],
            "wijkcode": ["WK000100", "WK000101", "WK000100", "WK000101"],
            "waarde": [30.0, None, 3.0, None],
            "status": ["gepubliceerd", "onderdrukt", "gepubliceerd", "onderdrukt"],
            "reden": [None, "aanvullend onderdrukt", None, "aanvullend onderdrukt"],
        }
    )
    write_frame(con, "indicators", "publicatie_wijk", wijk_rows)
    write_frame(
        con,
        "indicators",
        "vergelijking_wijk",
        wijk_rows.assign(rang=pd.array([1, None, 1, None], dtype="Int64"), percentiel=[100.0, None, 100.0, None]),
    )
    write_frame(
        con,
        "indicators",
        "publicatie_gemeente",
        pd.DataFrame(
            {
                "indicator": ["groen_pct", "locaties"],
                "gemeentecode": "GM0001",
                "waarde": [25.0, 3.0],
                "status": "gepubliceerd",
                "reden": [None, None],
            }
        ),
    )
    scores = pd.DataFrame(
        {
            "buurtcode": CODES,
            "opgave": "groen",
            "buurtnaam": names,
            "score": [50.0, 0.0, 100.0, None],
            "gewicht_met_waarde": [2.0, 2.0, 2.0, 0.0],
            "drijvers": ["Groen; Zorglocaties", "Groen", "Zorglocaties; Groen", None],
            "rang": pd.array([2, 3, 1, None], dtype="Int64"),
        }
    )
    write_frame(con, "indicators", "opgave_scores", scores)
    write_frame(con, "indicators", "prioriteiten", scores.dropna(subset=["score"]).sort_values("rang").head(2))
    left_out = pd.DataFrame({"opgave": [], "indicator": [], "titel": [], "reden": []}, dtype="string")
    write_frame(con, "indicators", "opgave_indicatoren_weggelaten", left_out)
    trends = pd.DataFrame(
        {
            "indicator": ["groen_pct"],
            "buurtcode": ["BU00010001"],
            "vorig_jaar": pd.array([2023], dtype="Int64"),
            "vorige_waarde": [10.0],
            "waarde": [12.345],
            "verschil": [2.345],
        }
    )
    write_frame(con, "indicators", "trends", trends)
    kiemen = gpd.GeoDataFrame(
        {"naam": ["In Zuidwest", "Net buiten", "Ver weg <b>"]},
        geometry=[Point(X0 + 500, Y0 + 500), Point(X0 - 200, Y0 + 500), Point(X0 + 20_000, Y0 + 500)],
        crs=RD,
    )
    write_frame(con, "staging", "layer_initiatieven", kiemen)


def local_hours(month: str) -> pd.DatetimeIndex:
    """Every hour of a local month (Europe/Amsterdam), in UTC."""
    start = pd.Timestamp(f"{month}-01").tz_localize("Europe/Amsterdam")
    end = (pd.Timestamp(f"{month}-01") + pd.offsets.MonthBegin(1)).tz_localize("Europe/Amsterdam")
    return pd.date_range(start, end, freq="h", inclusive="left").tz_convert("UTC")


def write_tijdreeks(con, config: ProjectConfig, folder: Path) -> None:
    """Write the sensor files of 'lucht', stage and aggregate them with the library, and publish 'no2_gemiddelde'.

    Known answers (local months): laag1 (Zuidwest) NO2 20 in June (its first five days beside 'ref', not
    counted) and 30 in July (one hour of -5 below the floor left out), PM2.5 12 in July; ref (Zuidoost) NO2 40 in
    June and only 100 hours in July (too few: no figure). Noordoost takes ref, 500 m away, as its nearest sensor.
    """
    lines = ["id,x,y"] + [f"{s},{X0 + x},{Y0 + y}" for s, (x, y) in SENSORS.items()]
    (folder / "sensoren.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = ["sensor,tijd,grootheid,waarde,eenheid"]
    for month, value in (("2016-06", 20), ("2016-07", 30)):
        for i, hour in enumerate(local_hours(month)):
            stamp = hour.strftime("%Y-%m-%dT%H:%M:%SZ")
            rows.append(f"laag1,{stamp},NO2,{-5 if (month, i) == ('2016-07', 10) else value},ug/m3")
            if month == "2016-07":
                rows.append(f"laag1,{stamp},PM25,12,ug/m3")
            if month == "2016-06" or i < 100:
                rows.append(f"ref,{stamp},NO2,40,ug/m3")
    (folder / "metingen.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    stage_tijdreeks(con, config, "lucht")
    aggregate_tijdreeks(con, config, "lucht", ("buurt", "wijk", "gemeente"))
    published = con.execute("SELECT * FROM indicators.publicatie_buurt").df()
    no2 = pd.DataFrame(
        {
            "indicator": "no2_gemiddelde",
            "buurtcode": CODES,
            "buurtnaam": NAMES,
            "wijkcode": WIJK_OF,
            "waarde": [(600 * 20 + 743 * 30) / 1343, None, None, None],
            "status": ["gepubliceerd", "geen waarde", "geen waarde", "geen waarde"],
            "reden": [None, "geen sensor", "geen sensor", "geen sensor"],
        }
    )
    write_frame(con, "indicators", "publicatie_buurt", pd.concat([published, no2], ignore_index=True))
    compared = con.execute("SELECT * FROM indicators.vergelijking_buurt").df()
    extra = no2[["indicator", "buurtcode", "waarde", "status", "reden"]].assign(rang=None, percentiel=None)
    write_frame(con, "indicators", "vergelijking_buurt", pd.concat([compared, extra], ignore_index=True))


SIMILAR_COLUMNS = ["buurtcode", "rang", "vergelijkbare_buurtcode", "vergelijkbare_buurtnaam", "gemeentenaam", "afstand"]
# Zuidwest is like two buurten elsewhere and its neighbour Zuidoost; Zuidoost like three elsewhere; the
# north has too few inhabitants to be compared.
SIMILAR = [
    ("BU00010001", 1, "BU03630001", "Burgwallen", "Amsterdam", 0.4),
    ("BU00010001", 2, "BU00010002", "Zuidoost", "Klein<dorp>", 0.7),
    ("BU00010001", 3, "BU05990001", "Stadsdriehoek <b>", "Rotterdam", 0.9),
    ("BU00010002", 1, "BU03630001", "Burgwallen", "Amsterdam", 0.5),
    ("BU00010002", 2, "BU05990001", "Stadsdriehoek <b>", "Rotterdam", 0.6),
    ("BU00010002", 3, "BU05180001", "Centrum", "'s-Gravenhage", 0.8),
]
# Published values of the similar buurten elsewhere (groen_pct, locaties).
ELSEWHERE = {"BU03630001": (10.0, 5.0), "BU05990001": (11.0, 6.0), "BU05180001": (None, 4.0)}


def write_similar_tables(con, *, filled: bool = True) -> pd.DataFrame:
    """Write indicators.vergelijkbare_buurten and .vergelijking_vergelijkbaar, as the lead's asset does.

    Empty (``filled=False``, the tables of a configuration without ``vergelijkbare_buurten``) or filled from
    :data:`SIMILAR` with :func:`compare_with_similar` on the published values (withheld ones left out). Returns
    the comparison table.
    """
    pairs = pd.DataFrame(SIMILAR if filled else [], columns=SIMILAR_COLUMNS).astype({"rang": "int64"})
    pairs["afstand"] = pairs["afstand"].astype(float)
    published = con.execute(
        "SELECT indicator, buurtcode, waarde FROM indicators.publicatie_buurt WHERE status = 'gepubliceerd'"
    ).df()
    others = [
        (indicator, code, value)
        for code, values in ELSEWHERE.items()
        for indicator, value in zip(("groen_pct", "locaties"), values, strict=True)
    ]
    values = pd.concat([published, pd.DataFrame(others, columns=["indicator", "buurtcode", "waarde"])])
    compared = compare_with_similar(pairs, values, min_met_waarde=2)
    compared = compared[compared["buurtcode"].str.startswith("BU0001")].reset_index(drop=True)
    compared["mediaan_vergelijkbaar"] = compared["mediaan_vergelijkbaar"].astype(float)
    compared["waarde"] = compared["waarde"].astype(float)
    compared["vergelijkbaar_met_waarde"] = compared["vergelijkbaar_met_waarde"].astype("int64")
    compared["tekst"] = compared["tekst"].astype("string")
    compared["reden"] = compared["reden"].astype("string")
    write_frame(con, "indicators", "vergelijkbare_buurten", pairs)
    write_frame(con, "indicators", "vergelijking_vergelijkbaar", compared)
    return compared
