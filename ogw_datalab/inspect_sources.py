"""Read every configured file before anything is built, and say in plain sentences what does not fit.

``ogw-datalab check`` and the start of every build call :func:`inspect_configured_files`. For
each file it reads what the readers would read, on a sample: the layer (GIS files), the header
(CSV and spreadsheets, found by the same search the readers use, or ``kolomnamen``), the first
rows and their coordinates. It reports a layer that does not exist, a configured column the file
lacks (with the closest existing name), an ``alleen`` filter on a missing column, ``kolomnamen``
that do not name every column, coordinates that put the data outside the Netherlands (with the
CRS that would fit), a key column that holds no area codes, and buurten or wijken without the
configured gemeente. Missing files are reported by :func:`ogw_datalab.config.load_config`.
"""

from __future__ import annotations

import re

import pandas as pd
import pyogrio

from .config import ConfigError, GemeentenConfig, ProjectConfig, Source, check_source_files
from .readers.column_names import configured_columns, suggestion
from .readers.read_source import VECTOR_KINDS, SourceError, list_layers, read_source
from .readers.source_files import CONTAINER_SUFFIXES, GIS_SUFFIXES
from .staging.stage_areas import CBS_AREA_COLUMNS, REQUIRED
from .staging.stage_layers import BAG_COLUMNS, BAG_REQUIRED

SAMPLE_ROWS = 200
AREA_CODE = re.compile(r"^(NL|GM|WK|BU)\d+$")
CODE_KEYS = {"buurtcode": "buurtcodes", "wijkcode": "wijkcodes"}


def inspect_configured_files(config: ProjectConfig | GemeentenConfig, *, sample_rows: int = SAMPLE_ROWS) -> list[str]:
    """Every problem found in the configured files, one plain sentence each ([] when all fit).

    Parameters
    ----------
    config
        A loaded configuration (its paths resolved). For several gemeenten, the shared and the
        per-gemeente files are read; whether each gemeente is in the area files is not checked.
    sample_rows
        How many rows of each file are read to check columns, codes and coordinates.

    Returns
    -------
    list of str
        Sentences that each name the configuration key, the file and the problem.
    """
    gemeentecode = config.gemeente.code if isinstance(config, ProjectConfig) else None
    problems: list[str] = []
    for name, source in config.all_sources().items():
        if source.is_pattern or source.pad.exists():  # a missing file is load_config's message
            problems.extend(inspect_source(name, source, gemeentecode=gemeentecode, sample_rows=sample_rows))
    return problems


def inspect_source(
    name: str, source: Source, *, gemeentecode: str | None = None, sample_rows: int = SAMPLE_ROWS
) -> list[str]:
    """Report the problems of one configured file (see :func:`inspect_configured_files`).

    A source of many files (a folder or pattern) is read whole, as the build reads it (once per
    process), and its columns are checked; its layers and gemeenten are the merge's to report.
    """
    where = f"{name} ({source.pad.name})"
    # Only a container (or a format not known here) is listed: listing a GeoJSON would parse it once more.
    suffix = source.pad.suffix.lower()
    may_hold_layers = suffix in CONTAINER_SUFFIXES or suffix not in GIS_SUFFIXES
    if source.soort in VECTOR_KINDS and not source.is_many_files and source.laag is None and may_hold_layers:
        layers = list_layers(source.pad)
        if len(layers) > 1:
            listed = ", ".join(repr(layer) for layer in layers)
            return [f"{where}: the file holds layers {listed}; set 'laag' to the one to read"]
    try:
        frame = read_source(name, source, max_rows=sample_rows)
    except SourceError as error:
        return [str(error)]
    present = [str(c) for c in frame.columns if c not in ("bronrij", "geometry")]
    problems = _missing_columns(where, source, present) + _missing_required(name, where, source, present)
    if not problems:
        problems += _keys_without_codes(where, source, frame)
    single = not source.is_many_files and not source.gemeenten
    if not problems and single and gemeentecode and name in ("bronnen.buurten", "bronnen.wijken"):
        problems += _gemeente_absent(name, where, source, present, gemeentecode)
    return problems


def _missing_columns(where: str, source: Source, present: list[str]) -> list[str]:
    lowered = {p.lower() for p in present}
    problems = []
    for key, column in configured_columns(source).items():
        if column.lower() in lowered:
            continue
        ours = key.removeprefix("kolommen.")
        if key.startswith("kolommen.") and ours in source.alleen:
            problems.append(
                f"{where}: alleen.{ours} filters on column {column!r} ({key}), which the file lacks"
                f"{suggestion(column, present)}"
            )
        else:
            problems.append(f"{where}: {key} names {column!r}, which the file lacks{suggestion(column, present)}")
    return problems


def _missing_required(name: str, where: str, source: Source, present: list[str]) -> list[str]:
    """Columns the reader kind itself needs (CBS codes, BAG keys), under any of their known names."""
    lowered = {p.lower() for p in present}
    if source.soort == "cbs_wijkbuurtkaart" and name in ("bronnen.buurten", "bronnen.wijken"):
        level = name.removeprefix("bronnen.")
        wanted = {ours: CBS_AREA_COLUMNS[ours] for ours in REQUIRED[level]}
    elif source.soort == "bag_verblijfsobjecten":
        wanted = {
            ours: [source.kolommen[ours]] if ours in source.kolommen else BAG_COLUMNS[ours] for ours in BAG_REQUIRED
        }
    else:
        return []
    problems = []
    for ours, candidates in wanted.items():
        if any(c.lower() in lowered for c in candidates):
            continue
        looked = " or ".join(repr(c) for c in candidates)
        problems.append(f"{where}: no column for {ours} (looked for {looked}){suggestion(candidates[0], present)}")
    return problems


def _keys_without_codes(where: str, source: Source, frame: pd.DataFrame) -> list[str]:
    """Report a code key column without any area code in the sample: it names the wrong column."""
    problems = []
    for ours, plural in CODE_KEYS.items():
        column = source.kolommen.get(ours)
        if column is None or getattr(source, "sleutel", None) != ours:
            continue
        by_lower = {str(c).lower(): c for c in frame.columns}
        values = frame[by_lower[column.strip().lower()]].dropna().astype(str).str.strip()
        values = values[values != ""]
        if len(values) == 0 or values.str.upper().str.match(AREA_CODE).any():
            continue
        examples = ", ".join(repr(v) for v in values.head(3))
        problems.append(
            f"{where}: kolommen.{ours} ({column!r}) holds no {plural} in the first {len(frame)} rows "
            f"(it holds {examples}); check 'kolommen', 'kolomnamen' and 'titelregels'"
        )
    return problems


def _gemeente_absent(name: str, where: str, source: Source, present: list[str], gemeentecode: str) -> list[str]:
    """Read the gemeentecode column of the whole file (no geometry: fast) and look for ours."""
    if source.soort not in VECTOR_KINDS:
        return []
    by_lower = {p.lower(): p for p in present}
    column = next((by_lower[c.lower()] for c in CBS_AREA_COLUMNS["gemeentecode"] if c.lower() in by_lower), None)
    if column is None:
        return []
    codes = pyogrio.read_dataframe(source.pad, layer=source.laag, columns=[column], read_geometry=False)[column]
    found = set(codes.dropna().astype(str).str.strip().str.upper())
    if gemeentecode in found:
        return []
    level = name.removeprefix("bronnen.")
    others = ", ".join(sorted(found)[:5]) + (", ..." if len(found) > 5 else "")
    return [f"{where}: no {level} of gemeente {gemeentecode} in the file (it holds {others or 'no gemeentecodes'})"]


def check_configured_files(config: ProjectConfig | GemeentenConfig) -> None:
    """Raise :class:`ConfigError` when a configured file is missing or does not fit its configuration.

    Every file is opened: its header, a sample of rows and its CRS (:func:`inspect_configured_files`).
    """
    check_source_files(config)
    problems = inspect_configured_files(config)
    if problems:
        lines = "\n".join(f"  {problem}" for problem in problems)
        raise ConfigError(f"{config.config_file}: the files do not fit the configuration\n{lines}")
