"""Months of a time series as partitions of their own: one month computed alone equals that month of a yearly build,
is replaced whole, and late data (a changed file) brings back exactly the months whose values changed."""

from __future__ import annotations

import json

import dagster as dg
import pandas as pd
import pytest
import yaml

from ogw_datalab.duckdb_connection import connect
from ogw_datalab.timeseries.aggregate import aggregate_tijdreeks
from ogw_datalab.timeseries.months import (
    MonthError,
    compute_month,
    files_of_series,
    month_store,
    months_to_compute,
    read_month,
)
from ogw_datalab.timeseries.stage import stage_tijdreeks

from .factories import buurten_in_amsterdam, indicator, timeseries_config, write_series

AUGUST = pd.date_range("2016-07-31 22:00", periods=24 * 31, freq="h", tz="UTC")


def add_august(folder, value: float = 50.0) -> None:
    """laag3 keeps measuring in August (every hour ``value``)."""
    rows = [f"laag3,{t.strftime('%Y-%m-%dT%H:%M:%SZ')},NO2,{value:g},ug/m3" for t in AUGUST]
    with (folder / "metingen.csv").open("a", encoding="utf-8") as file:
        file.write("\n".join(rows) + "\n")


@pytest.fixture
def lab(tmp_path):
    """A published database of four Amsterdam buurten and a July + August series, as a gemeente build leaves it."""
    write_series(tmp_path)
    add_august(tmp_path)
    settings = timeseries_config(tmp_path)
    settings = settings.model_copy(
        update={"uitvoer": settings.uitvoer.model_copy(update={"database": tmp_path / "data" / "datalab.duckdb"})}
    )
    con = connect(settings.uitvoer.database)
    buurten_in_amsterdam(con)
    con.close()
    return settings


def test_one_month_alone_equals_that_month_of_the_yearly_build(lab):
    rows = compute_month(lab, "2016-07-01")
    stored = read_month(lab, "2016-07")
    assert set(stored) == {"lucht.buurt", "lucht.wijk"}
    assert rows["lucht.buurt"] == len(stored["lucht.buurt"]) > 0
    low = stored["lucht.buurt"].set_index(["buurtcode", "grootheid", "soort"]).loc[("BU00010001", "NO2", "laagkosten")]
    assert low["gemiddelde"] == pytest.approx((400 * 15 + 344 * 10) / 744)  # as in test_reference_and_low_cost_apart
    assert set(stored["lucht.buurt"]["maand"]) == {"2016-07"}
    con = connect()
    buurten_in_amsterdam(con)
    stage_tijdreeks(con, lab, "lucht")
    aggregate_tijdreeks(con, lab, "lucht", ("buurt", "wijk"))
    for level, table in (("buurt", "tijdreeks_lucht_maand"), ("wijk", "tijdreeks_lucht_wijk_maand")):
        year = con.execute(f"SELECT * FROM joined.{table} WHERE maand = '2016-07' ORDER BY ALL").df()
        pd.testing.assert_frame_equal(stored[f"lucht.{level}"], year, check_dtype=False)
    august = read_month(lab, "2016-08") or {}
    assert august == {}  # a month is only there once computed
    compute_month(lab, "2016-08")
    august_low = read_month(lab, "2016-08")["lucht.buurt"]
    assert august_low.loc[august_low["buurtcode"] == "BU00010002", "gemiddelde"].tolist() == [50.0]


def test_a_month_is_replaced_whole_and_nothing_is_left_beside_it(lab):
    compute_month(lab, "2016-07")
    first = read_month(lab, "2016-07")
    compute_month(lab, "2016-07")
    assert sorted(p.name for p in month_store(lab).iterdir()) == ["2016-07"]
    pd.testing.assert_frame_equal(read_month(lab, "2016-07")["lucht.buurt"], first["lucht.buurt"])


def test_without_a_published_build_the_month_says_what_to_do_first(lab):
    lab.uitvoer.database.unlink()
    with pytest.raises(MonthError, match=r"Proefdorp \(GM0001\) has no published build .* build the gemeente once"):
        compute_month(lab, "2016-07")
    with pytest.raises(MonthError, match="'juli' is not a month"):
        compute_month(lab, "juli")


def test_late_data_brings_back_only_the_months_whose_values_changed(lab, tmp_path):
    files = files_of_series(lab)
    known, todo = months_to_compute(lab, {})
    assert todo == ["2016-07", "2016-08"]  # never computed
    for month in todo:
        compute_month(lab, month)
    assert months_to_compute(lab, known) == (known, [])
    # August is re-sent with other values: only August changes; the file's fingerprint changes too
    text = (tmp_path / "metingen.csv").read_text(encoding="utf-8").replace(",NO2,50,", ",NO2,60,")
    (tmp_path / "metingen.csv").write_text(text, encoding="utf-8")
    assert files_of_series(lab) != files
    now, todo = months_to_compute(lab, known)
    assert todo == ["2016-08"]
    assert now["2016-07"] == known["2016-07"]


def write_config(folder, settings) -> str:
    """The configuration as a file, with a catalogue and one opgave on the series, for the Dagster runs."""
    raw = json.loads(settings.model_dump_json(exclude={"config_file"}, exclude_none=True))
    bron = {"uitgever": "t", "dataset": "t", "jaar": 2016, "licentie": "CC0"}
    formule = {"type": "tijdreeks_gemiddelde", "tijdreeks": "lucht", "grootheid": "NO2", "soort": "laagkosten"}
    formule |= {"maand_van": "2016-07", "maand_tot": "2016-08"}
    no2 = indicator("no2", formule, titel="NO2", eenheid="µg/m³", bron=bron)
    (folder / "i.yaml").write_text(yaml.safe_dump({"indicatoren": [no2]}))
    opgave = {
        "id": "lucht",
        "titel": "Lucht",
        "angel": "a",
        "indicatoren": [{"id": "no2", "gewicht": 1, "richting": "lager_is_beter"}],
    }
    (folder / "o.yaml").write_text(yaml.safe_dump({"opgaven": [opgave]}))
    raw["indicatoren"], raw["opgaven"] = str(folder / "i.yaml"), str(folder / "o.yaml")
    path = folder / "lab.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_the_sensor_and_the_schedule_ask_for_the_right_month_partitions(lab, tmp_path):
    from pipelines.definitions import defs
    from pipelines.resources import DataLabResource
    from pipelines.schedules import monthly_timeseries
    from pipelines.sensors import late_sensor_data

    resource = DataLabResource(config_path=write_config(tmp_path, lab))
    with dg.instance_for_test() as instance:
        instance.add_dynamic_partitions("gemeente", ["GM0001"])
        with dg.build_sensor_context(instance=instance, resources={"datalab": resource}) as context:
            first = late_sensor_data(context)
            cursor = context.cursor
        assert [r.partition_key for r in first] == ["GM0001|2016-07-01", "GM0001|2016-08-01"]
        assert {r.job_name for r in first} == {"timeseries_month"}  # the first look: no republish
        job = defs.resolve_job_def("timeseries_month")
        for request in first:
            result = job.execute_in_process(
                instance=instance, partition_key=request.partition_key, resources={"datalab": resource}
            )
            assert result.success
        assert sorted(p.name for p in month_store(lab).iterdir()) == ["2016-07", "2016-08"]
        with dg.build_sensor_context(instance=instance, resources={"datalab": resource}, cursor=cursor) as context:
            assert isinstance(late_sensor_data(context), dg.SkipReason)  # nothing changed
            text = (tmp_path / "metingen.csv").read_text(encoding="utf-8").replace(",NO2,50,", ",NO2,60,")
            (tmp_path / "metingen.csv").write_text(text, encoding="utf-8")
            late = late_sensor_data(context)
        assert [(r.job_name, r.partition_key) for r in late] == [
            ("timeseries_month", "GM0001|2016-08-01"),
            ("build", "GM0001|2016"),
        ]
        when = pd.Timestamp("2016-09-01 06:00", tz="Europe/Amsterdam").to_pydatetime()
        with dg.build_schedule_context(
            instance=instance, resources={"datalab": resource}, scheduled_execution_time=when
        ) as schedule:
            assert [r.partition_key for r in monthly_timeseries(schedule)] == ["GM0001|2016-08-01"]
