from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ogw_datalab.config import ConfigError, load_config, load_year_config

DEMO = Path(__file__).resolve().parents[1] / "config" / "demo.yaml"


def write_variant(tmp_path: Path, change) -> Path:
    raw = yaml.safe_load(DEMO.read_text(encoding="utf-8"))
    change(raw)
    shutil.copy(DEMO.parent / "demo_opgaven.yaml", tmp_path / "demo_opgaven.yaml")
    shutil.copy(DEMO.parent / "demo_indicatoren.yaml", tmp_path / "demo_indicatoren.yaml")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_demo_config_is_valid_and_paths_resolve_against_its_folder():
    config = load_config(DEMO, check_files=False)
    assert config.gemeente.code == "GM9999"
    assert config.bronnen.buurten.pad == (DEMO.parent / "../data/demo/wijkenbuurten_2024.gpkg").resolve()
    assert config.uitvoer.kaarten == (DEMO.parent / "../maps").resolve()
    assert [p.sleutel for p in config.partners] == ["buurtcode", "adres", "coordinaten"]
    assert set(config.lagen) == {"bomen", "groen", "speelplekken", "huisartsen", "initiatieven"}


def without_addresses(raw: dict, *, keep_partners: bool = False) -> None:
    raw["bronnen"].pop("adressen")
    if not keep_partners:
        raw["partners"] = [p for p in raw["partners"] if p["sleutel"] not in ("postcode", "bag_id", "adres")]


def test_addresses_are_optional(tmp_path):
    config = load_config(write_variant(tmp_path, without_addresses), check_files=False)
    assert config.bronnen.adressen is None


@pytest.mark.parametrize("key", ["adres", "postcode", "bag_id"])
def test_a_partner_key_that_needs_bag_addresses_without_them_is_refused_at_load(tmp_path, key):
    def change(raw):
        without_addresses(raw, keep_partners=True)
        raw["partners"][1].update(
            sleutel=key, kolommen={"postcode": "Postcode", "huisnummer": "Huisnummer", "bag_id": "Id"}
        )

    with pytest.raises(ConfigError) as refused:
        load_config(write_variant(tmp_path, change), check_files=False)
    assert str(refused.value).splitlines()[1] == (
        f"  partners.corporatie_woningen: sleutel '{key}' places rows through BAG addresses, but bronnen.adressen "
        "is not configured; add the BAG addresses there or choose another sleutel"
    )


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda c: c["gemeente"].update(code="0484"), r"gemeente\.code: .*'0484' is not a CBS gemeentecode"),
        (lambda c: c["lagen"]["bomen"].update(soort="excel"), r"lagen\.bomen\.soort: unknown reader kind 'excel'"),
        (lambda c: c["lagen"]["bomen"].pop("geometrie"), r"lagen\.bomen\.geometrie: Field required"),
        (lambda c: c["bronnen"].pop("buurten"), r"bronnen\.buurten: Field required"),
        (lambda c: c.update(jaartal=2024), r"jaartal: unknown key"),
        (lambda c: c["partners"][1].update(sleutel="bsn"), r"partners\.1\.sleutel: unknown partner sleutel 'bsn'"),
        (lambda c: c["partners"][1]["kolommen"].pop("huisnummer"), r"sleutel 'adres' needs .*\['huisnummer'\]"),
        (lambda c: c["partners"][2].pop("x"), r"give both 'x' and 'y'"),
        (lambda c: c["parameters"].update(park_laag="bomen"), r"park_laag 'bomen' must name a polygon layer"),
        (lambda c: c["lagen"]["bomen"].update(download={"soort": "ftp", "url": "x"}), r"unknown download soort 'ftp'"),
    ],
)
def test_invalid_config_names_the_key(tmp_path, change, message):
    with pytest.raises(ConfigError, match=message):
        load_config(write_variant(tmp_path, change), check_files=False)


def test_missing_source_file_is_named(tmp_path):
    path = write_variant(tmp_path, lambda c: c["lagen"]["bomen"].update(pad="nergens/bomen.geojson"))
    with pytest.raises(ConfigError, match=r"lagen\.bomen\.pad: file not found: .*nergens/bomen\.geojson"):
        load_config(path)


def test_missing_config_file():
    with pytest.raises(ConfigError, match="configuration file not found"):
        load_config("does/not/exist.yaml")


def test_yaml_syntax_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("gemeente: [unclosed\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML") as refused:
        load_config(path)
    assert f'in "{path}", line 2, column 1' in str(refused.value)  # the file, not '<unicode string>'


def test_demo_lists_its_earlier_year_with_its_own_database_and_site():
    config = load_config(DEMO, check_files=False)
    earlier = load_year_config(config, 2023)
    assert (earlier.jaar, earlier.gemeente.code) == (2023, "GM9999")
    assert earlier.uitvoer.database != config.uitvoer.database
    assert earlier.uitvoer.kaarten != config.uitvoer.kaarten
