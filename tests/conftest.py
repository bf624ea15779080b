"""Shared fixtures: an in-memory DuckDB with spatial, and the real data in ../shared/data."""

from __future__ import annotations

from pathlib import Path

import pytest

from ogw_datalab.duckdb_connection import connect

PROJECT = Path(__file__).resolve().parents[1]
SHARED_DATA = PROJECT.parent / "shared" / "data"


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
