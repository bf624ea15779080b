"""The one resource every asset uses: the project configuration and its DuckDB database."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg
import duckdb

from ogw_datalab.config import ProjectConfig, load_config
from ogw_datalab.duckdb_connection import connect
from ogw_datalab.indicators.catalogue import Catalogue, load_catalogue

CONFIG_ENV_VAR = "OGW_DATALAB_CONFIG"


class DataLabResource(dg.ConfigurableResource):
    """Where the project configuration file is; everything else follows from that file."""

    config_path: str

    def load_config(self) -> ProjectConfig:
        return load_config(self.config_path, check_files=False)

    def load_catalogue(self, config: ProjectConfig) -> Catalogue:
        return load_catalogue(config.indicatoren, config)

    @contextmanager
    def connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        con = connect(self.load_config().output.database)
        try:
            yield con
        finally:
            con.close()
