"""Colours of the maps, their class breaks and legend.

Colour-blind-safe ColorBrewer palettes, dark always meaning 'asks most attention'.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from ..indicators.catalogue import Klassen

NEED_PALETTE = ["#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"]  # YlOrBr
NEUTRAL_PALETTE = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"]  # PuBu
SUPPRESSED_COLOUR = "#a6a6a6"
NO_VALUE_COLOUR = "#f2f2f2"
SUPPRESSED_LABEL = "onderdrukt (niet gepubliceerd, om de privacy)"
NO_VALUE_LABEL = "geen gegevens"


def palette(richting: str, n_classes: int) -> list[str]:
    """Colours from low to high value: for 'higher is better' the low values are the dark ones.

    A single class (every area has the same value) gets the middle colour: no area asks more attention than another.
    """
    colours = NEUTRAL_PALETTE if richting == "neutraal" else NEED_PALETTE
    if n_classes == 1:
        return [colours[len(colours) // 2]]
    if richting == "hoger_is_beter":
        colours = colours[::-1]
    return [colours[i] for i in np.linspace(0, len(colours) - 1, n_classes).round().astype(int)]


def class_breaks(values: pd.Series, klassen: Klassen | None = None) -> list[float]:
    """Class edges (lowest value, then each class's upper bound) over the published values.

    Quantiles by default; natural breaks (Fisher-Jenks) or fixed bounds when the catalogue
    says so. Classes that would be empty collapse, so a map never shows an unused colour.
    With no more distinct values than classes, each value is a class of its own (the first edge is repeated:
    ``[0, 0, 1]`` for the values 0 and 1). When every value is the same, the single class is ``[v, v]`` (its legend
    reads "alle buurten: v").
    """
    klassen = klassen or Klassen()
    present = values.dropna().to_numpy(dtype=float)
    if len(present) == 0:
        return [0.0, 1.0]
    distinct = np.unique(present)
    k = min(klassen.aantal, len(distinct))
    if klassen.methode != "vast" and 1 < len(distinct) <= klassen.aantal:
        # As many values as classes or fewer: a class each ("0", "1"), never one class "0 – 1" for two values
        return [float(distinct[0]), *(float(v) for v in distinct)]
    if klassen.methode == "vast":
        bounds = [b for b in (klassen.grenzen or []) if b < present.max()] + [float(present.max())]
    elif k < 2:
        bounds = [float(present.max())]
    else:
        import mapclassify  # here: it brings scipy.stats and scikit-learn (1 s), which only classing needs

        scheme = mapclassify.FisherJenks if klassen.methode == "natuurlijk" else mapclassify.Quantiles
        with warnings.catch_warnings():
            # With many equal values mapclassify lowers k itself and says so; equal edges collapse below.
            warnings.filterwarnings("ignore", message="Not enough unique values", category=UserWarning)
            bounds = list(scheme(present, k=k).bins)
    edges = np.unique(np.array([present.min(), *bounds], dtype=float))
    return [float(e) for e in edges] if len(edges) > 1 else [float(edges[0]), float(edges[0])]


def colour_values(
    values: Sequence[float], status: Sequence[str | None], bounds: list[float], richting: str
) -> tuple[list[str], list[str]]:
    """Give each area a colour (suppressed and missing values their own greys); return them and the classes."""
    classes = palette(richting, len(bounds) - 1)
    colours = []
    for value, state in zip(values, status, strict=True):
        if state == "onderdrukt":
            colours.append(SUPPRESSED_COLOUR)
        elif value is None or pd.isna(value):
            colours.append(NO_VALUE_COLOUR)
        else:
            index = int(np.clip(np.searchsorted(bounds[1:], value, side="left"), 0, len(classes) - 1))
            colours.append(classes[index])
    return colours, classes


def legend_items(
    classes: list[str],
    bounds: list[float],
    label: Callable[[float], str],
    *,
    values: Sequence[float] = (),
    colours: Sequence[str] = (),
    wat: str = "buurten",
    step: float | None = None,
) -> list[tuple[str, str]]:
    """(colour, text) per class, then the suppressed and missing greys where the map uses them.

    When every published value is the same, one item says so ("alle buurten: 0", or "alle buurten met een
    waarde: 0" where some have none) instead of a range. A class holds the values above its lower edge up to its
    upper edge; where every value and edge is a multiple of ``step`` (the published precision), a class above the
    first starts at the next such value: "0 – 4", "5 – 17", not "0 – 4", "4 – 17".
    """
    present = [float(v) for v in values if v is not None and not pd.isna(v)]
    if present and len(set(present)) == 1:
        which = wat if len(present) == len(values) else f"{wat} met een waarde"
        items = [(classes[0], f"alle {which}: {label(present[0])}")]
    else:
        lows = _lower_edges(bounds, present, step)
        items = [(colour, _range(label(lows[i]), label(bounds[i + 1]))) for i, colour in enumerate(classes)]
    used = set(colours)
    if not colours or SUPPRESSED_COLOUR in used:
        items.append((SUPPRESSED_COLOUR, SUPPRESSED_LABEL))
    if not colours or NO_VALUE_COLOUR in used:
        items.append((NO_VALUE_COLOUR, NO_VALUE_LABEL))
    return items


def _lower_edges(bounds: list[float], present: list[float], step: float | None) -> list[float]:
    """Return the lowest value each class can hold, as the legend names it (see :func:`legend_items`)."""
    lows = list(bounds[:-1])
    if step and all(_on_step(v, step) for v in [*present, *bounds]):
        lows[1:] = [round(b + step, 10) for b in lows[1:]]
    return lows


def _on_step(value: float, step: float) -> bool:
    return abs(value / step - round(value / step)) < 1e-6


def _range(low: str, high: str) -> str:
    return low if low == high else f"{low} – {high}"
