"""One month of a gemeente's time series on its own: computed, stored per month, and fingerprinted for late data.

Sensor data arrive month by month, and late: a network re-sends a day that was missing, or marks a
period untrusted afterwards. The graph therefore has the month as a partition of its own
(gemeente × maand): :func:`compute_month` computes the monthly figures of every configured
tijdreeks for one month, on the buurt and wijk boundaries of the gemeente's published build, and
stores them as Parquet files in ``<database folder>/tijdreeksen/<GMxxxx>/<YYYY-MM>/``
(one file per tijdreeks and level, buurt and wijk), replaced whole. :func:`month_fingerprints` gives per month a
hash of the checked hourly values that month's figures are made from, so that a sensor can tell
which months changed when a source file changed, and have only those computed again.

Notes
-----
A month is computed from all the source's values, not only its own: the quality rules look across
month boundaries (the warm-up after a restart, outliers against the nearest reference station).
The stored figures are the rows of that month in the same tables a yearly build writes
(``joined.tijdreeks_<naam>_maand`` and ``..._wijk_maand``), so both always agree.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path

import duckdb
import pandas as pd

from ..config import ProjectConfig
from ..duckdb_connection import attach, connect
from ..readers.source_files import files_fingerprint
from ..storage import tijdreeks_table
from .aggregate import Niveau, aggregate_tijdreeks
from .read_series import source_files
from .stage import prepare_tijdreeks, stage_tijdreeks

LEVELS: tuple[Niveau, ...] = ("buurt", "wijk")
STORE = "tijdreeksen"


class MonthError(ValueError):
    """A month cannot be computed (no published build to take the boundaries from, or a malformed month)."""


def month_store(config: ProjectConfig) -> Path:
    """Return the folder of a gemeente's stored months: ``<database folder>/tijdreeksen/<GMxxxx>``."""
    return config.uitvoer.database.parent / STORE / config.gemeente.code


def month_of_key(key: str) -> str:
    """``"2016-06"`` from a monthly partition key (``"2016-06-01"``) or the month itself."""
    try:
        return pd.Timestamp(key).strftime("%Y-%m")
    except ValueError:
        raise MonthError(f"'{key}' is not a month (expected e.g. 2016-06-01)") from None


def files_of_series(config: ProjectConfig) -> str:
    """Return a sha256 of the path, size and modification time of every file the time series read.

    Those are the sources and the sensor tables. The hash is cheap to compute each time a sensor looks,
    and it changes whenever a file does.
    """
    files: list[Path] = []
    for name, reeks in sorted(config.tijdreeksen.items()):
        for i, bron in enumerate(reeks.bronnen):
            files.extend(source_files(bron, f"tijdreeksen.{name}.bronnen.{i}"))
        files.extend(table.pad for table in reeks.sensor_tables())
    return hashlib.sha256(repr(files_fingerprint(files)).encode()).hexdigest()


def months_to_compute(config: ProjectConfig, known: dict[str, str]) -> tuple[dict[str, str], list[str]]:
    """Which months need computing: those whose values changed since ``known`` was taken, or never stored.

    Parameters
    ----------
    config
        One gemeente's configuration.
    known
        :func:`month_fingerprints` as they were when the months were last computed (empty the first time).

    Returns
    -------
    tuple of (dict, list)
        The fingerprints now, and the months (``"2016-06"``) to compute, oldest first.
    """
    now = month_fingerprints(config)
    stored = month_store(config)
    changed = [m for m, digest in now.items() if known.get(m) != digest or not (stored / m).is_dir()]
    return now, changed


def month_fingerprints(config: ProjectConfig) -> dict[str, str]:
    """Per month (``"2016-06"``) a sha256 of every tijdreeks's checked hourly values of that month.

    The values are those after the quality rules (a value newly flagged changes the month too);
    months follow the tijdreeks's own time zone, as the monthly figures do.
    """
    digests: dict[str, hashlib._Hash] = {}
    for name, reeks in sorted(config.tijdreeksen.items()):
        observations = prepare_tijdreeks(name, reeks).observations
        months = pd.to_datetime(observations["dag"]).dt.strftime("%Y-%m")
        for month, rows in observations.groupby(months, sort=True):
            text = rows.sort_values(["sensor", "grootheid", "tijd"]).to_csv(index=False)
            digest = digests.setdefault(str(month), hashlib.sha256())
            digest.update(name.encode() + b"\0" + text.encode())
    return {month: digest.hexdigest() for month, digest in sorted(digests.items())}


def compute_month(config: ProjectConfig, month: str, *, encryption_key: str | None = None) -> dict[str, int]:
    """Compute and store the monthly figures of every tijdreeks of ``config`` for ``month``.

    Parameters
    ----------
    config
        One gemeente's configuration; its published database gives the buurt and wijk boundaries.
    month
        ``"2016-06"`` (or a partition key ``"2016-06-01"``).
    encryption_key
        The key of the published database, when it is encrypted.

    Returns
    -------
    dict of str to int
        Rows stored per ``<tijdreeks>.<level>``.

    Raises
    ------
    MonthError
        When the gemeente has no published build yet.
    """
    month = month_of_key(month)
    published = config.uitvoer.database
    if not published.is_file():
        raise MonthError(
            f"{config.gemeente.naam} ({config.gemeente.code}) has no published build at {published} yet; "
            "build the gemeente once, then its months can be computed"
        )
    store = month_store(config)
    store.mkdir(parents=True, exist_ok=True, mode=0o700)
    fresh = Path(tempfile.mkdtemp(prefix=f".{month}.", dir=store))
    con = connect()
    try:
        attach(con, published, "gepubliceerd", encryption_key=encryption_key)
        con.execute("CREATE SCHEMA IF NOT EXISTS staging")
        con.execute("CREATE TABLE staging.buurten AS SELECT * FROM gepubliceerd.staging.buurten")  # wijkcode too
        con.execute("DETACH gepubliceerd")
        rows = {}
        for name in config.tijdreeksen:
            stage_tijdreeks(con, config, name)
            aggregate_tijdreeks(con, config, name, LEVELS)
            for level in LEVELS:
                rows[f"{name}.{level}"] = _copy_month(con, name, level, month, fresh)
        _swap_in(fresh, store / month)
    except BaseException:
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    finally:
        con.close()
    return rows


def _copy_month(con: duckdb.DuckDBPyConnection, name: str, level: Niveau, month: str, folder: Path) -> int:
    """Write the month's rows of one tijdreeks and level as ``<naam>.<level>.parquet``; return the row count."""
    table = tijdreeks_table(name, "maand" if level == "buurt" else f"{level}_maand")
    target = str(folder / f"{name}.{level}.parquet").replace("'", "''")
    con.execute(
        f"COPY (SELECT * FROM joined.{table} WHERE maand = $1 ORDER BY ALL) TO '{target}' (FORMAT parquet)", [month]
    )
    return int(con.execute(f"SELECT count(*) FROM read_parquet('{target}')").fetchone()[0])  # type: ignore[index]


def read_month(config: ProjectConfig, month: str) -> dict[str, pd.DataFrame]:
    """Read the stored figures of one month, per ``<tijdreeks>.<level>`` (empty when the month was never computed)."""
    folder = month_store(config) / month_of_key(month)
    if not folder.is_dir():
        return {}
    con = duckdb.connect()
    try:
        return {
            path.stem: con.execute("SELECT * FROM read_parquet($1)", [str(path)]).df()
            for path in sorted(folder.glob("*.parquet"))
        }
    finally:
        con.close()


def _swap_in(fresh: Path, folder: Path) -> None:
    """Put the newly written month in place of the old one: a reader sees the old month or the new one."""
    old = folder.with_name(f".{folder.name}.oud")
    shutil.rmtree(old, ignore_errors=True)
    if folder.exists():
        os.replace(folder, old)
    os.replace(fresh, folder)
    shutil.rmtree(old, ignore_errors=True)
