"""An unknown key says which known key was meant (the closest one at its level), in the configuration, the
catalogue and the opgaven file, when loading and in ``ogw-datalab check``."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from ogw_datalab.config import ConfigError, load_configuration
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.opgaven import load_opgaven

from .labs import demo_config, run_cli

CONFIG = Path(__file__).resolve().parents[1] / "config"


def refused_lines(path: Path) -> list[str]:
    with pytest.raises(ConfigError) as refused:
        load_configuration(path, check_files=False)
    return str(refused.value).splitlines()


def variant(folder: Path, name: str, change) -> Path:
    """``config/<name>`` changed by ``change`` (on the file as read), in ``folder`` beside the files it names."""
    for other in CONFIG.glob("*.yaml"):
        shutil.copy(other, folder / other.name)
    raw = yaml.safe_load((CONFIG / name).read_text(encoding="utf-8"))
    change(raw)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def test_a_misspelled_top_level_key_names_the_key_meant(tmp_path):
    path = variant(tmp_path, "demo.yaml", lambda raw: raw.update(partnrs=raw.pop("partners")))
    assert "  partnrs: unknown key; did you mean 'partners'?" in refused_lines(path)


def test_a_misspelled_key_of_a_layer_a_partner_and_a_tijdreeks_names_the_key_meant(tmp_path):
    def misspell(raw):
        raw["lagen"]["bomen"]["kolumns"] = raw["lagen"]["bomen"].pop("kolommen")
        raw["partners"][0]["sleutl"] = raw["partners"][0].pop("sleutel")
        raw["tijdreeksen"]["lucht"]["bronnen"][0]["tijd"]["formatt"] = "%Y"

    lines = refused_lines(variant(tmp_path, "demo.yaml", misspell))
    assert "  lagen.bomen.kolumns: unknown key; did you mean 'kolommen'?" in lines
    assert "  partners.0.sleutl: unknown key; did you mean 'sleutel'?" in lines
    assert "  tijdreeksen.lucht.bronnen.0.tijd.formatt: unknown key; did you mean 'formaat'?" in lines


def test_a_misspelled_old_key_names_its_new_name_and_a_key_like_none_lists_the_keys_there(tmp_path):
    def misspell(raw):
        raw["soures"] = raw.pop("bronnen")
        raw["uitvoer"]["xyz"] = 1

    lines = refused_lines(variant(tmp_path, "demo.yaml", misspell))
    assert "  soures: unknown key; did you mean 'bronnen'?" in lines
    assert "  uitvoer.xyz: unknown key; the keys here are cache, database, inbox, kaarten, sleutel_variabele" in lines


def test_a_misspelled_key_of_one_gemeente_of_several_names_the_key_meant(tmp_path):
    path = variant(tmp_path, "nederland_2015.yaml", lambda raw: raw.update(per_gemeente={"GM0484": {"lagn": {}}}))
    assert "  per_gemeente.GM0484.lagn: unknown key; did you mean 'lagen'?" in refused_lines(path)


def test_a_misspelled_key_of_the_catalogue_names_the_key_meant(tmp_path):
    text = (CONFIG / "demo_indicatoren.yaml").read_text(encoding="utf-8")
    text = text.replace("    titel: Aantal inwoners\n", "    titl: Aantal inwoners\n", 1)
    text = text.replace("{type: per_inwoners, laag: bomen, per: 1000}", "{type: per_inwoners, lag: bomen, per: 1000}")
    path = tmp_path / "indicatoren.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_catalogue(path)
    lines = str(refused.value).splitlines()
    assert "  indicatoren.0 (inwoners).titl: unknown key; did you mean 'titel'?" in lines  # entries named by id
    assert "  indicatoren.1 (bomen_per_1000_inwoners).formule.lag: unknown key; did you mean 'laag'?" in lines


def test_a_misspelled_key_of_the_opgaven_names_the_key_meant(tmp_path):
    catalogue = load_catalogue(CONFIG / "demo_indicatoren.yaml")
    text = (CONFIG / "demo_opgaven.yaml").read_text(encoding="utf-8")
    text = text.replace("{id: drie_dertig_driehonderd_pct, gewicht: 2,", "{id: drie_dertig_driehonderd_pct, gewigt: 2,")
    text = text.replace("    kiemen: {laag: initiatieven, label: naam}\n", "    kiem: {laag: initiatieven}\n", 1)
    path = tmp_path / "opgaven.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_opgaven(path, catalogue)
    lines = str(refused.value).splitlines()
    meant = "unknown key; did you mean 'gewicht'?"
    assert f"  opgaven.0 (meer_groen).indicatoren.0 (drie_dertig_driehonderd_pct).gewigt: {meant}" in lines
    assert "  opgaven.0 (meer_groen).kiem: unknown key; did you mean 'kiemen'?" in lines


def test_check_names_the_wrong_key_and_the_right_one(tmp_path):
    raw = yaml.safe_load(demo_config(tmp_path).read_text(encoding="utf-8"))
    raw["lagen"]["bomen"]["geometry"] = raw["lagen"]["bomen"].pop("geometrie")  # an old key: still read
    raw["lagen"]["groen"]["geometri"] = raw["lagen"]["groen"].pop("geometrie")
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    checked = run_cli("check", "--config", str(path))
    assert checked.code == 2
    assert checked.out == ""
    assert "  lagen.groen.geometri: unknown key; did you mean 'geometrie'?" in checked.err.splitlines()
    assert f"{path}: lagen.bomen.geometry is now called geometrie" not in checked.err  # refused before any hint


def test_an_unknown_indicator_of_an_opgave_names_the_opgave_and_the_id_meant(tmp_path):
    catalogue = load_catalogue(CONFIG / "demo_indicatoren.yaml")
    text = (CONFIG / "demo_opgaven.yaml").read_text(encoding="utf-8")
    text = text.replace("{id: drie_dertig_driehonderd_pct,", "{id: drie_dertig_driehonderd,", 1)
    path = tmp_path / "opgaven.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as refused:
        load_opgaven(path, catalogue)
    assert str(refused.value).splitlines()[1:] == [
        "  opgaven.0 (meer_groen).indicatoren.0.id: unknown indicator 'drie_dertig_driehonderd'; "
        "did you mean 'drie_dertig_driehonderd_pct'?"
    ]
