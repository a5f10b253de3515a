"""Dates as Japanese documents write them: ISO (2020-04-01, 2020/4/1) or by era (令和2年4月1日).

An era year counts from 1 (元年) at the era's first day; a date outside its era (平成31年5月1日)
is an error, not a silent conversion.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

#: Era name -> (first day, last day). The year of era E, year n, is first.year + n - 1.
ERAS = {
    "明治": (dt.date(1868, 10, 23), dt.date(1912, 7, 29)),
    "大正": (dt.date(1912, 7, 30), dt.date(1926, 12, 24)),
    "昭和": (dt.date(1926, 12, 25), dt.date(1989, 1, 7)),
    "平成": (dt.date(1989, 1, 8), dt.date(2019, 4, 30)),
    "令和": (dt.date(2019, 5, 1), dt.date.max),
}

_ERA = re.compile(r"(明治|大正|昭和|平成|令和)(元|[0-9]{1,2})年([0-9]{1,2})月([0-9]{1,2})日")
_ISO = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")


class DateError(ValueError):
    """A value that is not a date in a form this project reads."""


def parse_date(value: object) -> dt.date:
    """A date from ISO-like text (YYYY-MM-DD, YYYY/M/D) or a Japanese era date."""
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")
    match = _ISO.fullmatch(text)
    if match:
        return _date(text, *(int(g) for g in match.groups()))
    match = _ERA.fullmatch(text)
    if match:
        era, year, month, day = match.groups()
        first, last = ERAS[era]
        number = 1 if year == "元" else int(year)
        if number < 1:
            raise DateError(f"{value!r}: era years start at 1 (元年)")
        date = _date(text, first.year + number - 1, int(month), int(day))
        if not first <= date <= last:
            raise DateError(f"{value!r} is outside the {era} era ({first} to {last})")
        return date
    raise DateError(f"{value!r} is not a date (use YYYY-MM-DD or an era date such as 令和2年4月1日)")


def _date(text: str, year: int, month: int, day: int) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError as err:
        raise DateError(f"{text!r}: {err}") from None


def to_era(date: dt.date) -> str:
    """The era form of a date (令和2年4月1日; the first year written 元年)."""
    for era, (first, last) in ERAS.items():
        if first <= date <= last:
            number = date.year - first.year + 1
            year = "元" if number == 1 else str(number)
            return f"{era}{year}年{date.month}月{date.day}日"
    raise DateError(f"{date} is before the eras this project knows")
