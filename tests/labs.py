"""Demo, Alphen and region configurations in temporary folders, built by the command line as a data team builds
them, and the national overview of 2015.

A *lab* is a folder holding a configuration whose paths are all relative to it (data/, maps/), so a
built lab can be copied whole for a test that changes something.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import dagster as dg
import pytest
import yaml
from filelock import FileLock

from ogw_datalab.config import DEFAULT_KENMERKEN, load_configuration
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.gemeenten import gemeente_configs, gemeenten_overview, read_configured_areas
from ogw_datalab.indicators.catalogue import load_catalogue
from ogw_datalab.indicators.opgaven import load_opgaven
from ogw_datalab.indicators.similar_buurten import (
    compare_with_similar,
    find_similar_buurten,
    kaart_values,
    structure_features,
)
from ogw_datalab.maps.build_overview import OverviewPages, build_overview, overview_layers
from pipelines.cli import main

PROJECT = Path(__file__).resolve().parents[1]
T = TypeVar("T")
SCHEMAS = ("raw", "staging", "joined", "indicators", "maps", "historie")

# The shared builds of the whole pipeline: a test that asks for one is an end-to-end test, whatever it then checks.
WHOLE_BUILDS = {
    "demo_lab",
    "slim_demo_lab",
    "alphen_lab",
    "region_lab",
    "national_overview",
    "init_lab",
    "download_lab",
}


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

    def copy(self, folder: Path, *, keep_demo_files: bool = False) -> Lab:
        """The same lab, with everything it built, in ``folder`` (for a test that changes something).

        ``keep_demo_files``: its builds read the demo files the lab's build wrote instead of writing them again
        first (its ``demo:`` block emptied): the same seed writes the same files, before anything is built, so a
        test of what a build does with its inputs is spared that step (a few seconds a build).
        """
        shutil.copytree(self.folder, folder, dirs_exist_ok=True, symlinks=True)
        copied = Lab(folder, folder / self.config.name)
        if keep_demo_files:
            raw = yaml.safe_load(copied.config.read_text(encoding="utf-8"))
            raw["demo"] = None
            copied.config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        return copied


@dataclass(frozen=True)
class BuiltLab(Lab):
    """A lab as a session fixture built it: what its first build printed and left, what its last build printed
    (the same run when it was built once), and the SQLite Dagster instance its builds ran on, if they were kept."""

    first: Run
    second: Run
    first_tables: dict[str, str]
    dagster_home: Path | None

    def instance(self) -> dg.DagsterInstance:
        """The instance of this lab's builds (use it in a ``with``), for a lab built with ``kept_runs``."""
        assert self.dagster_home is not None, "this lab was built on a temporary instance: build it with kept_runs"
        return dg.DagsterInstance.from_config(str(self.dagster_home))


def build_lab(
    folder: Path,
    write_config: Callable[[Path], Path],
    *,
    twice: bool = False,
    tables: bool = True,
    kept_runs: bool = False,
) -> BuiltLab:
    """Write the configuration into ``folder/lab`` and build it (``twice``: then build it again).
    ``tables``: fingerprint the tables of its database after the first build (a lab of several gemeenten has a
    database per gemeente, and none of its own). ``kept_runs``: on a SQLite Dagster instance of its own in
    ``folder/dagster``, as a data team's ``DAGSTER_HOME``, so that its runs are found beside it by any test process;
    else on a temporary in-memory instance (the SQLite one costs about 2 CPU s a build)."""
    home = folder / "dagster" if kept_runs else None
    if home is not None:
        home.mkdir()
        (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    (folder / "lab").mkdir()
    lab = Lab(folder / "lab", write_config(folder / "lab"))
    with pytest.MonkeyPatch.context() as patch:
        if home is not None:
            patch.setenv("DAGSTER_HOME", str(home))
        first = lab.run()
        assert first.code == 0, first.out + first.err
        fingerprints = table_fingerprints(lab.database) if tables else {}
        second = lab.run() if twice else first
        assert second.code == 0, second.out + second.err
    return BuiltLab(lab.folder, lab.config, first, second, fingerprints, home)


def build_once(tmp_path_factory: pytest.TempPathFactory, name: str, build: Callable[[Path], T]) -> T:
    """``build(folder)`` once per test run, its result shared by every xdist worker.

    Without xdist the folder is a fresh temporary one. With xdist it is ``name`` in the run's shared temporary
    folder (the parent of every worker's own): the first worker to ask builds it under a file lock and leaves
    the pickled result beside it; a worker that asks later waits for the lock and reads that result. A build
    that failed leaves no result, so the next worker builds again (and fails the same way, in its own test).
    ``name`` says what was built from which inputs (for example the gemeenten of a region build).
    """
    if not os.environ.get("PYTEST_XDIST_WORKER"):
        return build(tmp_path_factory.mktemp(name))
    shared = tmp_path_factory.getbasetemp().parent / "gedeeld"
    shared.mkdir(exist_ok=True)
    folder, result = shared / name, shared / f"{name}.pickle"
    with FileLock(shared / f"{name}.lock"):
        if result.is_file():
            return pickle.loads(result.read_bytes())
        shutil.rmtree(folder, ignore_errors=True)  # what a failed build of another worker left
        folder.mkdir()
        built = build(folder)
        result.write_bytes(pickle.dumps(built))
        return built


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
    raw["demo"]["map"] = "data/demo"
    raw["uitvoer"] = {"database": "data/datalab.duckdb", "kaarten": "maps"}
    raw["jaren"] = {2023: earlier_year_config(folder).name} if years else {}
    for source in demo_files(raw):
        source["pad"] = source["pad"].replace("../data/demo", "data/demo")
    raw.update(changes)
    path = folder / name
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


# The opgaven of the slim demo: every layer of a build (raw, staging, joined, indicators, opgaven, site), without
# the air-quality series and the other three opgaven.
SLIM_OPGAVEN = ("meer_groen", "energietransitie")


def slim_demo_config(folder: Path) -> Path:
    """The demo with only the opgaven ``SLIM_OPGAVEN`` and their indicators, no tijdreeksen and no earlier year: for
    tests of what a build does as a whole (killed, read-only, twice at once, encrypted); its build takes 4.3 s in the
    build against the demo's 7.1 s."""
    opgaven = yaml.safe_load((PROJECT / "config" / "demo_opgaven.yaml").read_text(encoding="utf-8"))
    opgaven["opgaven"] = [o for o in opgaven["opgaven"] if o["id"] in SLIM_OPGAVEN]
    used = {"inwoners"} | {i["id"] for o in opgaven["opgaven"] for i in o["indicatoren"]}
    catalogue = yaml.safe_load((PROJECT / "config" / "demo_indicatoren.yaml").read_text(encoding="utf-8"))
    catalogue["indicatoren"] = [i for i in catalogue["indicatoren"] if i["id"] in used]
    for name, content in (("opgaven.yaml", opgaven), ("indicatoren.yaml", catalogue)):
        (folder / name).write_text(yaml.safe_dump(content, allow_unicode=True), encoding="utf-8")
    return demo_config(folder, opgaven="opgaven.yaml", indicatoren="indicatoren.yaml", tijdreeksen={})


def earlier_year_config(folder: Path, **output) -> Path:
    """config/demo_2023.yaml, with its files and outputs inside ``folder``."""
    raw = yaml.safe_load((PROJECT / "config" / "demo_2023.yaml").read_text(encoding="utf-8"))
    raw["opgaven"] = str(PROJECT / "config" / raw["opgaven"])
    raw["indicatoren"] = str(PROJECT / "config" / raw["indicatoren"])
    raw["demo"]["map"] = "data/demo_2023"
    raw["uitvoer"] = {"database": "data/jaren/datalab_2023.duckdb", "kaarten": "data/jaren/maps_2023", **output}
    for source in demo_files(raw):
        source["pad"] = source["pad"].removeprefix("../")
    path = folder / "demo_2023.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return path


def demo_files(raw: dict) -> list[dict]:
    """Every entry of a demo configuration with a ``path`` into its demo folder (sources, layers, partners,
    and the sensor table and sources of every tijdreeks)."""
    entries = [*raw["bronnen"].values(), *raw["lagen"].values(), *raw["partners"]]
    for reeks in raw.get("tijdreeksen", {}).values():
        entries += [reeks["sensoren"], *reeks["bronnen"]] if "sensoren" in reeks else reeks["bronnen"]
    return entries


def alphen_config(folder: Path, shared_data: Path) -> Path:
    """config/alphen.yaml reading the real files in ``shared_data``, with its outputs inside ``folder``."""
    raw = yaml.safe_load((PROJECT / "config" / "alphen.yaml").read_text(encoding="utf-8"))
    for source in [*raw["bronnen"].values(), *raw["lagen"].values(), *raw["partners"]]:
        source["pad"] = str(shared_data / source["pad"].removeprefix("../../shared/data/"))
    raw["opgaven"] = str(PROJECT / "config" / "alphen_opgaven.yaml")
    raw["indicatoren"] = str(PROJECT / "config" / "alphen_indicatoren.yaml")
    raw["uitvoer"] = {"database": "data/datalab.duckdb", "kaarten": "maps", "cache": "data/cache"}
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
    raw["uitvoer"] = {"database": "data/gemeenten", "kaarten": "maps", "cache": "data/cache"}
    config = folder / name
    config.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    return config


def build_national_overview(shared_data: Path, folder: Path) -> OverviewPages:
    """The near-national overview from the merged 2015 files, with the kaart's own values and similar buurten."""
    national = load_configuration(PROJECT / "config" / "nederland_2015.yaml")
    areas = read_configured_areas(national)
    configs = gemeente_configs(national, areas=areas)
    one = configs["GM0484"]
    catalogue = load_catalogue(one.indicatoren)
    opgaven = load_opgaven(one.opgaven, catalogue)
    values = kaart_values(areas.frame, catalogue, one)
    values = values.assign(
        laag=values["indicator"], status=values["waarde"].notna().map({True: "gepubliceerd", False: "onderdrukt"})
    )
    buurten = areas.frame.rename(
        columns={"BU_CODE": "buurtcode", "BU_NAAM": "buurtnaam", "GM_CODE": "gemeentecode", "GM_NAAM": "gemeentenaam"}
    )[["buurtcode", "buurtnaam", "gemeentecode", "gemeentenaam", "geometry"]]
    similar = find_similar_buurten(structure_features(areas.frame, DEFAULT_KENMERKEN), kenmerken=DEFAULT_KENMERKEN)
    comparison = compare_with_similar(similar.pairs, values[["indicator", "buurtcode", "waarde"]])
    gemeenten = gemeenten_overview(configs, areas)
    gemeenten["site"] = gemeenten["gemeentecode"] + "/index.html"
    return build_overview(
        buurten,
        values[["buurtcode", "laag", "waarde", "status"]],
        overview_layers(catalogue, opgaven),
        gemeenten,
        folder=folder,
        titel="Nederland 2015",
        vergelijking=comparison.rename(columns={"indicator": "laag"}),
    )
