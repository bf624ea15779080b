"""Every data set in ../shared/data loads through the configuration path, with facts from its PROVENANCE.md.

Each source is declared as a data team would in YAML (validated by the same models), read
with ``read_source`` and staged; the asserted numbers are the ones PROVENANCE.md states.
"""

from __future__ import annotations

import textwrap

import numpy as np
import pytest
import yaml

from ogw_datalab.config import Layer, Partner, Source
from ogw_datalab.readers import SourceError, read_source
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_layers import stage_layer
from ogw_datalab.staging.stage_partners import stage_partner
from ogw_datalab.storage import layer_table, partner_table, query_row, write_frame


def declared(model, shared_data, text: str):
    """A source as written in the configuration file (paths relative to ../shared/data)."""
    raw = yaml.safe_load(textwrap.dedent(text))
    raw["pad"] = str(shared_data / raw["pad"])
    return model.model_validate(raw)


def staged_partner(con, partner: Partner) -> str:
    write_frame(con, "raw", partner_table(partner.naam), read_source(f"partners.{partner.naam}", partner))
    stage_partner(con, partner)
    return f"staging.{partner_table(partner.naam)}"


def test_cbs_gemeenten_2024_enriched(con, shared_data):
    layer = declared(
        Layer,
        shared_data,
        """
        soort: vector
        geometrie: vlakken
        pad: cbs_gemeenten_2024_nl_verrijkt/gemeenten_2024.geojson
        kolommen: {code: gemeentecode, inwoners: aantal_inwoners}
    """,
    )
    frame = read_source("lagen.gemeenten", layer)
    assert len(frame) == 343
    # 8 invalid in EPSG:4326 (PROVENANCE); reprojection to RD New happens to mend one of them.
    assert int((~frame.geometry.is_valid).sum()) >= 7
    buitenland = frame[frame["gemeentecode"] == "GM0998"].iloc[0]
    assert buitenland["aantal_inwoners"] is None or np.isnan(buitenland["aantal_inwoners"])
    write_frame(con, "raw", layer_table("gemeenten"), frame)
    assert stage_layer(con, "gemeenten", layer) == {"rows": 343, "dropped": 0}
    invalid = query_row(con, "SELECT count(*) FROM staging.layer_gemeenten WHERE NOT ST_IsValid(geometry)")[0]
    assert invalid == 0


def test_cbs_wijken_2024_national(con, shared_data):
    source = declared(Source, shared_data, "{soort: cbs_wijkbuurtkaart, pad: cbs_wijken_2024_nl/wijken_2024.geojson}")
    frame = read_source("bronnen.wijken", source)
    assert len(frame) == 3475
    assert int(frame["aantal_inwoners"].isna().sum()) == 82  # suppressed, JSON null
    write_frame(con, "raw", "wijken", frame)
    assert stage_cbs_areas(con, "wijken", "GM0484")["rows"] == 16


def test_cbs_maatwerk_cars_per_gemeente_after_title_lines(shared_data):
    source = declared(
        Source,
        shared_data,
        """
        soort: csv
        pad: cbs_maatwerk_inkomen2020_autobezit2023/gem-autobezit-huishouden_2023_gem.csv
        kolommen: {gemeentecode: Gemeentecode, autos: "Personenauto's per huishouden (afgerond)"}
    """,
    )
    frame = read_source("partners.autobezit", source)
    assert len(frame) == 342  # 342 gemeenten in 2023; the empty line and "Bron: CBS/RDW" under them are not data
    alphen = frame[frame["Gemeentecode"].str.strip() == "GM0484"]
    assert len(alphen) == 1
    assert "," in alphen.iloc[0]["Personenauto's per huishouden (afgerond)"]


def test_cbs_maatwerk_cars_per_wijk_padded_codes_and_dots(con, shared_data):
    partner = declared(
        Partner,
        shared_data,
        """
        naam: autobezit
        soort: csv
        sleutel: wijkcode
        pad: cbs_maatwerk_inkomen2020_autobezit2023/gem-autobezit-huishouden_2023_wijk.csv
        kolommen: {wijkcode: Wijkcode, autos_per_huishouden: "Personenauto's per huishouden (afgerond)"}
    """,
    )
    table = staged_partner(con, partner)
    rows, suppressed, padded = query_row(
        con,
        f"SELECT count(*), count(*) FILTER (WHERE autos_per_huishouden IS NULL), "
        f"count(*) FILTER (WHERE wijkcode <> trim(wijkcode)) FROM {table}",
    )
    assert (rows, suppressed, padded) == (3352, 188, 0)  # 188 '.' = suppressed; footer lines dropped
    kind = query_row(con, f"SELECT typeof(autos_per_huishouden) FROM {table} LIMIT 1")[0]
    assert kind == "DOUBLE"


def test_cbs_maatwerk_income_with_a_report_header(con, shared_data):
    partner = declared(
        Partner,
        shared_data,
        """
        naam: inkomen
        soort: csv
        sleutel: wijkcode
        pad: cbs_maatwerk_inkomen2020_autobezit2023/kvk2020-wb2023.csv
        titelregels: 13
        kolomnamen: [gemeentecode, wijkcode, regionaam, inkomen_per_inwoner, laagste_40_pct, hoogste_20_pct]
        kolommen: {wijkcode: wijkcode, inkomen_per_inwoner: inkomen_per_inwoner, laagste_40_pct: laagste_40_pct,
                  hoogste_20_pct: hoogste_20_pct}
    """,
    )
    table = staged_partner(con, partner)
    assert query_row(con, f"SELECT count(*) FROM {table}")[0] == 1 + 342 + 3352  # Nederland, gemeenten, wijken
    alphen = query_row(con, f"SELECT count(*), min(inkomen_per_inwoner) FROM {table} WHERE wijkcode LIKE 'WK0484%'")
    assert alphen[0] == 16
    assert alphen[1] > 10
    missing = query_row(
        con,
        f"SELECT count(*) FILTER (WHERE inkomen_per_inwoner IS NULL) + count(*) FILTER (WHERE laagste_40_pct IS NULL)"
        f" + count(*) FILTER (WHERE hoogste_20_pct IS NULL) FROM {table}",
    )[0]
    assert missing == 832  # '.' = not available


def test_pc4_polygons(con, shared_data):
    layer = declared(
        Layer,
        shared_data,
        """
        {soort: vector, geometrie: vlakken, pad: pc4_vlakken_nl/PC4CODE-density.geojson, kolommen: {pc4: PC4CODE}}
    """,
    )
    frame = read_source("lagen.pc4", layer)
    assert len(frame) == 4038
    write_frame(con, "raw", layer_table("pc4"), frame)
    assert stage_layer(con, "pc4", layer)["rows"] == 4038
    assert query_row(con, "SELECT count(*) FROM staging.layer_pc4 WHERE length(pc4) <> 4")[0] == 0


def test_pc4_centroids_lat_lon_order(shared_data):
    text = """
        soort: json
        pad: pc4_centroiden_postcodetabel/postcodetabel-postal-code-city-aggregated.json
        tekenset: utf-8
        sleutelkolom: pc4
        decimaalteken: "."
        x: c.1
        y: c.0
        kolommen: {pc4: pc4, plaats: city}
    """
    frame = read_source("lagen.pc4_punten", declared(Layer, shared_data, textwrap.dedent(text) + "geometrie: punten"))
    assert frame.crs == "EPSG:28992"
    alphen = frame[frame["pc4"] == "2401"].geometry.iloc[0]
    assert 100_000 < alphen.x < 110_000
    assert 455_000 < alphen.y < 465_000
    swapped = text.replace("x: c.1", "x: c.0").replace("y: c.0", "y: c.1")
    with pytest.raises(SourceError, match="swap the 'x' and 'y' columns"):
        read_source("lagen.pc4_punten", declared(Layer, shared_data, textwrap.dedent(swapped) + "geometrie: punten"))


def test_rivm_health_monitor_padded_codes(con, shared_data):
    partner = declared(
        Partner,
        shared_data,
        """
        naam: gezondheid
        soort: csv
        sleutel: buurtcode
        scheidingsteken: ","
        decimaalteken: "."
        tekenset: utf-8
        pad: rivm_gezondheidsmonitor_2020/gezondheid_wijk_buurt_2020_18plus_nl.csv
        kolommen: {buurtcode: WijkenEnBuurten, eenzaam_pct: Eenzaam_28}
    """,
    )
    table = staged_partner(con, partner)
    alphen = query_row(
        con,
        f"SELECT count(*) FILTER (WHERE buurtcode = 'GM0484'), count(*) FILTER (WHERE buurtcode LIKE 'WK0484%'), "
        f"count(*) FILTER (WHERE buurtcode LIKE 'BU0484%') FROM {table}",
    )
    assert alphen == (1, 16, 100)  # 117 rows for GM0484
    assert query_row(con, f"SELECT typeof(eenzaam_pct) FROM {table} LIMIT 1")[0] == "DOUBLE"


def test_vivet_positional_json_keeps_bag_ids(con, shared_data):
    partner = declared(
        Partner,
        shared_data,
        """
        naam: vivet
        soort: json
        sleutel: bag_id
        pad: vivet_warmte_woningen_2025_gm0484/GM0484.json
        tekenset: utf-8
        records_pad: byVbo
        sleutelkolom: vbo_id
        veldnamen_pad: fields
        kolommen: {bag_id: vbo_id, energielabel: lb, gas_gj: gas}
    """,
    )
    table = staged_partner(con, partner)
    rows, unknown, short, zero_led = query_row(
        con,
        f"SELECT count(*), count(*) FILTER (WHERE energielabel IS NULL), count(*) FILTER (WHERE length(bag_id) <> 16),"
        f" count(*) FILTER (WHERE bag_id LIKE '0%') FROM {table}",
    )
    assert (rows, unknown, short) == (50_438, 30_176, 0)  # label 'x' = unknown
    assert zero_led == 36_489 + 6_304  # ids of 0484 and of former gemeente 0499 keep their leading zero


def test_facilities_reproject_onto_their_own_rd_coordinates(shared_data):
    layer = declared(
        Layer,
        shared_data,
        """
        {soort: vector, geometrie: punten, pad: vr_hollands_midden_voorzieningen_2016/politievestigingen.geojson}
    """,
    )
    frame = read_source("lagen.politie", layer)
    assert len(frame) == 36
    rd = frame[["X", "Y"]].astype(float).to_numpy()
    ours = np.column_stack([frame.geometry.x, frame.geometry.y])
    assert np.abs(ours - rd).max() < 2.0  # metres: our WGS84 -> RD New agrees with the publisher's X/Y
    schools = read_source(
        "lagen.scholen",
        declared(
            Layer,
            shared_data,
            """
        {soort: vector, geometrie: punten, pad: vr_hollands_midden_voorzieningen_2016/scholenonderwijs_bo.geojson,
         kolommen: {naam: VESTIGINGSNAAM}}
    """,
        ),
    )
    assert len(schools) == 268
    assert "VESTIGINGSNAAM" in schools.columns


def test_woonikveilig_nested_profiles(con, shared_data):
    partner = declared(
        Partner,
        shared_data,
        """
        naam: profielen
        soort: json
        sleutel: buurtcode
        tekenset: utf-8
        pad: woonikveilig_buurtprofielen_2024/GM0484.json
        records_pad: buurten
        kolommen: {buurtcode: code, misdrijven_per_1000: veiligheid.per1000,
                  goede_gezondheid_pct: gezondheid.goedErvarenGezondheid}
    """,
    )
    table = staged_partner(con, partner)
    rows, safety, health = query_row(
        con, f"SELECT count(*), count(misdrijven_per_1000), count(goede_gezondheid_pct) FROM {table}"
    )
    assert rows == 100
    assert health == 86
    assert safety <= 100


def test_ermelo_functional_areas_in_web_mercator(con, shared_data):
    layer = declared(
        Layer,
        shared_data,
        """
        soort: vector
        geometrie: vlakken
        pad: ermelo_cbs_bgt_sample/Functioneelgebied.gpkg
        kolommen: {type: bgtplustype}
        alleen: {type: ["niet-bgt:recreatie: speeltuin"]}
    """,
    )
    frame = read_source("lagen.functioneel", layer)
    assert len(frame) == 606
    assert frame.crs == "EPSG:28992"
    write_frame(con, "raw", layer_table("speeltuinen"), frame)
    assert stage_layer(con, "speeltuinen", layer)["rows"] == 219
