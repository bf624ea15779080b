"""Reading a configuration file: YAML, validated into its models, paths resolved, files checked.

Old keys are still read, renamed before validation (:mod:`.renames`); the hints naming their new keys are
kept with the configuration (``old_key_hints``) for the command line to print. Also the configurations of
earlier years (``jaren:``), the fingerprint that says when one must be built again, and the reading of
the other YAML files a configuration names (catalogue, opgaven).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from .gemeenten import GemeentenConfig
from .messages import ConfigError, explain, explain_briefly
from .paths import check_source_files, resolve_gemeenten_paths, resolve_paths
from .project import ProjectConfig
from .renames import rename_old_keys
from .strict import ConfigFile

# libyaml's safe loader where PyYAML was built with it (about ten times faster than the pure-Python one; a
# national configuration is read once per gemeente).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

ModelT = TypeVar("ModelT", bound=BaseModel)


def load_config(path: str | Path, *, check_files: bool = True) -> ProjectConfig:
    """Read, validate and resolve a project configuration file of one gemeente.

    Raises
    ------
    ConfigError
        With one line per problem, each naming the key (``bronnen.buurten.pad``) and what is
        wrong, so a data analyst can fix the file without reading Python. A file that
        configures several gemeenten (``gemeenten:``) is refused here: see :func:`load_configuration`.
    """
    path = Path(path)
    raw = _read_yaml_mapping(path)
    if "gemeenten" in raw:
        raise ConfigError(
            f"{path}: configures several gemeenten ('gemeenten:'); each gemeente is built from its own "
            "configuration, made by ogw_datalab.gemeenten.gemeente_configs"
        )
    config = _validate(path, raw, ProjectConfig)
    config = resolve_paths(config, path.parent.resolve())
    config = config.model_copy(update={"config_file": path.resolve()})
    if check_files:
        check_source_files(config)
    return config


def load_configuration(path: str | Path, *, check_files: bool = True) -> ProjectConfig | GemeentenConfig:
    """Read a configuration of one gemeente (``gemeente:``) or of several (``gemeenten:``).

    Raises
    ------
    ConfigError
        As :func:`load_config`, naming the key and what is wrong.
    """
    path = Path(path)
    raw = _read_yaml_mapping(path)
    if "gemeenten" not in raw:
        return load_config(path, check_files=check_files)
    config = _validate(path, raw, GemeentenConfig)
    config = resolve_gemeenten_paths(config, path.parent.resolve())
    config = config.model_copy(update={"config_file": path.resolve()})
    if check_files:
        check_source_files(config)
    return config


ConfigT = TypeVar("ConfigT", bound=ConfigFile)


def _validate(path: Path, raw: dict[str, Any], model: type[ConfigT]) -> ConfigT:
    """Validate a configuration file's contents, its old keys renamed; keep the hints naming the new keys."""
    renamed = rename_old_keys(raw, model)
    if renamed.conflicts:
        raise ConfigError(f"{path}: invalid configuration\n" + "\n".join(f"  {c}" for c in renamed.conflicts))
    try:
        config = model.model_validate(renamed.data)
    except ValidationError as error:
        raise ConfigError(f"{path}: invalid configuration\n" + explain(error, model)) from None
    config.keep_old_key_hints([f"{path}: {hint}" for hint in renamed.hints])
    return config


def _read_yaml_mapping(path: Path) -> dict:
    if not path.is_file():
        raise ConfigError(f"configuration file not found: {path}")
    try:
        raw = _read_yaml(path)
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from error
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: expected a mapping of keys at the top level")
    return raw


def load_year_config(config: ProjectConfig, year: int) -> ProjectConfig:
    """Load the configuration of an earlier year listed under ``jaren:`` and check it against ``config``.

    An earlier year is built into its own database and site (so that building it never touches
    this year's tables or maps) and must describe the same gemeente.
    """
    if year not in config.jaren:
        configured = ", ".join(str(y) for y in sorted(config.jaren)) or "none"
        raise ConfigError(f"{config.config_file}: jaren: no configuration for {year} (configured: {configured})")
    try:
        earlier = load_config(config.jaren[year], check_files=False)
    except ConfigError as error:
        raise ConfigError(f"{config.config_file}: jaren.{year}: {error}") from None
    problems = []
    if earlier.jaar != year:
        problems.append(f"its jaar is {earlier.jaar}, not {year}")
    if earlier.gemeente.code != config.gemeente.code:
        problems.append(f"its gemeente is {earlier.gemeente.code}, not {config.gemeente.code}")
    if earlier.jaren:
        problems.append("it lists jaren itself; only the current year's configuration does")
    if earlier.postgis is not None:
        problems.append("it has a postgis block; only the current year is published to PostGIS")
    if earlier.demo is not None and config.demo is not None and earlier.demo.map == config.demo.map:
        problems.append(f"its demo.map is this year's ({config.demo.map}); give it its own")
    for key in ("database", "kaarten"):
        if getattr(earlier.uitvoer, key) == getattr(config.uitvoer, key):
            problems.append(f"its uitvoer.{key} is this year's ({getattr(config.uitvoer, key)}); give it its own")
    if problems:
        raise ConfigError(f"{config.config_file}: jaren.{year} ({earlier.config_file}): " + "; ".join(problems))
    return earlier


def configuration_fingerprint(path: Path) -> str:
    """sha256 over a configuration file and the indicator catalogue and opgaven files it names.

    What an earlier year was built from: when this changes, the year is built again. Source files
    are left out on purpose (large, and a demo rewrites its own); a missing file is ``"ontbreekt"``.
    """
    if not path.is_file():
        return "ontbreekt"
    digest = hashlib.sha256(path.read_bytes())
    try:
        config = load_config(path, check_files=False)
    except ConfigError:
        return digest.hexdigest()  # its build will say what is wrong
    for named in (config.indicatoren, config.opgaven):
        digest.update(named.read_bytes() if named.is_file() else b"ontbreekt")
    return digest.hexdigest()


def load_yaml_model(path: Path, model: type[ModelT], key: str, what: str) -> ModelT:
    """Read a YAML file into ``model``; errors name the file and each key that is wrong."""
    raw = None
    try:
        raw = _read_yaml(path)
        return model.model_validate(raw)
    except FileNotFoundError:
        raise ConfigError(f"{key}: file not found: {path}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    except ValidationError as error:
        raise ConfigError(f"{path}: invalid {what}\n" + explain_briefly(error, model, raw)) from None


def _read_yaml(path: Path) -> object:
    with path.open(encoding="utf-8") as handle:  # an error's line and column then name the file, not a string
        return yaml.load(handle, Loader=SAFE_LOADER)
