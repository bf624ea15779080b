"""Reading point time series: layouts, explicit time zones with summer time, units, padded numbers."""

from __future__ import annotations

import pandas as pd
import pytest

from ogw_datalab.config import ConfigError, TijdreeksBron, load_config
from ogw_datalab.timeseries.aggregate import hours_in_month, hours_in_period
from ogw_datalab.timeseries.read_series import SeriesError, read_source


def bron(path, **settings) -> TijdreeksBron:
    return TijdreeksBron.model_validate({"pad": path, **settings})


def utc(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def test_long_table_in_utc_with_unit_conversion_and_quantity_spellings(tmp_path):
    path = tmp_path / "metingen.csv"
    path.write_text(
        "station;moment;stof;waarde;eenheid\n"
        "NL49014;2024-01-27T10:00:00Z;PM2.5;13,1;ug/m3\n"
        "NL49014;2024-01-27T11:00:00+00:00;pm25;12,0;µg/m³\n"
        "NL49014;2024-01-27T10:00:00Z;CO;0,25;mg/m3\n"
        "NL49014;2024-01-27T11:00:00Z;no2;;ug/m3\n",
        encoding="utf-8",
    )
    read = read_source(
        bron(
            path,
            soort="long",
            scheidingsteken=";",
            decimaalteken=",",
            tijd={"kolom": "moment", "zone": "UTC"},
            kolommen={"sensor": "station", "grootheid": "stof", "waarde": "waarde", "eenheid": "eenheid"},
        ),
        "tijdreeksen.t.bronnen.0",
    )
    frame = read.observations.set_index(["grootheid", "tijd"])
    assert frame.loc[("PM25", utc("2024-01-27 10:00")), "waarde"] == pytest.approx(13.1)
    assert frame.loc[("PM25", utc("2024-01-27 11:00")), "waarde"] == pytest.approx(12.0)
    assert frame.loc[("CO", utc("2024-01-27 10:00")), "waarde"] == pytest.approx(250.0)  # mg/m³ -> µg/m³
    assert set(read.observations["eenheid"]) == {"µg/m³"}
    assert read.counts == {"lege_cellen": 1, "onleesbare_waarden": 0, "rijen": 4, "waarden": 3}


def test_wide_table_with_three_header_lines_padded_numbers_and_nan(tmp_path):
    path = tmp_path / "airbox.csv"
    path.write_text(
        "Time,AB46,AB46,AB47\n"
        "Time,NO2,PM2.5,NO2\n"
        "[UTC],[ug/m-3],[ug/m-3],[ug/m-3]\n"
        "06-06-16 00:00, 14.100,NaN,  9.7\n"
        "06-06-16 01:00,NaN, 3.5, 8.25\n",
        encoding="utf-8",
    )
    read = read_source(
        bron(
            path,
            soort="wide",
            tijd={"kolom": "Time", "zone": "UTC", "formaat": "%d-%m-%y %H:%M"},
            kopregels=["sensor", "grootheid", "eenheid"],
            sensor_namen={"AB46": "ecn_AB46"},
        ),
        "w",
    )
    rows = {(r.sensor, r.grootheid, r.tijd): r.waarde for r in read.observations.itertuples()}
    assert rows == {
        ("ecn_AB46", "NO2", utc("2016-06-06 00:00")): 14.1,
        ("ecn_AB46", "PM25", utc("2016-06-06 01:00")): 3.5,
        ("AB47", "NO2", utc("2016-06-06 00:00")): 9.7,
        ("AB47", "NO2", utc("2016-06-06 01:00")): 8.25,
    }
    assert read.counts["lege_cellen"] == 2
    assert set(read.observations["bronrij"]) == {1, 2}


def test_times_with_their_own_offset_become_utc(tmp_path):
    path = tmp_path / "no2.csv"
    path.write_text(
        "localTime,ggd\n2016-06-02 00:00:00+02:00, 14.100\n2016-12-02 00:00:00+01:00, 9.0\n", encoding="utf-8"
    )
    read = read_source(
        bron(path, soort="wide", tijd={"kolom": "localTime", "zone": "offset"}, grootheid="NO2", eenheid="ug/m3"),
        "w",
    )
    assert list(read.observations["tijd"]) == [utc("2016-06-01 22:00"), utc("2016-12-01 23:00")]


def test_offset_zone_refuses_a_time_without_offset(tmp_path):
    path = tmp_path / "no2.csv"
    path.write_text("t,s\n2016-06-02 00:00:00+02:00,1\n2016-06-02 01:00:00,2\n", encoding="utf-8")
    with pytest.raises(SeriesError, match=r"w \(no2.csv\): row 2: time '2016-06-02 01:00:00' carries no UTC offset"):
        read_source(
            bron(path, soort="wide", tijd={"kolom": "t", "zone": "offset"}, grootheid="NO2", eenheid="ug/m3"), "w"
        )


def test_utc_zone_refuses_a_local_offset(tmp_path):
    path = tmp_path / "no2.csv"
    path.write_text("t,s\n2016-06-02T00:00:00Z,1\n2016-06-02T01:00:00+02:00,2\n", encoding="utf-8")
    with pytest.raises(SeriesError, match="row 2: time '2016-06-02T01:00:00\\+02:00' carries a non-UTC offset"):
        read_source(bron(path, soort="wide", tijd={"kolom": "t", "zone": "UTC"}, grootheid="NO2", eenheid="ug/m3"), "w")


def local_file(tmp_path, times: list[str]):
    path = tmp_path / "lokaal.csv"
    path.write_text("tijd,s\n" + "".join(f"{t},{i}\n" for i, t in enumerate(times)), encoding="utf-8")
    return path


def test_repeated_hour_when_summer_time_ends_is_placed_by_order(tmp_path):
    # 30 October 2016: 03:00 CEST becomes 02:00 CET, so 02:00 local happens twice.
    path = local_file(tmp_path, ["2016-10-30 01:00", "2016-10-30 02:00", "2016-10-30 02:00", "2016-10-30 03:00"])
    read = read_source(
        bron(path, soort="wide", tijd={"zone": "Europe/Amsterdam"}, grootheid="NO2", eenheid="ug/m3"), "w"
    )
    assert list(read.observations["tijd"]) == [
        utc("2016-10-29 23:00"),
        utc("2016-10-30 00:00"),  # 02:00 CEST
        utc("2016-10-30 01:00"),  # 02:00 CET
        utc("2016-10-30 02:00"),
    ]


def test_a_lone_repeated_hour_is_refused_unless_a_rule_says_what_it_is(tmp_path):
    path = local_file(tmp_path, ["2016-10-30 01:00", "2016-10-30 02:00", "2016-10-30 03:00"])
    zone = {"zone": "Europe/Amsterdam"}
    with pytest.raises(SeriesError, match="row 2: 2016-10-30 02:00:00 happens twice in Europe/Amsterdam"):
        read_source(bron(path, soort="wide", tijd=zone, grootheid="NO2", eenheid="ug/m3"), "w")
    winter = read_source(
        bron(path, soort="wide", tijd=zone | {"dubbelzinnig": "wintertijd"}, grootheid="NO2", eenheid="ug/m3"), "w"
    )
    assert winter.observations["tijd"].iloc[1] == utc("2016-10-30 01:00")
    dropped = read_source(
        bron(path, soort="wide", tijd=zone | {"dubbelzinnig": "weglaten"}, grootheid="NO2", eenheid="ug/m3"), "w"
    )
    assert len(dropped.observations) == 2
    assert dropped.counts["dubbelzinnige_tijd"] == 1


def test_the_skipped_hour_when_summer_time_starts_is_an_error_or_left_out(tmp_path):
    # 27 March 2016: 02:00 CET becomes 03:00 CEST; 02:30 does not exist.
    path = local_file(tmp_path, ["2016-03-27 01:00", "2016-03-27 02:00", "2016-03-27 03:00"])
    zone = {"zone": "Europe/Amsterdam"}
    with pytest.raises(SeriesError, match="row 2: 2016-03-27 02:00:00 does not exist in Europe/Amsterdam"):
        read_source(bron(path, soort="wide", tijd=zone, grootheid="NO2", eenheid="ug/m3"), "w")
    read = read_source(
        bron(path, soort="wide", tijd=zone | {"niet_bestaand": "weglaten"}, grootheid="NO2", eenheid="ug/m3"), "w"
    )
    assert list(read.observations["tijd"]) == [utc("2016-03-27 00:00"), utc("2016-03-27 01:00")]
    assert read.counts["niet_bestaande_tijd"] == 1


def test_times_labelling_the_end_of_their_hour_are_stored_by_its_start(tmp_path):
    path = local_file(tmp_path, ["2016-07-01 00:00"])
    read = read_source(
        bron(path, soort="wide", tijd={"zone": "Europe/Amsterdam", "label": "eind"}, grootheid="NO2", eenheid="ug/m3"),
        "w",
    )
    assert read.observations["tijd"].iloc[0] == utc("2016-06-30 21:00")  # 23:00-24:00 local on 30 June


def test_times_off_the_hour_need_interval_ruw(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("tijd,s\n2016-06-02T00:00:00Z,1\n2016-06-02T00:02:12Z,2\n", encoding="utf-8")
    settings = {"soort": "wide", "tijd": {"zone": "UTC"}, "grootheid": "NO2", "eenheid": "ug/m3"}
    with pytest.raises(SeriesError, match="row 2: 2016-06-02 00:02:12\\+00:00 is not on the hour"):
        read_source(bron(path, **settings), "w")
    read = read_source(bron(path, **settings, interval="ruw"), "w")
    assert list(read.observations["waarde"]) == [1.5]


def test_wrong_decimal_mark_is_refused_not_read_as_missing(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("tijd;s\n2016-06-02T00:00:00Z;14,1\n2016-06-02T01:00:00Z;13,9\n", encoding="utf-8")
    with pytest.raises(
        SeriesError, match="100% of the values are not numbers \\(for example '14,1'\\); check 'decimaalteken'"
    ):
        read_source(
            bron(path, soort="wide", scheidingsteken=";", tijd={"zone": "UTC"}, grootheid="NO2", eenheid="ug/m3"), "w"
        )


def test_unknown_unit_is_an_error_naming_it(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("tijd,s\n2016-06-02T00:00:00Z,14\n", encoding="utf-8")
    with pytest.raises(SeriesError, match="unknown unit 'ppb'"):
        read_source(bron(path, soort="wide", tijd={"zone": "UTC"}, grootheid="NO2", eenheid="ppb"), "w")


SENSOR_COMMUNITY = """sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2
7;SDS011;5;52.372;4.900;2026-03-01T00:01:00;11.00;;;8.50;;
7;SDS011;5;52.372;4.900;2026-03-01T00:03:30;13.00;;;9.00;;
7;SDS011;5;52.372;4.900;2026-03-01T01:58:00;10.00;;;unavailable;;
"""


def test_sensor_community_archive_hourly_means_and_moves(tmp_path):
    folder = tmp_path / "archief"
    folder.mkdir()
    (folder / "2026-03-01_sds011_sensor_7.csv").write_text(SENSOR_COMMUNITY, encoding="utf-8")
    moved = "sensor_id;sensor_type;location;lat;lon;timestamp;P1;durP1;ratioP1;P2;durP2;ratioP2\n"
    moved += "7;SDS011;9;52.360;4.870;2026-03-02T10:15:00;20.00;;;12.00;;\n"
    (folder / "2026-03-02_sds011_sensor_7.csv").write_text(moved, encoding="utf-8")
    read = read_source(
        bron(folder / "*.csv", soort="sensor_community", tijd={"kolom": "timestamp", "zone": "UTC"}, interval="ruw"),
        "sc",
    )
    rows = {(r.grootheid, r.tijd): r.waarde for r in read.observations.itertuples()}
    assert rows == {
        ("PM10", utc("2026-03-01 00:00")): 12.0,  # mean of two readings
        ("PM25", utc("2026-03-01 00:00")): 8.75,
        ("PM10", utc("2026-03-01 01:00")): 10.0,
        ("PM10", utc("2026-03-02 10:00")): 20.0,
        ("PM25", utc("2026-03-02 10:00")): 12.0,
    }
    assert set(read.observations["sensor"]) == {"LTD_7"}
    assert read.counts["onleesbare_waarden"] == 1
    periods = read.sensors.sort_values("van").reset_index(drop=True)
    # periods start on the hour of the first reading there, so that hour (stored by its start) is placed
    assert list(periods["van"]) == [utc("2026-03-01 00:00"), utc("2026-03-02 10:00")]
    assert periods["tot"].iloc[0] == utc("2026-03-02 10:00")
    assert pd.isna(periods["tot"].iloc[1])


def test_sensor_community_minimum_readings_per_hour(tmp_path):
    path = tmp_path / "sc.csv"
    path.write_text(SENSOR_COMMUNITY, encoding="utf-8")
    read = read_source(
        bron(path, soort="sensor_community", tijd={"kolom": "timestamp", "zone": "UTC"}, min_waarden_per_uur=2), "sc"
    )
    assert set(read.observations["tijd"]) == {utc("2026-03-01 00:00")}
    assert read.counts["uren_te_weinig_metingen"] == 1  # PM10 at 01:00 rests on one reading


def test_glob_that_matches_nothing_is_named(tmp_path):
    with pytest.raises(SeriesError, match="sc: no file matches .*nergens"):
        read_source(bron(tmp_path / "nergens" / "*.csv", soort="sensor_community", tijd={"zone": "UTC"}), "sc")


def test_months_with_a_clock_change_have_743_or_745_hours():
    assert hours_in_month("2016-03", "Europe/Amsterdam") == 743
    assert hours_in_month("2016-10", "Europe/Amsterdam") == 745
    assert hours_in_month("2016-07", "Europe/Amsterdam") == 744
    assert hours_in_period("2016-06", "2016-08", "Europe/Amsterdam") == 720 + 744 + 744


def test_config_errors_name_the_key(tmp_path):
    config = tmp_path / "c.yaml"
    config.write_text(
        """
gemeente: {code: GM0363, naam: Amsterdam}
jaar: 2015
bronnen:
  buurten: {soort: cbs_wijkbuurtkaart, pad: b.gpkg}
  wijken: {soort: cbs_wijkbuurtkaart, pad: b.gpkg}
indicatoren: i.yaml
opgaven: o.yaml
tijdreeksen:
  lucht:
    sensoren: {pad: s.csv, kolommen: {sensor: id}, x: lon, y: lat}
    bronnen:
      - {soort: breed, pad: a.csv, tijd: {zone: Europe/Amsterdam}}
      - {soort: wide, pad: b.csv, tijd: {zone: CEST}, grootheid: NO2, eenheid: ug/m3}
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_config(config, check_files=False)
    message = str(error.value)
    assert (
        "tijdreeksen.lucht.bronnen.0.soort: unknown soort 'breed'; choose one of long, wide, sensor_community"
        in message
    )
    assert "tijdreeksen.lucht.bronnen.1.tijd.zone: unknown time zone 'CEST'" in message


def test_missing_time_series_files_are_named_with_their_key(tmp_path):
    for name in ("b.gpkg", "i.yaml", "o.yaml", "s.csv"):
        (tmp_path / name).write_text("x", encoding="utf-8")
    config = tmp_path / "c.yaml"
    config.write_text(
        """
gemeente: {code: GM0363, naam: Amsterdam}
jaar: 2015
bronnen:
  buurten: {soort: cbs_wijkbuurtkaart, pad: b.gpkg}
  wijken: {soort: cbs_wijkbuurtkaart, pad: b.gpkg}
indicatoren: i.yaml
opgaven: o.yaml
tijdreeksen:
  lucht:
    sensoren: {pad: s.csv, kolommen: {sensor: id}, x: lon, y: lat}
    bronnen:
      - {soort: wide, pad: ontbreekt.csv, tijd: {zone: UTC}, grootheid: NO2, eenheid: ug/m3}
      - {soort: sensor_community, pad: archief/*.csv, tijd: {zone: UTC}}
""",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError) as error:
        load_config(config)
    assert f"tijdreeksen.lucht.bronnen.0.pad: file not found: {tmp_path / 'ontbreekt.csv'}" in str(error.value)
    assert f"tijdreeksen.lucht.bronnen.1.pad: no file matches {tmp_path / 'archief' / '*.csv'}" in str(error.value)
