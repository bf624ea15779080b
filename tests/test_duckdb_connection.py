from __future__ import annotations

import os
import subprocess
import sys
import threading

import duckdb
import pytest
from pyproj import Transformer

from ogw_datalab import duckdb_connection
from ogw_datalab.duckdb_connection import SpatialExtensionError, attach, connect

from .fixtures import storage_of


def test_spatial_functions_work_offline(con):
    area = con.execute("SELECT ST_Area(ST_GeomFromText('POLYGON((0 0, 10 0, 10 10, 0 10, 0 0))'))").fetchone()[0]
    assert area == 100.0


def test_autoinstall_is_off(con):
    setting = con.execute("SELECT current_setting('autoinstall_known_extensions')").fetchone()[0]
    assert setting is False


def test_a_process_that_shares_the_cores_gives_its_connections_its_share(monkeypatch, tmp_path):
    monkeypatch.setattr(duckdb_connection, "_THREADS", None)  # as a new process starts; restored after the test
    cores = len(os.sched_getaffinity(0))
    duckdb_connection.share_cores(2)  # one of two workers of ``build --workers 2``
    for database in (":memory:", tmp_path / "gedeeld.duckdb"):
        con = connect(database)
        assert con.execute("SELECT current_setting('threads')").fetchone()[0] == max(1, cores // 2)
        con.close()
    duckdb_connection.share_cores(4 * cores)  # more workers than cores: one thread each, never none
    con = connect(":memory:")
    assert con.execute("SELECT current_setting('threads')").fetchone()[0] == 1
    con.close()


def test_rd_new_to_wgs84_matches_pyproj(con):
    points = [(155_000.0, 463_000.0), (104_500.0, 461_200.0), (233_000.0, 582_000.0)]
    to_wgs84 = Transformer.from_crs("EPSG:28992", "EPSG:4326", always_xy=True)
    for x, y in points:
        lon, lat = con.execute(
            "SELECT ST_X(g), ST_Y(g) FROM (SELECT ST_Transform(ST_Point($x, $y), 'EPSG:28992', 'EPSG:4326', "
            "always_xy := true) AS g)",
            {"x": x, "y": y},
        ).fetchone()
        expected_lon, expected_lat = to_wgs84.transform(x, y)
        assert lon == pytest.approx(expected_lon, abs=1e-7)
        assert lat == pytest.approx(expected_lat, abs=1e-7)


def test_database_file_is_created_with_its_folder(tmp_path):
    path = tmp_path / "nested" / "lab.duckdb"
    connection = connect(path)
    connection.execute("CREATE TABLE t AS SELECT 1 AS x")
    connection.close()
    assert path.is_file()


def test_a_new_database_keeps_points_as_numbers_and_an_old_one_its_own_format(tmp_path):
    """A file this library creates is in DuckDB 1.5's format, where a column of points is two columns of doubles
    (read without taking WKB apart); a file in the format DuckDB gives when not asked (that of DuckDB 1.0) keeps
    it, and its points as WKB."""
    points = "SELECT range AS bronrij, ST_Point(range * 1.5, 450000 - range) AS geometry FROM range(200000)"
    new = connect(tmp_path / "nieuw.duckdb")
    new.execute(f"CREATE TABLE punten AS {points}")
    new.execute("CHECKPOINT")
    tags = "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'datalab'"
    assert new.execute(tags).fetchone()[0].startswith("v1.5")
    assert storage_of(new, "punten", "geometry") == {"DOUBLE"}
    assert new.execute("SELECT sum(ST_X(geometry)), max(ST_Y(geometry)) FROM punten").fetchone() == (
        sum(i * 1.5 for i in range(200000)),
        450000.0,
    )
    new.close()
    old_path = tmp_path / "oud.duckdb"
    old = duckdb.connect(str(old_path))  # DuckDB's default format for a new file: that of an older DuckDB
    old.close()
    old = connect(old_path)
    old.execute(f"CREATE TABLE punten AS {points}")
    old.execute("CHECKPOINT")
    assert storage_of(old, "punten", "geometry") == {"GEOMETRY"}
    old.close()


def test_missing_extension_gives_one_clear_error(monkeypatch):
    def fail(_con):
        raise duckdb.IOException("no network")

    monkeypatch.setattr(duckdb_connection, "_load_installed", lambda _con: False)
    monkeypatch.setattr(duckdb_connection, "find_shipped_spatial_extension", lambda: None)
    monkeypatch.setattr(duckdb_connection, "_install_from_network", fail)
    with pytest.raises(SpatialExtensionError, match="duckdb-extension-spatial=="):
        connect(":memory:")


def test_connect_and_attach_wait_while_another_process_writes(tmp_path, monkeypatch):
    other = tmp_path / "jaar.duckdb"
    seed = duckdb.connect(str(other))
    seed.execute("CREATE TABLE t AS SELECT 1 AS x")
    seed.close()
    holder = subprocess.Popen(  # another process holds the write lock until we tell it to let go
        [
            sys.executable,
            "-c",
            f"import duckdb, sys; c = duckdb.connect({str(other)!r}); print('locked', flush=True); "
            "sys.stdin.readline(); c.close()",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdin is not None
    assert holder.stdout is not None
    assert holder.stdout.readline().strip() == "locked"
    with pytest.raises(duckdb.IOException, match="(?i)lock"):
        connect(other, read_only=True, wait_s=0)
    waiting = threading.Event()
    real_sleep = duckdb_connection.time.sleep

    def sleep_and_say_so(seconds: float) -> None:
        waiting.set()  # the attach met the lock and waits: the handshake, no race against a clock
        real_sleep(seconds)

    monkeypatch.setattr(duckdb_connection.time, "sleep", sleep_and_say_so)
    con = connect(tmp_path / "main.duckdb")
    attached = threading.Thread(target=attach, args=(con, other, "jaargang"), kwargs={"wait_s": 60})
    attached.start()
    assert waiting.wait(timeout=60)
    assert attached.is_alive()
    holder.stdin.write("go\n")
    holder.stdin.flush()
    attached.join(timeout=60)
    assert not attached.is_alive()
    assert con.execute("SELECT x FROM jaargang.t").fetchone() == (1,)
    con.close()
    holder.communicate(timeout=30)


def test_a_table_of_an_attached_database_is_not_taken_for_ones_own(tmp_path):
    """The inbox's trial build attaches the published database beside its own: its tables must not count."""
    from ogw_datalab.maps.tijdreeksen import has_table
    from ogw_datalab.storage import drop_relation, relation_kind

    other = tmp_path / "gepubliceerd.duckdb"
    with duckdb.connect(str(other)) as published:
        published.execute("CREATE SCHEMA joined; CREATE TABLE joined.adressen_buurt AS SELECT 1 AS bronrij")
    own = connect(tmp_path / "werk.duckdb")
    try:
        attach(own, other, "huidig")
        assert relation_kind(own, "joined", "adressen_buurt") is None
        assert not has_table(own, "joined", "adressen_buurt")
        drop_relation(own, "joined", "adressen_buurt")  # nothing of its own to drop, and the other stays
        own.execute("CREATE SCHEMA joined; CREATE VIEW joined.adressen_buurt AS SELECT 2 AS bronrij")
        assert relation_kind(own, "joined", "adressen_buurt") == "VIEW"
        assert own.execute("SELECT count(*) FROM huidig.joined.adressen_buurt").fetchone() == (1,)
    finally:
        own.close()
