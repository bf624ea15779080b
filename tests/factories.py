"""Builders of the small configurations and catalogues that tests write by hand: an indicator and a catalogue, a
minimal configuration of gemeente GM0001 with two partners and an inbox, a time-series configuration with its
CSV files, and the partner file the inbox tests drop.

Each returns what the library reads (a validated model, or a file written into the test's folder) and takes as
keywords only what a test changes; the values a test relies on are named in the docstring.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import shapely
import yaml

from ogw_datalab.config import ProjectConfig
from ogw_datalab.indicators.catalogue import Catalogue
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.storage import write_frame

from .fixtures import two_by_two_buurten
from .labs import PROJECT

DEMO = PROJECT / "config" / "demo.yaml"
BRON = {"uitgever": "test", "dataset": "test", "jaar": 2024, "licentie": "CC0"}


def indicator(id: str, formule: dict, **fields) -> dict:
    """A catalogue entry: ``id`` and ``formule`` with a plain title, unit, description and source (``BRON``), as
    the catalogue file writes it; ``fields`` adds or replaces keys (``decimalen``, ``eenheid``, ...)."""
    return {"id": id, "titel": "t", "eenheid": "e", "beschrijving": "b", "bron": BRON, "formule": formule} | fields


def catalogue(*entries: dict) -> Catalogue:
    """The catalogue of these entries (see :func:`indicator`), validated as ``load_catalogue`` validates a file."""
    return Catalogue.model_validate({"indicatoren": list(entries)})


def formula_catalogue(*formulas: dict) -> Catalogue:
    """A catalogue with one indicator per formula, ``i0``, ``i1``, ... in order."""
    return catalogue(*(indicator(f"i{n}", formula) for n, formula in enumerate(formulas)))


def minimal_config(folder: Path, **changes) -> Path:
    """``folder/config.yaml``: gemeente GM0001 (Testdorp) of 2024, its buurten and wijken from one kaart file, two
    partners (``ggd``: a csv of buurtcode and score; ``corporatie``: an xlsx of woningen per buurt), an inbox, and
    the database ``data/lab.duckdb``; every path relative to ``folder``. ``changes`` replace top-level keys."""
    raw = {
        "gemeente": {"code": "GM0001", "naam": "Testdorp"},
        "jaar": 2024,
        "bronnen": {
            "buurten": {"soort": "cbs_wijkbuurtkaart", "pad": "bron/kaart.gpkg", "laag": "buurten"},
            "wijken": {"soort": "cbs_wijkbuurtkaart", "pad": "bron/kaart.gpkg", "laag": "wijken"},
        },
        "partners": [
            {
                "naam": "ggd",
                "sleutel": "buurtcode",
                "soort": "csv",
                "pad": "partners/ggd.csv",
                "kolommen": {"buurtcode": "code", "score": "score"},
            },
            {
                "naam": "corporatie",
                "sleutel": "buurtcode",
                "soort": "xlsx",
                "pad": "partners/corporatie.xlsx",
                "kolommen": {"buurtcode": "Buurt", "woningen": "Woningen"},
            },
        ],
        "indicatoren": "indicatoren.yaml",
        "opgaven": "opgaven.yaml",
        "uitvoer": {"database": "data/lab.duckdb", "kaarten": "maps", "inbox": "inbox"},
    } | changes
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


# The ggd partner's file for the four buurten of two_by_two_buurten (a score per buurt, decimal comma).
GOOD = "code;score\nBU00010001;7,5\nBU00010002;6,0\nBU00010101;8,1\nBU00010102;5,5\n"


def drop(config: ProjectConfig, name: str, text: str) -> Path:
    """Put a file with ``text`` into the configuration's inbox, as a partner delivers it."""
    assert config.uitvoer.inbox is not None
    path = config.uitvoer.inbox / name
    path.write_text(text, encoding="utf-8")
    return path


# Time series: the four 1 km buurten of two_by_two_buurten moved to Amsterdam, and a series of July 2016.
X0, Y0 = 120_000.0, 486_000.0
JULY = pd.date_range("2016-06-30 22:00", periods=744, freq="h", tz="UTC")  # July 2016, local time


def buurten_in_amsterdam(con) -> None:
    """The four buurten of two_by_two_buurten, moved by (X0, Y0), staged as staging.buurten of GM0001."""
    frame = two_by_two_buurten(con)
    frame["geometry"] = shapely.transform(frame.geometry.to_numpy(), lambda xy: xy + [X0, Y0])
    write_frame(con, "raw", "buurten", gpd.GeoDataFrame(frame, geometry="geometry", crs="EPSG:28992"))
    stage_cbs_areas(con, "buurten", "GM0001")


def write_series(folder: Path) -> None:
    """``sensoren.csv`` and ``metingen.csv`` in ``folder``: laag1/laag2/ref in BU00010001 (bottom left), laag3 in
    BU00010002 (bottom right), 100 m below BU00010102. Every hour of July: laag1 NO2 10, ref NO2 30, laag3 NO2 40;
    laag2 NO2 20 for the first 400 hours; laag1 PM25 12 for the first 200 hours."""
    sensors = {"laag1": (500, 500), "laag2": (600, 400), "ref": (400, 600), "laag3": (1500, 900)}
    lines = ["id,x,y"] + [f"{s},{X0 + x},{Y0 + y}" for s, (x, y) in sensors.items()]
    (folder / "sensoren.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    rows = ["sensor,tijd,grootheid,waarde,eenheid"]
    for i, t in enumerate(JULY):
        stamp = t.strftime("%Y-%m-%dT%H:%M:%SZ")
        rows += [f"laag1,{stamp},NO2,10,ug/m3", f"ref,{stamp},NO2,30,ug/m3", f"laag3,{stamp},NO2,40,ug/m3"]
        if i < 400:
            rows.append(f"laag2,{stamp},NO2,20,ug/m3")
        if i < 200:
            rows.append(f"laag1,{stamp},PM25,12,ug/m3")
    (folder / "metingen.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")


def lucht_files(folder: Path) -> dict:
    """The sensors and measurements of the tijdreeks 'lucht' in ``folder`` (:func:`write_series`'s files, or the
    site fixture's): 'ref' a reference station, times in UTC."""
    return {
        "sensoren": {
            "pad": str(folder / "sensoren.csv"),
            "kolommen": {"sensor": "id"},
            "x": "x",
            "y": "y",
            "crs": "EPSG:28992",
        },
        "bronnen": [
            {
                "soort": "long",
                "pad": str(folder / "metingen.csv"),
                "tijd": {"zone": "UTC"},
                "kolommen": {"sensor": "sensor", "grootheid": "grootheid", "waarde": "waarde", "eenheid": "eenheid"},
            }
        ],
        "soorten": {"referentie": ["ref"]},
    }


def timeseries_config(folder: Path, **aggregatie) -> ProjectConfig:
    """GM0001 (Proefdorp) of 2016 with the tijdreeks 'lucht' read from :func:`write_series`'s files in ``folder``:
    times in UTC, 'ref' a reference station, no warm-up and no outlier rule; ``aggregatie`` is its aggregation."""
    return ProjectConfig.model_validate(
        {
            "gemeente": {"code": "GM0001", "naam": "Proefdorp"},
            "jaar": 2016,
            "bronnen": {
                "buurten": {"soort": "vector", "pad": "b.gpkg"},
                "wijken": {"soort": "vector", "pad": "b.gpkg"},
            },
            "indicatoren": "i.yaml",
            "opgaven": "o.yaml",
            "tijdreeksen": {
                "lucht": {
                    **lucht_files(folder),
                    "kwaliteit": {"opwarmen_uren": 0, "uitschieters": None},
                    "aggregatie": aggregatie,
                }
            },
        }
    )
