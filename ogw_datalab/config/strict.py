"""The base of every configuration model, and the patterns names and codes in a configuration follow."""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict

GEMEENTECODE = re.compile(r"^GM\d{4}$")
ENV_NAME = re.compile(r"^[A-Z_][A-Z0-9_]{0,63}$")
NAME = r"^[a-z][a-z0-9_]*$"
REGION_NAME = re.compile(r"^[a-z][a-z0-9_-]*$")


class StrictModel(BaseModel):
    """A part of a configuration file: unknown keys are refused, and a loaded value never changes."""

    model_config = ConfigDict(extra="forbid", frozen=True)
