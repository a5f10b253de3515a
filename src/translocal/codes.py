"""Japanese local-government codes (全国地方公共団体コード, JIS X 0402).

A municipality's code is five digits: two for the prefecture, three for the municipality.
MIC tables append a sixth, a check digit; MLIT and MOJ tables do not. Codes also arrive with
full-width digits or stray spaces. Everything in this project keys on the 5-digit form.
"""

from __future__ import annotations

import re
import unicodedata

_WEIGHTS = (6, 5, 4, 3, 2)


class CodeError(ValueError):
    """A value that is not a valid local-government code."""


def check_digit(code5: str) -> str:
    """The JIS X 0402 check digit of a 5-digit code.

    Multiply the digits by 6, 5, 4, 3, 2, sum, take the remainder by 11, subtract it from 11
    and keep the last digit (remainder 0 gives 1, remainder 1 gives 0).
    """
    if not re.fullmatch(r"[0-9]{5}", code5):
        raise CodeError(f"{code5!r} is not five digits")
    remainder = sum(int(d) * w for d, w in zip(code5, _WEIGHTS)) % 11
    return str((11 - remainder) % 10)


def normalise_digits(value: object) -> str:
    """The value as a string with full-width digits made ASCII and surrounding spaces removed."""
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_code(value: object) -> str:
    """A 5-digit code from 5 or 6 digits (the sixth a check digit, which must be right).

    Full-width digits and surrounding spaces are accepted; anything else raises CodeError.
    """
    text = normalise_digits(value)
    if re.fullmatch(r"[0-9]{6}", text):
        code5, given = text[:5], text[5]
        expected = check_digit(code5)
        if given != expected:
            raise CodeError(f"{value!r}: check digit {given} is wrong for {code5} (expected {expected})")
        return code5
    if re.fullmatch(r"[0-9]{5}", text):
        return text
    raise CodeError(f"{value!r} is not a 5- or 6-digit local-government code")


def is_prefecture_total(code5: str) -> bool:
    """Prefecture rows carry the municipal part 000 (e.g. 13000 東京都)."""
    return code5[2:] == "000"


def is_ward_of_designated_city(code5: str) -> bool:
    """A ward (区) of an ordinance-designated city: municipal part 101-199 outside Tokyo.

    The city itself has a code in the same 100-199 band (for example 14100 横浜市, 14130
    川崎市) and is told apart by the ward list of the boundary data, not by the code alone.
    """
    return code5[:2] != "13" and code5[2] == "1"


def is_special_ward(code5: str) -> bool:
    """One of Tokyo's 23 special wards (特別区), 13101-13123; 13100 is their aggregate row."""
    return code5[:3] == "131" and code5 != "13100"


def municipality_kind(code5: str, name: str, designated_cities: set[str]) -> str:
    """special_ward / designated_city / city / town / village.

    Designated cities are given (their codes do not all end in 100); among the rest a
    municipal part 1xx in Tokyo is a special ward, 2xx a city, and towns and villages (3xx and
    above) are told apart by the official name's last character (町 or 村). Names are used as
    written: ヶ and ケ both occur officially.
    """
    if code5 in designated_cities:
        return "designated_city"
    if is_special_ward(code5):
        return "special_ward"
    if code5[2] == "2":
        return "city"
    if name.endswith("町"):
        return "town"
    if name.endswith("村"):
        return "village"
    raise CodeError(f"{code5} {name}: cannot tell the kind of municipality")


#: Municipal codes that changed between a table's date and the frame's (boundaries of
#: 1 January 2021): old code -> (new code, what happened). Applied, and reported, by
#: ``recode`` before a join, so a municipality is never lost to a renumbering.
CODE_CHANGES = {
    "40305": ("40231", "筑紫郡那珂川町 became 那珂川市 (a city) on 1 October 2018"),
}


def recode(codes: list[str] | tuple[str, ...], changes: dict[str, tuple[str, str]] = CODE_CHANGES):
    """The codes with the changed ones replaced by their new codes, and the list of
    (old, new, what happened) applied. Refuses a change whose new code is already present
    (two rows would claim one municipality)."""
    present = set(codes)
    applied = []
    for old, (new, note) in changes.items():
        if old in present:
            if new in present:
                raise CodeError(f"code {old} changed to {new}, but {new} is already in the table")
            applied.append((old, new, note))
    mapping = {old: new for old, new, _ in applied}
    return [mapping.get(c, c) for c in codes], applied


def prefecture_code_of(names, prefectures: dict[str, str]):
    """Two-digit codes for prefecture names as the ISA tables print them (青森, 東京, 北海道) or
    in full (青森県), as a string Series on the names' index; refuses a name that matches no
    prefecture or more than one. ``prefectures`` maps code to full name."""
    import pandas as pd

    full = {name: code for code, name in prefectures.items()}
    out = []
    for name in names:
        hits = [code for full_name, code in full.items() if full_name == name or full_name == name + full_name[-1]]
        if len(hits) != 1:
            raise ValueError(f"prefecture name {name!r} matches {len(hits)} prefectures")
        out.append(hits[0])
    return pd.Series(out, index=names.index, dtype="string")
