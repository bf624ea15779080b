"""Split house numbers as partners write them into the BAG's huisnummer, huisletter and huisnummertoevoeging.

The BAG (Kadaster, Catalogus BAG) keeps three fields per address: ``huisnummer`` a whole number
from 1 to 99999, ``huisletter`` one letter a-z, and ``huisnummertoevoeging`` up to four
characters a-z or 0-9. Separators such as ``-`` or ``/`` are never part of these fields; they
only appear when an address is written out (``15a-4``, ``1A/101``). Partner files write the same
address in many ways, in one field or spread over the wrong ones; :func:`split_house_number`
reads them back into the BAG's three fields.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_HUISNUMMER = 99_999
MAX_TOEVOEGING = 4
_SPREADSHEET_NUMBER = re.compile(r"^(\d+)\.0+$")  # 12.0: a number that passed through a spreadsheet
_NUMBER_AND_REST = re.compile(r"^(\d+)(.*)$")
_SEPARATORS = re.compile(r"[^0-9A-Z]+")
_LETTER_FIRST = re.compile(r"^([A-Z])(?:[^0-9A-Z]|[0-9]|$)")


@dataclass(frozen=True)
class HouseNumber:
    """A house number split as the BAG splits it, or the reason it cannot be.

    Attributes
    ----------
    huisnummer, huisletter, toevoeging
        The BAG's three fields (letters upper-case); all ``None`` when ``reden`` is set.
    reden
        Why the input is not a BAG house number (one Dutch sentence), or ``None``.
    """

    huisnummer: int | None
    huisletter: str | None = None
    toevoeging: str | None = None
    reden: str | None = None


def split_house_number(
    huisnummer: str | None, huisletter: str | None = None, toevoeging: str | None = None
) -> HouseNumber:
    """Read a house number from a partner's huisnummer, huisletter and toevoeging fields (any may be empty).

    Parameters
    ----------
    huisnummer
        The huisnummer field, possibly holding the whole house number (``"12a-2"``).
    huisletter, toevoeging
        The letter and addition fields, when the file has them; they may hold each other's
        part or repeat the number (``"12 a"``).

    Returns
    -------
    HouseNumber
        The BAG split, or a reason when the fields do not form a BAG house number.

    Notes
    -----
    The rules, applied in order:

    1. Fields are trimmed and upper-cased; empty fields are absent. A huisnummer field such
       as ``12.0`` (a number that passed through a spreadsheet) is read as ``12``.
    2. A letter or addition field that starts with the row's own huisnummer followed by a
       space or hyphen (``"12 a"`` or ``"12-1"`` beside huisnummer 12) repeats the whole house
       number; the number is dropped from it. ``"12a"`` there stays an addition ``12A``, which
       the BAG allows.
    3. The fields are read as one text in the order huisnummer, huisletter, toevoeging. It
       must start with the huisnummer: digits, 1 to 99999 (``"nr 12"`` is refused).
    4. After the number, spaces and punctuation (``-``, ``/``, ``.``) only separate parts;
       the BAG stores none of them.
    5. The huisletter is one letter that stands alone or is followed directly by digits:
       ``12a``, ``12 A``, ``12-a``, ``12 a 1``, ``12a1``, ``12A-2``.
    6. Everything else after the number, separators removed, is the huisnummertoevoeging:
       ``12-1`` -> ``1``, ``12 hs`` -> ``HS``, ``12bis`` -> ``BIS``, ``1 HA01`` -> ``HA01``,
       ``12A-2`` -> letter ``A`` and addition ``2``.
    7. An addition of more than four characters is refused: it is not a BAG address.

    A single letter after the number is read as a huisletter, as the BAG advises; a
    municipality may still have registered it as a toevoeging. Matching therefore also
    accepts an address whose letter and addition, written together, are the same
    (see ``sql/partners/join_by_address.sql``).
    """
    number = _clean(huisnummer)
    if number is not None and (spreadsheet := _SPREADSHEET_NUMBER.match(number)):
        number = spreadsheet.group(1)
    parts = [number, *(_without_repeated_number(_clean(f), number) for f in (huisletter, toevoeging))]
    text = " ".join(p for p in parts if p)
    if not text:
        return HouseNumber(None, reden="huisnummer ontbreekt")
    found = _NUMBER_AND_REST.match(text)
    if found is None:
        return HouseNumber(None, reden=f"huisnummer '{text}' begint niet met een getal")
    value = int(found.group(1))
    if not 1 <= value <= MAX_HUISNUMMER:
        return HouseNumber(None, reden=f"huisnummer {value} ligt niet tussen 1 en {MAX_HUISNUMMER}")
    rest = found.group(2).strip(" -/.,_")
    letter = None
    if first := _LETTER_FIRST.match(rest):
        letter = first.group(1)
        rest = rest[1:]
    addition = _SEPARATORS.sub("", rest) or None
    if addition is not None and len(addition) > MAX_TOEVOEGING:
        return HouseNumber(
            None, reden=f"toevoeging '{addition}' van '{text}' is langer dan {MAX_TOEVOEGING} tekens (BAG)"
        )
    return HouseNumber(value, letter, addition)


def _clean(field: str | None) -> str | None:
    if field is None:
        return None
    value = str(field).strip().upper()
    return value or None


def _without_repeated_number(field: str | None, number: str | None) -> str | None:
    """``"12 A"`` in the letter or addition field of house 12 is the whole number written again."""
    if field is None or number is None or not number.isdigit():
        return field
    repeated = re.match(rf"^0*{int(number)}[ \-]+", field)
    return (field[repeated.end() :] or None) if repeated else field
