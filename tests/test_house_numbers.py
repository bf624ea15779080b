"""House numbers as partners write them, split into the BAG's huisnummer, huisletter and huisnummertoevoeging.

Expected splits follow the BAG's own rules (Kadaster, praktijkhandleiding BAG: huisletter one letter,
huisnummertoevoeging up to four characters a-z/0-9, no '-' or '/'), written out by hand here. The real-data
test compares with the BAG fields that DUO's school file carries beside its own house number text.
"""

from __future__ import annotations

import geopandas as gpd
import pytest

from ogw_datalab.staging.house_numbers import HouseNumber, split_house_number


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("12", (12, None, None)),
        ("12a", (12, "A", None)),
        ("12 A", (12, "A", None)),
        ("12-a", (12, "A", None)),
        ("12 a 1", (12, "A", "1")),
        ("12a1", (12, "A", "1")),
        ("12A-2", (12, "A", "2")),
        ("12bis", (12, None, "BIS")),
        ("12 hs", (12, None, "HS")),
        ("12-1", (12, None, "1")),
        ("12/1", (12, None, "1")),
        ("12 - 1", (12, None, "1")),
        ("1 HA01", (1, None, "HA01")),  # Vijverlaan 1 HA01, Otterlo: a four-character addition
        ("48 R B7", (48, "R", "B7")),  # Roekelseweg 48 R B7, Wekerom: letter and addition
        ("51C-001", (51, "C", "001")),  # Edeseweg 51 C 001, Wekerom: leading zeros are part of the addition
        (" 012 ", (12, None, None)),
        ("12.0", (12, None, None)),  # a number that passed through a spreadsheet
        ("99999", (99999, None, None)),
    ],
)
def test_one_field(written, expected):
    assert split_house_number(written) == HouseNumber(*expected)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        (("12", "a", None), (12, "A", None)),
        (("12", None, "a"), (12, "A", None)),  # the letter in the toevoeging column
        (("12", None, "12 a"), (12, "A", None)),  # the whole number written again in the toevoeging column
        (("12", "12-a", None), (12, "A", None)),
        (("12", "", "12-1"), (12, None, "1")),
        (("12", "a", "1"), (12, "A", "1")),
        (("12", None, "a1"), (12, "A", "1")),
        (("12", None, "A-2"), (12, "A", "2")),
        (("12a", None, "2"), (12, "A", "2")),  # the letter in the huisnummer column
        (("12", None, "bis"), (12, None, "BIS")),
        (("12", None, "12A"), (12, None, "12A")),  # no separator: the BAG allows an addition 12A
        ((None, None, "12 a"), (12, "A", None)),
    ],
)
def test_fields_in_the_wrong_columns(fields, expected):
    assert split_house_number(*fields) == HouseNumber(*expected)


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ((None,), "huisnummer ontbreekt"),
        (("",), "huisnummer ontbreekt"),
        (("", " ", None), "huisnummer ontbreekt"),
        (("nr 12",), "huisnummer 'NR 12' begint niet met een getal"),
        (("0",), "huisnummer 0 ligt niet tussen 1 en 99999"),
        (("100000",), "huisnummer 100000 ligt niet tussen 1 en 99999"),
        (("12 zwart",), "toevoeging 'ZWART' van '12 ZWART' is langer dan 4 tekens (BAG)"),
        (("12", "a", "12345"), "toevoeging '12345' van '12 A 12345' is langer dan 4 tekens (BAG)"),
    ],
)
def test_what_is_not_a_bag_house_number_is_refused_with_the_reason(fields, reason):
    assert split_house_number(*fields) == HouseNumber(None, reden=reason)


def test_duo_school_numbers_split_as_their_bag_geocoding_did(shared_data):
    """DUO writes '22-A', '10-a', '4-b' and ranges '9 -11' in one field; the file's BAG columns say what they are."""
    schools = gpd.read_file(shared_data / "vr_hollands_midden_voorzieningen_2016" / "scholenonderwijs_bo.geojson")
    split = [split_house_number(text) for text in schools["HUISNUMMER-TOEVOEGING"]]
    letters = [letter.upper() if isinstance(letter, str) else None for letter in schools["Huisletter"]]
    bag = list(zip(schools["Huisnummer"].astype(int), letters, strict=True))
    assert len(split) == 268
    assert [(s.huisnummer, s.huisletter) for s in split] == bag
    ranges = {t for t, s in zip(schools["HUISNUMMER-TOEVOEGING"], split, strict=True) if s.toevoeging}
    assert ranges == {
        "9 -11", "129 -131", "10 -12", "34 -36", "3 -5", "21 -23", "2 -4", "22 -24", "37 -39", "24 -26", "47 -49"
    }  # fmt: skip
