"""The embedded demo gemeente: deterministic, plausible, and in the real sources' formats."""

from __future__ import annotations

import hashlib

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from ogw_datalab.demo.write_demo import DEMO_FILES, SECRET, write_demo_municipality


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("demo")
    write_demo_municipality(folder)
    return folder


def layer_hash(path, layer=None) -> str:
    frame = gpd.read_file(path, layer=layer)
    return hashlib.sha256(pd.util.hash_pandas_object(frame.to_wkt(), index=True).to_numpy().tobytes()).hexdigest()


def test_same_seed_gives_same_data(demo, tmp_path):
    write_demo_municipality(tmp_path)
    for name in ("wijkenbuurten_2024.gpkg", "bag-light.gpkg", "bomen.geojson"):
        layer = "buurten" if name.startswith("wijken") else None
        assert layer_hash(demo / name, layer) == layer_hash(tmp_path / name, layer), name
    for name in ("corporatie_woningen.csv", "meldingen_openbare_ruimte_2024.csv", "gezondheidsmonitor_2022_18plus.csv"):
        assert (demo / name).read_bytes() == (tmp_path / name).read_bytes(), name


def test_writes_exactly_its_files(demo):
    network = ["meetnet_no2_2024.csv", "meetnet_sensoren.csv", "sensor_community"]  # the air-quality network, 2024
    assert sorted(p.name for p in demo.iterdir()) == sorted([*DEMO_FILES, *network])
    assert sorted(p.name for p in (demo / "sensor_community").iterdir()) == [
        f"2024-{month:02d}_sds011.csv" for month in range(2, 6)
    ]


def test_areas_are_plausible(demo):
    buurten = gpd.read_file(demo / "wijkenbuurten_2024.gpkg", layer="buurten")
    own = buurten[buurten["gemeentecode"] == "GM9999"]
    wijken = gpd.read_file(demo / "wijkenbuurten_2024.gpkg", layer="wijken")
    gemeente = gpd.read_file(demo / "wijkenbuurten_2024.gpkg", layer="gemeenten")
    assert len(wijken) >= 8
    assert len(own) >= 40
    assert own["buurtcode"].is_unique
    assert own["buurtcode"].str.fullmatch(r"BU9999\d{4}").all()
    assert (own["buurtcode"].str[:8].str.replace("BU", "WK") == own["wijkcode"]).all()
    assert own.geometry.is_valid.all()
    # Buurten tile the gemeente without gaps or overlaps.
    assert own.geometry.area.sum() == pytest.approx(gemeente.geometry.area.sum(), rel=1e-6)
    assert shapely.union_all(own.geometry.to_numpy()).area == pytest.approx(own.geometry.area.sum(), rel=1e-6)
    # A town core, villages and an industrial estate with few residents.
    inwoners = own.set_index("buurtnaam")["aantal_inwoners"]
    assert inwoners["Binnenstad"] > 800
    assert inwoners["Rietveen-Dorp"] > 400
    assert inwoners[["De Kade-Noord", "De Kade-Zuid", "Havenweg"]].max() < 100
    # Secret values use the CBS sentinel, as in the real kaart.
    assert (own["percentage_personen_0_tot_15_jaar"] == SECRET).sum() >= 1
    # Another gemeente's buurten are in the file, as in the national kaart.
    assert set(buurten["gemeentecode"]) == {"GM9999", "GM9998"}


def test_addresses_cluster_where_people_live(demo):
    addresses = gpd.read_file(demo / "bag-light.gpkg", layer="verblijfsobject")
    buurten = gpd.read_file(demo / "wijkenbuurten_2024.gpkg", layer="buurten")
    assert 30_000 <= len(addresses) <= 50_000
    assert addresses["identificatie"].str.fullmatch(r"\d{16}").all()
    assert addresses["postcode"].str.fullmatch(r"\d{4}[A-Z]{2}").all()
    joined = gpd.sjoin(addresses, buurten[["buurtnaam", "geometry"]], predicate="within")
    per_buurt = joined.groupby("buurtnaam").size()
    assert per_buurt["Binnenstad"] > 10 * per_buurt["Havenweg"]


def test_partner_files_follow_dutch_conventions(demo):
    raw = (demo / "corporatie_woningen.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert b";" in raw.splitlines()[0]
    rents = pd.read_csv(demo / "corporatie_woningen.csv", sep=";", encoding="utf-8-sig", dtype=str)["Kale huur"]
    assert rents.str.fullmatch(r"\d+,\d{2}").all()
    monitor = pd.read_csv(demo / "gezondheidsmonitor_2022_18plus.csv", dtype=str, keep_default_na=False)
    assert monitor["WijkenEnBuurten"].str.len().eq(10).all()  # padded like StatLine
    assert (monitor["Eenzaam_28"] == "").any()  # suppressed small buurten


def test_columns_match_the_real_files(demo, shared_data):
    """The demo uses the real column names, so it runs through the readers real data uses."""
    real_buurten = gpd.read_file(shared_data / "ermelo_cbs_bgt_sample" / "CBS_buurten.gpkg")
    demo_buurten = gpd.read_file(demo / "wijkenbuurten_2024.gpkg", layer="buurten")
    assert set(demo_buurten.columns) <= set(real_buurten.columns)
    real_monitor = pd.read_csv(
        shared_data / "rivm_gezondheidsmonitor_2020" / "gezondheid_wijk_buurt_2020_18plus_nl.csv", nrows=1
    )
    demo_monitor = pd.read_csv(demo / "gezondheidsmonitor_2022_18plus.csv", nrows=1)
    assert set(demo_monitor.columns) <= set(real_monitor.columns)
    real_furniture = gpd.read_file(shared_data / "ermelo_cbs_bgt_sample" / "Straatmeubilair.gpkg", rows=1)
    demo_furniture = gpd.read_file(demo / "bgt_straatmeubilair.gpkg", rows=1)
    assert set(demo_furniture.columns) <= set(real_furniture.columns)
    assert demo_furniture.crs == real_furniture.crs


def test_the_core_is_dense_with_few_trees_per_home_and_no_park_within_300_m(demo):
    """Why "Meer groen" bites in the core, measured on the written files with geopandas, not with the pipeline."""
    buurten = gpd.read_file(demo / "wijkenbuurten_2024.gpkg", layer="buurten")
    own = buurten[buurten["gemeentecode"] == "GM9999"][["wijkcode", "oppervlakte_land_in_ha", "geometry"]]
    addresses = gpd.sjoin(gpd.read_file(demo / "bag-light.gpkg", layer="verblijfsobject"), own, predicate="within")
    homes = addresses[addresses["gebruiksdoel"] == "woonfunctie"]
    trees = gpd.sjoin(gpd.read_file(demo / "bomen.geojson").to_crs("EPSG:28992"), own, predicate="within")
    density = addresses.groupby("wijkcode").size() / own.groupby("wijkcode")["oppervlakte_land_in_ha"].sum()
    trees_per_home = trees.groupby("wijkcode").size() / homes.groupby("wijkcode").size()
    core = "WK999901"  # Centrum
    assert density.idxmax() == core
    assert density[core] > 1.5 * density.drop(core).max()
    assert trees_per_home.idxmin() == core
    assert trees_per_home[core] < 0.5 * trees_per_home.drop(core).min()
    green = gpd.read_file(demo / "bgt_begroeidterreindeel.gpkg")
    public = green[green["bgt_fysiek_voorkomen"].isin(["groenvoorziening", "loofbos"])]  # config park_types
    parks = [p for p in shapely.get_parts(shapely.union_all(public.geometry.to_numpy())) if p.area >= 10_000]
    core_homes = homes[homes["wijkcode"] == core]
    assert len(parks) >= 20
    assert min(core_homes.distance(park).min() for park in parks) > 300


def test_waardhoven_zuid_has_no_gp_practice(demo):
    buurten = gpd.read_file(demo / "wijkenbuurten_2024.gpkg", layer="buurten")
    practices = gpd.read_file(demo / "huisartsen.geojson").to_crs("EPSG:28992")
    placed = gpd.sjoin(practices, buurten[["wijknaam", "geometry"]], predicate="within")
    assert len(placed) == len(practices) >= 10
    assert "Waardhoven-Zuid" not in set(placed["wijknaam"])
