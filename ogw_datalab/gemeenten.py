"""Several gemeenten from one configuration: a list of codes, a region, or ``alle``.

A configuration with ``gemeenten:`` (:class:`~ogw_datalab.config.GemeentenConfig`) resolves
here into one ordinary single-gemeente :class:`~ogw_datalab.config.ProjectConfig` per gemeente,
each with its own database (``<database>/<GMxxxx>.duckdb``) and site (``<maps>/<GMxxxx>/``), so
that every step of the pipeline runs per gemeente unchanged. The area files are read once
(:func:`~ogw_datalab.readers.read_areas.read_cbs_areas`); each gemeente's configuration reads
only its own part of them (``sources.buurten.gemeenten``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TypeVar

import pandas as pd
from pydantic import ValidationError

from .config import (
    ConfigError,
    GemeenteAanvulling,
    GemeentenConfig,
    Output,
    Partner,
    ProjectConfig,
    Source,
    load_configuration,
)
from .readers.read_areas import MergedAreas, read_cbs_areas
from .readers.source_files import SourceFilesError

ALLE = "alle"
SourceT = TypeVar("SourceT", bound=Source)


def read_configured_areas(config: GemeentenConfig) -> MergedAreas:
    """Read the buurten of ``sources.buurten`` of several gemeenten, each once (read once per process)."""
    source = config.sources.buurten
    if source.kind != "cbs_wijkbuurtkaart":
        raise ConfigError(f"{config.config_file}: sources.buurten: several gemeenten need kind 'cbs_wijkbuurtkaart'")
    try:
        return read_cbs_areas(source.path, layer=source.layer, crs=source.crs, where="sources.buurten")
    except SourceFilesError as error:
        raise ConfigError(f"{config.config_file}: {error}") from None


def select_gemeenten(config: GemeentenConfig, areas: MergedAreas) -> list[str]:
    """Return the gemeentecodes that ``gemeenten:`` names, sorted.

    ``alle`` is every complete gemeente of the area files (a gemeente seen only as a sliver is
    left out and listed in ``areas.report``); a region name is every complete gemeente whose
    home region (the file holding most of its polygon) has that name.

    Raises
    ------
    ConfigError
        For an unknown region or code, or a named gemeente the files do not hold completely.
    """
    table = areas.gemeenten.set_index("gemeentecode")
    info = table.to_dict("index")
    complete = table.index[table["volledig"]]
    chosen: set[str] = set()
    problems = []
    for item in config.selection:
        if item == ALLE:
            chosen.update(complete)
        elif item in set(table["regio"].dropna()):
            chosen.update(table.index[(table["regio"] == item) & table["volledig"]])
        elif item.startswith("GM"):
            row = info.get(item)
            if row is None:
                problems.append(f"  gemeenten: {item} has no buurten in the area files")
            elif not row["volledig"]:
                held = 0 if pd.isna(row["inwoners"]) else row["inwoners"]
                problems.append(
                    f"  gemeenten: {item} ({row['gemeentenaam']}) is not complete in the area files: its "
                    f"{row['aantal']} buurten there hold {held:.0f} of its {row['inwoners_gemeente']:.0f} inhabitants"
                )
            else:
                chosen.add(item)
        else:
            problems.append(f"  gemeenten: unknown region '{item}'; the area files have {', '.join(areas.regions)}")
    unselected = sorted(set(config.per_gemeente) - chosen)
    if unselected:
        problems.append(f"  per_gemeente: {unselected} are not among the selected gemeenten")
    if problems:
        raise ConfigError(f"{config.config_file}: gemeenten that cannot be built\n" + "\n".join(problems))
    return sorted(chosen)


def gemeente_configs(
    config: ProjectConfig | GemeentenConfig, *, areas: MergedAreas | None = None
) -> dict[str, ProjectConfig]:
    """One single-gemeente configuration per selected gemeente, keyed by gemeentecode.

    A single-gemeente configuration is returned as it is. For several gemeenten, each gets
    the shared sources (its CBS area sources and CBS-kaart partners restricted to itself),
    layers and partners, plus its own from ``per_gemeente``; its name comes from the area
    files; its database is ``<output.database>/<GMxxxx>.duckdb`` and its site
    ``<output.maps>/<GMxxxx>/``. Without a ``referentie`` of its own, the comparison with
    similar buurten searches all buurten of ``sources.buurten``.

    Parameters
    ----------
    config
        A loaded configuration (:func:`~ogw_datalab.config.load_configuration`).
    areas
        The merged area files, when already read; otherwise they are read (once per process).
    """
    if isinstance(config, ProjectConfig):
        return {config.gemeente.code: config}
    areas = areas if areas is not None else read_configured_areas(config)
    names = areas.gemeenten.set_index("gemeentecode")["gemeentenaam"]
    configs = {}
    for code in select_gemeenten(config, areas):
        configs[code] = _one_gemeente(config, code, str(names[code]))
    return configs


def load_gemeente_config(path: str | Path, gemeentecode: str) -> ProjectConfig:
    """Load the configuration of one gemeente from a file of one or of several gemeenten (a partition's config).

    Raises
    ------
    ConfigError
        When the file does not configure that gemeente.
    """
    configs = gemeente_configs(load_configuration(path, check_files=False))
    code = gemeentecode.strip().upper()
    if code not in configs:
        raise ConfigError(f"{path}: gemeente {code} is not configured (configured: {len(configs)} gemeenten)")
    return configs[code]


def gemeenten_overview(configs: dict[str, ProjectConfig], areas: MergedAreas) -> pd.DataFrame:
    """One row per configured gemeente: code, name, region, buurten, inhabitants, and its site folder."""
    info = areas.gemeenten.set_index("gemeentecode").to_dict("index")
    empty: dict[str, object] = {"regio": None, "aantal": 0, "inwoners": None}
    rows = [
        {
            "gemeentecode": code,
            "gemeentenaam": config.gemeente.naam,
            "regio": info.get(code, empty)["regio"],
            "aantal_buurten": info.get(code, empty)["aantal"],
            "inwoners": info.get(code, empty)["inwoners"],
            "site": config.output.maps,
            "database": config.output.database,
        }
        for code, config in sorted(configs.items())
    ]
    return pd.DataFrame(rows)


def _one_gemeente(config: GemeentenConfig, code: str, naam: str) -> ProjectConfig:
    extra = config.per_gemeente.get(code, GemeenteAanvulling())
    sources = config.sources.model_copy(
        update={
            "buurten": _only(config.sources.buurten, code),
            "wijken": _only(config.sources.wijken, code),
            "adressen": extra.adressen or config.sources.adressen,
        }
    )
    partners: dict[str, Partner] = {p.name: _only(p, code) for p in config.partners}
    partners.update({p.name: p for p in extra.partners})
    comparison = config.vergelijkbare_buurten
    if comparison is not None and comparison.referentie is None:
        comparison = comparison.model_copy(update={"referentie": config.sources.buurten})
    output = Output(
        database=config.output.database / f"{code}.duckdb",
        maps=config.output.maps / code,
        cache=config.output.cache,
        inbox=config.output.inbox / code if config.output.inbox else None,
    )
    values = {
        "gemeente": {"code": code, "naam": naam},
        "jaar": config.jaar,
        "sources": sources,
        "layers": {**config.layers, **extra.layers},
        "partners": list(partners.values()),
        "indicatoren": extra.indicatoren or config.indicatoren,
        "opgaven": extra.opgaven or config.opgaven,
        "parameters": extra.parameters or config.parameters,
        "privacy": extra.privacy or config.privacy,
        "output": output,
        "vergelijkbare_buurten": comparison,
        "postgis": config.postgis,
        "config_file": config.config_file,
    }
    try:
        return ProjectConfig.model_validate(values)
    except ValidationError as error:
        problems = "; ".join(e["msg"].removeprefix("Value error, ") for e in error.errors())
        raise ConfigError(f"{config.config_file}: gemeente {code} ({naam}): {problems}") from None


def _only(source: SourceT, code: str) -> SourceT:
    """Restrict a CBS kaart source to one gemeente; leave any other source as it is."""
    if source.kind != "cbs_wijkbuurtkaart":
        return source
    return source.model_copy(update={"gemeenten": [code]})
