"""Partner rows at rest: owner-only files, DuckDB encryption and key rotation, retention, and the audit trail."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from ogw_datalab import audit
from ogw_datalab.audit import latest_source_files, record_source_files, source_dates
from ogw_datalab.config import ConfigError, load_config
from ogw_datalab.duckdb_connection import DatabaseKeyError, connect
from ogw_datalab.encryption import (
    MissingKeyError,
    compact_database,
    copy_database,
    database_key,
    open_database,
    rotate_database_key,
)
from ogw_datalab.files import copy_private, file_hash, make_private_dir, permissions, secure_database_files
from ogw_datalab.inbox import archived_versions, process_inbox
from ogw_datalab.retention import apply_retention
from ogw_datalab.storage import write_frame

from .factories import GOOD, drop, minimal_config
from .fixtures import storage_of
from .labs import Lab, demo_config, run_cli, slim_demo_config

KEY = "proef-sleutel-7f3a9c2e41b8d605"
NEW_KEY = "nieuwe-sleutel-0b9e5d17c4a23f68"
ADDRESS = "Kerkstraat 12 Waardhoven"  # a partner value that must never be readable from the file


@pytest.fixture
def umask():
    """Run with the most permissive umask; whatever the library writes must still be owner-only."""
    previous = os.umask(0o000)
    yield
    os.umask(previous)


def write_partner_rows(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    con.execute(
        "CREATE OR REPLACE TABLE raw.partner_corporatie AS "
        "SELECT ? AS adres, range AS huisnummer, ST_Point(100000 + range, 450000) AS geometry FROM range(200)",
        [ADDRESS],
    )


@pytest.mark.parametrize("mask", [0o000, 0o022])
def test_a_new_database_and_its_folder_are_owner_only_whatever_the_umask(tmp_path, mask):
    previous = os.umask(mask)
    try:
        database = tmp_path / "nieuw" / "lab.duckdb"
        con = connect(database)
        write_partner_rows(con)
        assert not database.with_name("lab.duckdb.wal").exists()  # no WAL with rows in plain text
        con.close()
        assert permissions(database) == 0o600
        assert permissions(database.parent) == 0o700
        assert permissions(database.with_name(".lab.duckdb.tmp")) == 0o700  # DuckDB's spill folder
        assert sorted(p.name for p in database.parent.iterdir()) == [".lab.duckdb.tmp", "lab.duckdb"]
    finally:
        os.umask(previous)


def test_an_existing_database_and_a_leftover_wal_are_tightened(tmp_path, umask):
    database = tmp_path / "lab.duckdb"
    plain = duckdb.connect(str(database))  # written by something else, with the umask's 0666
    plain.execute("CREATE TABLE t AS SELECT 1 AS x")
    plain.close()
    wal = tmp_path / "lab.duckdb.wal"
    wal.write_bytes(b"")
    assert permissions(database) == 0o666
    connect(database).close()
    assert permissions(database) == 0o600
    assert secure_database_files(database) == [database]  # the empty WAL was replayed and removed


def test_private_helpers_ignore_the_umask_and_refuse_links(tmp_path, umask):
    folder = make_private_dir(tmp_path / "a" / "b")
    assert permissions(folder) == 0o700
    source = tmp_path / "bron.csv"
    source.write_text("x\n", encoding="utf-8")
    copied = copy_private(source, folder / "kopie.csv")
    assert permissions(copied) == 0o600
    assert copied.read_text(encoding="utf-8") == "x\n"
    assert [p.name for p in folder.iterdir()] == ["kopie.csv"]  # no temporary file left behind


def test_an_encrypted_database_is_unreadable_without_its_key(tmp_path, umask):
    database = tmp_path / "lab.duckdb"
    con = connect(database, encryption_key=KEY)
    write_partner_rows(con)
    con.close()
    assert permissions(database) == 0o600
    assert ADDRESS.encode() not in database.read_bytes()
    plain = tmp_path / "plain.duckdb"  # the same rows unencrypted do show in the bytes: the check can fail
    con = connect(plain)
    write_partner_rows(con)
    con.close()
    assert ADDRESS.encode() in plain.read_bytes()
    with pytest.raises(DatabaseKeyError, match="is encrypted and no key was given"):
        connect(database)
    with pytest.raises(DatabaseKeyError, match="cannot be opened with this key"):
        connect(database, encryption_key=NEW_KEY)
    with pytest.raises(duckdb.Error, match="without a key"):
        duckdb.connect(str(database))  # DuckDB itself refuses too
    with pytest.raises(DatabaseKeyError, match="is not encrypted but a key was given"):
        connect(plain, encryption_key=KEY)
    con = connect(database, encryption_key=KEY, read_only=True)
    assert con.execute("SELECT count(*), min(adres) FROM raw.partner_corporatie").fetchone() == (200, ADDRESS)
    assert con.execute("SELECT ST_X(geometry) FROM raw.partner_corporatie WHERE huisnummer = 3").fetchone() == (
        100003.0,
    )
    con.close()
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["lab.duckdb", "plain.duckdb"]


def test_a_byte_copy_is_owner_only_and_opens_with_the_same_key(tmp_path, umask):
    database = tmp_path / "lab.duckdb"
    con = connect(database, encryption_key=KEY)
    write_partner_rows(con)
    con.close()
    copy = copy_database(database, tmp_path / "bouw" / "lab.nieuw.duckdb")
    assert permissions(copy) == 0o600
    con = connect(copy, encryption_key=KEY)
    con.execute("DELETE FROM raw.partner_corporatie WHERE huisnummer BETWEEN 10 AND 19")
    con.close()
    with pytest.raises(DatabaseKeyError):
        connect(copy)
    con = connect(copy, encryption_key=KEY, read_only=True)
    assert con.execute("SELECT count(*) FROM raw.partner_corporatie").fetchone() == (190,)
    con.close()


def test_the_key_comes_from_the_variable_the_configuration_names(tmp_path, monkeypatch):
    config_path = minimal_config(tmp_path)
    text = config_path.read_text(encoding="utf-8")
    with_variable = text.replace("kaarten: maps", "kaarten: maps\n  sleutel_variabele: OGW_TEST_SLEUTEL")
    config_path.write_text(with_variable, "utf-8")
    config = load_config(config_path, check_files=False)
    monkeypatch.delenv("OGW_TEST_SLEUTEL", raising=False)
    with pytest.raises(MissingKeyError, match="set the environment variable OGW_TEST_SLEUTEL to its key"):
        open_database(config)
    assert not config.uitvoer.database.exists()  # nothing was created, let alone decrypted
    monkeypatch.setenv("OGW_TEST_SLEUTEL", KEY)
    assert database_key(config.uitvoer) == KEY
    con = open_database(config)
    write_partner_rows(con)
    con.close()
    with pytest.raises(DatabaseKeyError):
        connect(config.uitvoer.database)
    # The key itself in the configuration file is refused, and not repeated in the message.
    config_path.write_text(text.replace("kaarten: maps", f"kaarten: maps\n  sleutel_variabele: '{KEY}'"), "utf-8")
    with pytest.raises(ConfigError, match="never the key itself") as error:
        load_config(config_path, check_files=False)
    assert KEY not in str(error.value)


def test_key_rotation_reencrypts_and_the_old_key_stops_working(tmp_path, umask):
    database = tmp_path / "lab.duckdb"
    con = connect(database)
    write_partner_rows(con)
    con.close()
    rotate_database_key(database, old_key=None, new_key=KEY)  # encrypt an existing plain database
    assert ADDRESS.encode() not in database.read_bytes()
    rotate_database_key(database, old_key=KEY, new_key=NEW_KEY)
    assert permissions(database) == 0o600
    with pytest.raises(DatabaseKeyError, match="cannot be opened with this key"):
        connect(database, encryption_key=KEY)
    con = connect(database, encryption_key=NEW_KEY, read_only=True)
    assert con.execute("SELECT count(*) FROM raw.partner_corporatie").fetchone() == (200,)
    assert con.execute("SELECT ST_GeometryType(geometry) FROM raw.partner_corporatie LIMIT 1").fetchone() == ("POINT",)
    con.close()
    with pytest.raises(ValueError, match="too short"):
        rotate_database_key(database, old_key=NEW_KEY, new_key="kort")
    with pytest.raises(DatabaseKeyError):  # a wrong old key leaves the file as it was
        rotate_database_key(database, old_key=KEY, new_key="nog-een-andere-sleutel-123")
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith(".")) == ["lab.duckdb"]
    con = connect(database, encryption_key=NEW_KEY, read_only=True)
    assert con.execute("SELECT count(*) FROM raw.partner_corporatie").fetchone() == (200,)
    con.close()


def test_compacting_keeps_every_table(tmp_path):
    database = tmp_path / "lab.duckdb"
    con = connect(database, encryption_key=KEY)
    write_partner_rows(con)
    con.execute("CREATE TABLE raw.andere AS SELECT range AS i FROM range(50)")
    con.execute("DROP TABLE raw.partner_corporatie")
    con.close()
    compact_database(database, key=KEY)
    con = connect(database, encryption_key=KEY, read_only=True)
    assert con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = 'datalab'").fetchall() == [
        ("andere",)
    ]
    con.close()


def test_compacting_writes_a_database_of_an_older_format_in_the_new_one(tmp_path):
    """The way an existing installation gets the faster format: its points become columns of doubles, every row
    and coordinate the same (DuckDB keeps points as numbers in row groups of 30,000 rows or more)."""
    database = tmp_path / "lab.duckdb"
    duckdb.connect(str(database)).close()  # DuckDB's default format for a new file: that of an older DuckDB
    con = connect(database)
    con.execute(
        "CREATE TABLE punten AS SELECT range AS i, ST_Point(range / 7, range * 3.25) AS geometry FROM range(100000)"
    )
    con.execute("CHECKPOINT")
    assert storage_of(con, "punten", "geometry") == {"GEOMETRY"}
    before = con.execute("SELECT i, ST_AsText(geometry) FROM punten ORDER BY i").fetchall()
    con.close()
    compact_database(database, key=None)
    con = connect(database, read_only=True)
    assert storage_of(con, "punten", "geometry") == {"DOUBLE"}
    assert con.execute("SELECT i, ST_AsText(geometry) FROM punten ORDER BY i").fetchall() == before
    con.close()


def retention_config(tmp_path: Path):
    path = minimal_config(tmp_path)
    text = path.read_text(encoding="utf-8")
    text = text.replace("naam: ggd\n", "naam: ggd\n  bewaartermijn_dagen: 30\n")
    path.write_text(text + "privacy: {bewaartermijn_dagen: 365}\n", encoding="utf-8")
    (tmp_path / "inbox").mkdir()
    return load_config(path, check_files=False)


def test_retention_deletes_expired_files_and_rows_and_logs_only_counts(tmp_path):
    config = retention_config(tmp_path)
    assert config.bewaartermijn(config.partners[0]) == 30
    assert config.bewaartermijn(config.partners[1]) == 365
    now = dt.datetime(2027, 6, 1, 12, 0)
    inbox = config.uitvoer.inbox
    assert inbox is not None
    # Two deliveries of ggd (40 and 10 days ago) and a refused file of 40 days ago.
    for days, text in ((40, GOOD), (10, GOOD.replace("7,5", "7,6"))):
        drop(config, "ggd.csv", text)
        process_inbox(config, seen=process_inbox(config, seen={}).seen, now=now - dt.timedelta(days=days))
    drop(config, "ggd_kapot.xlsx", "geen spreadsheet")
    process_inbox(config, seen=process_inbox(config, seen={}).seen, now=now - dt.timedelta(days=40))
    drop(config, "onbekend.csv", GOOD)  # no partner: the privacy term (365 days) applies
    process_inbox(config, seen=process_inbox(config, seen={}).seen, now=now - dt.timedelta(days=40))
    installed = config.partners[0].pad
    fresh = (now - dt.timedelta(days=10)).timestamp()
    os.utime(installed, (fresh, fresh))  # installed 10 days ago
    con = connect(config.uitvoer.database)
    write_frame(con, "raw", "partner_ggd", pd.DataFrame({"bronrij": [1, 2], "code": ["BU00010001", "BU00010002"]}))
    write_frame(con, "staging", "partner_ggd", pd.DataFrame({"bronrij": [1], "buurtcode": ["BU00010001"]}))
    record_source_files(con, config, build="b1", keys=["partners.ggd"], now=now)

    log = apply_retention(config, now=now, con=con)
    assert log == [
        {"partner": "ggd", "wat": "archief", "aantal": 1, "ouder_dan": "2027-05-02T12:00:00"},
        {"partner": "ggd", "wat": "afgewezen", "aantal": 1, "ouder_dan": "2027-05-02T12:00:00"},
    ]
    assert [v.ontvangen for v in archived_versions(config, "ggd")] == [now - dt.timedelta(days=10)]
    assert installed.is_file()
    assert con.execute("SELECT count(*) FROM raw.partner_ggd").fetchone() == (2,)
    assert [p.name for p in (inbox / "afgewezen").iterdir()] == [
        "20270422-120000_onbekend.csv",
        "20270422-120000_onbekend.csv.reden.txt",
    ]

    # 25 days later the installed delivery (35 days old) and the rows loaded from it expire too.
    later = now + dt.timedelta(days=25)
    log = apply_retention(config, now=later, con=con)
    assert [(e["wat"], e["aantal"]) for e in log] == [
        ("archief", 1),
        ("geinstalleerd_bestand", 1),
        ("raw.partner_ggd", 2),
        ("staging.partner_ggd", 1),
    ]
    assert not installed.exists()
    assert archived_versions(config, "ggd") == []
    assert con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'partner_ggd'").fetchone() == (0,)
    assert "BU0001" not in json.dumps(log)
    assert "7,6" not in json.dumps(log)
    con.close()
    # Past the privacy term, refused files of no partner go as well.
    log = apply_retention(config, now=now + dt.timedelta(days=400))
    assert log == [{"partner": None, "wat": "afgewezen", "aantal": 1, "ouder_dan": "2027-07-06T12:00:00"}]


def test_the_audit_trail_records_each_file_version_and_reuses_unchanged_hashes(tmp_path, monkeypatch):
    config = load_config(minimal_config(tmp_path), check_files=False)
    for source in config.all_sources().values():
        source.pad.parent.mkdir(parents=True, exist_ok=True)
        source.pad.write_bytes(source.pad.name.encode() * 10)
    stamp = dt.datetime(2027, 3, 4, 5, 6, 7, tzinfo=dt.UTC).timestamp()
    os.utime(config.bronnen.buurten.pad, (stamp, stamp))
    con = connect(config.uitvoer.database)
    rows = record_source_files(con, config, build="run-1", now=dt.datetime(2027, 3, 5, tzinfo=dt.UTC))
    assert [r["bron"] for r in rows] == [
        "bronnen.buurten",
        "bronnen.wijken",
        "partners.ggd",
        "partners.corporatie",
    ]
    assert {r["bron"]: r["sha256"] for r in rows}["partners.ggd"] == file_hash(config.partners[0].pad)
    assert rows[0]["gewijzigd_utc"] == dt.datetime(2027, 3, 4, 5, 6, 7)

    def no_hashing(path):
        raise AssertionError(f"{path} was hashed again although unchanged")

    april = dt.datetime(2027, 4, 1, tzinfo=dt.UTC)
    monkeypatch.setattr(audit, "file_hash", no_hashing)
    record_source_files(con, config, build="run-2", keys=["bronnen.buurten"], now=april)
    monkeypatch.undo()
    config.partners[0].pad.write_bytes(b"nieuwe levering")
    record_source_files(con, config, build="run-2", keys=["partners.ggd"], now=april)
    record_source_files(con, config, build="run-2", keys=["partners.ggd"], now=april)  # a rerun replaces its rows
    assert con.execute("SELECT count(*) FROM raw.bronbestanden WHERE bouw = 'run-2'").fetchone() == (2,)
    latest = {r["bron"]: r for r in latest_source_files(con)}
    assert latest["partners.ggd"]["sha256"] == file_hash(config.partners[0].pad)
    assert latest["partners.ggd"]["bouw"] == "run-2"
    assert latest["bronnen.wijken"]["bouw"] == "run-1"
    dates = {d["bron"]: d for d in source_dates(con)}
    assert dates["bronnen.buurten"] == {
        "bron": "bronnen.buurten",
        "bestand": "kaart.gpkg",
        "datum": "2027-03-04",
        "sha256": file_hash(config.bronnen.buurten.pad)[:12],
    }
    with pytest.raises(ValueError, match="no configured source"):
        record_source_files(con, config, build="run-3", keys=["lagen.bomen"])
    con.close()


@pytest.mark.e2e
def test_an_encrypted_build_publishes_and_republishes_and_is_unreadable_without_the_key(tmp_path, monkeypatch):
    monkeypatch.setenv("OGW_TEST_SLEUTEL", "een-lange-geheime-sleutel-voor-de-test")
    lab = Lab(tmp_path, slim_demo_config(tmp_path))  # its partners' files: the corporation's dwelling ids
    raw = yaml.safe_load(lab.config.read_text(encoding="utf-8"))
    raw["uitvoer"]["sleutel_variabele"] = "OGW_TEST_SLEUTEL"
    lab.config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    for _ in range(2):  # a first build, and a rebuild from the published (encrypted) copy
        run = lab.run()
        assert run.code == 0, run.err
    assert b"VHE10" not in lab.database.read_bytes()  # a housing corporation's dwelling id, in plain text otherwise
    assert permissions(lab.database) == 0o600
    with pytest.raises(DatabaseKeyError):
        connect(lab.database, read_only=True)
    con = connect(lab.database, read_only=True, encryption_key="een-lange-geheime-sleutel-voor-de-test")
    assert con.execute("SELECT count(*) FROM raw.partner_corporatie_woningen").fetchone()[0] > 9000
    con.close()
    assert "VHE10" not in "".join(p.read_text(encoding="utf-8", errors="ignore") for p in lab.maps.rglob("*.*"))
    monkeypatch.delenv("OGW_TEST_SLEUTEL")
    run = lab.run()
    assert run.code != 0
    assert "set the environment variable OGW_TEST_SLEUTEL" in run.err
    assert "Traceback" not in run.err


def test_the_audit_trail_records_every_file_of_a_pattern(tmp_path):
    """A source that is a folder or pattern (the national area files) is many files: each is recorded, and the
    latest build's files are what the colofon shows."""
    config = load_config(minimal_config(tmp_path), check_files=False)
    for source in config.all_sources().values():
        source.pad.parent.mkdir(parents=True, exist_ok=True)
        source.pad.write_bytes(source.pad.name.encode())
    for region in ("noord", "zuid"):
        (tmp_path / "regios" / region).mkdir(parents=True)
        (tmp_path / "regios" / region / "buurt.geojson").write_bytes(region.encode())
    pattern = config.bronnen.buurten.model_copy(update={"pad": tmp_path / "regios" / "*" / "buurt.geojson"})
    config = config.model_copy(update={"bronnen": config.bronnen.model_copy(update={"buurten": pattern})})
    con = connect(config.uitvoer.database)
    rows = record_source_files(con, config, build="run-1", keys=["bronnen.buurten"])
    assert [Path(r["pad"]).parent.name for r in rows] == ["noord", "zuid"]
    (tmp_path / "regios" / "zuid" / "buurt.geojson").write_bytes(b"zuid, opnieuw geleverd")
    record_source_files(con, config, build="run-2", keys=["bronnen.buurten"])
    latest = [r for r in latest_source_files(con) if r["bron"] == "bronnen.buurten"]
    assert [r["bouw"] for r in latest] == ["run-2", "run-2"]
    assert latest[1]["sha256"] == file_hash(tmp_path / "regios" / "zuid" / "buurt.geojson")
    # Named with their folder: 46 rows 'buurt.geojson' could not be told apart (a review, on Ede's colophon)
    shown = [d["bestand"] for d in source_dates(con) if d["bron"] == "bronnen.buurten"]
    assert shown == ["noord/buurt.geojson", "zuid/buurt.geojson"]
    con.close()


def test_check_warns_when_git_would_commit_a_partner_file_with_the_project(tmp_path):
    """Partner rows placed beside the configuration in a folder git does not ignore: one 'git add -A' would commit
    tenants' addresses, so check says so, and says nothing once the folder is ignored."""
    path = demo_config(tmp_path)
    assert run_cli("demo-data", "--config", str(path)).code == 0
    moved = tmp_path / "partners" / "bezit.csv"
    moved.parent.mkdir()
    (tmp_path / "data" / "demo" / "corporatie_woningen.csv").rename(moved)
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    next(p for p in raw["partners"] if p["naam"] == "corporatie_woningen")["pad"] = "partners/bezit.csv"
    raw["demo"] = None
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    (tmp_path / ".gitignore").write_text("/data/*\n", encoding="utf-8")

    def warnings() -> list[str]:
        checked = run_cli("check", "--config", str(path))
        assert checked.code == 0, checked.err
        return [line for line in checked.err.splitlines() if "git" in line]

    assert warnings() == [
        f"ogw-datalab: warning: {moved} holds partner data and lies in a git working tree without being ignored: "
        "'git add -A' would commit it. Move it under data/ (ignored) or add it to .gitignore"
    ]
    (tmp_path / ".gitignore").write_text("/data/*\n/partners/\n", encoding="utf-8")
    assert warnings() == []
