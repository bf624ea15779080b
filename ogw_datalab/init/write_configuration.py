"""Write the three files of a first configuration: ``<naam>.yaml``, ``_indicatoren.yaml`` and ``_opgaven.yaml``.

Every file is validated through its model (:class:`~ogw_datalab.config.ProjectConfig` or
:class:`~ogw_datalab.config.GemeentenConfig`, :class:`~ogw_datalab.indicators.catalogue.Catalogue`,
:class:`~ogw_datalab.indicators.opgaven.Opgaven`) before anything is written, and dumped by its Dutch field names,
so it validates against the JSON Schemas in ``config/``; its first line names that schema. Paths are relative to
the configuration's folder. Nothing is written over an existing file unless asked; each file is written to a
temporary file beside it, and all three are renamed into place only when all three are written.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from ..config import GemeentenConfig, ProjectConfig
from ..indicators.catalogue import Catalogue
from ..indicators.opgaven import Opgaven
from ..schemas import SCHEMA_FILES, schema_text
from .find_gemeente import InitError

PROJECT_CONFIG = Path(__file__).resolve().parents[2] / "config"


@dataclass(frozen=True)
class Files:
    """The three files of a configuration."""

    config: Path
    indicatoren: Path
    opgaven: Path

    @property
    def stem(self) -> str:
        """The configuration's name without ``.yaml``: the name of its database and site folder."""
        return self.config.name.removesuffix(".yaml").removesuffix(".yml")

    @property
    def all(self) -> tuple[Path, Path, Path]:
        """The three paths."""
        return (self.config, self.indicatoren, self.opgaven)


def file_name(naam: str) -> str:
    """Turn a gemeente's or region's name into a file name: lower case, no accents, no spaces.

    ``Súdwest-Fryslân`` becomes ``sudwest_fryslan``.
    """
    ascii_name = unicodedata.normalize("NFKD", naam).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "_", ascii_name.lower()).strip("_") or "gemeente"


def files_for(config: Path) -> Files:
    """Name the catalogue and opgaven beside ``config`` (``x.yaml`` -> ``x_indicatoren.yaml``, ``x_opgaven.yaml``)."""
    stem = Files(config, config, config).stem
    return Files(config, config.with_name(f"{stem}_indicatoren.yaml"), config.with_name(f"{stem}_opgaven.yaml"))


def refuse_existing(files: Files, *, overschrijven: bool) -> None:
    """Raise :class:`InitError` when any of the files exists and ``overschrijven`` is not given."""
    existing = [str(p) for p in files.all if p.exists()]
    if existing and not overschrijven:
        raise InitError(
            f"{', '.join(existing)} already exist{'s' if len(existing) == 1 else ''}: nothing was written; give "
            "--overschrijven to write over it, or another --uit"
        )


def relative(path: Path, folder: Path) -> str:
    """``path`` (a file or a glob pattern) relative to ``folder``, with forward slashes."""
    return Path(os.path.relpath(os.path.abspath(path), os.path.abspath(folder))).as_posix()


def output_folders(folder: Path, naam: str, *, several: bool = False) -> dict[str, str]:
    """``uitvoer:``: beside the project's data/ and maps/ when the file is in a folder ``config``, else beside it.

    One gemeente gets an inbox of its own for its partners' deliveries, under data/ (which git ignores).
    """
    up = "../" if folder.name == "config" else ""
    if several:
        return {"database": f"{up}data/{naam}", "kaarten": f"{up}maps/{naam}", "cache": f"{up}data/cache"}
    return {
        "database": f"{up}data/{naam}.duckdb",
        "kaarten": f"{up}maps/{naam}",
        "cache": f"{up}data/cache",
        "inbox": f"{up}data/inbox_{naam}",
    }


def write_configuration(
    files: Files,
    config: dict[str, Any],
    indicatoren: list[dict[str, Any]],
    opgaven: list[dict[str, Any]],
    *,
    comments: dict[str, list[str]],
) -> None:
    """Validate the three files' contents through their models and write them (temporary file, then rename).

    ``comments`` holds the comment lines under each file's schema line, keyed ``configuratie``, ``indicatoren``
    and ``opgaven``.

    Raises
    ------
    InitError
        When a model refuses the contents (a defect of ``init`` itself, named with the model's message).
    """
    model: type[BaseModel] = GemeentenConfig if "gemeenten" in config else ProjectConfig
    texts = {
        files.config: _text("configuratie", _dumped(model, config), comments.get("configuratie", []), files),
        files.indicatoren: _text(
            "indicatoren", _dumped(Catalogue, {"indicatoren": indicatoren}), comments.get("indicatoren", []), files
        ),
        files.opgaven: _text("opgaven", _dumped(Opgaven, {"opgaven": opgaven}), comments.get("opgaven", []), files),
    }
    files.config.parent.mkdir(parents=True, exist_ok=True)
    _write_schemas_if_needed(files.config.parent)
    temporary = {path: path.with_name(f".{path.name}.init-tmp") for path in texts}
    try:
        for path, text in texts.items():
            temporary[path].write_text(text, encoding="utf-8")
        for path in texts:
            os.replace(temporary[path], path)
    finally:
        for tmp in temporary.values():
            tmp.unlink(missing_ok=True)


def _dumped(model: type[BaseModel], values: dict[str, Any]) -> dict[str, Any]:
    try:
        validated = model.model_validate(values)
    except ValidationError as error:
        raise InitError(f"init wrote an invalid {model.__name__}: {error}") from None
    return _in_order_of(validated.model_dump(mode="json", exclude_unset=True, exclude={"config_file"}), values)


def _in_order_of(dumped: Any, written: Any) -> Any:
    """Put ``dumped``'s keys in the order ``init`` wrote them (the model's order puts a partner's name last)."""
    if isinstance(dumped, dict) and isinstance(written, dict):
        order = [k for k in written if k in dumped] + [k for k in dumped if k not in written]
        return {k: _in_order_of(dumped[k], written.get(k)) for k in order}
    if isinstance(dumped, list) and isinstance(written, list) and len(dumped) == len(written):
        return [_in_order_of(d, w) for d, w in zip(dumped, written, strict=True)]
    return dumped


def _text(kind: str, values: dict[str, Any], comments: list[str], files: Files) -> str:
    schema = _schema_reference(kind, files.config.parent)
    body = yaml.safe_dump(values, allow_unicode=True, sort_keys=False, width=120, default_flow_style=False)
    lines = [f"# yaml-language-server: $schema={schema}", *(f"# {c}".rstrip() for c in comments)]
    return "\n".join(lines) + "\n" + body


def _schema_reference(kind: str, folder: Path) -> str:
    """Name the project's schema in config/ relative to ``folder``; else the copy written beside the file."""
    name = SCHEMA_FILES[kind]
    project = PROJECT_CONFIG / name
    if (folder / name).is_file() or not project.is_file():
        return name
    return relative(project, folder)


def _write_schemas_if_needed(folder: Path) -> None:
    """Write the schemas beside the files when the project's config/ is not there (an installed package)."""
    for kind, name in SCHEMA_FILES.items():
        if not (PROJECT_CONFIG / name).is_file() and not (folder / name).is_file():
            (folder / name).write_text(schema_text(kind), encoding="utf-8")  # type: ignore[arg-type]


def header(what: str, bronnen: Path | None) -> list[str]:
    """Return the first comment lines of every written file: who wrote it, from what, and that it is a draft."""
    source = f"uit de bestanden in {bronnen}" if bronnen else "met downloadblokken voor de landelijke open bronnen"
    return [
        f"{what}: geschreven door 'ogw-datalab init' op {dt.date.today():%Y-%m-%d}, {source}.",
        "Een eerste opzet: lees, vul aan en herschrijf het; 'ogw-datalab check' zegt of de bestanden passen.",
    ]
