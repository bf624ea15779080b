"""Shared fixtures: a temporary Dagster instance for every test, an in-memory DuckDB with spatial, the real data in
../shared/data, and the demo and Alphen builds (each built once per test run and never changed by a test)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from ogw_datalab.duckdb_connection import connect

from .labs import REGION_SAMPLE, Lab, Run, alphen_config, demo_config, region_config, table_fingerprints

PROJECT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT.parent / "shared" / "data"


@pytest.fixture(scope="session", autouse=True)
def temporary_dagster_instance(tmp_path_factory):
    """Every run a test makes goes into this instance, never into the data team's ``.dagster/``."""
    home = tmp_path_factory.mktemp("dagster_home")
    (home / "dagster.yaml").write_text("telemetry:\n  enabled: false\n", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home))
        patch.setenv("DAGSTER_DISABLE_TELEMETRY", "1")
        yield home


@pytest.fixture
def con():
    connection = connect(":memory:")
    yield connection
    connection.close()


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real open data beside the project; tests that need it skip only when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"real data folder {SHARED_DATA} is absent (it sits beside the project in CI)")
    return SHARED_DATA


@dataclass(frozen=True)
class BuiltLab(Lab):
    """A lab built twice in a row: what the first build printed and left, and what the second build printed."""

    first: Run
    second: Run
    first_tables: dict[str, str]


@pytest.fixture(scope="session")
def demo_lab(tmp_path_factory) -> BuiltLab:
    """The demo gemeente with its earlier year 2023, built as ``make demo`` builds it, then built again."""
    folder = tmp_path_factory.mktemp("demo")
    lab = Lab(folder, demo_config(folder, years=True))
    first = lab.run()
    assert first.code == 0, first.out + first.err
    tables = table_fingerprints(lab.database)
    second = lab.run()
    assert second.code == 0, second.out + second.err
    return BuiltLab(lab.folder, lab.config, first, second, tables)


@pytest.fixture(scope="session")
def alphen_lab(tmp_path_factory, shared_data) -> BuiltLab:
    """Alphen aan den Rijn from the real files in ../shared/data, built once."""
    folder = tmp_path_factory.mktemp("alphen")
    lab = Lab(folder, alphen_config(folder, shared_data))
    first = lab.run()
    assert first.code == 0, first.out + first.err
    return BuiltLab(lab.folder, lab.config, first, first, table_fingerprints(lab.database))


@pytest.fixture(scope="session")
def region_lab(tmp_path_factory, shared_data) -> Lab:
    """Ten gemeenten of the 2015 national files (REGION_SAMPLE), each its own site, and their overview; built once."""
    folder = tmp_path_factory.mktemp("regio")
    lab = Lab(folder, region_config(folder, shared_data, REGION_SAMPLE))
    run = lab.run()
    assert run.code == 0, run.out + run.err
    return lab
