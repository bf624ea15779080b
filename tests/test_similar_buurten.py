"""Vergelijkbare buurten: nearest buurten by standardised structure, and how a buurt compares with them."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from ogw_datalab.config import DEFAULT_KENMERKEN, Kenmerk, Source, load_config
from ogw_datalab.files import file_hash
from ogw_datalab.indicators import read_reference
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.read_reference import cached_reference, load_reference_buurten
from ogw_datalab.indicators.similar_buurten import (
    FEATURES,
    SimilarityError,
    compare_with_similar,
    find_similar_buurten,
    kaart_values,
    structure_features,
)
from ogw_datalab.indicators.store_similar_buurten import read_reference_table, store_similar_buurten
from ogw_datalab.readers.read_areas import read_cbs_areas
from ogw_datalab.storage import write_frame
from pipelines.definitions import defs

from .labs import PROJECT

TWO = ["aandeel_65plus", "aandeel_0_14"]


def features(rows: list[tuple[str, str, float, float]], inwoners: float = 1000) -> pd.DataFrame:
    """Buurten with two features (share 65+, share 0-14); the gemeente is the code's digits 3-6."""
    return pd.DataFrame(
        {
            "buurtcode": [r[0] for r in rows],
            "buurtnaam": [r[1] for r in rows],
            "gemeentecode": ["GM" + r[0][2:6] for r in rows],
            "gemeentenaam": ["Gemeente " + r[0][2:6] for r in rows],
            "aantal_inwoners": inwoners,
            "aandeel_65plus": [r[2] for r in rows],
            "aandeel_0_14": [r[3] for r in rows],
        }
    )


def neighbours(result, code: str) -> list[str]:
    return result.pairs.loc[result.pairs["buurtcode"] == code, "vergelijkbare_buurtcode"].tolist()


def test_twins_elsewhere_come_first_and_the_own_gemeente_is_left_out():
    frame = features(
        [
            ("BU00010001", "Oud", 30, 10),
            ("BU00010002", "Oud bis", 30, 10),  # same gemeente, same structure
            ("BU00020001", "Tweeling", 30, 10),  # another gemeente, same structure
            ("BU00020002", "Jong", 10, 30),
            ("BU00030001", "Bijna", 29, 11),
            ("BU00030002", "Ver", 10, 29),
        ]
    )
    result = find_similar_buurten(frame, kenmerken=TWO, aantal=2)
    assert neighbours(result, "BU00010001") == ["BU00020001", "BU00030001"]
    first = result.pairs[result.pairs["buurtcode"] == "BU00010001"].iloc[0]
    assert first["afstand"] == 0
    assert first["rang"] == 1
    assert first["vergelijkbare_buurtnaam"] == "Tweeling"
    # Never the buurt itself; with zelfde_gemeente the own gemeente's twin counts (equal distances: lower code first).
    together = find_similar_buurten(frame, kenmerken=TWO, aantal=2, zelfde_gemeente=True)
    assert neighbours(together, "BU00010001") == ["BU00010002", "BU00020001"]
    assert not (result.pairs["buurtcode"] == result.pairs["vergelijkbare_buurtcode"]).any()
    assert not (result.pairs["buurtcode"].str[2:6] == result.pairs["vergelijkbare_gemeentecode"].str[2:6]).any()


def test_standardisation_and_distance_by_hand():
    frame = features([("BU00010001", "a", 10, 0), ("BU00020001", "b", 20, 0), ("BU00030001", "c", 30, 3)])
    result = find_similar_buurten(frame, kenmerken=TWO, aantal=1)
    table = result.standardisation.set_index("kenmerk")
    assert table.loc["aandeel_65plus", "gemiddelde"] == pytest.approx(20)
    assert table.loc["aandeel_65plus", "standaardafwijking"] == pytest.approx(10)  # sample sd of 10, 20, 30
    assert table.loc["aandeel_0_14", "standaardafwijking"] == pytest.approx(np.sqrt(3))
    # a-b: (10 / 10) in 65+, 0 in 0-14 -> 1.0; b-c: 1.0 and 3 / sqrt(3) -> sqrt(1 + 3) = 2.
    pairs = result.pairs.set_index("buurtcode")
    assert pairs.loc["BU00010001", "vergelijkbare_buurtcode"] == "BU00020001"
    assert pairs.loc["BU00010001", "afstand"] == pytest.approx(1.0)
    assert pairs.loc["BU00030001", "vergelijkbare_buurtcode"] == "BU00020001"
    assert pairs.loc["BU00030001", "afstand"] == pytest.approx(2.0)


def test_densities_compare_on_a_log_scale():
    frame = features([("BU00010001", "a", 0, 0), ("BU00020001", "b", 0, 0), ("BU00030001", "c", 0, 0)])
    frame["bevolkingsdichtheid"] = [99.0, 999.0, 9999.0]
    frame["aandeel_65plus"] = [10.0, 10.0, 11.0]
    result = find_similar_buurten(frame, kenmerken=["bevolkingsdichtheid", "aandeel_65plus"], aantal=1)
    row = result.standardisation.set_index("kenmerk").loc["bevolkingsdichtheid"]
    assert row["transformatie"] == "log10(1 + x)"
    assert row["gemiddelde"] == pytest.approx(3.0)
    assert row["standaardafwijking"] == pytest.approx(1.0)


def test_small_and_incomplete_buurten_are_neither_compared_nor_a_comparison():
    frame = features(
        [
            ("BU00010001", "a", 30, 10),
            ("BU00020001", "b", 31, 10),
            ("BU00030001", "c", 10, 30),
            ("BU00040001", "d", 30, 10),
        ]
    )
    frame.loc[3, "aantal_inwoners"] = 40  # d: an exact twin of a, but with 40 inhabitants
    frame.loc[2, "aandeel_0_14"] = np.nan  # c: a secret figure
    frame = pd.concat([frame, features([("BU00050001", "e", 11, 29)])], ignore_index=True)
    result = find_similar_buurten(frame, kenmerken=TWO, aantal=1, min_inwoners=100)
    assert result.excluded == {"te_weinig_inwoners": 1, "kenmerk_onbekend": 1}
    assert set(result.pairs["buurtcode"]) == {"BU00010001", "BU00020001", "BU00050001"}
    assert neighbours(result, "BU00010001") == ["BU00020001"]


def test_only_the_requested_buurten_are_searched_for():
    frame = features([("BU00010001", "a", 30, 10), ("BU00020001", "b", 31, 10), ("BU00030001", "c", 10, 30)])
    result = find_similar_buurten(frame, kenmerken=TWO, aantal=1, buurtcodes=["bu00030001"])
    assert result.pairs["buurtcode"].tolist() == ["BU00030001"]
    with pytest.raises(SimilarityError, match="buurten not in the reference"):
        find_similar_buurten(frame, kenmerken=TWO, aantal=1, buurtcodes=["BU00990001"])
    # a gemeente none of whose buurten is in the reference (another year's codes): no pairs, no error
    none = find_similar_buurten(frame, kenmerken=TWO, aantal=1, buurtcodes=[])
    assert none.pairs.empty
    assert list(none.pairs.columns) == list(result.pairs.columns)


def test_comparison_sentence_median_and_too_few_values():
    similar = pd.DataFrame(
        {
            "buurtcode": ["BU00010001"] * 10 + ["BU00010002"] * 10,
            "rang": list(range(1, 11)) * 2,
            "vergelijkbare_buurtcode": [f"BU0002{i:04d}" for i in range(10)] * 2,
        }
    )
    others = pd.DataFrame(
        {"buurtcode": [f"BU0002{i:04d}" for i in range(10)], "waarde": [1, 2, 3, 4, 5, 6, 7, 8, 20, 30]}
    )
    values = pd.concat(
        [others, pd.DataFrame({"buurtcode": ["BU00010001", "BU00010002"], "waarde": [10, 5]})], ignore_index=True
    ).assign(indicator="x")
    result = compare_with_similar(similar, values).set_index("buurtcode")
    assert result.loc["BU00010001", "tekst"] == "hoger dan 8 van 10 vergelijkbare buurten"
    assert result.loc["BU00010001", "mediaan_vergelijkbaar"] == pytest.approx(5.5)
    assert (result.loc["BU00010001", "lager"], result.loc["BU00010001", "hoger"]) == (8, 2)
    assert result.loc["BU00010002", "tekst"] == "lager dan 5 van 10 vergelijkbare buurten"  # 4 lower, 1 equal, 5 higher
    # Suppressed neighbours do not count; below min_met_waarde there is no comparison, and the reason says why.
    values.loc[values["buurtcode"].isin([f"BU0002{i:04d}" for i in range(6)]), "waarde"] = np.nan
    sparse = compare_with_similar(similar, values, min_met_waarde=5).set_index("buurtcode")
    assert pd.isna(sparse.loc["BU00010001", "tekst"])
    assert pd.isna(sparse.loc["BU00010001", "mediaan_vergelijkbaar"])
    assert sparse.loc["BU00010001", "reden"] == "te weinig vergelijkbare buurten met een waarde (4 van 10)"
    assert (
        compare_with_similar(similar, values, min_met_waarde=4).set_index("buurtcode").loc["BU00010001", "tekst"]
        == "gelijk aan het midden van 4 vergelijkbare buurten"
    )  # 7 and 8 lower, 20 and 30 higher


def test_every_configurable_feature_has_columns():
    assert set(FEATURES) == set(Kenmerk.__args__)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------------------------
# The real near-national set.


@pytest.fixture(scope="module")
def national(shared_data):
    areas = read_cbs_areas(shared_data / "cbs_wijkbuurtkaart_2015_*/**/buurt.geojson")
    frame = structure_features(areas.frame, DEFAULT_KENMERKEN)
    started = time.perf_counter()
    result = find_similar_buurten(frame, kenmerken=DEFAULT_KENMERKEN)
    return areas, frame, result, time.perf_counter() - started


def test_real_neighbours_are_exact_and_elsewhere(national):
    _, frame, result, seconds = national
    pairs = result.pairs
    assert seconds < 30  # about 1 s on the 2-core machine for 9,742 buurten
    eligible = frame[(frame["aantal_inwoners"] >= 100) & frame[DEFAULT_KENMERKEN].notna().all(axis=1)]
    assert pairs["buurtcode"].nunique() == len(eligible)
    assert (pairs.groupby("buurtcode").size() == 10).all()
    assert result.excluded["te_weinig_inwoners"] == int((~(frame["aantal_inwoners"] >= 100)).sum())
    assert not (pairs["buurtcode"].str[2:6] == pairs["vergelijkbare_gemeentecode"].str[2:6]).any()
    # Brute force on a sample: no buurt of another gemeente is closer than the 10th similar buurt.
    z = eligible[DEFAULT_KENMERKEN].astype(float).copy()
    z["bevolkingsdichtheid"] = np.log10(1 + z["bevolkingsdichtheid"])
    z = ((z - z.mean()) / z.std(ddof=1)).to_numpy()
    codes, gemeenten = eligible["buurtcode"].to_numpy(), eligible["gemeentecode"].to_numpy()
    for i in np.random.default_rng(1).choice(len(eligible), 100, replace=False):
        distances = np.sqrt(((z - z[i]) ** 2).sum(axis=1))
        distances[gemeenten == gemeenten[i]] = np.inf
        found = pairs[pairs["buurtcode"] == codes[i]]
        assert found["afstand"].max() == pytest.approx(np.sort(distances)[9], abs=1e-3)
        assert found["afstand"].iloc[0] == pytest.approx(distances.min(), abs=1e-3)


def test_real_neighbours_look_alike(national):
    """Ambachtenbuurt (Alphen): its most similar buurten have nearly the same figures."""
    _, frame, result, _ = national
    indexed = frame.set_index("buurtcode")
    own = indexed.loc["BU04840105", DEFAULT_KENMERKEN]
    others = indexed.loc[result.pairs.loc[result.pairs["buurtcode"] == "BU04840105", "vergelijkbare_buurtcode"]]
    assert (others["stedelijkheid"] == own["stedelijkheid"]).all()
    assert (abs(others["aandeel_65plus"] - own["aandeel_65plus"]) <= 3).all()
    assert (abs(others["huishoudensgrootte"] - own["huishoudensgrootte"]) <= 0.15).all()


def test_real_kaart_values_follow_privacy(national):
    areas, _, _, _ = national
    config = load_config(PROJECT / "config" / "harderwijk_2015.yaml", check_files=False)
    catalogue = load_catalogue(config.indicatoren)
    values = kaart_values(areas.frame, catalogue, config)
    assert set(values["indicator"]) == {
        "inwoners", "huishoudens", "aandeel_65plus_pct", "aandeel_0_14_pct", "eenpersoonshuishoudens_pct",
        "huishoudensgrootte", "bevolkingsdichtheid", "autos_per_huishouden",
    }  # fmt: skip
    p65 = values[values["indicator"] == "aandeel_65plus_pct"].set_index("buurtcode")["waarde"]
    raw = areas.frame.set_index("BU_CODE")
    small = raw.index[raw["AANT_INW"] < config.privacy.min_inwoners]
    assert p65.loc[small].isna().all()
    large = raw.index[raw["AANT_INW"] >= config.privacy.min_inwoners]
    assert (p65.loc[large] == raw.loc[large, "P_65_EO_JR"]).all()


def test_without_the_setting_the_tables_exist_and_are_empty(con):
    config = load_config(PROJECT / "config" / "demo.yaml", check_files=False)
    assert config.vergelijkbare_buurten is None
    counts = store_similar_buurten(con, config, load_catalogue(config.indicatoren))
    assert counts["paren"] == 0
    assert counts["vergelijkingen"] == 0
    for table, columns in (
        ("vergelijkbare_buurten", ["buurtcode", "rang", "vergelijkbare_buurtcode", "vergelijkbare_buurtnaam"]),
        ("vergelijking_vergelijkbaar", ["buurtcode", "indicator", "waarde", "mediaan_vergelijkbaar", "tekst"]),
    ):
        frame = con.execute(f"SELECT * FROM indicators.{table}").df()
        assert len(frame) == 0
        assert set(columns) <= set(frame.columns)


# ---------------------------------------------------------------------------------------------
# The reference kaart: an input of the graph, read once into a file named by the content it was read from.


def region_files(shared_data: Path, folder: Path, regions=("flevoland", "gooi_en_vechtstreek")) -> Path:
    """Copies of two regions' buurt and gemeente files of the 2015 kaart; returns the pattern naming them."""
    for region in regions:
        (folder / region).mkdir(parents=True)
        for name in ("buurt.geojson", "gemeente.geojson"):
            source = shared_data / "cbs_wijkbuurtkaart_2015_nl" / region / name
            (folder / region / name).write_bytes(source.read_bytes())
    return folder / "*" / "buurt.geojson"


def edit_geojson(path: Path, change) -> None:
    document = json.loads(path.read_text(encoding="utf-8"))
    change(document["features"])
    path.write_text(json.dumps(document), encoding="utf-8")


def cached_frame(con, path: Path) -> pd.DataFrame:
    return con.execute("SELECT * FROM read_parquet(?)", [str(path)]).df()


def test_the_reference_is_read_once_into_a_file_named_by_the_content_it_came_from(
    tmp_path, con, shared_data, monkeypatch
):
    pattern = region_files(shared_data, tmp_path / "kaart")
    source = Source(soort="cbs_wijkbuurtkaart", pad=pattern)
    cache = tmp_path / "cache"
    first = cached_reference(source, cache=cache, where="bronnen.buurten", con=con)
    assert first.parent == cache / "vergelijkbare_buurten"
    merged = read_cbs_areas(pattern).frame
    frame = cached_frame(con, first)
    assert list(frame.columns) == [c for c in merged.columns if c != "geometry"]
    assert frame["BU_CODE"].tolist() == merged["BU_CODE"].tolist()  # each buurt once, slivers of neighbours left out
    assert frame["P_65_EO_JR"].equals(merged["P_65_EO_JR"])  # CBS secret values missing, as the reader leaves them
    assert set(frame["bronbestand"]) == {"flevoland/buurt.geojson", "gooi_en_vechtstreek/buurt.geojson"}

    def never(*args, **kwargs):
        raise AssertionError("the kaart was read again")

    monkeypatch.setattr(read_reference, "read_cbs_areas", never)
    monkeypatch.setattr(read_reference, "file_hash", never)  # unchanged files are not even hashed again
    assert cached_reference(source, cache=cache, where="bronnen.buurten", con=con) == first
    monkeypatch.setattr(read_reference, "file_hash", file_hash)
    kaart = tmp_path / "kaart" / "flevoland" / "buurt.geojson"
    os.utime(kaart, (time.time() + 60, time.time() + 60))  # touched, not changed: hashed again, the same file
    assert cached_reference(source, cache=cache, where="bronnen.buurten", con=con) == first
    monkeypatch.undo()

    # A changed figure, or a changed gemeente layer (which decides what is a sliver), is read again.
    code = frame.loc[frame["bronbestand"] == "flevoland/buurt.geojson", "BU_CODE"].iloc[0]
    edit_geojson(kaart, lambda features: [f["properties"].update(P_65_EO_JR=99) for f in features[:1]])
    second = cached_reference(source, cache=cache, where="bronnen.buurten", con=con)
    assert second != first
    assert cached_frame(con, second).set_index("BU_CODE").loc[code, "P_65_EO_JR"] == 99
    assert cached_frame(con, first).set_index("BU_CODE").loc[code, "P_65_EO_JR"] != 99  # the old file untouched
    urk = frame["GM_CODE"].eq("GM0184")
    assert urk.any()
    edit_geojson(
        kaart.with_name("gemeente.geojson"),
        lambda features: features.remove(next(f for f in features if f["properties"]["GM_CODE"] == "GM0184")),
    )
    third = cached_frame(con, cached_reference(source, cache=cache, where="bronnen.buurten", con=con))
    assert set(third["BU_CODE"]) == set(frame.loc[~urk, "BU_CODE"])  # Urk's buurten are now slivers: left out


def test_a_build_searches_the_reference_table_and_finds_what_the_kaart_gives(tmp_path, con, national):
    """Harderwijk: the buurten searched come from raw.vergelijkbare_buurten_referentie, loaded through the cache;
    the pairs equal the method's on the national kaart read directly."""
    _, frame, _, _ = national
    config = load_config(PROJECT / "config" / "harderwijk_2015.yaml", check_files=False)
    config = config.model_copy(update={"uitvoer": config.uitvoer.model_copy(update={"cache": tmp_path / "cache"})})
    catalogue = load_catalogue(config.indicatoren)
    loaded = load_reference_buurten(con, config)
    assert loaded is not None
    assert loaded.bron == "vergelijkbare_buurten.referentie"
    assert loaded.cache.parent == tmp_path / "cache" / "vergelijkbare_buurten"
    table = con.execute("SELECT * FROM raw.vergelijkbare_buurten_referentie").df()
    assert table["BU_CODE"].tolist() == frame["buurtcode"].tolist()  # 11,700 buurten, each once, in the kaart's order
    assert {"bronbestand", "bestandsrij", "P_65_EO_JR", "STED", "AANTAL_HH", "AUTO_HH"} <= set(table.columns)
    assert "P_MAROKKO" not in table.columns  # a kerncijfer nothing compares
    assert "OAD" not in table.columns  # a structure feature this configuration does not choose
    own = frame.loc[frame["gemeentecode"] == "GM0243", "buurtcode"].sort_values().tolist()
    write_frame(con, "staging", "buurten", pd.DataFrame({"buurtcode": own}))
    publication = pd.DataFrame({"indicator": "x", "buurtcode": own, "status": "gepubliceerd", "waarde": 1.0})
    write_frame(con, "indicators", "publicatie_buurt", publication)
    counts = store_similar_buurten(con, config, catalogue)
    settings = config.vergelijkbare_buurten
    expected = find_similar_buurten(
        frame,
        kenmerken=settings.kenmerken,
        aantal=settings.aantal,
        min_inwoners=settings.min_inwoners,
        buurtcodes=own,
    ).pairs
    pairs = con.execute("SELECT * FROM indicators.vergelijkbare_buurten ORDER BY buurtcode, rang").df()
    assert counts["paren"] == len(expected) > 0
    assert pairs["vergelijkbare_buurtcode"].tolist() == expected["vergelijkbare_buurtcode"].tolist()
    assert pairs["afstand"].tolist() == expected["afstand"].tolist()


def test_without_the_setting_there_is_no_reference(con):
    config = load_config(PROJECT / "config" / "demo.yaml", check_files=False)
    assert load_reference_buurten(con, config) is None
    with pytest.raises(SimilarityError, match="raw.vergelijkbare_buurten_referentie is missing"):
        read_reference_table(con)


def test_the_reference_is_an_input_of_the_graph():
    graph = defs.resolve_asset_graph()
    reference = dg.AssetKey(["raw", "vergelijkbare_buurten_referentie"])
    assert reference in graph.get(dg.AssetKey(["indicators", "vergelijkbare_buurten"])).parent_keys
    assert graph.get(reference).partitions_def is not None  # built in every gemeente's run, from the one cache file
