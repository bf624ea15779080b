"""Readers on small hand-made files: spreadsheets, WKT, (Geo)Parquet, and the errors for bad input."""

from __future__ import annotations

import duckdb
import openpyxl
import pytest

from ogw_datalab.config import Layer, Partner, Source, load_config
from ogw_datalab.readers import SourceError, read_source
from ogw_datalab.spatial.join_partners import join_partner
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_partners import stage_partner
from ogw_datalab.storage import partner_table, query_row, write_frame

from .factories import DEMO
from .fixtures import stage_cbs_areas_wijken, two_by_two_buurten


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
        naam="corporatie",
        soort="xlsx",
        sleutel="bag_id",
        pad=path,
        kolommen={"bag_id": "VBO id", "energielabel": "Energielabel", "huur": "Huur"},
    )
    write_frame(con, "raw", partner_table("corporatie"), read_source("partners.corporatie", partner))
    stage_partner(con, partner)
    rows = con.execute("SELECT bronrij, bag_id, energielabel, huur FROM staging.partner_corporatie").fetchall()
    assert rows == [  # bronrij: the spreadsheet's own row numbers, below a title, a blank row and the header
        (4, "0484010000000002", "C", 712.5),
        (5, "0484010000000005", "F", 655.0),
        (6, "0484010000000006", "G", None),
    ]


def test_csv_with_wkt_geometry(tmp_path):
    path = tmp_path / "speelplekken.csv"
    path.write_text(
        "naam;geometrie\nPlein;POINT (104500 461200)\nHof;POLYGON ((104000 461000, 104010 461000, "
        "104010 461010, 104000 461000))\nLeeg;\n",
        encoding="utf-8",
    )
    layer = Layer(
        soort="csv", geometrie="punten", pad=path, wkt="geometrie", crs="EPSG:28992", kolommen={"naam": "naam"}
    )
    frame = read_source("lagen.speelplekken", layer)
    assert list(frame.geometry.geom_type[:2]) == ["Point", "Polygon"]
    assert frame.geometry.iloc[2] is None


def test_bad_wkt_names_the_row(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("naam;geometrie\nA;POINT (1 2)\nB;POINT (oops)\n", encoding="utf-8")
    layer = Layer(soort="csv", geometrie="punten", pad=path, wkt="geometrie", crs="EPSG:28992")
    with pytest.raises(SourceError, match="row 3, column 'geometrie': not valid WKT"):  # line 3 of the file
        read_source("lagen.x", layer)


def test_geoparquet_keeps_its_crs_and_plain_parquet_takes_xy(con, tmp_path):
    geo = tmp_path / "bomen.parquet"
    con.execute(f"COPY (SELECT 'B1' AS id, ST_Point(4.65, 52.13) AS geometry) TO '{geo}' (FORMAT parquet)")
    frame = read_source("lagen.bomen", Layer(soort="parquet", geometrie="punten", pad=geo))
    assert frame.crs == "EPSG:28992"
    assert 100_000 < frame.geometry.iloc[0].x < 110_000
    plain = tmp_path / "meldingen.parquet"
    duckdb.sql(f"COPY (SELECT 'M1' AS id, 104500.5 AS x, 461200.25 AS y) TO '{plain}' (FORMAT parquet)")
    located = read_source("partners.m", Source(soort="parquet", pad=plain, x="x", y="y", crs="EPSG:28992"))
    assert located.geometry.iloc[0].x == pytest.approx(104500.5)


def test_empty_file_is_an_error(tmp_path):
    path = tmp_path / "leeg.csv"
    path.write_text("buurtcode;waarde\n", encoding="utf-8")
    with pytest.raises(SourceError, match=r"partners\.leeg \(leeg\.csv\): the file holds no rows"):
        read_source("partners.leeg", Source(soort="csv", pad=path, kolommen={"buurtcode": "buurtcode"}))


def test_missing_column_names_file_and_columns(tmp_path):
    path = tmp_path / "ggd.csv"
    path.write_text("Titel\nWijkenEnBuurten;Eenzaam\nBU00010001;12,5\n", encoding="utf-8")
    source = Source(soort="csv", pad=path, kolommen={"buurtcode": "WijkenEnBuurten", "eenzaam": "Eenzaam_28"})
    expected = (
        r"^partners\.ggd \(ggd\.csv\): kolommen\.eenzaam names 'Eenzaam_28', which is not in the header on line 2; "
        r"did you mean 'Eenzaam'\?$"
    )
    with pytest.raises(SourceError, match=expected):
        read_source("partners.ggd", source)


def test_degrees_declared_as_rd_new_are_refused_with_a_hint(tmp_path):
    path = tmp_path / "punten.csv"
    path.write_text("x;y\n4,65;52,13\n4,70;52,10\n", encoding="utf-8")
    with pytest.raises(SourceError, match="outside the Netherlands .* look like EPSG:4326"):
        read_source("lagen.p", Layer(soort="csv", geometrie="punten", pad=path, x="x", y="y", crs="EPSG:28992"))


def test_undeclared_crs_is_guessed_from_the_values(tmp_path):
    path = tmp_path / "punten.csv"
    path.write_text("x;y;\n104500,5;461200,25;\n104600;461300;\n;;\n", encoding="utf-8")
    frame = read_source("lagen.p", Layer(soort="csv", geometrie="punten", pad=path, x="x", y="y"))
    assert frame.crs == "EPSG:28992"
    assert frame.geometry.iloc[0].x == pytest.approx(104500.5)


def test_rows_without_coordinates_keep_no_geometry(tmp_path, con):
    path = tmp_path / "meldingen.csv"
    path.write_text("nr;X;Y\n1;104500;461200\n2;;\n3;abc;461200\n", encoding="utf-8")
    frame = read_source("partners.m", Source(soort="csv", pad=path, x="X", y="Y", crs="EPSG:28992"))
    assert frame.geometry.isna().tolist() == [False, True, True]
    assert query_row(con, "SELECT 1")[0] == 1


def test_header_names_must_name_every_column(tmp_path):
    path = tmp_path / "rapport.csv"
    path.write_text("Tabel 1;;;\n;;;\nGM0001;Totaal;Gemeente;27,9\n;WK000100;Zuid;28,1\n", encoding="utf-8")
    short = Source(soort="csv", pad=path, titelregels=2, kolomnamen=["wijkcode", "naam", "inkomen"])
    with pytest.raises(SourceError, match=r"kolomnamen gives 3 names but rapport\.csv has 4 columns \(line 3 reads"):
        read_source("partners.inkomen", short)
    long = Source(soort="csv", pad=path, titelregels=2, kolomnamen=["a", "wijkcode", "naam", "inkomen", "extra"])
    with pytest.raises(SourceError, match="kolomnamen gives 5 names but rapport.csv has 4 columns"):
        read_source("partners.inkomen", long)
    exact = Source(soort="csv", pad=path, titelregels=2, kolomnamen=["gemeentecode", "wijkcode", "naam", "inkomen"])
    frame = read_source("partners.inkomen", exact)
    assert frame[["bronrij", "wijkcode", "inkomen"]].values.tolist() == [[3, "Totaal", "27,9"], [4, "WK000100", "28,1"]]


def test_xlsx_header_names_must_name_every_column(tmp_path):
    path = tmp_path / "rapport.xlsx"
    book = openpyxl.Workbook()
    book.active.append(["GM0001", "Totaal", "Gemeente", 27.9])
    book.save(path)
    with pytest.raises(SourceError, match="kolomnamen gives 2 names but rapport.xlsx has 4 columns"):
        read_source("partners.x", Source(soort="xlsx", pad=path, kolomnamen=["wijkcode", "inkomen"]))


def test_rows_wider_than_the_header_are_refused_not_shifted(tmp_path):
    # Every row one cell wider than the header: pandas took the codes as row labels and put 1 and 2 under
    # buurtcode, without a word.
    path = tmp_path / "p.csv"
    path.write_text("buurtcode;waarde\nBU00010001;1;9\nBU00010002;2;8\n", encoding="utf-8")
    with pytest.raises(SourceError, match="line 2 of p.csv has 3 filled cells but the header names 2 columns"):
        read_source("partners.p", Source(soort="csv", pad=path, kolommen={"buurtcode": "buurtcode"}))


def test_bronrij_is_the_line_a_person_sees_blank_rows_and_titles_included(con, tmp_path):
    path = tmp_path / "ggd.csv"
    path.write_text(
        "Gezondheidsmonitor\n\nbuurtcode;eenzaam\nBU00010001;12\n\nBU00019999;14\n;\nBU00010002;16\nBron: GGD\n",
        encoding="utf-8",
    )
    partner = Partner(naam="ggd", soort="csv", sleutel="buurtcode", pad=path, kolommen={"buurtcode": "buurtcode"})
    frame = read_source("partners.ggd", partner)
    assert frame["bronrij"].tolist() == [4, 6, 8]  # lines 5 and 7 are empty, line 9 is a note
    assert frame.attrs["cleaning"]["rows_dropped"] == {"empty": 2, "notes": 1}
    two_by_two_buurten(con)
    stage_cbs_areas(con, "buurten", "GM0001")
    stage_cbs_areas_wijken(con)
    write_frame(con, "raw", partner_table("ggd"), frame)
    stage_partner(con, partner)
    config = load_config(DEMO, check_files=False)
    config = config.model_copy(update={"gemeente": config.gemeente.model_copy(update={"code": "GM0001"})})
    join_partner(con, partner, config)
    quarantined = con.execute("SELECT bronrij FROM joined.quarantaine_partners").fetchall()
    assert quarantined == [(6,)]  # BU00019999 (no such buurt), on line 6 of the file


def test_xlsx_bronrij_is_the_spreadsheet_row_with_blank_rows(tmp_path):
    path = tmp_path / "bezit.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    for row in (["Bezit"], [], ["VBO id", "Label"], ["0484010000000002", "C"], [], ["0484010000000006", "G"]):
        sheet.append(row)
    book.save(path)
    frame = read_source("partners.b", Source(soort="xlsx", pad=path, kolommen={"bag_id": "VBO id"}))
    assert frame["bronrij"].tolist() == [4, 6]


def test_a_file_gdal_cannot_read_says_so_without_layer_none(tmp_path):
    path = tmp_path / "bomen.geojson"
    path.write_text("this is not GeoJSON", encoding="utf-8")
    with pytest.raises(SourceError) as error:
        read_source("lagen.bomen", Layer(soort="vector", geometrie="punten", pad=path))
    assert "None" not in str(error.value)
    assert str(error.value).startswith("lagen.bomen (bomen.geojson): GDAL cannot read the file as a GIS file")
