"""The reader-kind registry: every entry complete, the only list of kinds, and a new kind is one entry plus a reader."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any, get_args

import geopandas as gpd
import pandas as pd
import pytest
import yaml
from shapely.geometry import box

from ogw_datalab import reader_kinds
from ogw_datalab.config import ConfigError, Source, load_config
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.inbox import inbox_cursor, process_inbox, read_inbox_cursor
from ogw_datalab.reader_kinds import (
    KIND_OPTIONS,
    READER_KINDS,
    TABLE_OPTIONS,
    DecimalMark,
    Geometry,
    LazyReader,
    ReaderKind,
    kinds_allowing,
    many_file_kinds,
)
from ogw_datalab.readers import SourceError, read_source
from ogw_datalab.staging.stage_areas import stage_cbs_areas
from ogw_datalab.staging.stage_layers import stage_layer
from ogw_datalab.staging.stage_partners import stage_partner
from ogw_datalab.storage import layer_table, partner_table, write_frame

PROJECT = Path(__file__).resolve().parents[1]
RD = "EPSG:28992"
X0, Y0 = 100_000, 460_000  # near Alphen aan den Rijn, in RD New
BENCHES = [(500, 500), (1500, 1500), (1400, 300)]
SCORES = [("BU00010001", "7,5"), ("BU00010002", "6,0"), ("BU00010101", "8,1"), ("BU00010102", "5,5")]


# --- Every entry complete --------------------------------------------------------------------------------------------


def _function(reader: Any) -> Any:
    return reader.load() if isinstance(reader, LazyReader) else reader


def _binds(reader: Any, *args: Any, **kwargs: Any) -> bool:
    """Whether ``reader`` resolves to a function that can be called with these arguments."""
    try:
        function = _function(reader)
        inspect.signature(function).bind(*args, **kwargs)
    except (ImportError, AttributeError, TypeError, ValueError):
        return False
    return callable(function)


def missing_parts(kind: ReaderKind) -> list[str]:
    """The parts of ``kind`` that are absent or do not work, by field name ([] for a complete entry)."""
    checks = {
        "name": bool(kind.name) and kind.name.isidentifier() and kind.name == kind.name.lower(),
        "description": bool(kind.description.strip()),
        "read": _binds(kind.read, object(), "where", max_rows=None),
        "geometry": kind.geometry in get_args(Geometry),
        "extensions": bool(kind.extensions)
        and all(e.startswith(".") and e == e.lower() and len(e) > 1 for e in kind.extensions)
        and len(set(kind.extensions)) == len(kind.extensions),
        "files": bool(kind.files.strip()),
        "read_many": (kind.read_many is None and "gemeenten" not in kind.options)
        or (kind.read_many is not None and _binds(kind.read_many, object(), "where")),
        "decimal_mark": kind.decimal_mark in get_args(DecimalMark),
        "options": set(kind.options) <= set(KIND_OPTIONS) and len(set(kind.options)) == len(kind.options),
    }
    assert set(checks) == {f.name for f in dataclasses.fields(ReaderKind)}, "a new part of ReaderKind needs a check"
    return [part for part, fine in checks.items() if not fine]


def test_every_registered_reader_kind_has_every_part_and_its_readers_resolve():
    assert {name: missing_parts(kind) for name, kind in READER_KINDS.items()} == {name: [] for name in READER_KINDS}
    assert all(name == kind.name for name, kind in READER_KINDS.items())


@pytest.mark.parametrize(
    ("part", "broken"),
    [
        ("name", "Tab Separated"),
        ("description", " "),
        ("read", LazyReader("ogw_datalab.readers.read_tables", "read_tsv_table")),  # no such function
        ("read", lambda source: None),  # no 'where', no max_rows
        ("geometry", "points"),
        ("extensions", ()),
        ("extensions", ("csv",)),  # without the dot
        ("files", ""),
        ("read_many", LazyReader("ogw_datalab.readers.read_source", "read_all_files")),
        ("decimal_mark", ","),
        ("options", ("werkblad",)),  # an option every kind has
    ],
)
def test_the_completeness_check_names_the_part_an_entry_lacks(part, broken):
    entry = dataclasses.replace(READER_KINDS["csv"], **{part: broken})
    assert missing_parts(entry) == [part]


def test_an_entry_allowing_gemeenten_needs_a_reader_of_many_files():
    assert missing_parts(dataclasses.replace(READER_KINDS["csv"], options=("gemeenten",))) == ["read_many"]


def test_every_kind_only_option_is_a_source_key_and_refused_on_the_kinds_that_do_not_list_it(tmp_path):
    assert set(KIND_OPTIONS) | set(TABLE_OPTIONS) <= set(Source.model_fields)
    values = {"sleutelkolom": "code", "veldnamen_pad": "velden", "gemeenten": ["GM0484"], "wkt": "geometrie"}
    for option in (*KIND_OPTIONS, "wkt"):
        refusing = [name for name, kind in READER_KINDS.items() if not kind.allows(option)]
        assert refusing, f"every kind allows {option!r}: it is no kind-only option"
        for name in refusing:
            with pytest.raises(ValueError, match=f"'{option}'"):
                Source.model_validate({"soort": name, "pad": tmp_path / "f", option: values[option]})


def test_a_folder_is_read_only_by_a_kind_with_a_reader_of_many_files(tmp_path):
    (tmp_path / "meldingen").mkdir()
    (tmp_path / "meldingen" / "a.csv").write_text("code;n\nBU00010001;1\n", encoding="utf-8")
    source = Source(soort="csv", pad=tmp_path / "meldingen")
    with pytest.raises(SourceError, match="a folder as pad is for soorten cbs_wijkbuurtkaart, vector, not 'csv'"):
        read_source("lagen.meldingen", source)


def test_the_json_schema_of_kind_is_an_enum_of_the_registered_kinds():
    assert Source.model_json_schema()["properties"]["soort"] == {
        "description": Source.model_fields["soort"].description,
        "enum": list(READER_KINDS),
        "examples": ["vector"],
        "title": "Soort",
        "type": "string",
    }


def test_importing_the_configuration_imports_no_reader():
    loaded = subprocess.run(
        [sys.executable, "-c", "import sys, ogw_datalab.config; print(' '.join(sorted(sys.modules)))"],
        capture_output=True,
        text=True,
        check=True,
        cwd=PROJECT,
    ).stdout.split()
    heavy = {"geopandas", "pyogrio", "pandas", "duckdb", "shapely", "ogw_datalab.readers"}
    assert heavy.isdisjoint(loaded)
    assert "ogw_datalab.reader_kinds" in loaded


def _kind_lists(tree: ast.AST, names: set[str]) -> list[int]:
    """Line numbers of tuples, lists, sets, dict keys and Literal[...] naming two or more reader kinds."""
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Tuple | ast.List | ast.Set):
            items: list[ast.expr | None] = list(node.elts)
        elif isinstance(node, ast.Dict):
            items = list(node.keys)
        else:
            continue
        named = [i.value for i in items if isinstance(i, ast.Constant) and i.value in names]
        if len(set(named)) >= 2:
            lines.append(node.lineno)
    return lines


def test_reader_kinds_are_listed_in_the_registry_only():
    names = set(READER_KINDS)
    registry = PROJECT / "ogw_datalab" / "reader_kinds.py"
    found = {}
    for path in sorted([*(PROJECT / "ogw_datalab").rglob("*.py"), *(PROJECT / "pipelines").rglob("*.py")]):
        if path != registry:
            lines = _kind_lists(ast.parse(path.read_text(encoding="utf-8")), names)
            if lines:
                found[str(path.relative_to(PROJECT))] = lines
    assert found == {}
    assert _kind_lists(ast.parse("KINDS = ('csv', 'xlsx')\nX: Literal['vector', 'json']"), names) == [1, 2]


# --- A new reader kind: one entry plus its reader --------------------------------------------------------------------


def read_jsonl_table(source: Source, where: str, *, max_rows: int | None = None) -> pd.DataFrame:
    """Read JSON Lines: one record per line, every value as text, rows numbered by their line in the file."""
    rows, numbers = [], []
    with source.pad.open(encoding=source.tekenset) as handle:
        for number, line in enumerate(handle, start=1):
            if max_rows is not None and len(rows) == max_rows:
                break
            if line.strip():
                record = json.loads(line)
                rows.append({key: None if value is None else str(value) for key, value in record.items()})
                numbers.append(number)
    return pd.DataFrame(rows, index=pd.Index(numbers, name="bronrij"), dtype=object)


@pytest.fixture
def jsonl(monkeypatch) -> ReaderKind:
    """JSON Lines as a reader kind: a table, numbers with the configured decimal mark; only while the test runs."""
    entry = ReaderKind(
        "jsonl",
        "JSON Lines: one record per line",
        read_jsonl_table,
        "columns",
        (".jsonl", ".ndjson"),
        "JSON-lines-bestanden",
        decimal_mark="configured",
    )
    assert missing_parts(entry) == []
    monkeypatch.setitem(reader_kinds.READER_KINDS, entry.name, entry)
    return entry


def jsonl_lines(records: list[dict[str, object]]) -> str:
    return "".join(json.dumps(record) + "\n" for record in records)


def write_lab(folder: Path) -> Path:
    """A configuration whose partner and layer are JSON Lines files, and both files."""
    (folder / "partners").mkdir()
    (folder / "bron").mkdir()
    scores = [{"code": code, "score": score} for code, score in SCORES]
    (folder / "partners" / "ggd.jsonl").write_text(jsonl_lines(scores[:2]), encoding="utf-8")
    benches = [{"id": i, "x": X0 + x, "y": Y0 + y} for i, (x, y) in enumerate(BENCHES, start=1)]
    (folder / "bron" / "bankjes.jsonl").write_text("\n" + jsonl_lines(benches), encoding="utf-8")
    (folder / "bron" / "kaart.gpkg").write_bytes(b"")
    raw = {
        "gemeente": {"code": "GM0001", "naam": "Testdorp"},
        "jaar": 2024,
        "bronnen": {
            "buurten": {"soort": "cbs_wijkbuurtkaart", "pad": "bron/kaart.gpkg", "laag": "buurten"},
            "wijken": {"soort": "cbs_wijkbuurtkaart", "pad": "bron/kaart.gpkg", "laag": "wijken"},
        },
        "lagen": {
            "bankjes": {
                "soort": "jsonl",
                "geometrie": "punten",
                "pad": "bron/bankjes.jsonl",
                "x": "x",
                "y": "y",
                "crs": RD,
                "kolommen": {"id": "id"},
            }
        },
        "partners": [
            {
                "naam": "ggd",
                "sleutel": "buurtcode",
                "soort": "jsonl",
                "pad": "partners/ggd.jsonl",
                "kolommen": {"buurtcode": "code", "score": "score"},
            }
        ],
        "indicatoren": "indicatoren.yaml",
        "opgaven": "opgaven.yaml",
        "uitvoer": {"database": "data/lab.duckdb", "kaarten": "maps", "inbox": "inbox"},
    }
    for name in ("indicatoren.yaml", "opgaven.yaml"):
        (folder / name).write_text("{}\n", encoding="utf-8")
    path = folder / "config.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def stage_four_buurten(con) -> None:
    """Four 1 km buurten of GM0001 in two wijken (a copy of the minimum of tests/fixtures.py's two_by_two_buurten)."""
    cells = [
        (0, 0, "BU00010001", "WK000100"),
        (1000, 0, "BU00010002", "WK000100"),
        (0, 1000, "BU00010101", "WK000101"),
        (1000, 1000, "BU00010102", "WK000101"),
    ]
    buurten = gpd.GeoDataFrame(
        {
            "buurtcode": [c[2] for c in cells],
            "buurtnaam": ["Zuidwest", "Zuidoost", "Noordwest", "Noordoost"],
            "wijkcode": [c[3] for c in cells],
            "gemeentecode": "GM0001",
            "aantal_inwoners": [1000, 400, 300, 200],
        },
        geometry=[box(x, y, x + 1000, y + 1000) for x, y, *_ in cells],
        crs=RD,
    )
    wijken = gpd.GeoDataFrame(
        {"wijkcode": ["WK000100", "WK000101"], "wijknaam": ["Zuid", "Noord"], "gemeentecode": "GM0001"},
        geometry=[box(0, 0, 2000, 1000), box(0, 1000, 2000, 2000)],
        crs=RD,
    )
    write_frame(con, "raw", "buurten", buurten)
    write_frame(con, "raw", "wijken", wijken)
    stage_cbs_areas(con, "buurten", "GM0001")
    stage_cbs_areas(con, "wijken", "GM0001")


def test_a_configuration_may_name_a_kind_only_while_it_is_registered(tmp_path, monkeypatch, jsonl):
    path = write_lab(tmp_path)
    config = load_config(path)
    assert config.partners[0].reader_kind is jsonl
    assert config.lagen["bankjes"].decimal_mark == ","  # the entry's 'configured' decimal mark, the default ','
    assert "jsonl" in Source.model_json_schema()["properties"]["soort"]["enum"]
    tables = ", ".join(kinds_allowing("x"))  # the registry's table kinds, the new one last
    assert tables.endswith(", jsonl")
    with pytest.raises(ConfigError, match=re.escape(f"'x'/'y' and 'wkt' are for tables ({tables})")):
        load_config(_with(path, lambda raw: raw["bronnen"]["buurten"].update(x="x", y="y")))
    many = ", ".join(many_file_kinds())
    with pytest.raises(ConfigError, match=f"a pattern as pad is for soorten {many}, not 'jsonl'"):
        load_config(_with(path, lambda raw: raw["lagen"]["bankjes"].update(pad="bron/*.jsonl")))
    monkeypatch.undo()
    with pytest.raises(ConfigError) as refused:
        load_config(path)
    assert "partners.0.soort: unknown reader kind 'jsonl'; choose one of cbs_wijkbuurtkaart, " in str(refused.value)
    assert "lagen.bankjes.soort: unknown reader kind 'jsonl'" in str(refused.value)


def _with(path: Path, change) -> Path:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(raw)
    changed = path.with_name("changed.yaml")
    changed.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return changed


def test_a_new_kind_is_read_staged_and_placed_and_its_layer_located(tmp_path, jsonl):
    config = load_config(write_lab(tmp_path))
    partner, layer = config.partners[0], config.lagen["bankjes"]
    frame = read_source("partners.ggd", partner)
    assert list(frame.columns) == ["bronrij", "code", "score"]
    assert frame.to_dict("list") == {"bronrij": [1, 2], "code": ["BU00010001", "BU00010002"], "score": ["7,5", "6,0"]}
    assert read_source("partners.ggd", partner, max_rows=1)["code"].tolist() == ["BU00010001"]
    benches = read_source("lagen.bankjes", layer)
    assert isinstance(benches, gpd.GeoDataFrame)
    assert benches.crs == RD
    assert benches["bronrij"].tolist() == [2, 3, 4]  # line numbers: the empty first line is line 1
    assert [(p.x - X0, p.y - Y0) for p in benches.geometry] == BENCHES

    con = connect(":memory:")
    try:
        write_frame(con, "raw", partner_table("ggd"), frame)
        assert stage_partner(con, partner)["rows"] == 2
        staged = con.execute("SELECT buurtcode, score FROM staging.partner_ggd ORDER BY bronrij").fetchall()
        assert staged == [("BU00010001", 7.5), ("BU00010002", 6.0)]  # the decimal comma, as the entry says
        write_frame(con, "raw", layer_table("bankjes"), benches)
        assert stage_layer(con, "bankjes", layer) == {"rows": 3, "dropped": 0}
        located = con.execute("SELECT id, ST_X(geometry), ST_Y(geometry) FROM staging.layer_bankjes ORDER BY id")
        assert located.fetchall() == [(str(i), X0 + x, Y0 + y) for i, (x, y) in enumerate(BENCHES, start=1)]
    finally:
        con.close()


def test_the_inbox_takes_a_delivery_of_the_new_kind_by_its_extensions_and_refuses_others(tmp_path, jsonl):
    config = load_config(write_lab(tmp_path))
    con = connect(config.uitvoer.database)
    stage_four_buurten(con)
    con.close()
    inbox = config.uitvoer.inbox
    assert inbox is not None
    inbox.mkdir()
    delivery = jsonl_lines([{"code": code, "score": score} for code, score in SCORES])
    (inbox / "ggd_2027-01.ndjson").write_text(delivery, encoding="utf-8")
    (inbox / "ggd_2027-02.csv").write_text("code;score\nBU00010001;7,5\n", encoding="utf-8")
    first = process_inbox(config, seen={})
    assert {d.action for d in first.decisions} == {"wait"}  # complete only when unchanged at the next look
    result = process_inbox(config, seen=read_inbox_cursor(inbox_cursor(first)))
    decided = {d.path.name: d for d in result.decisions}
    assert decided["ggd_2027-01.ndjson"].action == "load"
    assert decided["ggd_2027-01.ndjson"].placement is not None
    assert decided["ggd_2027-01.ndjson"].placement["matched"] == 4  # staged and placed in all four buurten
    assert config.partners[0].pad.read_text(encoding="utf-8") == delivery
    assert decided["ggd_2027-02.csv"].action == "reject"
    assert decided["ggd_2027-02.csv"].reason is not None
    assert "ingesteld op JSON-lines-bestanden (soort: jsonl: .jsonl, .ndjson)" in decided["ggd_2027-02.csv"].reason
