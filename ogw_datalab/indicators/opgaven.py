"""The opgaven file: societal tasks, where they bite, and the indicators that show it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..config import ConfigError, Layer, load_yaml_model
from .catalogue import Catalogue


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpgaveIndicator(_Strict):
    """One indicator of an opgave: its weight in the score, which direction is better, and an optional target."""

    id: str
    gewicht: float = Field(1.0, gt=0)
    richting: Literal["hoger_is_beter", "lager_is_beter"]
    doel: float | None = Field(None, description="the value the opgave aims for (optional)")


class Kiemen(_Strict):
    """A point or polygon layer of initiatives where change already shows, with the column naming each."""

    laag: str
    label: str = Field(description="our column name (under the layer's 'kolommen') holding the initiative's name")


class Hefboom(_Strict):
    """A named intervention and the indicators it is expected to move."""

    naam: str
    beschrijving: str = ""
    indicatoren: list[str] = Field(min_length=1)


class Opgave(_Strict):
    """One entry under ``opgaven:``: its title, its angel, its weighted indicators, kiemen and hefbomen."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    titel: str
    angel: str
    indicatoren: list[OpgaveIndicator] = Field(min_length=1)
    kiemen: Kiemen | None = None
    hefbomen: list[Hefboom] = Field(default_factory=list)
    min_gewicht_aandeel: float = Field(
        0.5, gt=0, le=1, description="no composite score when less than this share of the weight has a value"
    )


class Opgaven(_Strict):
    """The opgaven file: its list under ``opgaven:``."""

    opgaven: list[Opgave] = Field(min_length=1)


def load_opgaven(path: str | Path, catalogue: Catalogue, layers: dict[str, Layer] | None = None) -> list[Opgave]:
    """Read and validate an opgaven file against the catalogue (and the configured layers); errors name the key."""
    path = Path(path)
    opgaven = list(load_yaml_model(path, Opgaven, "opgaven", "opgaven file").opgaven)
    unknown = [
        f"  opgaven.{i}.indicatoren.{j}.id: unknown indicator {item.id!r}; the catalogue has {catalogue.ids}"
        for i, opgave in enumerate(opgaven)
        for j, item in enumerate(opgave.indicatoren)
        if item.id not in catalogue.ids
    ]
    unknown += [
        f"  opgaven.{i}.hefbomen.{j}.indicatoren: unknown indicator {name!r}"
        for i, opgave in enumerate(opgaven)
        for j, hefboom in enumerate(opgave.hefbomen)
        for name in hefboom.indicatoren
        if name not in catalogue.ids
    ]
    if layers is not None:
        unknown += _unknown_kiemen(opgaven, layers)
    if unknown:
        raise ConfigError(f"{path}: invalid opgaven file\n" + "\n".join(unknown))
    return opgaven


def _unknown_kiemen(opgaven: list[Opgave], layers: dict[str, Layer]) -> list[str]:
    problems = []
    for i, opgave in enumerate(opgaven):
        if opgave.kiemen is None:
            continue
        if opgave.kiemen.laag not in layers:
            problems.append(f"  opgaven.{i}.kiemen.laag: no layer {opgave.kiemen.laag!r} under 'lagen'")
        elif opgave.kiemen.label not in layers[opgave.kiemen.laag].kolommen:
            problems.append(
                f"  opgaven.{i}.kiemen.label: layer {opgave.kiemen.laag!r} maps no column {opgave.kiemen.label!r}"
            )
    return problems
