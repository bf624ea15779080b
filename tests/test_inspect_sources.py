"""``check`` reads the files: each file-level problem is reported before anything is built, in one sentence
that names the configuration key, the file and the problem; the real Alphen configuration passes."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import geopandas as gpd
import yaml
from shapely.geometry import Point

from ogw_datalab.config import Layer, load_config
from ogw_datalab.demo.write_demo import write_demo_municipality
from ogw_datalab.inspect_sources import inspect_configured_files, inspect_source

from .labs import demo_files

PROJECT = Path(__file__).resolve().parents[1]
MAATWERK = "cbs_maatwerk_inkomen2020_autobezit2023"


def alphen(tmp_path: Path, shared_data: Path, change=None, only: str | None = None) -> list[str]:
    """Inspect config/alphen.yaml on the real data, after ``change`` edited its YAML (``only``: one source)."""
    raw: dict[str, Any] = yaml.safe_load((PROJECT / "config" / "alphen.yaml").read_text(encoding="utf-8"))
    for source in [*raw["bronnen"].values(), *raw["lagen"].values(), *raw["partners"]]:
        source["pad"] = str(shared_data / source["pad"].removeprefix("../../shared/data/"))
    raw["opgaven"] = str(PROJECT / "config" / "alphen_opgaven.yaml")
    raw["indicatoren"] = str(PROJECT / "config" / "alphen_indicatoren.yaml")
    if change is not None:
        change(raw)
    path = tmp_path / "alphen.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    config = load_config(path)
    if only is None:
        return inspect_configured_files(config)
    return inspect_source(only, config.all_sources()[only], gemeentecode=config.gemeente.code)


def partner(raw: dict, name: str) -> dict:
    return next(p for p in raw["partners"] if p["naam"] == name)


def test_the_alphen_configuration_passes_in_seconds(tmp_path, shared_data):
    started = time.perf_counter()
    assert alphen(tmp_path, shared_data) == []
    assert time.perf_counter() - started < 30  # about 2.5 s measured on 2 shared cores


def test_a_misspelled_column_of_a_gis_layer_is_named_with_the_closest_name(tmp_path, shared_data):
    def misspell(raw):
        raw["lagen"]["basisscholen"]["kolommen"]["naam"] = "VESTIGINGSNAM"

    assert alphen(tmp_path, shared_data, misspell, "lagen.basisscholen") == [
        "lagen.basisscholen (scholenonderwijs_bo.geojson): kolommen.naam names 'VESTIGINGSNAM', which the file "
        "lacks; did you mean 'VESTIGINGSNAAM'?"
    ]


def test_a_misspelled_column_of_a_csv_is_found_by_the_readers_header_search(tmp_path, shared_data):
    def misspell(raw):
        partner(raw, "gezondheidsmonitor")["kolommen"]["eenzaam_pct"] = "Eenzaam_82"

    assert alphen(tmp_path, shared_data, misspell, "partners.gezondheidsmonitor") == [
        "partners.gezondheidsmonitor (gezondheid_wijk_buurt_2020_18plus_nl.csv): kolommen.eenzaam_pct names "
        "'Eenzaam_82', which is not in the header on line 1; did you mean 'Eenzaam_28'?"
    ]


def test_a_wrong_crs_says_which_crs_fits(tmp_path, shared_data):
    def wrong_crs(raw):
        raw["bronnen"]["buurten"]["crs"] = "EPSG:28992"

    problems = alphen(tmp_path, shared_data, wrong_crs, "bronnen.buurten")
    assert len(problems) == 1
    assert problems[0].startswith("bronnen.buurten (buurt.geojson): 100% of the features fall outside the Netherlands")
    assert problems[0].endswith("the values look like EPSG:4326: set 'crs: EPSG:4326' for this source")


def test_header_names_that_miss_columns_are_reported(tmp_path, shared_data):
    def income(raw):
        raw["partners"].append(
            {
                "naam": "inkomen",
                "soort": "csv",
                "sleutel": "wijkcode",
                "gebiedsindeling": 2024,
                "pad": str(shared_data / MAATWERK / "kvk2020-wb2023.csv"),
                "titelregels": 13,
                "kolomnamen": ["gemeentecode", "wijkcode", "naam", "inkomen"],  # the README's old example
                "kolommen": {"wijkcode": "wijkcode", "inkomen": "inkomen"},
            }
        )

    problems = alphen(tmp_path, shared_data, income, "partners.inkomen")
    assert problems == [
        "partners.inkomen (kvk2020-wb2023.csv): kolomnamen gives 4 names but kvk2020-wb2023.csv has 6 columns "
        "(line 14 reads 'Nederland;;;27,9;40,0;20,0'); give exactly one name per column, in the file's order"
    ]


def test_a_key_column_without_area_codes_is_reported(tmp_path, shared_data):
    def wrong_column(raw):
        partner(raw, "gezondheidsmonitor")["kolommen"]["wijkcode"] = "Gemeentenaam_1"

    problems = alphen(tmp_path, shared_data, wrong_column, "partners.gezondheidsmonitor")
    assert len(problems) == 1
    assert problems[0].startswith(
        "partners.gezondheidsmonitor (gezondheid_wijk_buurt_2020_18plus_nl.csv): kolommen.wijkcode "
        "('Gemeentenaam_1') holds no wijkcodes in the first 200 rows (it holds "
    )


def test_a_keep_filter_on_a_missing_column_is_reported(tmp_path, shared_data):
    def keep(raw):
        raw["lagen"]["zorglocaties"]["kolommen"]["soort"] = "Soort"
        raw["lagen"]["zorglocaties"]["alleen"] = {"soort": ["verpleeghuis"]}

    problems = alphen(tmp_path, shared_data, keep, "lagen.zorglocaties")
    assert len(problems) == 1
    assert problems[0].startswith(
        "lagen.zorglocaties (vvt.geojson): alleen.soort filters on column 'Soort' (kolommen.soort), "
        "which the file lacks"
    )


def test_another_gemeente_is_reported_with_the_gemeenten_in_the_file(tmp_path, shared_data):
    def elsewhere(raw):
        raw["gemeente"] = {"code": "GM0363", "naam": "Amsterdam"}

    # The buurten of 2015 are those of Hollands Midden only; the wijken of 2024 cover the whole country.
    assert alphen(tmp_path, shared_data, elsewhere, "bronnen.buurten") == [
        "bronnen.buurten (buurt.geojson): no buurten of gemeente GM0363 in the file "
        "(it holds GM0331, GM0335, GM0377, GM0394, GM0451, ...)"
    ]


def test_a_layer_that_does_not_exist_lists_the_layers(shared_data):
    path = shared_data / "ermelo_cbs_bgt_sample" / "CBS_buurten.gpkg"
    layer = Layer(soort="vector", geometrie="vlakken", pad=path, laag="buurten")
    assert inspect_source("lagen.buurten", layer) == [
        "lagen.buurten (CBS_buurten.gpkg): the file has no layer 'buurten'; its layers are 'CBS_Buurten'"
    ]


def test_a_file_of_several_layers_needs_layer(tmp_path):
    path = tmp_path / "kaart.gpkg"
    for name in ("buurten", "wijken"):
        gpd.GeoDataFrame({"code": ["A"]}, geometry=[Point(100_000, 450_000)], crs="EPSG:28992").to_file(
            path, layer=name, driver="GPKG"
        )
    assert inspect_source("lagen.kaart", Layer(soort="vector", geometrie="punten", pad=path)) == [
        "lagen.kaart (kaart.gpkg): the file holds layers 'buurten', 'wijken'; set 'laag' to the one to read"
    ]


def test_problems_in_several_files_are_all_reported(tmp_path, shared_data):
    def two(raw):
        raw["lagen"]["basisscholen"]["kolommen"]["brin"] = "BRIN NR"
        raw["bronnen"]["wijken"]["crs"] = "EPSG:3857"

    problems = alphen(tmp_path, shared_data, two)
    assert [p.split(":")[0] for p in problems] == [
        "bronnen.wijken (wijken_2024.geojson)",
        "lagen.basisscholen (scholenonderwijs_bo.geojson)",
    ]


def test_the_demo_configuration_passes(tmp_path):
    folder = tmp_path / "demo"
    write_demo_municipality(folder)
    raw: dict[str, Any] = yaml.safe_load((PROJECT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    for source in demo_files(raw):  # the tijdreeks's sensor table and sources too
        source["pad"] = str(folder / source["pad"].removeprefix("../data/demo/"))
    for key in ("demo", "jaren", "uitvoer"):
        raw.pop(key)
    raw["opgaven"] = str(PROJECT / "config" / "demo_opgaven.yaml")
    raw["indicatoren"] = str(PROJECT / "config" / "demo_indicatoren.yaml")
    path = tmp_path / "demo.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    assert inspect_configured_files(load_config(path)) == []
