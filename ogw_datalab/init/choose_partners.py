"""Tables keyed by buurt or wijk code (CBS tables, the RIVM gezondheidsmonitor) as partners of one gemeente.

A table is taken when it has rows for the gemeente's areas and its codes are of the same gebiedsindeling as the
kaart: a table that names the year of its figures (CBS ``Perioden``) must name the configuration's year, and every
code it gives for the gemeente must be in the kaart. Codes are reused between years for other areas, so a table of
another year is never joined on code; it is left out, with that reason.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from .choose_sources import Selection
from .recognise_files import FoundFile, Recognised

MAX_COLUMNS = 8
# The RIVM/GGD Gezondheidsmonitor (StatLine 50090NED): its columns -> (title, unit, direction). Recognised by these
# column names; any other table's numeric columns become neutral indicators whose texts the team writes.
RIVM_COLUMNS: dict[str, tuple[str, str, str]] = {
    "ErvarenGezondheidGoedZeerGoed": ("Goede ervaren gezondheid", "% van de volwassenen", "hoger_is_beter"),
    "Eenzaam": ("Eenzaamheid", "% van de volwassenen", "lager_is_beter"),
    "Overgewicht": ("Overgewicht", "% van de volwassenen", "lager_is_beter"),
    "MoeiteMetRondkomen": ("Moeite met rondkomen", "% van de volwassenen", "lager_is_beter"),
    "Mantelzorger": ("Mantelzorgers", "% van de volwassenen", "neutraal"),
    "VoldoetAanBeweegrichtlijn": ("Voldoet aan de beweegrichtlijn", "% van de volwassenen", "hoger_is_beter"),
}
RIVM_NUMBERED = re.compile(r"^(?P<name>[A-Za-z]+)_\d+$")


@dataclass(frozen=True)
class PartnerColumn:
    """One figure of a partner: our column name, the file's, and the texts of its indicator."""

    ours: str
    column: str
    titel: str
    eenheid: str
    richting: str


@dataclass(frozen=True)
class ChosenPartner:
    """A table keyed by code, as a partner of the gemeente."""

    naam: str
    pad: Path
    sleutel: str
    code_column: str
    separator: str
    decimal: str
    rivm: bool
    year: int | None
    columns: tuple[PartnerColumn, ...] = field(default_factory=tuple)


def choose_partners(recognised: Recognised, selection: Selection, kaart_codes: dict[str, set[str]]) -> None:
    """Add every table keyed by the gemeente's buurt or wijk codes of the kaart's year as a partner.

    ``kaart_codes`` holds the gemeente's codes per level (``buurt``, ``wijk``) from the chosen kaart.
    """
    digits = selection.code[2:]
    used = {"cbs_kerncijfers"}
    for table in recognised.of_kind("tabel"):
        prefix = ("BU" if table.niveau == "buurt" else "WK") + digits
        reason = _unusable(table, selection.jaar)
        if reason:
            selection.left_out.append(f"{table.label}: {reason}")
            continue
        frame = pd.read_csv(table.path, sep=table.separator, dtype=str, encoding_errors="replace")
        codes = frame[table.code_column].astype("string").str.strip().str.upper()
        rows = frame.loc[codes.str.startswith(prefix).fillna(False)]
        own = set(codes[rows.index])
        if rows.empty:
            selection.left_out.append(f"{table.label}: no rows for {table.niveau}en of {selection.code}")
            continue
        unknown = sorted(own - kaart_codes[str(table.niveau)])
        if unknown:
            selection.left_out.append(
                f"{table.label}: {len(unknown)} of its {len(own)} {table.niveau}codes of {selection.code} are not in "
                f"the kaart of {selection.jaar} (e.g. {unknown[0]}): another gebiedsindeling, never joined on code"
            )
            continue
        partner = _partner(table, rows, used)
        if not partner.columns:
            selection.left_out.append(f"{table.label}: no numeric column for {selection.code}")
            continue
        used.add(partner.naam)
        selection.partners.append(partner)
        shown = ", ".join(c.column for c in partner.columns)
        selection.found.append(
            f"partners.{partner.naam}: {len(rows)} rows keyed by {partner.sleutel} in {table.path} ({shown})"
        )


def _unusable(table: FoundFile, jaar: int) -> str:
    if table.code_column is None or table.code_column.startswith("Unnamed"):
        return (
            "a table of area codes whose header is not its first line (title lines): configure it as a partner by "
            "hand, with titelregels or kolomnamen"
        )
    if table.year is not None and table.year != jaar:
        return (
            f"figures of {table.year} (its column says so), with the codes of that year; the kaart is of {jaar} and "
            "codes are never joined across years"
        )
    return ""


def _partner(table: FoundFile, rows: pd.DataFrame, used: set[str]) -> ChosenPartner:
    decimal = "." if table.separator == "," else ","
    rivm = any(_rivm_name(c) in RIVM_COLUMNS for c in table.columns)
    columns = []
    for column in table.columns:
        if column == table.code_column or column.strip().lower() in ("id", "perioden", "jaar"):
            continue
        text = rows[column].astype("string").str.strip()
        numbers = pd.to_numeric(text.str.replace(",", ".") if decimal == "," else text, errors="coerce")
        if numbers.notna().mean() < 0.5:
            continue
        name = _rivm_name(column)
        if rivm and name not in RIVM_COLUMNS:
            continue
        titel, eenheid, richting = RIVM_COLUMNS.get(name, (column.strip(), "zoals in het bronbestand", "neutraal"))
        ours = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "waarde"
        columns.append(PartnerColumn(ours if ours[0].isalpha() else f"k_{ours}", column, titel, eenheid, richting))
    naam = re.sub(r"[^a-z0-9]+", "_", table.path.stem.lower()).strip("_")
    naam = naam if naam and naam[0].isalpha() else f"partner_{naam}"
    while naam in used:
        naam += "_2"
    return ChosenPartner(
        naam=naam,
        pad=table.path,
        sleutel=f"{table.niveau}code",
        code_column=str(table.code_column),
        separator=str(table.separator),
        decimal=decimal,
        rivm=rivm,
        year=table.year,
        columns=tuple(columns[:MAX_COLUMNS]),
    )


def _rivm_name(column: str) -> str:
    match = RIVM_NUMBERED.match(column.strip())
    return match["name"] if match else column.strip()
