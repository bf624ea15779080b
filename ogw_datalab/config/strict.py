"""The base of every configuration model, and the patterns names and codes in a configuration follow."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, PrivateAttr

GEMEENTECODE = re.compile(r"^GM\d{4}$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
NAME = r"^[a-z][a-z0-9_]*$"
REGION_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


class StrictModel(BaseModel):
    """A part of a configuration file: unknown keys are refused, and a loaded value never changes.

    A model whose keys were renamed lists them in ``old_keys`` (old name -> new name), and values that were
    renamed in ``old_values`` (key -> old value -> new value); :mod:`.renames` reads the old ones, with a hint.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    old_keys: ClassVar[Mapping[str, str]] = {}
    old_values: ClassVar[Mapping[str, Mapping[str, str]]] = {}


class ConfigFile(StrictModel):
    """A whole configuration file; it keeps the hints for the old keys it was read with."""

    _old_key_hints: tuple[str, ...] = PrivateAttr(default=())

    @property
    def old_key_hints(self) -> tuple[str, ...]:
        """One line per old key or value the file used, naming the file, where, and the new name."""
        return self._old_key_hints

    def keep_old_key_hints(self, hints: list[str]) -> None:
        """Keep ``hints`` (the loader's, from :func:`~.renames.rename_old_keys`) with this configuration."""
        self._old_key_hints = tuple(hints)
