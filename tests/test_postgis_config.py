"""The ``postgis:`` block of a configuration: a variable's name (never the connection string) and a schema."""

from __future__ import annotations

import pytest
import yaml

from ogw_datalab.config import ConfigError, PostGIS, load_config, load_year_config
from ogw_datalab.gemeenten import load_gemeente_config

from .labs import demo_config, earlier_year_config, region_config

SECRET = "Geheim-wachtwoord-7319"


def test_a_postgis_block_names_the_variable_and_the_schema(tmp_path):
    config = load_config(
        demo_config(tmp_path, postgis={"dsn_variabele": "OGW_DATALAB_POSTGIS", "schema": "gis_cijfers"}),
        check_files=False,
    )
    assert config.postgis == PostGIS.model_validate({"dsn_variabele": "OGW_DATALAB_POSTGIS", "schema": "gis_cijfers"})
    assert config.postgis.schema_ == "gis_cijfers"
    assert load_config(demo_config(tmp_path), check_files=False).postgis is None  # publishing to PostGIS is optional
    default = load_config(demo_config(tmp_path, postgis={"dsn_variabele": "OGW_PG"}), check_files=False)
    assert default.postgis is not None
    assert default.postgis.schema_ == "datalab"
    properties = PostGIS.model_json_schema()["properties"]
    assert set(properties) == {"dsn_variabele", "schema"}  # what an editor offers: the file's own keys


@pytest.mark.parametrize(
    ("block", "message"),
    [
        (
            {"dsn_variabele": f"host=gis.gemeente.local dbname=gis user=datalab password={SECRET}"},
            "postgis.dsn_variabele: give the name of an environment variable (capitals, digits and _, e.g. "
            "OGW_DATALAB_POSTGIS), never the connection string itself",
        ),
        (
            {"dsn_variabele": f"postgresql://datalab:{SECRET}@gis.gemeente.local/gis"},
            "postgis.dsn_variabele: give the name of an environment variable",
        ),
        ({"dsn_variabele": "OGW_PG", "schema": "Datalab; DROP SCHEMA public"}, "postgis.schema: String should match"),
        ({"dsn_variabele": "OGW_PG", "password": SECRET}, "postgis.password: unknown key"),
        ({"schema": "datalab"}, "postgis.dsn_variabele: Field required"),
    ],
)
def test_a_postgis_block_that_is_wrong_is_refused_without_repeating_a_secret(tmp_path, block, message):
    with pytest.raises(ConfigError) as refused:
        load_config(demo_config(tmp_path, postgis=block), check_files=False)
    assert message in str(refused.value)
    assert SECRET not in str(refused.value)


def test_only_the_current_year_is_published_to_postgis(tmp_path):
    config = load_config(demo_config(tmp_path, years=True, postgis={"dsn_variabele": "OGW_PG"}), check_files=False)
    assert load_year_config(config, 2023).postgis is None
    earlier = earlier_year_config(tmp_path)  # the same file, now with a block of its own
    raw = yaml.safe_load(earlier.read_text(encoding="utf-8"))
    raw["postgis"] = {"dsn_variabele": "OGW_PG"}
    earlier.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError, match="it has a postgis block; only the current year is published to PostGIS"):
        load_year_config(config, 2023)


def test_several_gemeenten_publish_into_one_schema(tmp_path, shared_data):
    path = region_config(tmp_path, shared_data, ["GM0233", "GM0243"])
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["postgis"] = {"dsn_variabele": "OGW_PG", "schema": "regio"}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    for code in ("GM0233", "GM0243"):
        postgis = load_gemeente_config(path, code).postgis
        assert postgis == PostGIS.model_validate({"dsn_variabele": "OGW_PG", "schema": "regio"}), code
