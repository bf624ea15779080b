"""Readers on small hand-made files: spreadsheets, WKT, (Geo)Parquet, and the errors for bad input."""

from __future__ import annotations

import duckdb
import openpyxl
import pytest

from ogw_datalab.config import Layer, Partner, Source
from ogw_datalab.readers import SourceError, read_source
from ogw_datalab.staging.stage_partners import stage_partner
from ogw_datalab.storage import partner_table, query_row, write_frame


def test_xlsx_partner_with_title_lines_and_float_bag_ids(con, tmp_path):
    path = tmp_path / "corporatie.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Bezit Woonstichting De Waard, peildatum 1-1-2026"])
    sheet.append([])
    sheet.append(["VBO id", "Energielabel", "Huur"])
    sheet.append([484010000000002.0, "C", 712.5])  # the leading zero lost when Excel made a number of it
    sheet.append([4.84010000000005e14, "F", 655])
    sheet.append(["0484010000000006", "G", None])
    book.save(path)
    partner = Partner(
        name="corporatie",
        kind="xlsx",
        key="bag_id",
        path=path,
        columns={"bag_id": "VBO id", "energielabel": "Energielabel", "huur": "Huur"},
    )
    write_frame(con, "raw", partner_table("corporatie"), read_source("partners.corporatie", partner))
    stage_partner(con, partner)
    rows = con.execute("SELECT bronrij, bag_id, energielabel, huur FROM staging.partner_corporatie").fetchall()
    assert rows == [
        (1, "0484010000000002", "C", 712.5),
        (2, "0484010000000005", "F", 655.0),
        (3, "0484010000000006", "G", None),
    ]


def test_csv_with_wkt_geometry(tmp_path):
    path = tmp_path / "speelplekken.csv"
    path.write_text(
        "naam;geometrie\nPlein;POINT (104500 461200)\nHof;POLYGON ((104000 461000, 104010 461000, "
        "104010 461010, 104000 461000))\nLeeg;\n",
        encoding="utf-8",
    )
    layer = Layer(kind="csv", geometry="points", path=path, wkt="geometrie", crs="EPSG:28992", columns={"naam": "naam"})
    frame = read_source("layers.speelplekken", layer)
    assert list(frame.geometry.geom_type[:2]) == ["Point", "Polygon"] and frame.geometry.iloc[2] is None


def test_bad_wkt_names_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("naam;geometrie\nA;POINT (1 2)\nB;POINT (oops)\n", encoding="utf-8")
    layer = Layer(kind="csv", geometry="points", path=path, wkt="geometrie", crs="EPSG:28992")
    with pytest.raises(SourceError, match="row 2, column 'geometrie': not valid WKT"):
        read_source("layers.x", layer)


def test_geoparquet_keeps_its_crs_and_plain_parquet_takes_xy(con, tmp_path):
    geo = tmp_path / "bomen.parquet"
    con.execute(f"COPY (SELECT 'B1' AS id, ST_Point(4.65, 52.13) AS geometry) TO '{geo}' (FORMAT parquet)")
    frame = read_source("layers.bomen", Layer(kind="parquet", geometry="points", path=geo))
    assert frame.crs == "EPSG:28992" and 100_000 < frame.geometry.iloc[0].x < 110_000  # written as CRS84
    plain = tmp_path / "meldingen.parquet"
    duckdb.sql(f"COPY (SELECT 'M1' AS id, 104500.5 AS x, 461200.25 AS y) TO '{plain}' (FORMAT parquet)")
    located = read_source("partners.m", Source(kind="parquet", path=plain, x="x", y="y", crs="EPSG:28992"))
    assert located.geometry.iloc[0].x == pytest.approx(104500.5)


def test_empty_file_is_an_error(tmp_path):
    path = tmp_path / "leeg.csv"
    path.write_text("buurtcode;waarde\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"partners\.leeg \(leeg\.csv\): the file holds no rows"):
        read_source("partners.leeg", Source(kind="csv", path=path, columns={"buurtcode": "buurtcode"}))


def test_missing_column_names_file_and_columns(tmp_path):
    path = tmp_path / "ggd.csv"
    path.write_text("Titel\nWijkenEnBuurten;Eenzaam\nBU00010001;12,5\n", encoding="utf-8")
    source = Source(kind="csv", path=path, columns={"buurtcode": "WijkenEnBuurten", "eenzaam": "Eenzaam_28"})
    with pytest.raises(
        SourceError, match=r"ggd\.csv\): none of the first 60 lines .* \['WijkenEnBuurten', 'Eenzaam_28'\]"
    ):
        read_source("partners.ggd", source)


def test_degrees_declared_as_rd_new_are_refused_with_a_hint(tmp_path):
    path = tmp_path / "punten.csv"
    path.write_text("x;y\n4,65;52,13\n4,70;52,10\n", encoding="utf-8")
    with pytest.raises(SourceError, match="outside the Netherlands .* look like EPSG:4326"):
        read_source("layers.p", Layer(kind="csv", geometry="points", path=path, x="x", y="y", crs="EPSG:28992"))


def test_undeclared_crs_is_guessed_from_the_values(tmp_path):
    path = tmp_path / "punten.csv"
    path.write_text("x;y;\n104500,5;461200,25;\n104600;461300;\n;;\n", encoding="utf-8")
    frame = read_source("layers.p", Layer(kind="csv", geometry="points", path=path, x="x", y="y"))
    assert frame.crs == "EPSG:28992" and frame.geometry.iloc[0].x == pytest.approx(104500.5)


def test_rows_without_coordinates_keep_no_geometry(tmp_path, con):
    path = tmp_path / "meldingen.csv"
    path.write_text("nr;X;Y\n1;104500;461200\n2;;\n3;abc;461200\n", encoding="utf-8")
    frame = read_source("partners.m", Source(kind="csv", path=path, x="X", y="Y", crs="EPSG:28992"))
    assert frame.geometry.isna().tolist() == [False, True, True]
    assert query_row(con, "SELECT 1")[0] == 1
