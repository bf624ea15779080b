"""Numbers, units, ranks and changes written as a Dutch reader expects them (nl-NL), in one place.

Every text with a number on the site comes from here: ``1.234,5`` (a point groups thousands, a
comma marks decimals), a true minus sign, "geen gegevens" without a unit, "1 locatie" but
"2 locaties", and "Rang 12 van 43".
"""

from __future__ import annotations

import math
import re
import unicodedata
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the formula types' Dutch sentences use this module: no import of the catalogue at run time
    from ..indicators.catalogue import Indicator

NO_DATA = "geen gegevens"
MINUS = "\u2212"
NBSP = "\u00a0"
VOWELS = set("aeiou")
# Dutch plurals whose singular the spelling rules below do not give.
IRREGULAR_SINGULAR = {
    "steden": "stad",
    "schepen": "schip",
    "kinderen": "kind",
    "dagen": "dag",
    "wegen": "weg",
    "paden": "pad",
    "baden": "bad",
    "gaten": "gat",
    "hoven": "hof",
    "slagen": "slag",
}


def is_missing(value: object) -> bool:
    """Whether ``value`` is no number at all: None, NaN or pandas' NA."""
    if value is None:
        return True
    try:
        return bool(math.isnan(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return True


def format_number(value: float, decimals: int = 0) -> str:
    """``value`` in nl-NL notation with ``decimals`` decimals: 1234.5 -> '1.234,5', -3 -> '−3'.

    A value that rounds to zero is written without a sign.
    """
    rounded = round(float(value), decimals)
    if rounded == 0:
        rounded = 0.0
    text = f"{abs(rounded):,.{decimals}f}".replace(",", "_").replace(".", ",").replace("_", ".")
    return (MINUS if rounded < 0 else "") + text


def format_value(value: object, indicator: Indicator) -> str:
    """Write the number alone, with the indicator's decimals; "geen gegevens" when there is none."""
    if is_missing(value):
        return NO_DATA
    return format_number(float(value), indicator.decimalen)  # type: ignore[arg-type]


def value_with_unit(value: object, indicator: Indicator) -> str:
    """Write number and unit ('19,1% van de woningen', '1 locatie', '2 locaties'); "geen gegevens" alone."""
    if is_missing(value):
        return NO_DATA
    return number_with_unit(format_value(value, indicator), indicator.eenheid)


def number_with_unit(number: str, eenheid: str) -> str:
    """Join a formatted number and a unit.

    No space before '%', a non-breaking one otherwise; '1' takes the singular of a one-word unit ('1 locatie',
    but '1,00 vestigingen per 1.000 inwoners' stays).
    """
    if eenheid.startswith("%"):
        return number + eenheid
    if number == "1" and " " not in eenheid.strip():
        eenheid = singular(eenheid)
    return f"{number}{NBSP}{eenheid}"


def singular(noun: str) -> str:
    """Return the singular of a Dutch plural noun by the spelling rules; other words unchanged.

    'locaties' -> 'locatie', 'woningen' -> 'woning', 'bomen' -> 'boom', 'speelplekken' -> 'speelplek'.
    """
    lower = noun.lower()
    if lower in IRREGULAR_SINGULAR:
        return IRREGULAR_SINGULAR[lower]
    if noun.endswith("'s"):
        return noun[:-2]  # auto's -> auto
    if len(noun) > 3 and noun.endswith("s") and not noun.endswith("ss") and noun[-2] not in "us":
        return noun[:-1]  # locaties -> locatie, inwoners -> inwoner
    if len(noun) > 4 and noun.endswith("en"):
        stem = noun[:-2]
        if stem[-1] == stem[-2] and stem[-1] not in VOWELS:
            return stem[:-1]  # speelplekk -> speelplek
        if len(stem) >= 3 and stem[-1] not in VOWELS and stem[-2] in VOWELS and stem[-3] not in VOWELS:
            if not stem.endswith(("ing", "ig", "lijk")) and stem[-1] not in "wj":
                stem = stem[:-1] + stem[-2] + stem[-1]  # bom -> boom, schol -> school
        return stem[:-1] + {"z": "s", "v": "f"}.get(stem[-1], stem[-1])  # huiz -> huis, brieven -> brief
    return noun


def count_text(count: int, singular_form: str, plural_form: str) -> str:
    """'1 buurt', '5 buurten', '1.234 buurten'."""
    return f"{format_number(count)} {singular_form if count == 1 else plural_form}"


def format_score(score: object) -> str:
    """Write a composite score as a whole number ('62'), or "geen score"."""
    return "geen score" if is_missing(score) else format_number(float(score))  # type: ignore[arg-type]


def rank_text(rank: object, total: int, *, shared: int = 1, wat: str = "buurten") -> str:
    """'Rang 12 van 43'; a rank held by more areas says so; "geen rang" without one.

    Parameters
    ----------
    rank
        The rank (1 = asks most attention), or missing.
    total
        How many areas have a rank.
    shared
        How many areas hold this same rank (1 when it is not shared).
    wat
        What is ranked, plural ('buurten', 'wijken'), for the shared case.
    """
    if is_missing(rank):
        return "geen rang"
    text = f"Rang {format_number(int(rank))} van {format_number(total)}"  # type: ignore[call-overload]
    if shared > 1:
        text += f" (gedeeld met {format_number(shared - 1)} andere {wat})" if shared > 2 else " (gedeeld)"
    return text


def rank_meaning(richting: str) -> str:
    """Say what rank 1 means in this direction: the most attention, or (neutral) the highest value."""
    return "1 = de hoogste waarde" if richting == "neutraal" else "1 = vraagt de meeste aandacht"


def format_change(change: object, since: object, indicator: Indicator) -> str | None:
    """'+1,2 sinds 2023', '−0,4 sinds 2023', '±0 sinds 2023'; None when there is no earlier year to compare."""
    if is_missing(change) or is_missing(since):
        return None
    number = format_number(abs(float(change)), indicator.decimalen)  # type: ignore[arg-type]
    zero = number.strip("0,.") == ""
    sign = "±" if zero else ("+" if float(change) > 0 else MINUS)  # type: ignore[arg-type]
    return f"{sign}{number} sinds {int(since)}"  # type: ignore[call-overload]


def wijk_title(wijknaam: str, word: str = "Wijk") -> str:
    """Name a wijk: 'Wijk Centrum' (``word`` 'wijk' within a sentence).

    A CBS name that starts with the word already ('Wijk 01 Binnenstad') stays as it is.
    """
    return wijknaam if wijknaam.lower().startswith("wijk ") else f"{word} {wijknaam}"


def join_words(items: list[str], last: str = "en") -> str:
    """Join words as a Dutch list: 'a', 'a en b', 'a, b en c'."""
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {last} " + items[-1]


def plain_text(text: str) -> str:
    """Lower case without accents or punctuation, the form search compares ('Ooster-Lingen' -> 'ooster lingen')."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return re.sub(r"[^a-z0-9]+", " ", stripped).strip()


MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")  # fmt: skip


# The abbreviations Dutch style guides use (maart is 'mrt', not 'maa').
SHORT_MONTHS = ["jan", "feb", "mrt", "apr", "mei", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def format_month(maand: str, *, short: bool = False) -> str:
    """Write a month ``YYYY-MM`` in Dutch: '2016-06' -> 'juni 2016', or with ``short`` 'jun'."""
    year, month = maand.split("-")
    name = MONTHS[int(month) - 1]
    return SHORT_MONTHS[int(month) - 1] if short else f"{name} {year}"


def format_date(day: str) -> str:
    """Write a day ``YYYY-MM-DD`` in Dutch: '2016-06-02' -> '2 juni 2016'."""
    year, month, date = day.split("-")
    return f"{int(date)} {MONTHS[int(month) - 1]} {year}"
