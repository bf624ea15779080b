"""Everything the site shows, read from the build's database once.

Areas, published values, ranks, changes, scores, priorities, kiemen, neighbours and postcodes.

Only published tables are read (``indicators.publicatie_*`` and what is computed from them), so no
page can show a withheld figure. Geometry stays in EPSG:28992; pages reproject what they draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..audit import source_dates
from ..config import Gemeente, ProjectConfig, VergelijkbareBuurten
from ..indicators.catalogue import Catalogue
from ..indicators.opgaven import Opgave
from ..indicators.similar_buurten import FEATURES
from ..storage import layer_table, quote_identifier, read_sql_file, table_name
from .tijdreeksen import SensorSeries, has_table, read_sensor_series

KIEMEN_BUFFER_M = 250.0
"""Kiemen farther than this from every buurt of the gemeente are left off the maps, and a buurtprofiel lists
the kiemen within this distance of the buurt: a regional layer must not pull the map far outside."""
NEIGHBOUR_GAP_M = 1.0
"""Buurten closer than this count as neighbours (CBS outlines leave slivers between neighbours)."""
RD = "EPSG:28992"


@dataclass(frozen=True)
class SiteData:
    """The published figures of one build, arranged for the pages.

    Attributes
    ----------
    gemeente, jaar
        The gemeente and the year of its gebiedsindeling.
    catalogue, opgaven
        The validated catalogue and opgaven.
    buurten
        Indexed by buurtcode: ``buurtnaam``, ``wijkcode`` and ``wijknaam`` of the wijk shown with it (empty
        when unknown), ``geometry`` in EPSG:28992.
    wijken
        Indexed by wijkcode: ``wijknaam`` and ``geometry``.
    wijken_by_code
        Whether buurten belong to their wijk by code (same gebiedsindeling), or by location (the wijk holding a
        point inside the buurt), when the wijken come from another year.
    buurt_values, wijk_values
        Long tables per indicator and area: ``waarde`` (empty when withheld), ``status``, ``reden``, ``rang``,
        ``percentiel``; buurten also ``vorig_jaar``, ``vorige_waarde``, ``verschil``.
    gemeente_values
        Indexed by indicator: ``waarde``, ``status``, ``reden``.
    scores, priorities
        Per opgave and buurt: ``score``, ``rang``, ``drijvers``; the priority buurten in order.
    left_out
        Per opgave the indicators its score leaves out (``indicator``, ``titel``, ``reden``): they cannot
        tell the buurten apart.
    kiemen
        Per kiemen layer: points (EPSG:28992) with a ``label``, only those within :data:`KIEMEN_BUFFER_M` of
        the gemeente's buurten.
    neighbours, wijk_neighbours
        Per buurtcode the buurtcodes that border it; the same for wijken.
    postcodes
        PC6 -> buurtcode (the buurt holding most of its addresses); empty without BAG addresses.
    vorig_jaar
        The earlier year changes are measured against, if any.
    indelingen
        The years of the gebiedsindeling of the buurten and of the wijken.
    bestanden
        Every source and partner file the build read: ``bron``, ``bestand``, ``datum``, ``sha256`` (short);
        see :func:`~ogw_datalab.audit.source_dates`.
    tijdreeksen
        Per configured tijdreeks its monthly figures, sensors and quality counts (see :mod:`.tijdreeksen`).
    vergelijkbaar
        The configuration of the search for similar buurten, or None.
    similar
        Per buurt its similar buurten (``buurtcode``, ``rang``, ``vergelijkbare_buurtcode``,
        ``vergelijkbare_buurtnaam``, ``gemeentenaam``); empty without the search.
    similar_values
        Per buurt and indicator the comparison of its published value with its similar buurten
        (``mediaan_vergelijkbaar``, ``vergelijkbaar_met_waarde``, ``lager``, ``hoger``, ``tekst``); only
        published values, only where a comparison was made.
    """

    gemeente: Gemeente
    jaar: int
    catalogue: Catalogue
    opgaven: list[Opgave]
    buurten: gpd.GeoDataFrame
    wijken: gpd.GeoDataFrame
    wijken_by_code: bool
    buurt_values: pd.DataFrame
    wijk_values: pd.DataFrame
    gemeente_values: pd.DataFrame
    scores: pd.DataFrame
    priorities: pd.DataFrame
    left_out: pd.DataFrame = field(default_factory=pd.DataFrame)
    kiemen: dict[str, gpd.GeoDataFrame] = field(default_factory=dict)
    neighbours: dict[str, list[str]] = field(default_factory=dict)
    wijk_neighbours: dict[str, list[str]] = field(default_factory=dict)
    postcodes: dict[str, str] = field(default_factory=dict)
    vorig_jaar: int | None = None
    indelingen: tuple[int, int] = (0, 0)
    bestanden: list[dict[str, str]] = field(default_factory=list)
    tijdreeksen: dict[str, SensorSeries] = field(default_factory=dict)
    vergelijkbaar: VergelijkbareBuurten | None = None
    similar: pd.DataFrame = field(default_factory=pd.DataFrame)
    similar_values: pd.DataFrame = field(default_factory=pd.DataFrame)
    _frames: dict[tuple[str, str], pd.DataFrame] = field(default_factory=dict, repr=False)
    _similar_by_code: dict[str, pd.DataFrame] = field(default_factory=dict, repr=False)

    def _rows(self, table: str, key: str, item: str) -> pd.DataFrame:
        if (table, item) not in self._frames:
            frame: pd.DataFrame = getattr(self, table)
            column = "opgave" if table == "scores" else "indicator"
            rows = frame[frame[column] == item].set_index(key)
            self._frames[(table, item)] = rows.reindex(self.wijken.index if key == "wijkcode" else self.buurten.index)
        return self._frames[(table, item)]

    def values_of(self, indicator_id: str) -> pd.DataFrame:
        """Return the buurt values of one indicator, by buurtcode in the order of :attr:`buurten` (do not change)."""
        return self._rows("buurt_values", "buurtcode", indicator_id)

    def wijk_values_of(self, indicator_id: str) -> pd.DataFrame:
        """Return the wijk values of one indicator, by wijkcode in the order of :attr:`wijken` (do not change)."""
        return self._rows("wijk_values", "wijkcode", indicator_id)

    def scores_of(self, opgave_id: str) -> pd.DataFrame:
        """Return score, rank and drivers of one opgave, by buurtcode in the order of :attr:`buurten`."""
        return self._rows("scores", "buurtcode", opgave_id)

    def top_of(self, opgave_id: str) -> pd.DataFrame:
        """Return the priority buurten of one opgave, in order."""
        return self.priorities[self.priorities["opgave"] == opgave_id]

    def left_out_of(self, opgave_id: str) -> pd.DataFrame:
        """Return the indicators left out of one opgave's score, with the reason."""
        return self.left_out[self.left_out["opgave"] == opgave_id] if len(self.left_out) else self.left_out

    def buurten_of_wijk(self, wijkcode: str) -> list[str]:
        """List the buurtcodes shown in a wijk."""
        return list(self.buurten.index[self.buurten["wijkcode"] == wijkcode])

    def similar_of(self, buurtcode: str) -> pd.DataFrame:
        """Return the similar buurten of one buurt, most alike first (empty without any)."""
        if self.similar.empty:
            return self.similar
        if not self._similar_by_code:  # split once: a profile per buurt would otherwise search all pairs each time
            self._similar_by_code.update(
                {str(code): rows for code, rows in self.similar.groupby("buurtcode", sort=False)}
            )
        return self._similar_by_code.get(buurtcode, self.similar.iloc[0:0])

    def comparisons_of(self, indicator_id: str) -> dict[str, tuple[str, float]]:
        """Per buurtcode the sentence and the median of its similar buurten for one indicator (published only)."""
        if self.similar_values.empty:
            return {}
        rows = self.similar_values[self.similar_values["indicator"] == indicator_id]
        return {
            code: (text, float(median))
            for code, text, median in zip(rows["buurtcode"], rows["tekst"], rows["mediaan_vergelijkbaar"], strict=True)
        }

    def similar_features(self) -> list[str]:
        """Return the structure features the similar buurten were chosen on, in Dutch words."""
        if self.vergelijkbaar is None:
            return []
        return [FEATURES[k].beschrijving if k in FEATURES else str(k) for k in self.vergelijkbaar.kenmerken]

    def kiemen_layer(self, opgave: Opgave) -> gpd.GeoDataFrame | None:
        """Return the kiemen of an opgave (clipped to the gemeente), or None when it names none."""
        return self.kiemen.get(opgave.kiemen.laag) if opgave.kiemen is not None else None


def read_site_data(
    con: duckdb.DuckDBPyConnection, *, config: ProjectConfig, catalogue: Catalogue, opgaven: list[Opgave]
) -> SiteData:
    """Read every published figure the site shows from ``con``.

    Parameters
    ----------
    con
        The build's database with ``staging.buurten``/``wijken`` and the ``indicators.publicatie_*``,
        ``vergelijking_*``, ``opgave_scores``, ``prioriteiten`` and ``trends`` tables.
    config, catalogue, opgaven
        The validated project of this build.
    """
    wijken_by_code = config.indeling("buurten") == config.indeling("wijken")
    wijken = _areas(con, "site/wijken.sql", "wijkcode")
    buurten = _areas(con, "site/buurten.sql", "buurtcode")
    buurten = _with_wijken(buurten, wijken, by_code=wijken_by_code)
    buurt_values = _query(con, "site/buurt_values.sql")
    vorig = buurt_values["vorig_jaar"].dropna()
    return SiteData(
        gemeente=config.gemeente,
        jaar=config.jaar,
        catalogue=catalogue,
        opgaven=opgaven,
        buurten=buurten,
        wijken=wijken,
        wijken_by_code=wijken_by_code,
        buurt_values=buurt_values,
        wijk_values=_query(con, "site/wijk_values.sql"),
        gemeente_values=_query(con, "site/gemeente_values.sql").set_index("indicator"),
        scores=_query(con, "site/opgave_scores.sql"),
        priorities=_query(con, "site/prioriteiten.sql"),
        left_out=_query(con, "site/weggelaten.sql"),
        kiemen=_kiemen(con, opgaven, buurten),
        neighbours=_neighbours(buurten),
        wijk_neighbours=_neighbours(wijken),
        postcodes=_postcodes(con),
        vorig_jaar=int(vorig.max()) if len(vorig) else None,
        indelingen=(config.indeling("buurten"), config.indeling("wijken")),
        bestanden=source_dates(con),
        tijdreeksen=read_sensor_series(con, config.tijdreeksen, buurten, KIEMEN_BUFFER_M),
        vergelijkbaar=config.vergelijkbare_buurten,
        similar=_optional(con, "vergelijkbare_buurten", "site/vergelijkbare_buurten.sql"),
        similar_values=_optional(con, "vergelijking_vergelijkbaar", "site/vergelijking_vergelijkbaar.sql"),
    )


def _query(con: duckdb.DuckDBPyConnection, name: str) -> pd.DataFrame:
    return con.execute(read_sql_file(name)).df()


def _optional(con: duckdb.DuckDBPyConnection, table: str, name: str) -> pd.DataFrame:
    """Rows of an ``indicators`` table a build may not have written (a database of before the table existed)."""
    return _query(con, name) if has_table(con, "indicators", table) else pd.DataFrame()


def _areas(con: duckdb.DuckDBPyConnection, name: str, key: str) -> gpd.GeoDataFrame:
    rows = _query(con, name)
    geometry = shapely.from_wkb([bytes(b) for b in rows.pop("geometry_wkb")])
    return gpd.GeoDataFrame(rows, geometry=geometry, crs=RD).set_index(key)


def _with_wijken(buurten: gpd.GeoDataFrame, wijken: gpd.GeoDataFrame, *, by_code: bool) -> gpd.GeoDataFrame:
    """Name each buurt's wijk.

    By code within one gebiedsindeling, else the wijk holding a point inside the buurt (a code of another
    year may name another area).
    """
    buurten = buurten.copy()
    if not by_code:
        inside = shapely.point_on_surface(buurten.geometry.to_numpy())
        tree = shapely.STRtree(wijken.geometry.to_numpy())
        points, holders = tree.query(inside, predicate="within")
        codes = np.full(len(buurten), None, dtype=object)
        codes[points] = wijken.index.to_numpy()[holders]
        buurten["wijkcode"] = codes
    known = buurten["wijkcode"].isin(wijken.index)
    buurten["wijkcode"] = buurten["wijkcode"].where(known, None)
    buurten["wijknaam"] = buurten["wijkcode"].map(wijken["wijknaam"]).where(known, None)
    return buurten


def _kiemen(con: duckdb.DuckDBPyConnection, opgaven: list[Opgave], buurten: gpd.GeoDataFrame) -> dict:
    layers: dict[str, gpd.GeoDataFrame] = {}
    tree = shapely.STRtree(buurten.geometry.to_numpy())
    for opgave in opgaven:
        if opgave.kiemen is None or opgave.kiemen.laag in layers:
            continue
        sql = read_sql_file("site/kiemen.sql").format(
            label=quote_identifier(opgave.kiemen.label),
            table=table_name("staging", layer_table(opgave.kiemen.laag)),
        )
        rows = con.execute(sql).df()
        points = shapely.from_wkb([bytes(b) for b in rows["geometry_wkb"]])
        near = np.unique(tree.query(points, predicate="dwithin", distance=KIEMEN_BUFFER_M)[0])
        labels = ["" if pd.isna(v) else str(v) for v in rows["label"].to_numpy()[near]]
        layers[opgave.kiemen.laag] = gpd.GeoDataFrame({"label": labels}, geometry=points[near], crs=RD)
    return layers


def _neighbours(areas: gpd.GeoDataFrame) -> dict[str, list[str]]:
    geometries = areas.geometry.to_numpy()
    left, right = shapely.STRtree(geometries).query(geometries, predicate="dwithin", distance=NEIGHBOUR_GAP_M)
    codes = areas.index.to_numpy()
    found: dict[str, list[str]] = {code: [] for code in codes}
    for a, b in zip(left, right, strict=True):
        if a != b:
            found[codes[a]].append(codes[b])
    return {code: sorted(set(others)) for code, others in found.items()}


def example_postcode(postcodes: dict[str, str]) -> str | None:
    """Pick a postcode of the gemeente itself for the search box's hint (the middle one, as '2401 AB'), or None."""
    if not postcodes:
        return None
    middle = sorted(postcodes)[len(postcodes) // 2]
    return f"{middle[:4]} {middle[4:]}"


def _postcodes(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    if not has_table(con, "joined", "adressen_buurt"):
        return {}
    return dict(con.execute(read_sql_file("site/postcodes.sql")).fetchall())


def kiemen_near(data: SiteData, geometry: shapely.Geometry) -> dict[str, list[tuple[str, float]]]:
    """Per kiemen layer the kiemen within :data:`KIEMEN_BUFFER_M` of ``geometry``: (label, distance in m), 0 inside."""
    found = {}
    for layer, points in data.kiemen.items():
        distances = shapely.distance(points.geometry.to_numpy(), geometry)
        close = np.flatnonzero(distances <= KIEMEN_BUFFER_M)
        found[layer] = sorted(((points["label"].iat[i], float(distances[i])) for i in close), key=lambda t: t[1])
    return found
