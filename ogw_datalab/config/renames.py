"""Old keys of a configuration file: still read for now, each with a one-line hint naming the new key.

Every model whose keys were renamed lists them in its ``old_keys`` (old name -> new name), and values
that were renamed in ``old_values`` (key -> old value -> new value); see
:class:`~.strict.StrictModel`. :func:`rename_old_keys` applies them to a file as read, before
validation, walking the models' fields, so that every level of the file is covered by the one table of
the model there. A file that gives both the old and the new name of one key is refused.
"""

from __future__ import annotations

import difflib
import types
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

# The end of every hint line; the command line, which prints the hints itself, knows them by it in a run's log.
STILL_WORKS = "(the old {} still works for now)"


@dataclass
class Renamed:
    """A file's contents with every old key and value renamed.

    Attributes
    ----------
    data
        The contents, old keys and values replaced by their new names.
    hints
        One line per old key or value: where it is (as the file writes it) and its new name.
    conflicts
        One line per place that gives both the old and the new name of a key.
    """

    data: Any
    hints: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)


def rename_old_keys(data: Any, model: type[BaseModel]) -> Renamed:
    """Rename the old keys and values in ``data`` (a file read with YAML), by the tables of ``model`` and its parts.

    Parts that are not shaped as the models expect are left as they are, for validation to report.
    """
    renamed = Renamed(None)
    renamed.data = _rename_model(data, model, (), renamed)
    return renamed


def model_classes(annotation: Any) -> list[type[BaseModel]]:
    """Find the models inside a field's type: ``Source``, ``Source | None``, ``dict[str, Layer]``, ``list[Partner]``."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return model_classes(get_args(annotation)[0])
    if origin in (Union, types.UnionType, list, dict):
        return [m for arg in get_args(annotation) for m in model_classes(arg)]
    return [annotation] if isinstance(annotation, type) and issubclass(annotation, BaseModel) else []


def known_keys(model: type[BaseModel], place: Sequence[str | int]) -> dict[str, str] | None:
    """Find the keys a file may write at ``place`` (a validation error's location) below ``model``.

    Returns every key there, the new ones and the old ones still read, each mapped to its new name; None when
    ``place`` does not lead to one model (a value, or a union of several models).
    """
    current: Any = model
    for part in place:
        current = _unwrapped(current)
        origin, arguments = get_origin(current), get_args(current)
        if isinstance(current, type) and issubclass(current, BaseModel) and part in _fields_by_key(current):
            current = _fields_by_key(current)[str(part)].annotation
        elif origin is dict:
            current = arguments[1]
        elif origin is list and isinstance(part, int):
            current = arguments[0]
        else:
            return None
    current = _unwrapped(current)
    if not (isinstance(current, type) and issubclass(current, BaseModel)):
        return None
    keys = {key: key for key in _fields_by_key(current) if key != "config_file"}
    return keys | dict(getattr(current, "old_keys", {}))


def _unwrapped(annotation: Any) -> Any:
    """Unwrap ``Annotated[X, ...]`` to X and an optional model (``Source | None``) to the model."""
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _unwrapped(arguments[0])
    if origin in (Union, types.UnionType):
        shaped = [a for a in arguments if model_classes(a)]
        return _unwrapped(shaped[0]) if len(shaped) == 1 else annotation
    return annotation


def unknown_key(key: str, known: dict[str, str] | None) -> str:
    """Say that ``key`` is unknown, and which known key (``known``, from :func:`known_keys`) was meant.

    ``partnrs: unknown key; did you mean 'partners'?``; without a close one, the keys there are listed.
    """
    if known is None:
        return "unknown key"
    close = difflib.get_close_matches(key, list(known), n=1, cutoff=0.6)
    if close:
        return f"unknown key; did you mean {known[close[0]]!r}?"
    return "unknown key; the keys here are " + ", ".join(sorted(set(known.values())))


def _where(place: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in place)


def _rename_model(data: Any, model: type[BaseModel], place: tuple[str | int, ...], renamed: Renamed) -> Any:
    if not isinstance(data, dict):
        return data
    old_keys: dict[str, str] = dict(getattr(model, "old_keys", {}))
    written: dict[str, str | int] = {}  # new key -> the key as the file writes it
    result: dict[Any, Any] = {}
    for key, value in data.items():
        new = old_keys.get(key) if isinstance(key, str) else None
        if new is None:
            result[key] = value
            written.setdefault(key, key)
        elif new in data:
            where = f"{_where(place)}: " if place else ""
            renamed.conflicts.append(
                f"{where}both {key} and {new} are given; {key} is the old name of {new}: keep only {new}"
            )
        else:
            renamed.hints.append(f"{_where((*place, key))} is now called {new} {STILL_WORKS.format('name')}")
            result[new] = value
            written[new] = key
    for key, values in getattr(model, "old_values", {}).items():
        value = result.get(key)
        if isinstance(value, str) and value in values:
            renamed.hints.append(
                f"{_where((*place, written[key]))}: {value} is now called {values[value]} {STILL_WORKS.format('value')}"
            )
            result[key] = values[value]
    for key, info in _fields_by_key(model).items():
        if key in result:
            result[key] = _rename_field(result[key], info.annotation, (*place, written[key]), renamed)
    return result


def _fields_by_key(model: type[BaseModel]) -> dict[str, FieldInfo]:
    """Return a model's fields by the key a file writes (the alias where there is one: ``postgis.schema``)."""
    return {info.alias or name: info for name, info in model.model_fields.items()}


def _rename_field(data: Any, annotation: Any, place: tuple[str | int, ...], renamed: Renamed) -> Any:
    origin = get_origin(annotation)
    arguments = get_args(annotation)
    if origin is Annotated:
        return _rename_field(data, arguments[0], place, renamed)
    if origin in (Union, types.UnionType):
        shaped = [a for a in arguments if model_classes(a)]
        return _rename_field(data, shaped[0], place, renamed) if len(shaped) == 1 else data
    if origin is dict and isinstance(data, dict):
        return {k: _rename_field(v, arguments[1], (*place, k), renamed) for k, v in data.items()}
    if origin is list and isinstance(data, list):
        return [_rename_field(v, arguments[0], (*place, i), renamed) for i, v in enumerate(data)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _rename_model(data, annotation, place, renamed)
    return data
