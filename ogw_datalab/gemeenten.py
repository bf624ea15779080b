"""Several gemeenten from one configuration: a list of codes, a region, or ``alle``.

A configuration with ``gemeenten:`` (:class:`~ogw_datalab.config.GemeentenConfig`) resolves
here into one ordinary single-gemeente :class:`~ogw_datalab.config.ProjectConfig` per gemeente,
each with its own database (``<database>/<GMxxxx>.duckdb``) and site (``<maps>/<GMxxxx>/``), so
that every step of the pipeline runs per gemeente unchanged. The area files are read once
(:func:`~ogw_datalab.readers.read_areas.read_cbs_areas`); each gemeente's configuration reads
only its own part of them (``bronnen.buurten.gemeenten``).
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
    """Read the buurten of ``bronnen.buurten`` of several gemeenten, each once (read once per process)."""
    source = config.bronnen.buurten
    if source.soort != "cbs_wijkbuurtkaart":
        raise ConfigError(f"{config.config_file}: bronnen.buurten: several gemeenten need soort 'cbs_wijkbuurtkaart'")
    try:
        return read_cbs_areas(source.pad, layer=source.laag, crs=source.crs, where="bronnen.buurten")
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
    files; its database is ``<uitvoer.database>/<GMxxxx>.duckdb`` and its site
    ``<uitvoer.kaarten>/<GMxxxx>/``. Without a ``referentie`` of its own, the comparison with
    similar buurten searches all buurten of ``bronnen.buurten``.

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
            "site": config.uitvoer.kaarten,
            "database": config.uitvoer.database,
        }
        for code, config in sorted(configs.items())
    ]
    return pd.DataFrame(rows)


def _one_gemeente(config: GemeentenConfig, code: str, naam: str) -> ProjectConfig:
    extra = config.per_gemeente.get(code, GemeenteAanvulling())
    sources = config.bronnen.model_copy(
        update={
            "buurten": _only(config.bronnen.buurten, code),
            "wijken": _only(config.bronnen.wijken, code),
            "adressen": extra.adressen or config.bronnen.adressen,
        }
    )
    partners: dict[str, Partner] = {p.naam: _only(p, code) for p in config.partners}
    partners.update({p.naam: p for p in extra.partners})
    comparison = config.vergelijkbare_buurten
    if comparison is not None and comparison.referentie is None:
        comparison = comparison.model_copy(update={"referentie": config.bronnen.buurten})
    output = Output(
        database=config.uitvoer.database / f"{code}.duckdb",
        kaarten=config.uitvoer.kaarten / code,
        cache=config.uitvoer.cache,
        inbox=config.uitvoer.inbox / code if config.uitvoer.inbox else None,
    )
    values = {
        "gemeente": {"code": code, "naam": naam},
        "jaar": config.jaar,
        "bronnen": sources,
        "lagen": {**config.lagen, **extra.lagen},
        "partners": list(partners.values()),
        "indicatoren": extra.indicatoren or config.indicatoren,
        "opgaven": extra.opgaven or config.opgaven,
        "parameters": extra.parameters or config.parameters,
        "privacy": extra.privacy or config.privacy,
        "uitvoer": output,
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
    if source.soort != "cbs_wijkbuurtkaart":
        return source
    return source.model_copy(update={"gemeenten": [code]})
