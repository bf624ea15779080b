"""Publishing to PostGIS, against a real PostgreSQL 15 with PostGIS 3 (tests/postgis_server.py).

What the GIS team reads is read back with GDAL, as QGIS reads it, and compared with the DuckDB publication tables
row for row. A PostGIS that cannot be reached or refuses leaves its tables as they were while the site is
published, and no message, output or log holds the password.
"""

from __future__ import annotations

import re
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import dagster as dg
import numpy as np
import pandas as pd
import psycopg
import pyogrio
import pytest
import shapely
import yaml

from ogw_datalab.build_transaction import FAILED
from ogw_datalab.config import PostGIS
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.postgis import TABLES, PostGISError, publish_to_postgis, read_publication
from pipelines.definitions import defs
from pipelines.jobs import build, partner_update, trends_update

from .labs import Lab, Run
from .postgis_server import PUBLISHER_PASSWORD, PostGISServer, closed_port, postgis_server
from .services import require_program

__all__ = ["postgis_server"]  # the session fixture, used by the tests below

VARIABLE = "OGW_TEST_POSTGIS"
NAMES = [t.name for t in TABLES]
# DuckDB's publication tables and what PostGIS holds of them: the same columns, with gemeentecode first.
DUCKDB = {
    "publicatie_buurt": "indicators.publicatie_buurt",
    "publicatie_wijk": "indicators.publicatie_wijk",
    "publicatie_gemeente": "indicators.publicatie_gemeente",
    "opgave_scores": "indicators.opgave_scores",
    "prioriteiten": "indicators.prioriteiten",
    "buurten": "staging.buurten",
    "wijken": "staging.wijken",
}
OUTLINE_COLUMNS = {"buurten": ["buurtcode", "buurtnaam", "wijkcode"], "wijken": ["wijkcode", "wijknaam"]}
POSTCODE = re.compile(r"\b\d{4} ?[A-Z]{2}\b")


def settings(schema: str) -> PostGIS:
    return PostGIS.model_validate({"dsn_variabele": VARIABLE, "schema": schema})


def publish(server: PostGISServer, database: Path, gemeentecode: str, schema: str, **dsn) -> object:
    return publish_to_postgis(database, gemeentecode, settings(schema), environ={VARIABLE: server.dsn(**dsn)})


def rows_in_postgis(server: PostGISServer, schema: str, gemeentecode: str | None = None) -> dict[str, list[tuple]]:
    """Every table's rows as the GIS team's role reads them (geometry as hex EWKB), sorted; one gemeente's only."""
    rows = {}
    with psycopg.connect(server.reader) as con:
        for table in TABLES:
            names = ", ".join(c for c, _ in table.columns)
            wkb = "'SRID=' || ST_SRID(geometry) || ';' || encode(ST_AsBinary(geometry, 'NDR'), 'hex')"
            select = names.replace("geometry", wkb)
            where = "WHERE gemeentecode = %s" if gemeentecode else ""
            query = f"SELECT gemeentecode, {select} FROM {schema}.{table.name} {where} ORDER BY 1, 2, 3"
            rows[table.name] = con.execute(query, [gemeentecode] if gemeentecode else None).fetchall()
    return rows


def expected(database: Path, gemeentecode: str) -> dict[str, list[tuple]]:
    """What PostGIS must hold of a DuckDB database: its rows with ``gemeentecode`` first (geometry 'SRID=...;<WKB>')."""
    return {name: [(gemeentecode, *r) for r in rows] for name, rows in read_publication(database).items()}


def comparable(rows: dict[str, list[tuple]]) -> dict[str, list[tuple]]:
    """Rows as text (a float's shortest exact repr, hex in capitals), sorted: equal means equal to the last bit."""
    return {name: sorted(tuple(str(v).upper() for v in r) for r in table_rows) for name, table_rows in rows.items()}


def normalised(frame: pd.DataFrame, columns: list[str]) -> list[tuple]:
    """Rows of ``columns`` as tuples, NaN and None both None, sorted: equal means equal value for value."""
    values = frame[columns].astype(object).where(frame[columns].notna(), None)
    return sorted((tuple(r) for r in values.itertuples(index=False)), key=lambda r: tuple(str(v) for v in r))


def read_with_gdal(server: PostGISServer, schema: str, table: str, folder: Path) -> tuple[pd.DataFrame, dict]:
    """One table as GDAL reads it from PostGIS (the ``PG:`` driver of QGIS's OGR provider), through a GeoPackage.

    pyogrio's own GDAL has no PostgreSQL driver, so Debian's ogr2ogr reads the table and pyogrio the copy.
    """
    ogr2ogr = require_program("ogr2ogr", "apt-get install gdal-bin")
    copy = folder / f"{table}.gpkg"
    done = subprocess.run(
        [ogr2ogr, "-f", "GPKG", str(copy), server.gdal, f"{schema}.{table}", "-nln", table],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return pyogrio.read_dataframe(copy, layer=table), pyogrio.read_info(copy, layer=table)


def fingerprint(server: PostGISServer, schema: str) -> dict[str, list[tuple]]:
    """Every row of every table of ``schema`` (with its columns), as the superuser sees it."""
    with psycopg.connect(server.superuser) as con:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s ORDER BY 1", [schema]
            ).fetchall()
        ]
        return {t: con.execute(f"SELECT * FROM {schema}.{t} ORDER BY 1, 2, 3").fetchall() for t in tables}


# --- a demo build with a postgis block -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Published:
    lab: Lab
    run: Run


def with_postgis(lab: Lab, schema: str = "datalab") -> None:
    raw = yaml.safe_load(lab.config.read_text(encoding="utf-8"))
    raw["postgis"] = {"dsn_variabele": VARIABLE, "schema": schema}
    lab.config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")


def build_with(lab: Lab, dsn: str) -> Run:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(VARIABLE, dsn)
        return lab.run()


@pytest.fixture(scope="module")
def published(demo_lab, postgis_server, tmp_path_factory) -> Published:
    """The demo (with 2023 under jaren) built once more with a postgis block, publishing into schema datalab."""
    lab = demo_lab.copy(tmp_path_factory.mktemp("postgis_demo"), keep_demo_files=True)
    with_postgis(lab)
    run = build_with(lab, postgis_server.dsn())
    assert run.code == 0, run.out + run.err
    return Published(lab, run)


@pytest.mark.e2e
def test_a_demo_build_with_a_postgis_block_fills_the_schema_equal_to_duckdb_as_gdal_reads_it(
    published, postgis_server, tmp_path
):
    con = connect(published.lab.database, read_only=True)
    rows = sum(con.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in DUCKDB.values())
    assert f"✓ maps/postgis ({rows:,} rows)" in published.run.out
    assert "PostGIS is behind" not in published.run.out + published.run.err
    for name in NAMES:
        frame, info = read_with_gdal(postgis_server, "datalab", name, tmp_path)
        assert set(frame["gemeentecode"]) == {"GM9999"}, name
        duck = con.execute(f"SELECT * FROM {DUCKDB[name]}").df()
        if name in OUTLINE_COLUMNS:
            columns = OUTLINE_COLUMNS[name]
            assert list(frame.columns) == ["gemeentecode", *columns, "geometry"]
            assert (info["geometry_type"], info["crs"]) == ("MultiPolygon", "EPSG:28992")
            assert normalised(frame, columns) == normalised(duck, columns)
            key = columns[0]
            ours = frame.set_index(key).geometry
            theirs = duck.set_index(key)["geometry"].map(bytes).map(shapely.from_wkb)
            assert shapely.is_valid(ours.to_numpy()).all()
            for code, outline in theirs.items():
                assert ours[code].geom_type == "MultiPolygon"
                assert ours[code].equals(outline), code  # the same shape, every coordinate to the last bit:
                assert np.array_equal(shapely.get_coordinates(ours[code]), shapely.get_coordinates(outline))
        else:
            columns = [c for c in duck.columns if c != "gemeentecode"]
            assert list(frame.columns) == ["gemeentecode", *columns], name
            assert len(frame) == len(duck) > 0, name
            assert normalised(frame, columns) == normalised(duck, columns), name  # row for row, value for value
            if name == "publicatie_gemeente":
                assert set(duck["gemeentecode"]) == {"GM9999"}
    con.close()


@pytest.mark.e2e
def test_postgis_holds_only_what_the_site_publishes(published, postgis_server):
    with psycopg.connect(postgis_server.superuser) as pg:
        tables = pg.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'datalab' ORDER BY 1"
        ).fetchall()
        assert sorted(t for (t,) in tables) == sorted(NAMES)
        columns = {
            c
            for (c,) in pg.execute(
                "SELECT DISTINCT column_name FROM information_schema.columns WHERE table_schema = 'datalab'"
            ).fetchall()
        }
        assert not columns & {"teller", "noemer", "inwoners", "aantal_inwoners", "postcode", "huisnummer", "adres"}
        geometry = pg.execute(
            "SELECT f_table_name, type, srid FROM geometry_columns WHERE f_table_schema = 'datalab' ORDER BY 1"
        ).fetchall()
        assert geometry == [("buurten", "MULTIPOLYGON", 28992), ("wijken", "MULTIPOLYGON", 28992)]
        assert pg.execute("SELECT count(*) FROM datalab.buurten WHERE NOT ST_IsValid(geometry)").fetchone() == (0,)
        indexes = pg.execute("SELECT indexdef FROM pg_indexes WHERE schemaname = 'datalab'").fetchall()
        gist = sorted(
            re.search(r"ON datalab\.(\w+) USING gist \(geometry\)", i).group(1) for (i,) in indexes if "gist" in i
        )
        assert gist == ["buurten", "wijken"]
        text = " ".join(
            str(v)
            for name in NAMES
            for row in pg.execute(f"SELECT * FROM datalab.{name}").fetchall()
            for v in row
            if isinstance(v, str) and not v.startswith("0106")  # not the geometry
        )
    con = connect(published.lab.database, read_only=True)
    addresses = {r[0] for r in con.execute("SELECT identificatie FROM joined.adressen_buurt").fetchall()}
    partner_ids = {  # the second column: the housing unit (VHE100000) or report (M2024-00001) of each row
        str(r[1])
        for t in ("partner_corporatie_woningen", "partner_meldingen_openbare_ruimte")
        for r in con.execute(f"SELECT * FROM raw.{t}").fetchall()
    }
    con.close()
    assert not POSTCODE.search(text)
    words = set(text.split())
    assert len(addresses) > 1000
    assert not words & addresses
    assert len(partner_ids) > 100
    assert not words & partner_ids


@pytest.mark.e2e
def test_an_unreachable_postgis_is_named_leaves_its_tables_and_the_site_is_published(
    published, postgis_server, tmp_path, dagster_home
):
    lab = published.lab.copy(tmp_path / "lab", keep_demo_files=True)
    before = fingerprint(postgis_server, "datalab")
    database, index = lab.database.stat().st_ino, (lab.maps / "index.html").stat().st_ino
    port = closed_port()
    run = build_with(lab, postgis_server.dsn(port=port))  # with the password, as a real connection string has
    assert run.code == 1
    assert (
        f"FAILED maps__postgis: PostGIS at 127.0.0.1:{port} (database gis) could not be reached (the connection was "
        f"refused): check that the server runs, that host and port in {VARIABLE} are right and that no firewall "
        "stops this machine; its tables are unchanged"
    ) in run.err
    assert "Waardhoven (GM9999) 2024: site and database published; PostGIS is behind" in run.err
    assert "PostGIS is behind: its tables are as they were for 1: Waardhoven (GM9999) 2024" in run.out
    assert FAILED not in run.out + run.err  # "site and database unchanged" would be untrue
    assert fingerprint(postgis_server, "datalab") == before
    assert lab.database.stat().st_ino != database  # the new database and site are published all the same
    assert (lab.maps / "index.html").stat().st_ino != index
    assert (lab.maps / "index.html").read_text(encoding="utf-8").count("Waardhoven") > 0
    assert PUBLISHER_PASSWORD not in run.out + run.err
    instance = dg.DagsterInstance.get()  # what Dagster keeps of the run: events, errors, tags, config
    last = instance.get_runs(limit=1)[0]
    assert PUBLISHER_PASSWORD not in repr(last)
    logged = [repr(entry) for entry in instance.all_logs(last.run_id)]
    assert any("could not be reached" in entry for entry in logged)
    assert not [entry for entry in logged if PUBLISHER_PASSWORD in entry]


@pytest.mark.e2e
def test_without_a_postgis_block_the_step_says_it_is_skipped(demo_lab):
    assert "– maps/postgis (skipped: postgis is not configured)" in demo_lab.first.out


def test_postgis_comes_after_the_site_in_the_jobs_that_publish():
    graph = defs.resolve_asset_graph()
    key = dg.AssetKey(["maps", "postgis"])
    assert graph.get(key).parent_keys == {dg.AssetKey(["maps", "site"])}
    for job in (build, partner_update):
        assert key in job.selection.resolve(graph), job.name
    assert key not in trends_update.selection.resolve(graph)  # trends are not in PostGIS


# --- the library, on the published demo and Alphen databases ---------------------------------------------------------


@pytest.fixture(scope="module")
def demo_2023(demo_lab) -> Path:
    """The demo's earlier year: the same gemeente, other figures (a publication before the current one)."""
    return demo_lab.folder / "data" / "jaren" / "datalab_2023.duckdb"


def test_a_reader_sees_the_old_tables_or_the_new_ones_never_half(demo_lab, demo_2023, postgis_server):
    schema = "lezer_tijdens"
    publish(postgis_server, demo_2023, "GM9999", schema)
    old, new = comparable(expected(demo_2023, "GM9999")), comparable(expected(demo_lab.database, "GM9999"))
    assert old != new
    assert all(old[n] != new[n] for n in ("publicatie_buurt", "opgave_scores"))
    assert comparable(rows_in_postgis(postgis_server, schema)) == old
    errors: list[BaseException] = []

    def replace() -> None:
        try:
            publish(postgis_server, demo_lab.database, "GM9999", schema)
        except BaseException as error:  # noqa: BLE001 - handed to the test
            errors.append(error)

    # Another session holds a row of the last table, so the publication stops halfway: the first six tables
    # already replaced inside its transaction, the seventh waiting.
    blocker = psycopg.connect(postgis_server.superuser)
    blocker.execute(f"SELECT * FROM {schema}.wijken WHERE gemeentecode = 'GM9999' FOR UPDATE")
    writer = threading.Thread(target=replace)
    writer.start()
    try:
        wait_for_publisher_waiting(postgis_server)
        with psycopg.connect(postgis_server.reader) as reader:
            halfway = reader.execute("SELECT count(*) FROM lezer_tijdens.publicatie_buurt").fetchone()
        assert halfway == (len(old["publicatie_buurt"]),)
        assert comparable(rows_in_postgis(postgis_server, schema)) == old  # every table whole, all of them old
    finally:
        blocker.rollback()
        blocker.close()
        writer.join(timeout=60)
    assert not errors, errors
    assert comparable(rows_in_postgis(postgis_server, schema)) == new  # and then all of them new


def wait_for_publisher_waiting(server: PostGISServer) -> None:
    deadline = time.monotonic() + 30
    with psycopg.connect(server.superuser, autocommit=True) as con:
        while time.monotonic() < deadline:
            waiting = con.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE application_name = 'ogw-datalab' "
                "AND wait_event_type = 'Lock'"
            ).fetchone()
            if waiting == (1,):
                return
            time.sleep(0.05)
    pytest.fail("the publication never came to wait for the locked row")


def test_two_gemeenten_publish_at_once_into_one_schema_each_its_own_rows(
    demo_lab, demo_2023, alphen_lab, postgis_server
):
    schema = "twee_gemeenten"  # new: both publishers find no tables, and must not both make them
    start = threading.Barrier(2)
    errors: list[BaseException] = []

    def one(database: Path, code: str) -> None:
        start.wait()
        try:
            publish(postgis_server, database, code, schema)
        except BaseException as error:  # noqa: BLE001 - handed to the test
            errors.append(error)

    workers = [
        threading.Thread(target=one, args=(demo_lab.database, "GM9999")),
        threading.Thread(target=one, args=(alphen_lab.database, "GM0484")),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
    assert not errors, errors
    alphen = comparable(expected(alphen_lab.database, "GM0484"))
    assert comparable(rows_in_postgis(postgis_server, schema, "GM0484")) == alphen
    assert comparable(rows_in_postgis(postgis_server, schema, "GM9999")) == comparable(
        expected(demo_lab.database, "GM9999")
    )
    assert len(alphen["buurten"]) == 87
    assert len(alphen["publicatie_buurt"]) > 500  # six indicators of 87 buurten
    publish(postgis_server, demo_2023, "GM9999", schema)  # one gemeente again: the other's rows stay as they are
    assert comparable(rows_in_postgis(postgis_server, schema, "GM0484")) == alphen
    assert comparable(rows_in_postgis(postgis_server, schema, "GM9999")) == comparable(expected(demo_2023, "GM9999"))


def test_a_refused_publication_says_what_to_check_and_leaves_the_tables(demo_lab, demo_2023, postgis_server):
    schema = "geweigerd"
    publish(postgis_server, demo_2023, "GM9999", schema)
    before = fingerprint(postgis_server, schema)
    with pytest.raises(PostGISError) as refused:  # the GIS team's role may read, not write
        publish(postgis_server, demo_lab.database, "GM9999", schema, user="gis_lezer", password="Lees-wachtwoord-2846")
    assert str(refused.value) == (
        f"PostGIS at 127.0.0.1:{postgis_server.port} (database gis) refused the publication to schema geweigerd "
        "(permission denied for table publicatie_buurt): check that user gis_lezer may create and change tables "
        "in schema geweigerd; its tables are unchanged"
    )
    assert "Lees-wachtwoord" not in str(refused.value)
    assert fingerprint(postgis_server, schema) == before


def test_a_wrong_password_is_named_without_the_password(demo_lab, postgis_server):
    with pytest.raises(PostGISError) as refused:
        publish(postgis_server, demo_lab.database, "GM9999", "nergens", password="Fout-wachtwoord-5521")
    message = str(refused.value)
    assert message == (
        f"PostGIS at 127.0.0.1:{postgis_server.port} (database gis) refused the login of user datalab: check the "
        f"user and password in {VARIABLE} (or in ~/.pgpass); its tables are unchanged"
    )
    assert refused.value.__cause__ is None
    assert refused.value.__context__ is None


@pytest.mark.parametrize(
    ("dsn", "message"),
    [
        (None, f"postgis.dsn_variabele names {VARIABLE}, but that environment variable is not set"),
        ("host=127.0.0.1 password=Geheim-wachtwoord-7319 dbname", f"the connection string in {VARIABLE} is not a"),
        ("postgresql://datalab:Geheim-wachtwoord-7319@127.0.0.1:1/gis", "PostGIS at 127.0.0.1:1 (database gis) could"),
    ],
)
def test_a_connection_string_that_cannot_work_is_refused_in_our_words(demo_lab, dsn, message):
    environ = {} if dsn is None else {VARIABLE: dsn}
    with pytest.raises(PostGISError) as failed:
        publish_to_postgis(demo_lab.database, "GM9999", settings("nergens"), environ=environ)
    assert str(failed.value).startswith(message)
    assert "Geheim" not in str(failed.value)
    assert failed.value.__context__ is None


def test_a_database_without_postgis_is_named(demo_lab, postgis_server):
    with psycopg.connect(postgis_server.dsn(user="postgres", password=None, dbname="postgres"), autocommit=True) as con:
        con.execute("CREATE DATABASE zonder_postgis OWNER datalab")
    with pytest.raises(PostGISError, match=r"\(database zonder_postgis\) has no PostGIS extension: ask its admin"):
        publish(postgis_server, demo_lab.database, "GM9999", "datalab", dbname="zonder_postgis")
    with psycopg.connect(postgis_server.dsn(dbname="zonder_postgis")) as con:
        assert con.execute("SELECT count(*) FROM pg_namespace WHERE nspname = 'datalab'").fetchone() == (0,)


def test_a_table_of_another_shape_is_made_anew(demo_lab, postgis_server):
    schema = "oude_vorm"
    with psycopg.connect(postgis_server.dsn()) as con:  # as an earlier version might have left it
        con.execute(f"CREATE SCHEMA {schema}")
        con.execute(f"CREATE TABLE {schema}.publicatie_wijk (wijkcode text, indicator text, waarde real)")
    publication = publish(postgis_server, demo_lab.database, "GM9999", schema)
    assert publication.recreated == ["publicatie_wijk"]  # type: ignore[attr-defined]
    assert comparable(rows_in_postgis(postgis_server, schema)) == comparable(expected(demo_lab.database, "GM9999"))
    again = publish(postgis_server, demo_lab.database, "GM9999", schema)
    assert again.recreated == []  # type: ignore[attr-defined]


def test_a_schema_the_administrator_made_is_used_without_the_right_to_make_schemas(demo_lab, postgis_server):
    with psycopg.connect(postgis_server.superuser, autocommit=True) as con:
        con.execute("CREATE ROLE schrijver LOGIN PASSWORD 'Schrijf-wachtwoord-4410'")  # no CREATE on the database
        con.execute("CREATE SCHEMA beheerd AUTHORIZATION schrijver")  # as docs/handleiding/postgis-qgis.md says
        con.execute("GRANT USAGE ON SCHEMA beheerd TO gis_lezer")
        con.execute("ALTER DEFAULT PRIVILEGES FOR ROLE schrijver GRANT SELECT ON TABLES TO gis_lezer")
    publish(
        postgis_server, demo_lab.database, "GM9999", "beheerd", user="schrijver", password="Schrijf-wachtwoord-4410"
    )
    assert comparable(rows_in_postgis(postgis_server, "beheerd")) == comparable(expected(demo_lab.database, "GM9999"))
    with pytest.raises(
        PostGISError, match=r"refused the publication to schema elders \(permission denied for database"
    ):
        publish(
            postgis_server, demo_lab.database, "GM9999", "elders", user="schrijver", password="Schrijf-wachtwoord-4410"
        )
