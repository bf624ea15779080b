"""The opgaven file: societal tasks, where they bite, and the indicators that show it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .config import ConfigError
from .indicators.catalogue import Catalogue


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpgaveIndicator(_Strict):
    id: str
    gewicht: float = Field(1.0, gt=0)
    richting: Literal["hoger_is_beter", "lager_is_beter"]


class Opgave(_Strict):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    titel: str
    angel: str
    indicatoren: list[OpgaveIndicator] = Field(min_length=1)


class Opgaven(_Strict):
    opgaven: list[Opgave] = Field(min_length=1)


def load_opgaven(path: str | Path, catalogue: Catalogue) -> list[Opgave]:
    """Read and validate an opgaven file against the indicator catalogue; errors name the key."""
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        opgaven = list(Opgaven.model_validate(raw).opgaven)
    except FileNotFoundError:
        raise ConfigError(f"opgaven: file not found: {path}") from None
    except yaml.YAMLError as error:
        raise ConfigError(f"{path}: not valid YAML: {error}") from None
    except ValidationError as error:
        lines = [
            f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()
        ]
        raise ConfigError(f"{path}: invalid opgaven file\n" + "\n".join(lines)) from None
    unknown = [
        f"  opgaven.{i}.indicatoren.{j}.id: unknown indicator {item.id!r}; the catalogue has {catalogue.ids}"
        for i, opgave in enumerate(opgaven)
        for j, item in enumerate(opgave.indicatoren)
        if item.id not in catalogue.ids
    ]
    if unknown:
        raise ConfigError(f"{path}: invalid opgaven file\n" + "\n".join(unknown))
    return opgaven
