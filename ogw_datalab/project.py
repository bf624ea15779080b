"""One build's validated inputs: which configuration a (gemeente, jaar) pair uses, with its catalogue and opgaven.

A configuration file describes one gemeente in its current year (``jaar``) and, under ``jaren:``,
the configuration files of earlier CBS years. Each (gemeente, jaar) pair is one build with its own
database and site; this module says which configuration builds it, parsed and validated once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .config import (
    ConfigError,
    GemeentenConfig,
    ProjectConfig,
    check_source_files,
    configuration_fingerprint,
    load_year_config,
)
from .encryption import database_key
from .gemeenten import gemeente_configs
from .indicators.catalogue import Catalogue, load_catalogue
from .indicators.opgaven import Opgave, load_opgaven


@dataclass(frozen=True)
class Project:
    """The validated configuration, indicator catalogue and opgaven of one (gemeente, jaar) build.

    Attributes
    ----------
    config
        The configuration of this gemeente and year (an earlier year has a file of its own).
    catalogue
        Its indicator catalogue, checked against the configuration.
    opgaven
        Its opgaven, checked against the catalogue and the layers.
    earlier_databases
        For the current year: the published database of each earlier year under ``jaren:`` (the
        trends read them); empty for an earlier year.
    """

    config: ProjectConfig
    catalogue: Catalogue
    opgaven: list[Opgave]
    earlier_databases: dict[int, Path] = field(default_factory=dict)
    earlier_keys: dict[int, str | None] = field(default_factory=dict)

    @property
    def encryption_key(self) -> str | None:
        """The key of this build's database when it is encrypted (from the variable the configuration names)."""
        return database_key(self.config.uitvoer)

    @property
    def gemeente(self) -> str:
        """The CBS gemeentecode."""
        return self.config.gemeente.code

    @property
    def jaar(self) -> int:
        """The year of the gebiedsindeling this build shows."""
        return self.config.jaar

    @property
    def database(self) -> Path:
        """The published database of this build."""
        return self.config.uitvoer.database

    @property
    def maps(self) -> Path:
        """The published site of this build."""
        return self.config.uitvoer.kaarten

    @property
    def fingerprint(self) -> str:
        """sha256 of the configuration file, its catalogue and its opgaven: a changed fingerprint means rebuild."""
        assert self.config.config_file is not None
        return configuration_fingerprint(self.config.config_file)


def load_project(config: ProjectConfig) -> Project:
    """Validate the catalogue and opgaven named by ``config`` and bundle them.

    For a configuration with earlier years (``jaren:``), each earlier year's configuration is read
    and checked too, for the database its build publishes.

    Raises
    ------
    ConfigError
        When the catalogue or the opgaven file is missing or invalid, naming the file and key.
    """
    catalogue = load_catalogue(config.indicatoren, config)
    opgaven = load_opgaven(config.opgaven, catalogue, config.lagen)
    earlier = {year: load_year_config(config, year).uitvoer for year in sorted(config.jaren)}
    return Project(
        config=config,
        catalogue=catalogue,
        opgaven=opgaven,
        earlier_databases={year: output.database for year, output in earlier.items()},
        earlier_keys={year: database_key(output) for year, output in earlier.items()},
    )


def builds_of(config: ProjectConfig | GemeentenConfig) -> list[tuple[str, int]]:
    """Every (gemeente, jaar) pair a configuration builds: earlier years first, the current year last.

    A configuration of several gemeenten builds each of them in its year (the area files are read
    once per process to find them).
    """
    if isinstance(config, GemeentenConfig):
        return [(code, config.jaar) for code in _gemeente_configs(config)]
    return [(config.gemeente.code, year) for year in sorted(config.jaren)] + [(config.gemeente.code, config.jaar)]


def project_for(config: ProjectConfig | GemeentenConfig, gemeente: str, jaar: int) -> Project:
    """Return the project that builds ``gemeente`` in ``jaar``.

    It is the configuration itself, an earlier year's file, or one gemeente of a configuration of several.

    Raises
    ------
    ConfigError
        When the configuration does not describe that gemeente or that year.
    """
    if isinstance(config, GemeentenConfig):
        configs = _gemeente_configs(config)
        if gemeente not in configs or jaar != config.jaar:
            raise ConfigError(
                f"{config.config_file}: builds {len(configs)} gemeenten in {config.jaar}, not {gemeente} {jaar}"
            )
        return load_project(configs[gemeente])
    if gemeente != config.gemeente.code:
        raise ConfigError(
            f"{config.config_file}: describes gemeente {config.gemeente.code}, not {gemeente} "
            f"(the builds of this configuration: {_listing(config)})"
        )
    if jaar == config.jaar:
        return load_project(config)
    if jaar not in config.jaren:
        raise ConfigError(f"{config.config_file}: has no configuration for {jaar} (builds: {_listing(config)})")
    return load_project(load_year_config(config, jaar))


def check_inputs(project: Project) -> None:
    """Raise :class:`ConfigError` listing every input file of ``project`` that does not exist."""
    check_source_files(project.config)


def _listing(config: ProjectConfig) -> str:
    return ", ".join(f"{g} {y}" for g, y in builds_of(config))


_RESOLVED: dict[tuple[str, int], dict[str, ProjectConfig]] = {}


def _gemeente_configs(config: GemeentenConfig) -> dict[str, ProjectConfig]:
    """:func:`~ogw_datalab.gemeenten.gemeente_configs`, resolved once per configuration file and version."""
    assert config.config_file is not None
    key = (str(config.config_file), config.config_file.stat().st_mtime_ns)
    if key not in _RESOLVED:
        _RESOLVED[key] = gemeente_configs(config)
    return _RESOLVED[key]
