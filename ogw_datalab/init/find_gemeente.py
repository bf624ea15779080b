"""Which gemeente (or region, or all) ``ogw-datalab init`` is asked for: by code, by name, by region.

The names and codes are those of the CBS buurt layers found in the folder (``GM_NAAM``/``gemeentenaam``); a name is
matched without regard to case; an unknown one is answered with the closest names.
"""

from __future__ import annotations

import difflib
import functools
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyogrio

from ..readers.source_files import region_of
from ..staging.stage_areas import CBS_AREA_COLUMNS
from .recognise_files import FoundFile

ALLE = "alle"
# Names in daily use for gemeenten whose CBS name differs.
ALIASES = {"den bosch": "'s-Hertogenbosch", "den haag": "'s-Gravenhage", "the hague": "'s-Gravenhage"}


class InitError(ValueError):
    """``init`` cannot write a configuration: one plain sentence says why."""


@dataclass(frozen=True)
class Wanted:
    """What was asked for: one gemeente (``code`` and ``naam``), or several (``gemeenten``: a region or ``alle``)."""

    code: str | None = None
    naam: str | None = None
    gemeenten: str | None = None
    note: str = ""


@functools.lru_cache(maxsize=256)
def gemeenten_in(file: FoundFile) -> pd.DataFrame:
    """Read the gemeentecodes and names a kaart layer holds, one row per feature (no geometry: fast)."""
    by_lower = {c.lower(): c for c in file.columns}
    code = next(by_lower[c.lower()] for c in CBS_AREA_COLUMNS["gemeentecode"] if c.lower() in by_lower)
    name = next((by_lower[c.lower()] for c in CBS_AREA_COLUMNS["gemeentenaam"] if c.lower() in by_lower), None)
    columns = [code] + ([name] if name else [])
    frame = pyogrio.read_dataframe(file.path, layer=file.layer, columns=columns, read_geometry=False)
    out = pd.DataFrame({"gemeentecode": frame[code].astype("string").str.strip().str.upper()})
    out["gemeentenaam"] = frame[name].astype("string").str.strip() if name else pd.NA
    return out


def find_wanted(asked: str, buurt_layers: list[FoundFile], folder: Path) -> Wanted:
    """Resolve ``asked`` (GM0153, Enschede, a region such as utrecht, or ``alle``) against the buurt layers.

    Raises
    ------
    InitError
        When no buurt layer holds it, with the closest names.
    """
    asked = asked.strip()
    if not buurt_layers:
        raise InitError(f"--bronnen {folder}: holds no CBS buurt layer (buurt codes BU........ on polygons)")
    if asked.lower() == ALLE:
        return Wanted(gemeenten=ALLE)
    table = pd.concat([gemeenten_in(f) for f in buurt_layers]).drop_duplicates()
    known = table.dropna().drop_duplicates("gemeentecode")
    names: dict[str, str] = dict(zip(known["gemeentecode"].astype(str), known["gemeentenaam"].astype(str), strict=True))
    regions = sorted({region_of(f.path) for f in buurt_layers})
    by_name = {n.lower(): code for code, n in names.items()}
    if asked.lower() in regions:
        note = ""
        if asked.lower() in by_name:
            code = by_name[asked.lower()]
            note = f"'{asked}' is a region and a gemeente; took the region (for the gemeente give its code, {code})"
        return Wanted(gemeenten=asked.lower(), note=note)
    code = asked.upper()
    if code in names or code in set(table["gemeentecode"]):
        return Wanted(code=code, naam=names.get(code, code))
    official = ALIASES.get(asked.lower(), asked).lower()
    if official in by_name:
        code = by_name[official]
        return Wanted(code=code, naam=names[code])
    candidates = {c.lower(): c for c in [*names.values(), *regions]}
    containing = sorted(
        (c for c in candidates if asked.lower() in c), key=lambda c: (not c.startswith(asked.lower()), c)
    )
    close = difflib.get_close_matches(asked.lower(), list(candidates), n=4, cutoff=0.5)  # most alike first
    shown = [candidates[c] for c in dict.fromkeys([*containing[:6], *close])]  # names holding what was asked first
    hint = f"; the closest names: {', '.join(shown)}" if shown else ""
    what = "gemeentecode" if code.startswith("GM") else "gemeente or region"
    raise InitError(f"no {what} '{asked}' in the CBS buurt layers under {folder}{hint}")
