"""Write the demo gemeente's source files in the formats and columns of their real counterparts.

| file | real counterpart |
| --- | --- |
| wijkenbuurten_2024.gpkg (gemeenten, wijken, buurten) | CBS Wijk- en buurtkaart 2024 GeoPackage, -99999999 = secret |
| bag-light.gpkg (verblijfsobject) | PDOK BAG GeoPackage (bag-light), EPSG:28992 |
| bomen.geojson | a municipal tree register as open-data GeoJSON (WGS84) |
| bgt_begroeidterreindeel.gpkg | BGT begroeidterreindeel, EPSG:28992 |
| bgt_straatmeubilair.gpkg (Straatmeubilair) | BGT plus street furniture from an ArcGIS service, EPSG:3857 |
| huisartsen.geojson | facility points as in the Veiligheidsregio open data (CRS84) |
| gezondheidsmonitor_2022_18plus.csv | RIVM/CBS StatLine 50090NED CSV: padded codes, empty = suppressed |
| corporatie_woningen.csv | a housing corporation's spreadsheet export: BOM, ';', decimal comma |
| meldingen_openbare_ruimte_2024.csv | nuisance reports with RD x/y, decimal comma |
| buurtinitiatieven.geojson | initiatives of residents (the kiemen of the opgaven), WGS84 |

In the demo year the gemeente also has an air-quality network (``meetnet.py``): hourly NO2 of its own
sensors in local time, and citizens' PM sensors in the Sensor.Community archive format.
"""

from __future__ import annotations

import dataclasses
import os
import tempfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from . import features, meetnet, partners
from .geography import (
    GEMEENTECODE,
    GEMEENTENAAM,
    NEIGHBOUR_GEMEENTECODE,
    NEIGHBOUR_GEMEENTENAAM,
    Buurt,
    Geography,
    build_geography,
)

DEMO_SEED = 484
DEMO_YEAR = 2024
SECRET = -99999999  # CBS: geheim / niet beschikbaar
RD_NEW = "EPSG:28992"
DEMO_FILES = (
    "wijkenbuurten_2024.gpkg",
    "bag-light.gpkg",
    "bomen.geojson",
    "bgt_begroeidterreindeel.gpkg",
    "bgt_straatmeubilair.gpkg",
    "huisartsen.geojson",
    "gezondheidsmonitor_2022_18plus.csv",
    "corporatie_woningen.csv",
    "meldingen_openbare_ruimte_2024.csv",
    "buurtinitiatieven.geojson",
)


def write_demo_municipality(folder: str | Path, seed: int = DEMO_SEED, jaar: int = DEMO_YEAR) -> list[Path]:
    """Generate the demo gemeente from ``seed`` and write its source files into ``folder``.

    An earlier ``jaar`` gives the same place a year before: trees planted later are missing,
    partners' figures differ, two buurten of the core were still one (so that figures
    must be reallocated between the years' boundaries, never joined on code), and the
    air-quality network (:mod:`ogw_datalab.demo.meetnet`) did not exist yet.
    Files are written to a temporary folder first and then moved into place one by one,
    so an interrupted run never leaves a half-written file behind.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    geo = build_geography(rng)
    green = features.draw_green(geo, rng)
    addresses = features.draw_addresses(geo, green, rng)
    trees = features.draw_trees(geo, addresses, green, rng)
    current = (geo, addresses)
    if jaar < DEMO_YEAR:
        merged = geo.wijken[0].buurten
        addresses = addresses.replace({"buurtcode": {merged[1].code: merged[0].code}})
        geo = merge_first_buurten(geo)
        trees = trees[trees["PLANTJAAR"] <= jaar].reset_index(drop=True)
        rng = np.random.default_rng(seed + DEMO_YEAR - jaar)  # other partner figures that year
    furniture = features.draw_street_furniture(addresses, rng)
    gps = features.draw_gp_practices(geo, addresses, rng)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".writing-") as tmp:
        staging = Path(tmp)
        inwoners = _write_wijkenbuurten(staging / "wijkenbuurten_2024.gpkg", geo, addresses, rng)
        _write_bag(staging / "bag-light.gpkg", addresses)
        _write_points_wgs84(staging / "bomen.geojson", trees)
        _write_green(staging / "bgt_begroeidterreindeel.gpkg", green)
        _write_furniture(staging / "bgt_straatmeubilair.gpkg", furniture)
        _write_points_wgs84(staging / "huisartsen.geojson", _gp_columns(gps))
        _write_statline_csv(staging / "gezondheidsmonitor_2022_18plus.csv", partners.health_monitor(geo, inwoners, rng))
        _write_dutch_csv(staging / "corporatie_woningen.csv", partners.corporation_dwellings(addresses, rng))
        _write_dutch_csv(staging / "meldingen_openbare_ruimte_2024.csv", partners.nuisance_reports(addresses, rng))
        _write_points_wgs84(staging / "buurtinitiatieven.geojson", features.draw_initiatives(addresses, rng))
        names = list(DEMO_FILES)
        if jaar == DEMO_YEAR:
            network = meetnet.write_sensor_network(staging, *current, seed=seed, jaar=jaar)
            names += [str(path.relative_to(staging)) for path in network]
        for name in names:
            (folder / name).parent.mkdir(exist_ok=True)
            os.replace(staging / name, folder / name)
    return [folder / name for name in names]


def merge_first_buurten(geo: Geography) -> Geography:
    """Merge Binnenstad and Havenkwartier into one buurt, as they were the year before (BU99990100 'Binnenstad')."""
    core = geo.wijken[0]
    first, second = core.buurten[0], core.buurten[1]
    merged = dataclasses.replace(first, geometry=shapely.union_all([first.geometry, second.geometry]))
    wijk = dataclasses.replace(core, buurten=[merged, *core.buurten[2:]])
    return dataclasses.replace(geo, wijken=[wijk, *geo.wijken[1:]])


def _write_wijkenbuurten(
    path: Path, geo: Geography, addresses: pd.DataFrame, rng: np.random.Generator
) -> dict[str, int]:
    homes = addresses[addresses["gebruiksdoel"] == "woonfunctie"]
    per_buurt = homes.groupby("buurtcode").size()
    all_addresses = addresses.groupby("buurtcode").size()
    postcode = addresses.assign(pc4=addresses["postcode"].str[:4]).groupby("buurtcode")["pc4"].agg(_most_common)
    rows, exact = [], {}
    for wijk in geo.wijken:
        for buurt in wijk.buurten:
            households = int(per_buurt.get(buurt.code, 0))
            persons = households * features.HOUSEHOLD_SIZE[buurt.kind] * rng.uniform(0.92, 1.08)
            exact[buurt.code] = persons
            rows.append(
                _cbs_row(
                    buurt,
                    wijk.naam,
                    buurt.geometry,
                    geo.river,
                    persons,
                    households,
                    int(all_addresses.get(buurt.code, 0)),
                    str(postcode.get(buurt.code, "")),
                    rng,
                )
            )
    for buurt in geo.neighbour_buurten:
        rows.append(
            _cbs_row(
                buurt,
                "Buurdorp",
                buurt.geometry,
                geo.river,
                900,
                380,
                400,
                "2999",
                rng,
                gemeente=(NEIGHBOUR_GEMEENTECODE, NEIGHBOUR_GEMEENTENAAM),
            )
        )
    buurten = gpd.GeoDataFrame(rows, geometry="geometry", crs=RD_NEW)
    wijken = _aggregate(
        buurten[buurten["gemeentecode"] == GEMEENTECODE], "wijkcode", {w.code: w.naam for w in geo.wijken}, exact, geo
    )
    gemeenten = _aggregate(
        buurten[buurten["gemeentecode"] == GEMEENTECODE], "gemeentecode", {GEMEENTECODE: GEMEENTENAAM}, exact, geo
    )
    _write_layer(buurten, path, "buurten")
    _write_layer(wijken, path, "wijken")
    _write_layer(gemeenten, path, "gemeenten")
    return {code: _round5(v) for code, v in exact.items()}


def _most_common(values: pd.Series) -> str:
    return str(values.value_counts().index[0])


def _round5(value: float) -> int:
    return int(5 * round(value / 5))


def _cbs_row(
    buurt: Buurt,
    wijknaam: str,
    geometry,
    river,
    persons: float,
    households: int,
    n_addresses: int,
    postcode: str,
    rng: np.random.Generator,
    gemeente: tuple[str, str] = (GEMEENTECODE, GEMEENTENAAM),
) -> dict:
    water_m2 = geometry.intersection(river).area
    land_ha = (geometry.area - water_m2) / 10_000
    inwoners = _round5(persons)
    secret = inwoners < 50
    ages = rng.dirichlet([16, 12, 25, 26, 21]) * 100

    def pct(value: float) -> float:
        return SECRET if secret else round(float(value))

    return {
        "buurtcode": buurt.code,
        "buurtnaam": buurt.naam,
        "wijkcode": buurt.wijkcode,
        "wijknaam": wijknaam,
        "gemeentecode": gemeente[0],
        "gemeentenaam": gemeente[1],
        "indelingswijziging_wijken_en_buurten": "1",
        "water": "NEE",
        "meest_voorkomende_postcode": postcode if n_addresses else str(SECRET),
        "dekkingspercentage": "1" if n_addresses else str(SECRET),
        "omgevingsadressendichtheid": SECRET if secret else int(n_addresses / max(land_ha, 1) * 100),
        "stedelijkheid_adressen_per_km2": SECRET if secret else _stedelijkheid(n_addresses / max(land_ha, 1) * 100),
        "bevolkingsdichtheid_inwoners_per_km2": int(inwoners / max(land_ha, 1) * 100),
        "aantal_inwoners": inwoners,
        "mannen": _round5(inwoners * 0.49),
        "vrouwen": _round5(inwoners * 0.51),
        "percentage_personen_0_tot_15_jaar": pct(ages[0]),
        "percentage_personen_15_tot_25_jaar": pct(ages[1]),
        "percentage_personen_25_tot_45_jaar": pct(ages[2]),
        "percentage_personen_45_tot_65_jaar": pct(ages[3]),
        "percentage_personen_65_jaar_en_ouder": pct(ages[4]),
        "aantal_huishoudens": _round5(households),
        "gemiddelde_huishoudsgrootte": SECRET if secret or households == 0 else round(persons / households, 1),
        "oppervlakte_totaal_in_ha": int(round(geometry.area / 10_000)),
        "oppervlakte_land_in_ha": int(round(land_ha)),
        "oppervlakte_water_in_ha": int(round(water_m2 / 10_000)),
        "jaarstatcode": f"2024{buurt.code}",
        "geometry": geometry,
    }


def _stedelijkheid(addresses_per_km2: float) -> int:
    """CBS stedelijkheid class: 1 = very strongly urban (>= 2500 addresses/km2) ... 5 = not urban."""
    return 1 + sum(addresses_per_km2 < bound for bound in (2500, 1500, 1000, 500))


def _aggregate(
    buurten: gpd.GeoDataFrame, key: str, names: dict[str, str], exact: dict[str, float], geo: Geography
) -> gpd.GeoDataFrame:
    persons = buurten["buurtcode"].map(exact)
    grouped = buurten.assign(_persons=persons).groupby(key)
    level = "wijk" if key == "wijkcode" else "gemeente"
    frame = gpd.GeoDataFrame(
        {
            key: list(grouped.groups),
            f"{level}naam": [names[k] for k in grouped.groups],
            "gemeentecode": GEMEENTECODE,
            "gemeentenaam": GEMEENTENAAM,
            "water": "NEE",
            "aantal_inwoners": [_round5(v) for v in grouped["_persons"].sum()],
            "aantal_huishoudens": [_round5(v) for v in grouped["aantal_huishoudens"].sum()],
            "oppervlakte_totaal_in_ha": grouped["oppervlakte_totaal_in_ha"].sum().to_numpy(),
            "oppervlakte_land_in_ha": grouped["oppervlakte_land_in_ha"].sum().to_numpy(),
            "oppervlakte_water_in_ha": grouped["oppervlakte_water_in_ha"].sum().to_numpy(),
            "geometry": [shapely.set_precision(shapely.union_all(g.geometry.to_numpy()), 0.001) for _, g in grouped],
        },
        geometry="geometry",
        crs=RD_NEW,
    )
    if key == "gemeentecode":
        frame = frame.drop(columns=["gemeentecode", "gemeentenaam"]).assign(
            gemeentecode=GEMEENTECODE, gemeentenaam=GEMEENTENAAM
        )
    frame["jaarstatcode"] = "2024" + frame[key.replace("naam", "code")]
    return frame


def _write_layer(frame: gpd.GeoDataFrame, path: Path, layer: str) -> None:
    frame.to_file(path, layer=layer, driver="GPKG", engine="pyogrio")


def _write_bag(path: Path, addresses: pd.DataFrame) -> None:
    columns = [
        "identificatie",
        "oppervlakte",
        "status",
        "gebruiksdoel",
        "openbare_ruimte_naam",
        "huisnummer",
        "huisletter",
        "toevoeging",
        "postcode",
        "woonplaats_naam",
        "bouwjaar",
        "pand_identificatie",
        "nummeraanduiding_hoofdadres_identificatie",
    ]
    frame = gpd.GeoDataFrame(
        addresses[columns], geometry=gpd.points_from_xy(addresses["x"], addresses["y"]), crs=RD_NEW
    )
    _write_layer(frame, path, "verblijfsobject")


def _write_points_wgs84(path: Path, table: pd.DataFrame) -> None:
    points = gpd.GeoDataFrame(
        table.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(table["x"], table["y"]), crs=RD_NEW
    ).to_crs("EPSG:4326")
    points.to_file(path, driver="GeoJSON", engine="pyogrio", layer_options={"COORDINATE_PRECISION": 7})


def _write_green(path: Path, green: pd.DataFrame) -> None:
    frame = gpd.GeoDataFrame(green, geometry="geometry", crs=RD_NEW)
    frame.insert(0, "lokaal_id", [f"G9999.{i:032x}" for i in range(1, len(frame) + 1)])
    frame["plus_fysiek_voorkomen"] = np.where(
        frame["bgt_fysiek_voorkomen"] == "groenvoorziening", "gras- en kruidachtigen", "waardeOnbekend"
    )
    frame["bronhouder"] = "G9999"
    frame["geometry"] = shapely.set_precision(frame.geometry.to_numpy(), 0.001)
    _write_layer(frame, path, "begroeidterreindeel")


def _write_furniture(path: Path, furniture: pd.DataFrame) -> None:
    frame = gpd.GeoDataFrame(
        furniture.drop(columns=["x", "y"]), geometry=gpd.points_from_xy(furniture["x"], furniture["y"]), crs=RD_NEW
    )
    frame = frame.to_crs("EPSG:3857")
    frame.insert(0, "objectid", range(1, len(frame) + 1))
    frame["subtype"] = np.where(frame["bgtplustype"] == "niet-bgt:speelvoorziening", "speeltoestel", "waardeOnbekend")
    frame["identificatie"] = [f"G9999.{i:032x}" for i in frame["objectid"]]
    frame["status"] = "bestaand"
    frame["bronhouder"] = "G9999"
    _write_layer(frame, path, "Straatmeubilair")


def _gp_columns(gps: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Naam": gps["Naam"],
            "Straat": gps["openbare_ruimte_naam"],
            "Huisnummer": gps["huisnummer"].astype(str),
            "Postcode": gps["postcode"],
            "Plaats": gps["woonplaats_naam"],
            "Hoofdsector": "Huisartsenzorg",
            "x": gps["x"],
            "y": gps["y"],
        }
    )


def _write_statline_csv(path: Path, table: pd.DataFrame) -> None:
    table.to_csv(path, index=False, sep=",", encoding="utf-8", lineterminator="\r\n")


def _write_dutch_csv(path: Path, table: pd.DataFrame) -> None:
    """Write a spreadsheet export as Dutch Excel writes it: UTF-8 with BOM, ';' between fields."""
    table.to_csv(path, index=False, sep=";", encoding="utf-8-sig", lineterminator="\r\n")
