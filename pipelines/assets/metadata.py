"""Metadata that every table-writing asset reports."""

from __future__ import annotations

import dagster as dg
import duckdb

from ogw_datalab.storage import query_row, row_count, table_name


def table_metadata(con: duckdb.DuckDBPyConnection, schema: str, table: str, **extra) -> dict:
    """Row count, and for tables with geometry the CRS and bounds."""
    metadata = {"table": f"{schema}.{table}", "dagster/row_count": row_count(con, schema, table)}
    # The columns as the query binds them: a tenth of asking information_schema, which lists every column.
    columns = [d[0] for d in con.execute(f"SELECT * FROM {table_name(schema, table)} LIMIT 0").description]
    if "geometry" in columns:
        bounds = query_row(
            con,
            f"SELECT min(ST_XMin(geometry)), min(ST_YMin(geometry)), max(ST_XMax(geometry)), "
            f"max(ST_YMax(geometry)) FROM {table_name(schema, table)}",
        )
        metadata["crs"] = "EPSG:28992"
        if bounds[0] is not None:
            metadata["bounds"] = dg.MetadataValue.json([round(b, 1) for b in bounds])
    metadata.update(extra)
    return metadata
