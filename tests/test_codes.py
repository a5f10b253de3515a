import pytest
from hypothesis import given
from hypothesis import strategies as st

from translocal.codes import CodeError, check_digit, municipality_kind, parse_code


@pytest.mark.parametrize(
    "code6",
    ["011002", "131016", "473812", "012025", "141305", "221309"],  # 札幌, 千代田, 竹富, 函館, 川崎, 浜松
)
def test_check_digit_of_published_codes(code6):
    assert check_digit(code6[:5]) == code6[5]


def test_check_digit_remainder_edge_cases():
    assert check_digit("00000") == "1"  # sum 0, remainder 0: 11 - 0 = 11, last digit 1
    assert check_digit("00006") == "0"  # sum 12, remainder 1: 11 - 1 = 10, last digit 0


def test_parse_code_accepts_the_forms_tables_use():
    assert parse_code("011002") == "01100"
    assert parse_code("01100") == "01100"
    assert parse_code(" ０１１００２ ") == "01100"  # full-width digits and spaces


@pytest.mark.parametrize("bad", ["011003", "1100", "0110022", "01a00", "", None])
def test_parse_code_refuses(bad):
    with pytest.raises(CodeError):
        parse_code(bad)


def test_wrong_check_digit_message_names_both_digits():
    with pytest.raises(CodeError, match="check digit 3 is wrong for 01100 \\(expected 2\\)"):
        parse_code("011003")


@given(st.from_regex(r"[0-9]{5}", fullmatch=True))
def test_code_with_its_own_check_digit_round_trips(code5):
    assert parse_code(code5 + check_digit(code5)) == code5
    assert parse_code(code5) == code5


@given(st.from_regex(r"[0-9]{5}", fullmatch=True), st.integers(1, 9))
def test_any_other_check_digit_is_refused(code5, shift):
    wrong = str((int(check_digit(code5)) + shift) % 10)
    with pytest.raises(CodeError):
        parse_code(code5 + wrong)


@pytest.mark.parametrize(
    "code,name,kind",
    [
        ("14130", "川崎市", "designated_city"),
        ("13101", "千代田区", "special_ward"),
        ("01202", "函館市", "city"),
        ("47381", "竹富町", "town"),
        ("47375", "多良間村", "village"),
        ("02304", "鰺ヶ沢町", "town"),
    ],
)
def test_municipality_kind(code, name, kind):
    assert municipality_kind(code, name, designated_cities={"14130"}) == kind


def test_unknown_kind_is_an_error():
    with pytest.raises(CodeError, match="cannot tell"):
        municipality_kind("01301", "なにか", designated_cities=set())
