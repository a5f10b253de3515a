"""What notebooks may show of the private tables (translocal.disclosure)."""

import pandas as pd
import pytest

from translocal import disclosure

AGREEMENTS = pd.DataFrame(
    {
        "agreement_id": ["A17", "A18"],
        "jp_code": ["19346", "20583"],
        "signed_on": ["2021-03-04", "令和3年5月6日"],
    }
)
SURVEY = pd.DataFrame({"code": ["011002", "131016"], "responded": ["1", "0"], "response_date": ["2019-07-12", None]})


def test_preview_shows_rows_of_stand_ins_and_only_aggregates_of_real_files():
    assert disclosure.preview(AGREEMENTS, "synthetic").equals(AGREEMENTS.head(5))
    summary = disclosure.preview(AGREEMENTS, "real")
    assert list(summary.columns) == ["type", "non-missing", "distinct"]
    assert list(summary.index) == list(AGREEMENTS.columns)
    assert not disclosure.shown_rows(summary.to_html() + str(summary), {"agreements": AGREEMENTS})
    with pytest.raises(ValueError, match="data_mode"):
        disclosure.preview(AGREEMENTS, "mixed")


def test_a_displayed_row_is_found_in_text_and_html():
    tables = {"agreements": AGREEMENTS, "survey_2019": SURVEY}
    assert disclosure.shown_rows(AGREEMENTS.to_html(), tables) == ["agreements row 1 (A17)", "agreements row 2 (A18)"]
    # without its identifier: the municipality and the date on one line (era dates as ISO)
    rows = AGREEMENTS.drop(columns="agreement_id").assign(signed_on=["2021-03-04", "2021-05-06"])
    assert disclosure.shown_rows(str(rows), tables) == [
        "agreements row 1 (code 19346, 2021-03-04)",
        "agreements row 2 (code 20583, 2021-05-06)",
    ]
    # a respondent printed with the 5-digit code
    assert disclosure.shown_rows("01100  1  2019-07-12", tables) == ["survey_2019 row 1 (code 011002, 2019-07-12)"]


def test_code_and_date_on_different_lines_or_counts_are_not_rows():
    tables = {"agreements": AGREEMENTS, "survey_2019": SURVEY}
    assert disclosure.shown_rows("19346 is a code\n2021-03-04 is a date", tables) == []
    assert disclosure.shown_rows("n_agreements  2\nA170 A1", tables) == []
