"""A tiny published database by hand (four 1 km buurten in two wijken, two indicators, one opgave, kiemen), for
tests of the site that need exact, known values: build_site reads only these tables.

    BU00010101 Noordwest | BU00010102 Noordoost     (wijk WK000101 "Boven")
    BU00010001 Zuidwest  | BU00010002 Zuidoost      (wijk WK000100 "Onder")
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
from shapely.geometry import Point, box

from ogw_datalab.config import ProjectConfig
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.indicators.opgaven import Opgave
from ogw_datalab.storage import write_frame

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


def tiny_project(folder: Path) -> tuple[ProjectConfig, Catalogue, list[Opgave]]:
    """The configuration, catalogue and opgaven that go with :func:`write_tiny_tables`."""
    config = ProjectConfig.model_validate(
        {
            "gemeente": {"code": "GM0001", "naam": "Klein<dorp>"},
            "jaar": 2024,
            "sources": {
                "buurten": {"kind": "cbs_wijkbuurtkaart", "path": str(folder / "b.gpkg")},
                "wijken": {"kind": "cbs_wijkbuurtkaart", "path": str(folder / "w.gpkg")},
            },
            "layers": {
                "initiatieven": {
                    "kind": "vector",
                    "geometry": "points",
                    "path": str(folder / "i.geojson"),
                    "columns": {"naam": "naam"},
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
