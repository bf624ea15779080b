"""Colours of the maps: colour-blind-safe ColorBrewer palettes, dark always meaning 'asks most attention'."""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

NEED_PALETTE = ["#ffffd4", "#fed98e", "#fe9929", "#d95f0e", "#993404"]  # YlOrBr
NEUTRAL_PALETTE = ["#f1eef6", "#bdc9e1", "#74a9cf", "#2b8cbe", "#045a8d"]  # PuBu
SUPPRESSED_COLOUR = "#a6a6a6"
NO_VALUE_COLOUR = "#f2f2f2"


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


def colour_values(
    values: pd.Series, status: pd.Series, bounds: list[float], richting: str
) -> tuple[list[str], list[str]]:
    """A colour per buurt (suppressed and missing values get their own greys) and the class colours."""
    classes = palette(richting, len(bounds) - 1)
    colours = []
    for value, state in zip(values, status, strict=True):
        if state == "onderdrukt":
            colours.append(SUPPRESSED_COLOUR)
        elif pd.isna(value):
            colours.append(NO_VALUE_COLOUR)
        else:
            index = int(np.clip(np.searchsorted(bounds[1:], value, side="left"), 0, len(classes) - 1))
            colours.append(classes[index])
    return colours, classes


def legend_items(classes: list[str], bounds: list[float], label, *, complete: bool = True) -> list[tuple[str, str]]:
    """(colour, text) per class, then the suppressed and missing greys.

    Parameters
    ----------
    classes
        The class colours, from low to high value.
    bounds
        The class edges: the lowest value, then each class's upper bound. Equal edges
        (``[v, v]``) mean that every area with a value has the value ``v``.
    label
        Formats a bound as text (Dutch number format).
    complete
        Whether every area has a value; only then does a single value read "alle buurten: v"
        rather than "alle buurten met een waarde: v".

    Returns
    -------
    list of (str, str)
        Colour and text per legend line.
    """
    if len(classes) == 1 and bounds[0] == bounds[-1]:
        items = [(classes[0], f"alle buurten{'' if complete else ' met een waarde'}: {label(bounds[0])}")]
    else:
        items = [(colour, f"{label(bounds[i])} – {label(bounds[i + 1])}") for i, colour in enumerate(classes)]
    return items + [(SUPPRESSED_COLOUR, "onderdrukt (te kleine groep)"), (NO_VALUE_COLOUR, "geen waarde")]


def legend_html(key: str, title: str, unit: str, items: list[tuple[str, str]], hidden: bool = False) -> str:
    rows = "".join(f'<li><span class="kleur" style="background:{c}"></span>{html.escape(t)}</li>' for c, t in items)
    return (
        f'<ul class="legenda" data-legenda="{key}" aria-label="Legenda {html.escape(title)}"'
        f"{' hidden' if hidden else ''}><li><em>{html.escape(unit)}</em></li>{rows}</ul>"
    )
