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


def explain_briefly(error: ValidationError, model: type[BaseModel] | None = None, raw: object = None) -> str:
    """Say each problem of ``error`` on its own line, with pydantic's own words (catalogue and opgaven files).

    An unknown key names the key that was meant, as :func:`explain` does; an entry of a list is named by its ``id``
    in ``raw`` (the file as read) where it has one: ``opgaven.0 (meer_groen).indicatoren.1 (eenzaam_pct).richting``.
    """
    lines = []
    for e in error.errors():
        where = _where(e["loc"], raw)
        message = _unknown(e["loc"], model) if e["type"] == "extra_forbidden" else e["msg"]
        lines.append(f"  {where}: {message.removeprefix('Value error, ')}")
    return "\n".join(lines)


def _where(place: tuple[str | int, ...], raw: object) -> str:
    """Name the place of a problem, dotted, each list entry followed by its ``id`` in the file where it has one."""
    parts, node = [], raw
    for part in place:
        node = _child(node, part)
        label = node.get("id") if isinstance(part, int) and isinstance(node, dict) else None
        parts.append(f"{part} ({label})" if isinstance(label, str) else str(part))
    return ".".join(parts)


def _child(node: object, part: str | int) -> object:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
        return node[part]
    return None


def _unknown(place: tuple[str | int, ...], model: type[BaseModel] | None) -> str:
    """``unknown key; did you mean 'partners'?``: the closest key at that level of ``model``."""
    if model is None or not place:
        return "unknown key"
    return unknown_key(str(place[-1]), known_keys(model, place[:-1]))
