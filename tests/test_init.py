"""``ogw-datalab init``: any gemeente of the 2015 files from its code or name, its files recognised by their content.

Enschede and Vlieland are configured by ``init`` and built (``init_lab``); their sites are checked against an
independent reading of the raw CBS GeoJSON with geopandas. Other gemeenten, a region, Zeewolde's missing wijk, an
unknown name and an existing file stop at ``check`` or before."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import geopandas as gpd
import jsonschema
import pandas as pd
import pytest
import yaml

from ogw_datalab.config import load_configuration
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.opgaven import load_opgaven
from ogw_datalab.init.find_gemeente import find_wanted
from ogw_datalab.init.recognise_files import recognise_files

from .init_labs import BUILT, init_lab  # noqa: F401 - the session fixture
from .labs import PROJECT, run_cli


def buurten_in_the_files(shared_data: Path, code: str) -> pd.Series:
    """Inhabitants per buurtcode of gemeente ``code``, read from the raw 2015 GeoJSON with geopandas alone.

    A buurt counts when some file has a polygon of it with an area; CBS secret values (negative) are no
    inhabitants.
    """
    frames = [
        gpd.read_file(file, where=f"GM_CODE = '{code}'")
        for file in sorted(shared_data.glob("cbs_wijkbuurtkaart_2015_*/**/buurt.geojson"))
    ]
    areas = pd.concat([f for f in frames if len(f)])
    areas = areas[areas.geom_type.isin(["Polygon", "MultiPolygon"]) & (areas.to_crs(28992).area > 0)]
    inhabitants = areas.groupby("BU_CODE")["AANT_INW"].first()
    return inhabitants.clip(lower=0)


@pytest.mark.parametrize("code", list(BUILT))
def test_init_then_build_publishes_every_buurt_and_its_inhabitants(init_lab, shared_data, code):  # noqa: F811
    expected = buurten_in_the_files(shared_data, code)
    site = init_lab.site(code)
    profiles = sorted(p.stem for p in (site / "buurten").glob("BU*.html"))
    assert profiles == sorted(expected.index)
    published = pd.read_csv(site / "downloads" / "indicator_inwoners-data.csv", dtype={"buurtcode": str})
    assert sorted(published["buurtcode"]) == sorted(expected.index)
    assert (published["gemeente_waarde"] == expected.sum()).all()
    shown = published[published["waarde_status"] == "gepubliceerd"].set_index("buurtcode")["waarde"]
    assert len(shown)
    assert (shown == expected[shown.index]).all()
    catalogue = load_catalogue(init_lab.config(code).with_name(f"{BUILT[code]}_indicatoren.yaml"))
    assert len(catalogue.indicatoren) >= 6
    assert all((site / f"{indicator}.html").is_file() for indicator in catalogue.ids)
    assert len(list(site.glob("opgave_*.html"))) >= 3


def test_init_says_what_it_found_and_what_it_left_out_and_why(init_lab):  # noqa: F811
    out = init_lab.init_runs["GM0153"].out
    assert "70 buurten of GM0153 Enschede" in out
    assert "lagen.ziekenhuis: 2 points inside Enschede" in out
    # two hospitals: a count per buurt of 0, 1 (or 2) ranks nothing; the hospital layer stays, for its distances
    assert "aantal_ziekenhuis: 2 points inside Enschede: a count per buurt cannot tell the buurten apart" in out
    assert (
        "aantal_ziekenhuis" not in load_catalogue(init_lab.config("GM0153").with_name("enschede_indicatoren.yaml")).ids
    )
    # the RIVM monitor is of 2020: its codes are never joined to the buurten of 2015
    assert "gezondheid_wijk_buurt_2020_18plus_nl.csv: figures of 2020" in out
    assert "opgave 'voorzieningen_dichtbij': no indicator to carry it" in out
    assert "configuration OK" in out
    # what init cannot know is left to fill in, and check says where (the colophon would show it as it is)
    raw = yaml.safe_load(init_lab.config("GM0153").with_name("enschede_indicatoren.yaml").read_text(encoding="utf-8"))
    unfilled = [i["id"] for i in raw["indicatoren"] if "onbekend: vul in" in i["bron"].values()]
    assert unfilled
    note = f"the bron of {len(unfilled)} indicators still says 'onbekend: vul in' ({', '.join(unfilled)})"
    assert note in init_lab.init_runs["GM0153"].err


def test_written_files_validate_against_the_json_schemas(init_lab):  # noqa: F811
    config = init_lab.config("GM0096")
    for path, kind in (
        (config, "ogw-datalab.schema.json"),
        (config.with_name("vlieland_indicatoren.yaml"), "ogw-datalab-indicatoren.schema.json"),
        (config.with_name("vlieland_opgaven.yaml"), "ogw-datalab-opgaven.schema.json"),
    ):
        text = path.read_text(encoding="utf-8")
        first = text.splitlines()[0]
        assert first.startswith("# yaml-language-server: $schema=")
        named = (path.parent / first.split("$schema=")[1]).resolve()
        assert named == (PROJECT / "config" / kind).resolve()
        schema = json.loads(named.read_text(encoding="utf-8"))
        jsonschema.Draft202012Validator(schema).validate(yaml.safe_load(text))
    loaded = load_configuration(config)
    assert (loaded.gemeente.code, loaded.gemeente.naam) == ("GM0096", "Vlieland")
    catalogue = load_catalogue(loaded.indicatoren, loaded)
    opgaven = load_opgaven(loaded.opgaven, catalogue, loaded.lagen)
    assert all(o.angel.startswith("Een eerste opzet om te herschrijven") for o in opgaven)
    # paths are relative to the configuration's folder
    raw = yaml.safe_load(config.read_text(encoding="utf-8"))
    assert not Path(raw["bronnen"]["buurten"]["pad"]).is_absolute()


def init(tmp_path: Path, asked: str, bronnen: Path, *extra: str, uit: str = "config/x.yaml"):
    return run_cli("init", asked, "--jaar", "2015", "--bronnen", str(bronnen), "--uit", str(tmp_path / uit), *extra)


def test_a_gemeente_by_name_split_over_three_region_files_is_read_from_all(tmp_path, shared_data):
    run = init(tmp_path, "DEVENTER", shared_data, uit="config/deventer.yaml")
    assert run.code == 0, run.out + run.err
    config = load_configuration(tmp_path / "config" / "deventer.yaml")
    assert (config.gemeente.code, config.gemeente.naam) == ("GM0150", "Deventer")
    assert config.bronnen.buurten.is_pattern
    assert config.bronnen.buurten.gemeenten == ["GM0150"]
    assert "68 buurten of GM0150 Deventer" in run.out
    assert "(3 files holding its codes)" in run.out
    assert "configuration OK" in run.out


def test_a_zeeland_gemeente_by_code_gets_its_own_files_and_checks_clean(tmp_path, shared_data):
    run = init(tmp_path, "gm0717", shared_data)
    assert run.code == 0, run.out + run.err
    config = load_configuration(tmp_path / "config" / "x.yaml")
    assert config.gemeente.naam == "Veere"
    assert config.bronnen.buurten.pad == (shared_data / "cbs_wijkbuurtkaart_2015_nl/zeeland/buurt.geojson").resolve()
    assert set(config.lagen) >= {"brandweerkazernes", "gemeentehuizen"}


def test_files_are_recognised_by_their_content_not_their_names(tmp_path, shared_data):
    twente = shared_data / "cbs_wijkbuurtkaart_2015_nl" / "twente"
    bronnen = tmp_path / "bronnen"
    for source, target in (
        ("buurt.geojson", "a/levering_1.geojson"),
        ("wijk.geojson", "a/levering_2.geojson"),
        ("ziekenhuis.geojson", "b/punten.geojson"),
    ):
        (bronnen / target).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(twente / source, bronnen / target)
    run = init(tmp_path, "Enschede", bronnen)
    assert run.code == 0, run.out + run.err
    config = load_configuration(tmp_path / "config" / "x.yaml")
    assert config.bronnen.buurten.pad.name == "levering_1.geojson"
    assert config.bronnen.wijken.pad.name == "levering_2.geojson"
    assert list(config.lagen) == ["punten"]
    assert config.lagen["punten"].kolommen == {"naam": "Naam locatie"}


def test_a_file_changed_in_place_is_recognised_anew_in_the_same_process(tmp_path, shared_data):
    twente = shared_data / "cbs_wijkbuurtkaart_2015_nl" / "twente"
    bronnen = tmp_path / "bronnen"
    bronnen.mkdir()
    levering = bronnen / "levering.geojson"
    shutil.copy(twente / "buurt.geojson", levering)
    shutil.copy(twente / "ziekenhuis.geojson", bronnen / "punten.geojson")
    first = recognise_files(bronnen)
    assert [(f.path.name, f.kind, f.niveau) for f in first.found] == [
        ("levering.geojson", "kaart", "buurt"),
        ("punten.geojson", "punten", None),
    ]
    assert recognise_files(bronnen).found == first.found  # unchanged: the same answer
    shutil.copy(twente / "ziekenhuis.geojson", levering)  # the same name, now points
    again = recognise_files(bronnen)
    found = [(f.path.name, f.kind) for f in again.found]
    assert found == [("levering.geojson", "punten"), ("punten.geojson", "punten")]
    assert again.found[0].features == first.found[1].features
    levering.write_text("this is not GeoJSON", encoding="utf-8")
    assert recognise_files(bronnen).not_recognised == [(levering, "not a GIS file GDAL can open")]


def test_nothing_is_written_over_an_existing_configuration_without_overschrijven(tmp_path, shared_data):
    first = init(tmp_path, "GM0096", shared_data)
    assert first.code == 0, first.out + first.err
    files = sorted((tmp_path / "config").glob("x*.yaml"))
    assert [f.name for f in files] == ["x.yaml", "x_indicatoren.yaml", "x_opgaven.yaml"]
    (tmp_path / "config" / "x_opgaven.yaml").write_text("# ours\n", encoding="utf-8")
    before = {f: f.read_bytes() for f in files}
    again = init(tmp_path, "GM0153", shared_data)
    assert again.code == 2
    assert "already exist" in again.err
    assert "--overschrijven" in again.err
    assert {f: f.read_bytes() for f in files} == before
    assert sorted((tmp_path / "config").iterdir()) == files  # no temporary file left either
    forced = init(tmp_path, "GM0153", shared_data, "--overschrijven")
    assert forced.code == 0, forced.out + forced.err
    assert "GM0153" in (tmp_path / "config" / "x.yaml").read_text(encoding="utf-8")


def test_an_existing_configuration_is_refused_before_the_source_folder_is_read(tmp_path):
    """The refusal comes first, in an instant: here the folder holds nothing to build from, and that is not said."""
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "x.yaml").write_text("# ours\n", encoding="utf-8")
    (tmp_path / "leeg").mkdir()
    run = init(tmp_path, "GM0153", tmp_path / "leeg")
    assert run.code == 2
    assert "already exist" in run.err, run.err
    assert "--overschrijven" in run.err
    assert (tmp_path / "config" / "x.yaml").read_text(encoding="utf-8") == "# ours\n"


def test_uit_names_a_yaml_file_not_a_folder(tmp_path):
    run = run_cli("init", "GM0153", "--jaar", "2015", "--bronnen", str(tmp_path), "--uit", str(tmp_path / "ermelo"))
    assert run.code == 2
    assert f"--uit {tmp_path / 'ermelo'}: name the configuration file to write, ending in .yaml" in run.err
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("asked", "said"),
    [
        ("Enschde", "no gemeente or region 'Enschde' in the CBS buurt layers under"),
        ("GM9999", "no gemeentecode 'GM9999' in the CBS buurt layers under"),
        ("alphen", "no gemeente or region 'alphen' in the CBS buurt layers under"),
    ],
)
def test_an_unknown_gemeente_is_one_sentence_with_the_closest_names(tmp_path, shared_data, asked, said):
    run = init(tmp_path, asked, shared_data)
    assert run.code == 2
    assert said in run.err
    if asked == "Enschde":
        assert "the closest names: Enschede" in run.err
    if asked == "alphen":  # the names that hold it come first
        assert "the closest names: Alphen aan den Rijn, Alphen-Chaam, " in run.err
    assert not (tmp_path / "config").exists()


def test_a_kaart_whose_name_gives_another_year_is_not_published_as_the_year_asked_for(tmp_path, shared_data):
    # The kaart of 2015 has the column names CBS used from 2008 to 2018: only its folder's name says 2015.
    asked = ("init", "Harderwijk", "--bronnen", str(shared_data), "--uit", str(tmp_path / "h.yaml"))
    run = run_cli(*asked, "--jaar", "2016")
    assert run.code == 2
    assert "GM0243 (Harderwijk) is in no CBS buurt layer of 2016 under" in run.err
    assert "Run init with --jaar 2015 for those files, or init without --bronnen" in run.err
    assert not (tmp_path / "h.yaml").exists()
    region = run_cli(
        "init", "flevoland", "--jaar", "2016", "--bronnen", str(shared_data), "--uit", str(tmp_path / "r.yaml")
    )
    assert region.code == 2
    assert "no CBS buurt and wijk layers of 2016 under" in region.err
    # Without a year in their names the columns decide, as before.
    bronnen = tmp_path / "bronnen"
    bronnen.mkdir()
    for name in ("buurt", "wijk"):
        shutil.copy(
            shared_data / "cbs_wijkbuurtkaart_2015_nl" / "flevoland" / f"{name}.geojson", bronnen / f"{name}.geojson"
        )
    unnamed = run_cli(
        "init", "Lelystad", "--jaar", "2016", "--bronnen", str(bronnen), "--uit", str(tmp_path / "l.yaml")
    )
    assert unnamed.code == 0, unnamed.err
    assert "buurten of GM0995 Lelystad" in unnamed.out


def test_a_gemeente_by_the_name_in_daily_use_is_found_by_its_cbs_name(shared_data):
    haaglanden = recognise_files(shared_data / "cbs_wijkbuurtkaart_2015_nl" / "haaglanden")
    wanted = find_wanted("Den Haag", haaglanden.of_kind("kaart", "buurt"), haaglanden.folder)
    assert (wanted.code, wanted.naam) == ("GM0518", "'s-Gravenhage")


def test_zeewolde_gets_a_configuration_that_says_why_it_cannot_be_built(tmp_path, shared_data):
    run = init(tmp_path, "Zeewolde", shared_data)
    assert run.code == 1
    assert "cannot be built: the wijk layer has no wijk WK005000" in run.err
    text = (tmp_path / "config" / "x.yaml").read_text(encoding="utf-8")
    assert "LET OP: deze configuratie bouwt niet. De wijklaag mist wijk WK005000" in text
    assert "configuration OK" not in run.out


def test_a_region_gets_a_configuration_of_several_gemeenten(tmp_path, shared_data):
    run = init(tmp_path, "friesland", shared_data, uit="config/friesland.yaml")
    assert run.code == 0, run.out + run.err
    config = load_configuration(tmp_path / "config" / "friesland.yaml")
    assert config.gemeenten == "friesland"
    assert config.bronnen.buurten.is_pattern
    # the national point layers cover every gemeente (a count of 0 is a figure); one region's schools do not
    assert set(config.lagen) == {"brandweerkazernes", "gemeentehuizen", "politievestigingen", "ziekenhuis"}
    assert "scholenonderwijs_bo.geojson: covers 0 of the " in run.out
    assert config.vergelijkbare_buurten is not None
    assert "configuration OK" in run.out


def test_tables_keyed_by_the_years_codes_become_partners_and_other_years_are_left_out(tmp_path, shared_data):
    twente = shared_data / "cbs_wijkbuurtkaart_2015_nl" / "twente"
    bronnen = tmp_path / "bronnen"
    bronnen.mkdir()
    for name in ("buurt.geojson", "wijk.geojson", "gemeente.geojson"):
        shutil.copy(twente / name, bronnen / name)
    codes = sorted(buurten_in_the_files(shared_data, "GM0153").index)
    rows = [f"{i};2015JJ00;{code};{10 + i % 7},5" for i, code in enumerate(codes)]
    (bronnen / "monitor.csv").write_text("ID;Perioden;Gebied;Tevredenheid\n" + "\n".join(rows) + "\n", "utf-8")
    later = [row.replace("2015JJ00", "2020JJ00") for row in rows]
    (bronnen / "monitor_2020.csv").write_text("ID;Perioden;Gebied;Tevredenheid\n" + "\n".join(later) + "\n", "utf-8")
    run = init(tmp_path, "GM0153", bronnen)
    assert run.code == 0, run.out + run.err
    config = load_configuration(tmp_path / "config" / "x.yaml")
    partner = next(p for p in config.partners if p.naam == "monitor")
    assert partner.sleutel == "buurtcode"
    assert partner.kolommen == {"buurtcode": "Gebied", "tevredenheid": "Tevredenheid"}
    assert (partner.scheidingsteken, partner.decimaalteken, partner.gebiedsindeling) == (";", ",", 2015)
    catalogue = load_catalogue(config.indicatoren, config)
    formule = catalogue.by_id("monitor_tevredenheid").formule
    assert (formule.type, formule.partner, formule.kolom) == ("partner_waarde", "monitor", "tevredenheid")
    assert "monitor_2020.csv: figures of 2020" in run.out
    assert not any(p.naam == "monitor_2020" for p in config.partners)
    assert config.uitvoer.kaarten == tmp_path / "maps" / "x"  # named after the configuration file
    assert config.uitvoer.inbox == tmp_path / "data" / "inbox_x"  # its own, under data/ (git ignores it)
