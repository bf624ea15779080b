"""Demo and Alphen configurations in temporary folders, built by the command line as a data team builds them.

A *lab* is a folder holding a configuration whose paths are all relative to it (data/, maps/), so a
built lab can be copied whole for a test that changes something.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

from ogw_datalab.duckdb_connection import connect
from pipelines.cli import main

PROJECT = Path(__file__).resolve().parents[1]
SCHEMAS = ("raw", "staging", "joined", "indicators", "maps", "historie")


@dataclass(frozen=True)
class Run:
    """What one command printed and returned."""

    code: int
    out: str
    err: str


@dataclass(frozen=True)
class Lab:
    """A configuration in a folder of its own; ``database`` and ``maps`` are the current year's outputs."""

    folder: Path
    config: Path

    @property
    def database(self) -> Path:
        return self.folder / "data" / "datalab.duckdb"

    @property
    def maps(self) -> Path:
        return self.folder / "maps"

    def run(self, command: str = "build", *extra: str) -> Run:
        return run_cli(command, "--config", str(self.config), *extra)

    def copy(self, folder: Path) -> Lab:
        """The same lab, with everything it built, in ``folder`` (for a test that changes something)."""
        shutil.copytree(self.folder, folder, dirs_exist_ok=True, symlinks=True)
        return Lab(folder, folder / self.config.name)


def run_cli(*argv: str) -> Run:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return Run(code, out.getvalue(), err.getvalue())


def demo_config(folder: Path, *, name: str = "config.yaml", years: bool = False, **changes) -> Path:
    """config/demo.yaml with its files and outputs inside ``folder`` (and ``years``: with 2023 under jaren)."""
    raw = yaml.safe_load((PROJECT / "config" / "demo.yaml").read_text(encoding="utf-8"))
    raw["opgaven"] = str(PROJECT / "config" / "demo_opgaven.yaml")
    raw["indicatoren"] = str(PROJECT / "config" / "demo_indicatoren.yaml")
    raw["demo"]["folder"] = "data/demo"
    raw["output"] = {"database": "data/datalab.duckdb", "maps": "maps"}
    raw["jaren"] = {2023: earlier_year_config(folder).name} if years else {}
    for source in demo_files(raw):
        source["path"] = source["path"].replace("../data/demo", "data/demo")
    raw.update(changes)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def earlier_year_config(folder: Path, **output) -> Path:
    """config/demo_2023.yaml, with its files and outputs inside ``folder``."""
    raw = yaml.safe_load((PROJECT / "config" / "demo_2023.yaml").read_text(encoding="utf-8"))
    raw["opgaven"] = str(PROJECT / "config" / raw["opgaven"])
    raw["indicatoren"] = str(PROJECT / "config" / raw["indicatoren"])
    raw["demo"]["folder"] = "data/demo_2023"
    raw["output"] = {"database": "data/jaren/datalab_2023.duckdb", "maps": "data/jaren/maps_2023", **output}
    for source in demo_files(raw):
        source["path"] = source["path"].removeprefix("../")
    path = folder / "demo_2023.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def demo_files(raw: dict) -> list[dict]:
    """Every entry of a demo configuration with a ``path`` into its demo folder (sources, layers, partners,
    and the sensor table and sources of every tijdreeks)."""
    entries = [*raw["sources"].values(), *raw["layers"].values(), *raw["partners"]]
    for reeks in raw.get("tijdreeksen", {}).values():
        entries += [reeks["sensoren"], *reeks["bronnen"]] if "sensoren" in reeks else reeks["bronnen"]
    return entries


def alphen_config(folder: Path, shared_data: Path) -> Path:
    """config/alphen.yaml reading the real files in ``shared_data``, with its outputs inside ``folder``."""
    raw = yaml.safe_load((PROJECT / "config" / "alphen.yaml").read_text(encoding="utf-8"))
    for source in [*raw["sources"].values(), *raw["layers"].values(), *raw["partners"]]:
        source["path"] = str(shared_data / source["path"].removeprefix("../../shared/data/"))
    raw["opgaven"] = str(PROJECT / "config" / "alphen_opgaven.yaml")
    raw["indicatoren"] = str(PROJECT / "config" / "alphen_indicatoren.yaml")
    raw["output"] = {"database": "data/datalab.duckdb", "maps": "maps", "cache": "data/cache"}
    path = folder / "alphen.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def table_fingerprints(database: Path) -> dict[str, str]:
    """sha256 of every table's sorted rows (geometry as WKT), per ``schema.table``; the audit trail
    (``raw.bronbestanden``: which build read which file version, when) is left out, it differs per build."""
    con = connect(database, read_only=True)
    tables = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN "
        f"({', '.join(repr(s) for s in SCHEMAS)}) AND table_name <> 'bronbestanden' ORDER BY ALL"
    ).fetchall()
    prints = {}
    for schema, table in tables:
        columns = [
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [schema, table],
            ).fetchall()
        ]
        select = ", ".join("ST_AsText(geometry)" if c == "geometry" else f'"{c}"' for c in columns)
        rows = con.execute(f'SELECT {select} FROM {schema}."{table}" ORDER BY ALL').fetchall()
        prints[f"{schema}.{table}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    con.close()
    return prints


def files_under(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` with the sha256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.rglob("*") if p.is_file()
    }


# Ten complete gemeenten of the 2015 national files, small to large, from six regions (Ermelo and Harderwijk first).
REGION_SAMPLE = [
    "GM0233", "GM0243", "GM0106", "GM0058", "GM1711", "GM1676", "GM0400", "GM0171", "GM0321", "GM0118",
]  # fmt: skip


def region_config(folder: Path, shared_data: Path, codes: list[str], *, name: str = "regio.yaml") -> Path:
    """``config/nederland_2015.yaml`` for the gemeenten ``codes``, reading ../shared/data, writing into ``folder``."""
    raw = yaml.safe_load((PROJECT / "config" / "nederland_2015.yaml").read_text(encoding="utf-8"))
    raw = yaml.safe_load(yaml.safe_dump(raw, allow_unicode=True).replace("../../shared/data", str(shared_data)))
    raw["gemeenten"] = list(codes)
    raw["per_gemeente"] = {}
    raw["indicatoren"] = str(PROJECT / "config" / "nederland_2015_indicatoren.yaml")
    raw["opgaven"] = str(PROJECT / "config" / "nederland_2015_opgaven.yaml")
    raw["output"] = {"database": "data/gemeenten", "maps": "maps", "cache": "data/cache"}
    config = folder / name
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return config
