"""Time-series fetchers against local servers answering like the Luchtmeetnet open API and SensorThings (Samenmeten),
including paging, a broken page, the cache, and the files the time-series reader then reads."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from ogw_datalab.config import Tijdreeks
from ogw_datalab.fetch import FetchError, FetchSettings, HttpCache, fetch_luchtmeetnet, fetch_sensorthings
from ogw_datalab.fetch.fetch_sources import default_window, fetch_tijdreeks_bron
from ogw_datalab.fetch.fetch_timeseries import codegemeente
from ogw_datalab.timeseries.stage import prepare_tijdreeks

from .fake_services import fake_server, luchtmeetnet_routes, sensorthings_routes

FAST = FetchSettings(timeout_s=5, retries=2, backoff_s=0.01)
STATIONS = {
    "NL49014": ("Amsterdam-Vondelpark", 4.866208, 52.359714),
    "NL49019": ("Amsterdam-Oude Schans", 4.9044, 52.372056),
}


def hourly(station: str, formula: str, start: str, hours: int, first: float) -> list[tuple[str, str, str, float]]:
    times = pd.date_range(start, periods=hours, freq="h", tz="UTC")
    return [(station, formula, t.isoformat(), first + i) for i, t in enumerate(times)]


MEASUREMENTS = (
    hourly("NL49014", "NO2", "2016-06-01 00:00", 60, 10.0)  # 2.5 days: crosses the 2-day windows
    + hourly("NL49014", "PM25", "2016-06-01 00:00", 4, 5.0)
    + hourly("NL49019", "NO2", "2016-06-01 00:00", 5, 30.0)
)


def luchtmeetnet(server, tmp_path, cache, **settings):
    return fetch_luchtmeetnet(
        server.base_url + "/open_api",
        tmp_path / "lml.csv",
        tmp_path / "lml_stations.csv",
        stations=["NL49014", "NL49019"],
        grootheden={"NO2": "NO2", "PM25": "PM25"},
        start=dt.date(2016, 6, 1),
        end=dt.date(2016, 6, 4),
        cache=cache,
        window_days=2,
        **settings,
    )


def test_luchtmeetnet_walks_pages_and_windows_and_writes_what_the_reader_reads(tmp_path):
    with fake_server() as server:
        luchtmeetnet_routes(server, STATIONS, MEASUREMENTS)
        counts = luchtmeetnet(server, tmp_path, HttpCache(tmp_path / "cache", FAST))
        queries = [q for q in server.queries if "formula" in q]
    assert counts["stations"] == 2
    assert counts["metingen"] == 60 + 4 + 5
    assert all(q["start"][0] < q["end"][0] and "order_by" in q for q in queries)  # never without start and end
    assert counts["paginas"] == len(queries)
    assert max(int(q["page"][0]) for q in queries) > 1
    frame = pd.read_csv(tmp_path / "lml.csv")
    no2 = frame[(frame["sensor"] == "NL49014") & (frame["grootheid"] == "NO2")]
    assert list(no2["waarde"]) == [10.0 + i for i in range(60)]  # no hour twice at a window's inclusive end
    stations = pd.read_csv(tmp_path / "lml_stations.csv").set_index("sensor")
    assert stations.loc["NL49014", ["lon", "lat"]].tolist() == [4.866208, 52.359714]
    assert stations.loc["NL49014", "soort"] == "referentie"
    reeks = Tijdreeks.model_validate(
        {
            "bronnen": [
                {
                    "soort": "long",
                    "pad": tmp_path / "lml.csv",
                    "tijd": {"zone": "offset"},
                    "kolommen": {
                        "sensor": "sensor",
                        "grootheid": "grootheid",
                        "waarde": "waarde",
                        "eenheid": "eenheid",
                    },
                    "sensoren": {
                        "pad": tmp_path / "lml_stations.csv",
                        "kolommen": {"sensor": "sensor", "soort": "soort", "van": "van", "tot": "tot"},
                        "x": "lon",
                        "y": "lat",
                        "crs": "EPSG:4326",
                    },
                }
            ]
        }
    )
    staged = prepare_tijdreeks("lml", reeks)
    assert len(staged.observations) == 69
    assert staged.observations["geldig"].all()
    assert set(staged.periods["soort"]) == {"referentie"}


def test_luchtmeetnet_broken_page_is_retried_and_a_page_that_stays_broken_stops_without_writing(tmp_path):
    def truncated_once(page, hits):
        if page == 2 and hits == 2:
            return 200, {"Content-Type": "application/json", "X-Declared-Length": "400"}, b'{"pagination": {"curr'
        return None

    with fake_server() as server:
        luchtmeetnet_routes(server, STATIONS, MEASUREMENTS, broken=truncated_once)
        counts = luchtmeetnet(server, tmp_path, HttpCache(tmp_path / "cache", FAST))
        requests = server.hits["/open_api/measurements"]
    assert counts["metingen"] == 69
    assert requests == counts["paginas"] + 1
    before = (tmp_path / "lml.csv").read_bytes()

    def gateway_timeout(page, _hits):
        return (504, {"Content-Type": "text/html"}, b"<html>504 Gateway Time-out</html>") if page == 3 else None

    with fake_server() as server:
        luchtmeetnet_routes(server, STATIONS, MEASUREMENTS, broken=gateway_timeout)
        with pytest.raises(FetchError, match="gave up after 3 attempts; last problem: HTTP 504"):
            luchtmeetnet(server, tmp_path, HttpCache(tmp_path / "cache2", FAST))
    assert (tmp_path / "lml.csv").read_bytes() == before  # the earlier file is untouched


def test_luchtmeetnet_old_windows_come_from_the_cache_recent_ones_are_fetched_again(tmp_path):
    today = dt.datetime.now(dt.UTC).date()
    recent = hourly("NL49014", "NO2", str(today - dt.timedelta(days=2)), 24, 1.0)
    with fake_server() as server:
        luchtmeetnet_routes(server, STATIONS, MEASUREMENTS + recent)
        cache = HttpCache(tmp_path / "cache", FAST)
        luchtmeetnet(server, tmp_path, cache)
        first = sum(server.hits.values())
        luchtmeetnet(server, tmp_path, HttpCache(tmp_path / "cache", FAST))
        assert sum(server.hits.values()) == first  # 2016: nothing new can arrive
        settings = {"stations": ["NL49014"], "grootheden": {"NO2": "NO2"}, "cache": HttpCache(tmp_path / "cache", FAST)}
        window = {"start": today - dt.timedelta(days=2), "end": today}
        fetch_luchtmeetnet(server.base_url + "/open_api", tmp_path / "r.csv", tmp_path / "s.csv", **settings, **window)
        again = sum(server.hits.values())
        fetch_luchtmeetnet(server.base_url + "/open_api", tmp_path / "r.csv", tmp_path / "s.csv", **settings, **window)
        assert sum(server.hits.values()) > again  # late data may still arrive: asked again
    assert len(pd.read_csv(tmp_path / "r.csv")) == 24


def thing(thing_id, name, code, location, streams, history=()):
    return {
        "id": thing_id,
        "name": name,
        "codegemeente": code,
        "location": location,
        "history": list(history),
        "datastreams": streams,
    }


def observations(start: str, values: list) -> list[tuple[str, object]]:
    times = pd.date_range(start, periods=len(values), freq="h", tz="UTC")
    return [(t.strftime("%Y-%m-%dT%H:%M:%S.000Z"), v) for t, v in zip(times, values, strict=True)]


THINGS = [
    thing(
        7270,
        "HLL_hl_device_465",
        "363",
        (4.90, 52.37),
        [
            (38617, "pm25_kal", "ug/m3", observations("2016-06-30 22:00", [8.6, 9.1, None, "NaN", 7.5])),
            (38618, "pm25", "ug/m3", observations("2016-06-30 22:00", [20.0, 21.0])),  # raw: not asked for
            (38619, "rh", "%", observations("2016-06-30 22:00", [80.0])),
        ],
        history=[("2016-06-01T00:00:00.000Z", 4.88, 52.36), ("2016-07-01T00:00:00.000Z", 4.90, 52.37)],
    ),
    thing(
        7271, "LTD_54329", "363", (4.91, 52.38), [(40001, "pm25_kal", "ug/m3", observations("2016-07-02 00:00", [3.0]))]
    ),
    thing(
        7272,
        "GLB_elders",
        "392",
        (4.63, 52.38),
        [(40002, "pm25_kal", "ug/m3", observations("2016-07-02 00:00", [99.0]))],
    ),
]


def samenmeten(server, tmp_path, cache):
    return fetch_sensorthings(
        server.base_url + "/v1.0",
        tmp_path / "sm.csv",
        tmp_path / "sm_sensoren.csv",
        gemeente="363",
        grootheden={"pm25_kal": "PM25"},
        start=dt.date(2016, 7, 1),
        end=dt.date(2016, 8, 1),
        cache=cache,
    )


def test_sensorthings_things_of_the_gemeente_their_datastreams_and_paged_observations(tmp_path):
    with fake_server() as server:
        sensorthings_routes(server, THINGS, page_size=2)
        counts = samenmeten(server, tmp_path, HttpCache(tmp_path / "cache", FAST))
        things_query = server.queries[0]
    assert things_query["$filter"] == ["properties/codegemeente eq '363'"]
    assert (counts["things"], counts["datastreams"], counts["metingen"], counts["onleesbaar"]) == (2, 2, 2, 2)
    assert counts["paginas"] == 7  # Things, 2 x Datastreams (one paged), 2 x Observations (one paged)
    frame = pd.read_csv(tmp_path / "sm.csv")
    # 30 June 22:00Z and 23:00Z are before the window (1 July 00:00Z); the null and "NaN" results are no numbers.
    assert list(zip(frame["sensor"], frame["tijd"], frame["waarde"], strict=True)) == [
        ("HLL_hl_device_465", "2016-07-01T02:00:00.000Z", 7.5),
        ("LTD_54329", "2016-07-02T00:00:00.000Z", 3.0),
    ]
    assert set(frame["grootheid"]) == {"PM25"}
    assert "GLB_elders" not in set(frame["sensor"])
    sensors = pd.read_csv(tmp_path / "sm_sensoren.csv", keep_default_na=False)
    moved = sensors[sensors["sensor"] == "HLL_hl_device_465"]
    assert list(moved["van"]) == ["2016-06-01T00:00:00.000Z", "2016-07-01T00:00:00.000Z"]
    assert list(moved["tot"]) == ["2016-07-01T00:00:00.000Z", ""]
    assert list(moved["lon"]) == [4.88, 4.90]
    still = sensors[sensors["sensor"] == "LTD_54329"]
    assert (still["van"].iloc[0], still["lon"].iloc[0], still["soort"].iloc[0]) == ("", 4.91, "laagkosten")


def test_sensorthings_broken_page_is_retried_and_a_foreign_answer_is_refused(tmp_path):
    def flaky(path, hits):
        if path.endswith("Datastreams(38617)/Observations") and hits == 1:
            return 500, {"Content-Type": "text/plain"}, b"Internal Server Error"
        return None

    with fake_server() as server:
        sensorthings_routes(server, THINGS, broken=flaky)
        counts = samenmeten(server, tmp_path, HttpCache(tmp_path / "cache", FAST))
        hits = server.hits["/v1.0/Datastreams(38617)/Observations"]
    assert counts["metingen"] == 2
    assert hits >= 2

    def html(path, _hits):
        return (
            (200, {"Content-Type": "application/json"}, json.dumps({"error": "maintenance"}).encode())
            if path.endswith("Things")
            else None
        )

    with fake_server() as server:
        sensorthings_routes(server, THINGS, broken=html)
        with pytest.raises(FetchError, match="not a SensorThings collection \\(no 'value' list\\)"):
            samenmeten(server, tmp_path, HttpCache(tmp_path / "cache2", FAST))


def test_sensorthings_gemeente_without_things_is_explained(tmp_path):
    with fake_server() as server:
        sensorthings_routes(server, THINGS)
        with pytest.raises(FetchError, match="no Things with codegemeente '999'; check the code"):
            fetch_sensorthings(
                server.base_url + "/v1.0",
                tmp_path / "x.csv",
                tmp_path / "y.csv",
                gemeente="999",
                grootheden={"pm25_kal": "PM25"},
                start=dt.date(2016, 7, 1),
                end=dt.date(2016, 8, 1),
                cache=HttpCache(tmp_path / "cache", FAST),
            )


def test_codegemeente_and_default_window():
    assert codegemeente("GM0363") == "363"
    assert codegemeente("GM0014") == "14"
    assert default_window(dt.date(2027, 1, 15)) == (dt.date(2026, 12, 1), dt.date(2027, 1, 15))


def test_a_configured_download_writes_one_file_per_window_that_the_glob_reads(tmp_path):
    reeks = Tijdreeks.model_validate(
        {
            "bronnen": [
                {
                    "soort": "long",
                    "pad": tmp_path / "lml" / "metingen_*.csv",
                    "tijd": {"zone": "offset"},
                    "kolommen": {
                        "sensor": "sensor",
                        "grootheid": "grootheid",
                        "waarde": "waarde",
                        "eenheid": "eenheid",
                    },
                    "sensoren": {
                        "pad": tmp_path / "lml" / "stations.csv",
                        "kolommen": {"sensor": "sensor", "soort": "soort"},
                        "x": "lon",
                        "y": "lat",
                        "crs": "EPSG:4326",
                    },
                    "download": {
                        "dienst": "luchtmeetnet",
                        "url": "http://placeholder/open_api",
                        "stations": ["NL49014", "NL49019"],
                        "grootheden": {"NO2": "NO2"},
                    },
                }
            ]
        }
    )
    with fake_server() as server:
        luchtmeetnet_routes(server, STATIONS, MEASUREMENTS)
        bron = reeks.bronnen[0]
        bron = bron.model_copy(
            update={"download": bron.download.model_copy(update={"url": server.base_url + "/open_api"})}
        )
        cache = HttpCache(tmp_path / "cache", FAST)
        first, _ = fetch_tijdreeks_bron(bron, cache, "GM0363", start=dt.date(2016, 6, 1), end=dt.date(2016, 6, 2))
        second, _ = fetch_tijdreeks_bron(bron, cache, "GM0363", start=dt.date(2016, 6, 2), end=dt.date(2016, 6, 4))
    assert first.name == "metingen_2016-06-01_2016-06-02.csv"
    assert second.name == "metingen_2016-06-02_2016-06-04.csv"
    staged = prepare_tijdreeks("lml", reeks.model_copy(update={"bronnen": [bron]}))
    no2 = staged.observations[staged.observations["sensor"] == "NL49014"]
    assert len(no2) == 60
    assert not no2["dubbel"].any()


def test_fetch_command_downloads_a_time_series_source(tmp_path, capsys):
    from pipelines.cli import main

    with fake_server() as server:
        luchtmeetnet_routes(server, STATIONS, MEASUREMENTS)
        config = tmp_path / "gemeente.yaml"
        config.write_text(
            f"""
gemeente: {{code: GM0363, naam: Amsterdam}}
jaar: 2015
bronnen:
  buurten: {{soort: cbs_wijkbuurtkaart, pad: buurt.geojson}}
  wijken: {{soort: cbs_wijkbuurtkaart, pad: wijk.geojson}}
indicatoren: indicatoren.yaml
opgaven: opgaven.yaml
uitvoer: {{cache: cache}}
tijdreeksen:
  lucht:
    bronnen:
      - soort: long
        pad: data/luchtmeetnet_*.csv
        tijd: {{zone: offset}}
        kolommen: {{sensor: sensor, grootheid: grootheid, waarde: waarde, eenheid: eenheid}}
        sensoren: {{pad: data/stations.csv, kolommen: {{sensor: sensor, soort: soort}}, x: lon, y: lat, crs: EPSG:4326}}
        download:
          dienst: luchtmeetnet
          url: {server.base_url}/open_api
          stations: [NL49014]
          grootheden: {{NO2: NO2}}
          van: "2016-06-01"
          tot: "2016-06-03"
""",
            encoding="utf-8",
        )
        assert main(["fetch", "--config", str(config)]) == 0
    printed = capsys.readouterr().out
    assert "tijdreeksen.lucht.bronnen.0: 48 metingen" in printed
    assert "luchtmeetnet_2016-06-01_2016-06-03.csv" in printed
    assert (tmp_path / "data" / "stations.csv").is_file()
