"""What a configuration error says: one line per problem, naming the key as the file writes it."""

from __future__ import annotations

from pydantic import BaseModel, ValidationError

from .renames import known_keys, unknown_key
from .sources import DOWNLOAD_KINDS, PARTNER_KEYS
from .timeseries import TIMESERIES_DOWNLOAD_KINDS, TIMESERIES_KINDS


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or invalid."""


def explain(error: ValidationError, model: type[BaseModel] | None = None) -> str:
    """Say each problem of ``error`` on its own line: ``  lagen.bomen.soort: unknown reader kind 'excel'; ...``.

    Unknown values of a fixed list name the values there are; an unknown key names the closest known key there.
    """
    lines = []
    for problem in error.errors():
        where = ".".join(str(part) for part in problem["loc"])
        message = problem["msg"].removeprefix("Value error, ")
        if problem["type"] == "literal_error" and where.startswith("tijdreeksen") and where.endswith("download.dienst"):
            message = f"unknown dienst {problem['input']!r}; choose one of {', '.join(TIMESERIES_DOWNLOAD_KINDS)}"
        elif problem["type"] == "literal_error" and where.startswith("tijdreeksen") and where.endswith("soort"):
            message = f"unknown soort {problem['input']!r}; choose one of {', '.join(TIMESERIES_KINDS)}"
        elif problem["type"] == "literal_error" and where.endswith("download.soort"):
            message = f"unknown download soort {problem['input']!r}; choose one of {', '.join(DOWNLOAD_KINDS)}"
        elif problem["type"] == "literal_error" and where.endswith("sleutel"):
            message = f"unknown partner sleutel {problem['input']!r}; choose one of {', '.join(PARTNER_KEYS)}"
        elif problem["type"] == "extra_forbidden":
            message = _unknown(problem["loc"], model)
        lines.append(f"  {where}: {message}" if where else f"  {message}")
    return "\n".join(lines)


def explain_briefly(error: ValidationError, model: type[BaseModel] | None = None) -> str:
    """Say each problem of ``error`` on its own line, with pydantic's own words (catalogue and opgaven files).

    An unknown key names the key that was meant, as :func:`explain` does.
    """
    lines = []
    for e in error.errors():
        where = ".".join(str(p) for p in e["loc"])
        message = _unknown(e["loc"], model) if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"  {where}: {message.removeprefix('Value error, ')}")
    return "\n".join(lines)


def _unknown(place: tuple[str | int, ...], model: type[BaseModel] | None) -> str:
    """``unknown key; did you mean 'partners'?``: the closest key at that level of ``model``."""
    if model is None or not place:
        return "unknown key"
    return unknown_key(str(place[-1]), known_keys(model, place[:-1]))
