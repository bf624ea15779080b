"""The download mode of ``ogw-datalab init``: a gemeente's configuration over the national open sources of a year.

Without ``--bronnen`` nothing local is read: ``init`` asks PDOK's wijk- en buurtkaart of the year for the
gemeente's buurten (one WFS GetFeature filtered on ``gemeentecode``, through
:class:`~ogw_datalab.fetch.HttpCache`, so that ``ogw-datalab fetch`` later takes the same answer from the cache),
and learns from them the gemeente's name, its bounding box, its buurten and which kerncijfers the kaart gives. It
then writes ``download`` blocks for

- the kaart's buurten and wijken: PDOK WFS ``service.pdok.nl/cbs/wijkenbuurten/<jaar>/wfs/v1_0``, type names
  ``wijkenbuurten:buurten`` and ``wijkenbuurten:wijken``, GeoJSON in EPSG:28992, filtered on the gemeentecode with
  an OGC FES 2.0 ``PropertyIsEqualTo`` (the service ignores ``cql_filter``); download soort ``bestand``, one request:
  ``count`` is far above the buurten of any gemeente (Amsterdam had 519 in 2024);
- BAG verblijfsobjecten within the gemeente's bbox: PDOK OGC API ``api.pdok.nl/kadaster/bag/ogc/v2``, collection
  ``verblijfsobject`` (soort ``pdok_ogc_features``, bbox in RD New; addresses outside the buurten fall away in the
  build);
- BGT begroeid terreindeel within the bbox: ``api.pdok.nl/lv/bgt/ogc/v1``, collection ``begroeidterreindeel``;
- the CBS kerncijfers wijken en buurten from StatLine OData v3 (``opendata.cbs.nl/ODataApi/odata/<tabel>``,
  soort ``cbs_odata``, filtered on the gemeente) for the years whose table id is known (:data:`KERNCIJFERS_TABLES`);
  another year leaves it out with that sentence (the kaart carries the kerncijfers of its year anyway).

The URLs were taken from public code and PDOK's and CBS's documentation, not tried against the live services (the
machines this was written on have no internet): see ``docs/handleiding/beginnen.md``. Each service's root can be
replaced through an environment variable (:data:`SERVICE_VARIABLES`), which the tests point at a local server.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit

import pandas as pd

from ..fetch import FetchError, FetchSettings, HttpCache, OfflineError, fetch_cbs_odata
from ..readers.read_areas import read_cbs_areas
from ..staging.stage_areas import CBS_AREA_COLUMNS
from .choose_partners import ChosenPartner, PartnerColumn
from .choose_sources import Selection, choose_kerncijfers, expected_naming
from .find_gemeente import ALLE, InitError

# Each service's root: its placeholder in the URLs below -> (the environment variable that replaces it, the real
# root); the tests point the variables at 127.0.0.1.
SERVICE_VARIABLES: dict[str, tuple[str, str]] = {
    "pdok_service": ("OGW_DATALAB_PDOK_SERVICE_URL", "https://service.pdok.nl"),
    "pdok_api": ("OGW_DATALAB_PDOK_API_URL", "https://api.pdok.nl"),
    "cbs_odata": ("OGW_DATALAB_CBS_ODATA_URL", "https://opendata.cbs.nl/ODataApi/odata"),
}
KAART_WFS = "{pdok_service}/cbs/wijkenbuurten/{jaar}/wfs/v1_0"
BAG_ITEMS = "{pdok_api}/kadaster/bag/ogc/v2/collections/verblijfsobject/items"
BGT_GREEN_ITEMS = "{pdok_api}/lv/bgt/ogc/v1/collections/begroeidterreindeel/items"
ODATA_TABLE = "{cbs_odata}/{table}/TypedDataSet"
# StatLine tables "Kerncijfers wijken en buurten" whose id is known here (from CBS StatLine and public code); a year
# not listed gets no OData source, with a sentence saying so.
KERNCIJFERS_TABLES: dict[int, str] = {2017: "83765NED", 2019: "84583NED", 2024: "85984NED"}
# Figures of the OData table the first catalogue takes, by column name without CBS's "_<number>" suffix (the number
# differs between years): -> (our name, title, unit).
ODATA_FIGURES: dict[str, tuple[str, str, str]] = {
    "GemiddeldeWOZWaardeVanWoningen": ("woz_waarde", "Gemiddelde WOZ-waarde van woningen", "× € 1.000"),
    "GemiddeldInkomenPerInwoner": ("inkomen_per_inwoner", "Gemiddeld inkomen per inwoner", "× € 1.000"),
}
WFS_COUNT = 10_000
BBOX_MARGIN_M = 100.0  # the addresses and green just over the outline are asked too; the build keeps what lies inside
GEMEENTECODE = re.compile(r"^GM\d{4}$")
ODATA_PARTNER = "cbs_kerncijfers_tabel"


@dataclass(frozen=True)
class NationalSources:
    """What ``init`` learnt from the services for one gemeente, and the configuration's sources."""

    selection: Selection
    bronnen: dict[str, Any]
    lagen: dict[str, Any]
    odata_partner: dict[str, Any] | None


def service_roots() -> dict[str, str]:
    """Return each service's root: the environment variable's value when set, else the real service."""
    roots = SERVICE_VARIABLES.items()
    return {name: (os.environ.get(variable) or real).rstrip("/") for name, (variable, real) in roots}


def kaart_url(jaar: int, type_name: str, *, gemeentecode: str | None = None, gemeentenaam: str | None = None) -> str:
    """Return the WFS 2.0 GetFeature URL of one kaart layer (``buurten``, ``wijken``, ``gemeenten``) of one gemeente.

    The filter is OGC FES 2.0 on ``gemeentecode`` (or, to find a gemeente by name, on ``gemeentenaam`` without regard
    to case), the output GeoJSON in EPSG:28992.
    """
    prop, literal, case = (
        ("gemeentecode", gemeentecode, "true") if gemeentecode else ("gemeentenaam", gemeentenaam, "false")
    )
    literal = (literal or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    fes = (
        '<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0">'
        f'<fes:PropertyIsEqualTo matchCase="{case}"><fes:ValueReference>{prop}</fes:ValueReference>'
        f"<fes:Literal>{literal}</fes:Literal></fes:PropertyIsEqualTo></fes:Filter>"
    )
    params = {
        "service": "WFS",
        "version": "2.0.0",
        "request": "GetFeature",
        "typeNames": f"wijkenbuurten:{type_name}",
        "outputFormat": "application/json",
        "srsName": "EPSG:28992",
        "count": WFS_COUNT,
        "filter": fes,
    }
    return KAART_WFS.format(jaar=jaar, **service_roots()) + "?" + urlencode(params)


def national_sources(asked: str, jaar: int, *, config_folder: Path, data_folder: str, cache: Path) -> NationalSources:
    """Ask the kaart service for the gemeente ``asked`` (a code or a name) and name every national source of ``jaar``.

    Parameters
    ----------
    config_folder
        The folder of the configuration to write (paths are written relative to it).
    data_folder
        Where ``fetch`` writes the files, relative to ``config_folder`` (``../data/<naam>``; ``<naam>`` is filled in).
    cache
        The folder for the services' answers; the caller moves them into the configuration's ``uitvoer.cache`` once
        its files are written, where ``fetch`` takes the kaart's answers from.

    Raises
    ------
    InitError
        A region or ``alle`` (they need ``--bronnen``), a gemeente the service does not know, no network.
    """
    asked = asked.strip()
    if asked.lower() == ALLE or not asked:
        raise InitError(f"'{asked}': a region or all gemeenten needs local files (--bronnen); give one gemeente")
    http = HttpCache(cache, FetchSettings())
    code = asked.upper() if GEMEENTECODE.match(asked.upper()) else _code_by_name(asked, jaar, http)
    with tempfile.TemporaryDirectory(prefix="ogw-init-") as folder:
        buurten_file = Path(folder) / "buurten.geojson"
        features = _features(http, kaart_url(jaar, "buurten", gemeentecode=code), jaar, buurten_file)
        if not features:
            raise InitError(
                f"gemeentecode '{code}': PDOK's wijk- en buurtkaart of {jaar} has no buurten with that code "
                "(check the code, e.g. GM0096 for Vlieland, and the year)"
            )
        try:
            areas = read_cbs_areas(buurten_file, crs="EPSG:28992", where=f"the kaart service's buurten of {code}")
        except ValueError as error:
            raise InitError(str(error)) from None
        frame = areas.of_gemeenten([code])
        naam = str(frame[_column(frame, "gemeentenaam")].dropna().iloc[0]) if len(frame) else code
        naam_file = re.sub(r"[^a-z0-9]+", "_", naam.lower()).strip("_")
        data = data_folder.replace("<naam>", naam_file)
        selection = Selection(
            code=code,
            naam=naam,
            jaar=jaar,
            naming=expected_naming(jaar),
            buurten=config_folder / data / "buurten.geojson",
            buurten_laag=None,
            wijken=config_folder / data / "wijken.geojson",
            wijken_laag=None,
            buurten_count=len(frame),
            inwoners=float(pd.to_numeric(frame[_column(frame, "aantal_inwoners")]).clip(lower=0).sum()),
            huishoudens=float(pd.to_numeric(frame[_column(frame, "aantal_huishoudens")]).clip(lower=0).sum()),
            buurt_code_column=areas.code_column,
        )
        choose_kerncijfers(selection, frame)
        bbox = _bbox(frame.total_bounds)
    selection.found.insert(
        0,
        f"buurten: {len(frame)} buurten of {code} {naam} ({selection.inwoners:,.0f} inhabitants) in PDOK's wijk- en "
        f"buurtkaart {jaar}; downloaded by 'ogw-datalab fetch' to {data}/buurten.geojson and wijken.geojson",
    )
    roots = service_roots()
    kaart = {"soort": "cbs_wijkbuurtkaart", "crs": "EPSG:28992"}
    bronnen: dict[str, Any] = {
        "buurten": {
            **kaart,
            "pad": f"{data}/buurten.geojson",
            "download": {"soort": "bestand", "url": kaart_url(jaar, "buurten", gemeentecode=code)},
        },
        "wijken": {
            **kaart,
            "pad": f"{data}/wijken.geojson",
            "download": {"soort": "bestand", "url": kaart_url(jaar, "wijken", gemeentecode=code)},
        },
        "adressen": {
            "soort": "bag_verblijfsobjecten",
            "pad": f"{data}/bag_verblijfsobjecten.gpkg",
            "download": {"soort": "pdok_ogc_features", "url": BAG_ITEMS.format(**roots), "bbox": bbox},
        },
    }
    lagen = {
        "groen": {
            "soort": "vector",
            "geometrie": "vlakken",
            "pad": f"{data}/bgt_begroeidterreindeel.gpkg",
            "download": {"soort": "pdok_ogc_features", "url": BGT_GREEN_ITEMS.format(**roots), "bbox": bbox},
        }
    }
    selection.addresses_downloaded = True
    selection.green_layer = "groen"
    selection.found += [
        f"bronnen.adressen: BAG verblijfsobjecten in the bbox {bbox} (RD New) from PDOK's OGC API",
        "lagen.groen: BGT begroeid terreindeel in the same bbox from PDOK's OGC API",
    ]
    selection.left_out.append(
        "facility point layers (schools, GPs, ...): no national PDOK or CBS download of them is configured by init; "
        "add them under lagen"
    )
    odata = _odata_partner(selection, http, data, roots)
    return NationalSources(selection, bronnen, lagen, odata)


def _code_by_name(naam: str, jaar: int, http: HttpCache) -> str:
    """Find the gemeentecode of ``naam`` from the kaart's gemeenten layer (one request, any case)."""
    with tempfile.TemporaryDirectory(prefix="ogw-init-") as folder:
        features = _features(
            http, kaart_url(jaar, "gemeenten", gemeentenaam=naam), jaar, Path(folder) / "gemeenten.geojson"
        )
    codes = sorted({str(f.get("properties", {}).get("gemeentecode", "")).strip().upper() for f in features} - {""})
    if len(codes) != 1:
        raise InitError(
            f"'{naam}': PDOK's wijk- en buurtkaart of {jaar} has no gemeente of that name (give its gemeentecode, "
            "GM and four digits; a region needs --bronnen)"
            if not codes
            else f"'{naam}': several gemeenten of that name ({', '.join(codes)}); give the gemeentecode"
        )
    return codes[0]


def _features(http: HttpCache, url: str, jaar: int, out: Path) -> list[dict[str, Any]]:
    """GET ``url`` through the cache, check it is a GeoJSON FeatureCollection, write it to ``out``."""
    try:
        response = http.get(url, expect_json=True)
    except OfflineError:
        raise InitError(_offline(url)) from None
    except FetchError as error:
        if "HTTP 404" in str(error):
            raise InitError(f"PDOK has no wijk- en buurtkaart WFS for {jaar} ({error})") from None
        raise InitError(str(error)) from None
    document = response.json()
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InitError(f"{url}: not a GeoJSON FeatureCollection; is this PDOK's wijk- en buurtkaart WFS?")
    features = list(document.get("features") or [])
    if len(features) >= WFS_COUNT:
        raise InitError(f"{url}: {len(features)} features, the most one request returns; more are not asked here")
    out.write_bytes(response.body_path.read_bytes())
    return features


def _offline(url: str) -> str:
    """Say what to do without internet: init looks the gemeente up in PDOK's kaart, or reads the files given."""
    return (
        f"{urlsplit(url).netloc} cannot be reached: this machine seems to have no internet access, and init without "
        "--bronnen looks the gemeente and its buurten up there. Run init on a machine with internet (and "
        "'ogw-datalab fetch --config <the file it writes>' there; copy the folder here), or give the files you have "
        "with --bronnen <folder> (the CBS wijk- en buurtkaart at least)"
    )


def _bbox(bounds: Any) -> list[float]:
    minx, miny, maxx, maxy = (float(v) for v in bounds)
    return [
        math.floor(minx - BBOX_MARGIN_M),
        math.floor(miny - BBOX_MARGIN_M),
        math.ceil(maxx + BBOX_MARGIN_M),
        math.ceil(maxy + BBOX_MARGIN_M),
    ]


def _column(frame: Any, ours: str) -> str:
    lowered = {str(c).lower(): str(c) for c in frame.columns}
    return next(lowered[c.lower()] for c in CBS_AREA_COLUMNS[ours] if c.lower() in lowered)


def _odata_partner(selection: Selection, http: HttpCache, data: str, roots: dict[str, str]) -> dict[str, Any] | None:
    """Return the StatLine kerncijfers table of the year as a partner's download block (None: left out, said why)."""
    table = KERNCIJFERS_TABLES.get(selection.jaar)
    if table is None:
        known = ", ".join(f"{y} ({t})" for y, t in sorted(KERNCIJFERS_TABLES.items()))
        selection.left_out.append(
            f"CBS kerncijfers table (OData) of {selection.jaar}: its StatLine table id is not known here (known: "
            f"{known}); the kaart's own kerncijfers are used"
        )
        return None
    url = ODATA_TABLE.format(table=table, **roots)
    with tempfile.TemporaryDirectory(prefix="ogw-init-") as folder:
        try:
            rows = fetch_cbs_odata(url, Path(folder) / "tabel.csv", gemeentecode=selection.code, cache=http)
            frame = pd.read_csv(Path(folder) / "tabel.csv", dtype=str)
        except FetchError as error:
            raise InitError(str(error)) from None
    columns = []
    for column in frame.columns:
        stem = re.sub(r"_\d+$", "", column)
        if stem in ODATA_FIGURES and pd.to_numeric(frame[column], errors="coerce").notna().any():
            ours, titel, eenheid = ODATA_FIGURES[stem]
            columns.append(PartnerColumn(ours, column, titel, eenheid, "neutraal"))
    if "WijkenEnBuurten" not in frame.columns or not columns:
        selection.left_out.append(
            f"CBS kerncijfers table {table}: no column WijkenEnBuurten or none of {', '.join(ODATA_FIGURES)}"
        )
        return None
    pad = selection.buurten.parent / f"kerncijfers_{table}.csv"
    selection.partners.append(
        ChosenPartner(
            ODATA_PARTNER, pad, "buurtcode", "WijkenEnBuurten", ",", ".", False, selection.jaar, tuple(columns)
        )
    )
    selection.found.append(
        f"partners.{ODATA_PARTNER}: CBS StatLine {table}, {rows} rows of {selection.code} "
        f"({', '.join(c.column for c in columns)})"
    )
    return {"soort": "cbs_odata", "url": url}
