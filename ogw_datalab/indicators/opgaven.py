"""The opgaven file: societal tasks, where they bite, and the indicators that show it."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ..config import ConfigError, Layer, load_yaml_model
from .catalogue import Catalogue


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class OpgaveIndicator(_Strict):
    """One indicator of an opgave: its weight in the score, which direction is better, and an optional target."""

    id: str = Field(description="de id van een indicator uit de catalogus", examples=["kronendak_pct"])
    gewicht: float = Field(1.0, gt=0, description="het gewicht van de indicator in de score", examples=[2])
    richting: Literal["hoger_is_beter", "lager_is_beter"] = Field(
        description="of een hogere waarde beter of slechter is voor deze opgave", examples=["hoger_is_beter"]
    )
    doel: float | None = Field(None, description="de waarde waar de opgave naar streeft (mag leeg)", examples=[10])


class Kiemen(_Strict):
    """A point or polygon layer of initiatives where change already shows, with the column naming each."""

    laag: str = Field(
        description="de laag (onder 'lagen' in de configuratie) met de initiatieven", examples=["initiatieven"]
    )
    label: str = Field(
        description="onze kolomnaam (onder 'kolommen' van de laag) met de naam van het initiatief", examples=["naam"]
    )


class Hefboom(_Strict):
    """A named intervention and the indicators it is expected to move."""

    naam: str = Field(description="de naam van de hefboom", examples=["Tegels eruit, bomen erin"])
    beschrijving: str = Field(
        "", description="wat de hefboom doet, in een zin", examples=["Subsidie voor geveltuinen en boomspiegels"]
    )
    indicatoren: list[str] = Field(
        min_length=1,
        description="de id's van de indicatoren die de hefboom moet bewegen",
        examples=[["woningen_3_bomen_pct", "kronendak_pct"]],
    )


class Opgave(_Strict):
    """One entry under ``opgaven:``: its title, its angel, its weighted indicators, kiemen and hefbomen."""

    id: str = Field(
        pattern=r"^[a-z][a-z0-9_]*$",
        description="de naam van de opgave: kleine letters, cijfers en _ (ook de naam van haar kaart)",
        examples=["meer_groen"],
    )
    titel: str = Field(description="de titel van de opgave", examples=["Meer groen in de wijk"])
    angel: str = Field(
        description="waar het knelt: een zin die de buurten noemt en waarom",
        examples=["In de dichtbebouwde buurten van de kern staan weinig bomen bij de woningen."],
    )
    indicatoren: list[OpgaveIndicator] = Field(
        min_length=1,
        description="de indicatoren die de opgave laten zien, met hun gewicht in de score",
        examples=[[{"id": "kronendak_pct", "gewicht": 1, "richting": "hoger_is_beter"}]],
    )
    kiemen: Kiemen | None = Field(
        None,
        description="een laag met initiatieven waar de verandering al zichtbaar is",
        examples=[{"laag": "initiatieven", "label": "naam"}],
    )
    hefbomen: list[Hefboom] = Field(
        default_factory=list,
        description="ingrepen die de indicatoren van de opgave bewegen",
        examples=[[{"naam": "Pocketparken", "indicatoren": ["woningen_binnen_300m_park_pct"]}]],
    )
    min_gewicht_aandeel: float = Field(
        0.5,
        gt=0,
        le=1,
        description="geen score als minder dan dit aandeel van het gewicht een waarde heeft",
        examples=[0.5],
    )


class Opgaven(_Strict):
    """The opgaven file: its list under ``opgaven:``."""

    opgaven: list[Opgave] = Field(
        min_length=1,
        description="de opgaven: waar het knelt en welke indicatoren dat laten zien",
        examples=[
            [
                {
                    "id": "meer_groen",
                    "titel": "Meer groen in de wijk",
                    "angel": "In de kern staan weinig bomen bij de woningen.",
                    "indicatoren": [{"id": "kronendak_pct", "gewicht": 1, "richting": "hoger_is_beter"}],
                }
            ]
        ],
    )


def load_opgaven(path: str | Path, catalogue: Catalogue, layers: dict[str, Layer] | None = None) -> list[Opgave]:
    """Read and validate an opgaven file against the catalogue (and the configured layers); errors name the key."""
    path = Path(path)
    opgaven = list(load_yaml_model(path, Opgaven, "opgaven", "opgaven file").opgaven)
    unknown = [
        f"  opgaven.{i} ({opgave.id}).indicatoren.{j}.id: {_unknown_indicator(item.id, catalogue)}"
        for i, opgave in enumerate(opgaven)
        for j, item in enumerate(opgave.indicatoren)
        if item.id not in catalogue.ids
    ]
    unknown += [
        f"  opgaven.{i} ({opgave.id}).hefbomen.{j}.indicatoren: {_unknown_indicator(name, catalogue)}"
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


def _unknown_indicator(name: str, catalogue: Catalogue) -> str:
    """``unknown indicator 'eenzaam'; did you mean 'eenzaam_pct'?``, or the catalogue's ids when none is close."""
    close = difflib.get_close_matches(name, catalogue.ids, n=3, cutoff=0.6)
    if close:
        return f"unknown indicator {name!r}; did you mean {' or '.join(map(repr, close))}?"
    return f"unknown indicator {name!r}; the catalogue has {', '.join(catalogue.ids)}"


def _unknown_kiemen(opgaven: list[Opgave], layers: dict[str, Layer]) -> list[str]:
    problems = []
    for i, opgave in enumerate(opgaven):
        if opgave.kiemen is None:
            continue
        if opgave.kiemen.laag not in layers:
            problems.append(f"  opgaven.{i} ({opgave.id}).kiemen.laag: no layer {opgave.kiemen.laag!r} under 'lagen'")
        elif opgave.kiemen.label not in layers[opgave.kiemen.laag].kolommen:
            problems.append(
                f"  opgaven.{i} ({opgave.id}).kiemen.label: layer {opgave.kiemen.laag!r} maps no column "
                f"{opgave.kiemen.label!r}"
            )
    return problems
