"""Several gemeenten from one configuration: the model, the selection, and one ordinary configuration per gemeente."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
import yaml

from ogw_datalab.config import ConfigError, GemeentenConfig, ProjectConfig, load_config, load_configuration
from ogw_datalab.gemeenten import gemeente_configs, gemeenten_overview, load_gemeente_config, read_configured_areas
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.opgaven import load_opgaven
from ogw_datalab.readers import read_source

PROJECT = Path(__file__).resolve().parents[1]


def write_config(folder: Path, shared_data: Path, **changes) -> Path:
    """config/nederland_2015.yaml with ``changes``, pointing at ``shared_data``, written in ``folder``."""
    for name in ("nederland_2015_indicatoren.yaml", "nederland_2015_opgaven.yaml"):
        (folder / name).write_text((PROJECT / "config" / name).read_text(encoding="utf-8"), encoding="utf-8")
    text = (PROJECT / "config" / "nederland_2015.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text.replace("../../shared/data", str(shared_data)))
    raw.update({"gemeenten": ["utrecht", "GM0484"], "uitvoer": {"database": "db", "kaarten": "kaarten"}})
    raw.update(changes)
    path = folder / "gemeenten.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def home_region_codes(shared_data: Path, region: str) -> set[str]:
    """Gemeenten whose largest polygon among all regions' gemeente files lies in ``region`` (computed apart)."""
    frames = []
    for path in shared_data.glob("cbs_wijkbuurtkaart_2015_nl/*/gemeente.geojson"):
        frame = gpd.read_file(path).to_crs("EPSG:28992")
        frames.append(frame.assign(region=path.parent.name, area=frame.geometry.area))
    hm = shared_data / "cbs_wijkbuurtkaart_2015_hollands_midden" / "gemeente.geojson"
    frame = gpd.read_file(hm).to_crs("EPSG:28992")
    frames.append(frame.assign(region="hollands_midden", area=frame.geometry.area))
    merged = gpd.pd.concat(frames).sort_values("area", ascending=False).drop_duplicates("GM_CODE")
    return set(merged.loc[merged["region"] == region, "GM_CODE"])


def test_region_and_code_resolve_into_single_gemeente_configs(tmp_path, shared_data):
    config = load_configuration(write_config(tmp_path, shared_data))
    assert isinstance(config, GemeentenConfig)
    configs = gemeente_configs(config)
    assert set(configs) == home_region_codes(shared_data, "utrecht") | {"GM0484"}
    alphen = configs["GM0484"]
    assert isinstance(alphen, ProjectConfig)
    assert alphen.gemeente.naam == "Alphen aan den Rijn"  # from the area files
    assert alphen.uitvoer.database == tmp_path / "db" / "GM0484.duckdb"
    assert alphen.uitvoer.kaarten == tmp_path / "kaarten" / "GM0484"
    assert alphen.bronnen.buurten.gemeenten == ["GM0484"]
    assert alphen.bronnen.wijken.gemeenten == ["GM0484"]
    assert alphen.partners[0].gemeenten == ["GM0484"]  # a CBS-kaart partner reads only its gemeente
    shared = ["brandweerkazernes", "gemeentehuizen", "politievestigingen", "ziekenhuizen"]
    assert sorted(alphen.lagen) == sorted([*shared, "basisscholen"])  # shared plus its own
    assert sorted(configs["GM0344"].lagen) == shared
    # Every configuration is an ordinary one: its own buurten, read from the merged files.
    buurten = read_source("bronnen.buurten", alphen.bronnen.buurten)
    assert len(buurten) == 87
    assert buurten["AANT_INW"].sum() == 107_200
    # The catalogue and opgaven check against each gemeente's configuration as for one gemeente.
    catalogue = load_catalogue(alphen.indicatoren, alphen)
    assert load_opgaven(alphen.opgaven, catalogue, alphen.lagen)


def test_alle_is_every_complete_gemeente(tmp_path, shared_data):
    config = load_configuration(write_config(tmp_path, shared_data, gemeenten="alle", per_gemeente={}))
    areas = read_configured_areas(config)
    configs = gemeente_configs(config, areas=areas)
    assert len(configs) == 374
    assert "GM1702" not in configs
    overview = gemeenten_overview(configs, areas)
    assert overview["aantal_buurten"].sum() == 11_700
    assert overview.set_index("gemeentecode").loc["GM0484", "regio"] == "hollands_midden"


def test_load_one_gemeente_of_many(tmp_path, shared_data):
    path = write_config(tmp_path, shared_data)
    assert load_gemeente_config(path, "gm0344").gemeente.naam == "Utrecht"
    with pytest.raises(ConfigError, match="gemeente GM0599 is not configured"):
        load_gemeente_config(path, "GM0599")


@pytest.mark.parametrize(
    ("gemeenten", "message"),
    [
        (["GM1702"], "is not complete in the area files"),
        (["GM9999"], "GM9999 has no buurten in the area files"),
        ("brabant-noord", "unknown region 'brabant-noord'; the area files have amsterdam-amstelland"),
    ],
)
def test_selections_that_cannot_be_built(tmp_path, shared_data, gemeenten, message):
    config = load_configuration(write_config(tmp_path, shared_data, gemeenten=gemeenten, per_gemeente={}))
    with pytest.raises(ConfigError, match=message):
        gemeente_configs(config)


def test_per_gemeente_must_be_selected(tmp_path, shared_data):
    config = load_configuration(write_config(tmp_path, shared_data, gemeenten=["GM0344"]))
    with pytest.raises(ConfigError, match=r"per_gemeente: \['GM0484'\] are not among the selected gemeenten"):
        gemeente_configs(config)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"gemeenten": ["alle", "GM0484"]}, "'alle' stands alone"),
        ({"gemeenten": ["Utrecht!"]}, "expected gemeentecodes"),
        ({"jaren": {2014: "x.yaml"}}, "'jaren' .* is not yet supported with several gemeenten"),
        ({"gemeente": {"code": "GM0484", "naam": "Alphen"}}, "not both"),
        ({"uitvoer": {"database": "data/alles.duckdb"}}, "is a file name; with several gemeenten give a folder"),
    ],
)
def test_invalid_multi_gemeente_configurations(tmp_path, shared_data, changes, message):
    with pytest.raises(ConfigError, match=message):
        load_configuration(write_config(tmp_path, shared_data, **changes))


def test_load_config_refuses_several_gemeenten_and_keeps_one_as_it_is(tmp_path, shared_data):
    with pytest.raises(ConfigError, match="configures several gemeenten"):
        load_config(write_config(tmp_path, shared_data))
    alphen = load_config(PROJECT / "config" / "alphen.yaml", check_files=False)
    assert gemeente_configs(alphen) == {"GM0484": alphen}
    assert load_configuration(PROJECT / "config" / "alphen.yaml", check_files=False) == alphen


def test_missing_files_are_listed_with_their_key(tmp_path, shared_data):
    path = write_config(
        tmp_path,
        shared_data,
        per_gemeente={},
        lagen={"scholen": {"soort": "vector", "geometrie": "punten", "pad": str(tmp_path / "nergens" / "*.geojson")}},
    )
    with pytest.raises(ConfigError, match=r"lagen.scholen.pad: no file matches"):
        load_configuration(path)


def test_national_configurations_in_the_repository(shared_data):
    national = load_configuration(PROJECT / "config" / "nederland_2015.yaml")
    assert isinstance(national, GemeentenConfig)
    assert national.gemeenten == "alle"
    single = load_configuration(PROJECT / "config" / "harderwijk_2015.yaml")
    assert isinstance(single, ProjectConfig)
    for config in (single, gemeente_configs(national)["GM0484"]):
        catalogue = load_catalogue(config.indicatoren, config)
        assert load_opgaven(config.opgaven, catalogue, config.lagen)
