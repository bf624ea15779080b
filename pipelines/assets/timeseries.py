"""Time-series layer: sensor measurements (air quality, noise) per hour, checked, placed in buurten and counted per
day and month; the tijdreeks_* formula types of the catalogue read the result."""

from __future__ import annotations

from typing import Any

import dagster as dg
import pandas as pd

from ogw_datalab.encryption import database_key
from ogw_datalab.storage import tijdreeks_table, write_frame
from ogw_datalab.timeseries.aggregate import Niveau, aggregate_tijdreeks
from ogw_datalab.timeseries.months import compute_month, month_store
from ogw_datalab.timeseries.stage import stage_tijdreeks

from ..partitions import GEMEENTE_JAAR, GEMEENTE_MAAND
from ..resources import DataLabResource
from .metadata import table_metadata
from .raw import record_versions
from .skipping import drop_unconfigured

LEVELS: tuple[Niveau, ...] = ("buurt", "wijk", "gemeente")


@dg.asset(
    key=["staging", "tijdreeksen"],
    partitions_def=GEMEENTE_JAAR,
    group_name="staging",
    kinds={"duckdb"},
)
def staging_tijdreeksen(context, datalab: DataLabResource) -> dg.MaterializeResult:
    """Every configured time series ('tijdreeksen:') as one hourly value per sensor and quantity, in UTC, with
    the sensors' locations per period and every quality flag (warm-up, below the floor, untrusted periods,
    duplicates, outliers against the nearest reference station), counted per sensor in
    staging.tijdreeks_<name>_kwaliteit."""
    config = datalab.project.config
    summary: dict[str, Any] = {}
    with datalab.connect() as con:
        for name in config.tijdreeksen:
            summary[name] = stage_tijdreeks(con, config, name)
        versions = record_versions(con, datalab, context.run.run_id, [f"tijdreeksen.{n}" for n in config.tijdreeksen])
        drop_unconfigured(con, "staging", "tijdreeks_", set(config.tijdreeksen), with_parts=True)
        listing = pd.DataFrame(
            [
                {"tijdreeks": n, "tabel": f"staging.{tijdreeks_table(n)}", "waarden": s["waarden"]}
                for n, s in summary.items()
            ],
            columns=["tijdreeks", "tabel", "waarden"],
        )
        write_frame(con, "staging", "tijdreeksen", listing)
        metadata = table_metadata(con, "staging", "tijdreeksen", tijdreeksen=dg.MetadataValue.json(summary), **versions)
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=["joined", "tijdreeksen"],
    deps=[staging_tijdreeksen, dg.AssetKey(["staging", "buurten"]), dg.AssetKey(["staging", "wijken"])],
    partitions_def=GEMEENTE_JAAR,
    group_name="joined",
    kinds={"duckdb"},
)
def joined_tijdreeksen(datalab: DataLabResource) -> dg.MaterializeResult:
    """Every time series per buurt, wijk and gemeente: hourly values of the sensors placed there, days with their
    mean and whether it exceeds the WHO 2021 guideline, and per month the mean, a high percentile, days above the
    guideline, sensors and valid hours; a month with too few valid hours gets no figures, with the reason."""
    config = datalab.project.config
    summary: dict[str, Any] = {}
    with datalab.connect() as con:
        for name in config.tijdreeksen:
            summary[name] = aggregate_tijdreeks(con, config, name, LEVELS)
        drop_unconfigured(con, "joined", "tijdreeks_", set(config.tijdreeksen), with_parts=True)
        listing = pd.DataFrame(
            [{"tijdreeks": n, "tabel": f"joined.{tijdreeks_table(n, 'maand')}"} for n in summary],
            columns=["tijdreeks", "tabel"],
        )
        write_frame(con, "joined", "tijdreeksen", listing)
        metadata = table_metadata(con, "joined", "tijdreeksen", tijdreeksen=dg.MetadataValue.json(summary))
    return dg.MaterializeResult(metadata=metadata)


@dg.asset(
    key=["tijdreeksen", "maand"],
    partitions_def=GEMEENTE_MAAND,
    group_name="tijdreeksen",
    kinds={"parquet"},
)
def tijdreeks_maand(context, datalab: DataLabResource) -> dg.MaterializeResult:
    """One month of every time series of one gemeente: the monthly figures per buurt and wijk (mean, high
    percentile, days above the WHO guideline, sensors, valid hours), on the boundaries of the gemeente's published
    build, stored as Parquet in <database folder>/tijdreeksen/<GMxxxx>/<YYYY-MM>/ and replaced whole. Computed by
    the monthly_timeseries schedule for the month just ended, and again by the late_sensor_data sensor when a
    source file changes that month's values."""
    project = datalab.project
    if not project.config.tijdreeksen:
        return dg.MaterializeResult(metadata={"skipped": "the configuration has no tijdreeksen"})
    rows = compute_month(project.config, datalab.maand, encryption_key=database_key(project.config.uitvoer))
    context.log.info(f"{project.gemeente} {datalab.maand[:7]}: " + ", ".join(f"{k} {n}" for k, n in rows.items()))
    folder = month_store(project.config) / datalab.maand[:7]
    return dg.MaterializeResult(
        metadata={"path": dg.MetadataValue.path(str(folder)), "rijen": dg.MetadataValue.json(rows)}
    )
