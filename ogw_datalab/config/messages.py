"""What a configuration error says: one line per problem, naming the key as the file writes it."""

from __future__ import annotations

from pydantic import ValidationError

from .sources import DOWNLOAD_KINDS, PARTNER_KEYS
from .timeseries import TIMESERIES_DOWNLOAD_KINDS, TIMESERIES_KINDS


class ConfigError(ValueError):
    """The configuration file is missing, unreadable or invalid."""


def explain(error: ValidationError) -> str:
    """Say each problem of ``error`` on its own line: ``  lagen.bomen.soort: unknown reader kind 'excel'; ...``.

    Unknown values of a fixed list name the values there are; an unknown key points to the README.
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
            message = "unknown key (check the spelling against the README)"
        lines.append(f"  {where}: {message}" if where else f"  {message}")
    return "\n".join(lines)


def explain_briefly(error: ValidationError) -> str:
    """Say each problem of ``error`` on its own line, with pydantic's own words (catalogue and opgaven files)."""
    return "\n".join(
        f"  {'.'.join(str(p) for p in e['loc'])}: {e['msg'].removeprefix('Value error, ')}" for e in error.errors()
    )
