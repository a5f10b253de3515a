import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from translocal.eras import DateError, parse_date, to_era


@pytest.mark.parametrize(
    "text,date",
    [
        ("2020-04-01", dt.date(2020, 4, 1)),
        ("2020/4/1", dt.date(2020, 4, 1)),
        ("令和2年4月1日", dt.date(2020, 4, 1)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("令和２年１１月２６日", dt.date(2020, 11, 26)),  # full-width digits
        (" 平成30年 3月 1日 ", dt.date(2018, 3, 1)),
    ],
)
def test_parse_date(text, date):
    assert parse_date(text) == date


@pytest.mark.parametrize(
    "text,message",
    [
        ("平成31年5月1日", "outside the 平成 era"),
        ("令和2年2月30日", "day is out of range"),
        ("2020-13-01", "month must be in"),
        ("April 1, 2020", "is not a date"),
        ("", "is not a date"),
        ("令和0年1月1日", "start at 1"),
    ],
)
def test_parse_date_refuses(text, message):
    with pytest.raises(DateError, match=message):
        parse_date(text)


@given(st.dates(min_value=dt.date(1868, 10, 23), max_value=dt.date(2100, 12, 31)))
def test_era_and_iso_forms_round_trip(date):
    assert parse_date(to_era(date)) == date
    assert parse_date(date.isoformat()) == date
