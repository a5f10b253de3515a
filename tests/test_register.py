"""The public register's codebook: small fixtures, every kind of bad row refused by line and column."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from translocal import register
from translocal.base import paths

MUNICIPALITIES = {"33215": "美作市", "03208": "遠野市", "13101": "千代田区"}
PREFECTURES = {"08": "茨城県", "33": "岡山県", "42": "長崎県", "03": "岩手県", "13": "東京都"}
PLACES = {"VN-27": "VNM", "VN-41": "VNM", "VN-DN": "VNM", "ID-JT": "IDN", "MN-1": "MNG"}

GOOD = [
    {
        "agreement_id": "PA001",
        "jp_level": "national",
        "jp_code": "",
        "jp_name": "Japan",
        "partner_country": "VNM",
        "partner_level": "national",
        "partner_type": "ministry",
        "partner_name": "Ministry of Labour - Invalids and Social Affairs",
        "partner_admin1": "",
        "signed_on": "2017-06-06",
        "date_precision": "day",
        "status": "signed",
        "formal": "true",
        "document": "memorandum",
        "programme": "titp",
        "labour_related": "yes",
        "evidence": "Japan's ministries and MOLISA signed a cooperation memorandum on technical intern training.",
        "source": "http://example.org/a",
        "source_2": "",
        "source_status": "confirmed",
        "note": "",
        "searched_on": "2026-11-29",
    },
    {
        "agreement_id": "PA002",
        "jp_level": "prefecture",
        "jp_code": "42",
        "jp_name": "長崎県",
        "partner_country": "VNM",
        "partner_level": "subnational",
        "partner_type": "province",
        "partner_name": "Quang Nam provincial Department of Labour",
        "partner_admin1": "VN-27",
        "signed_on": "2019-10",
        "date_precision": "month",
        "status": "signed",
        "formal": "true",
        "document": "memorandum",
        "programme": "titp;hr_general",
        "labour_related": "yes",
        "evidence": "Nagasaki and Quang Nam's labour department signed a personnel-exchange memorandum.",
        "source": "http://example.org/b",
        "source_2": "",
        "source_status": "confirmed",
        "note": "",
        "searched_on": "2026-11-29",
    },
    {
        "agreement_id": "PA003",
        "jp_level": "municipality",
        "jp_code": "03208",
        "jp_name": "遠野市",
        "partner_country": "IDN",
        "partner_level": "subnational",
        "partner_type": "local",
        "partner_name": "Purbalingga Regency",
        "partner_admin1": "ID-JT",
        "signed_on": "2023",
        "date_precision": "year",
        "status": "signed",
        "formal": "false",
        "document": "letter_of_intent",
        "programme": "titp;other",
        "labour_related": "partly",
        "evidence": "Tono's mayor and Purbalingga's regent signed a letter of intent on interns and trade.",
        "source": "http://example.org/c",
        "source_2": "http://example.org/d",
        "source_status": "confirmed",
        "note": "day from the second source",
        "searched_on": "2026-11-29",
    },
    {
        "agreement_id": "PA004",
        "jp_level": "prefecture",
        "jp_code": "08",
        "jp_name": "茨城県",
        "partner_country": "MNG",
        "partner_level": "institution",
        "partner_type": "school",
        "partner_name": "A university in Ulaanbaatar",
        "partner_admin1": "MN-1",
        "signed_on": "2027-04-01",
        "date_precision": "day",
        "status": "planned",
        "formal": "true",
        "document": "agreement",
        "programme": "students",
        "labour_related": "no",
        "evidence": "The prefecture announced it will sign a student exchange agreement with the university.",
        "source": "http://example.org/e",
        "source_2": "",
        "source_status": "confirmed",
        "note": "",
        "searched_on": "2026-11-29",
    },
]


def write(tmp_path: Path, rows: list[dict]) -> Path:
    path = tmp_path / "public_agreements.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=register.COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def check(path: Path) -> pd.DataFrame:
    return register.validate(path, names=(MUNICIPALITIES, PREFECTURES), places=PLACES)


def problems(tmp_path: Path, line: int, **changes) -> list[str]:
    """Validate GOOD with ``changes`` applied to the row on ``line`` (the header is line 1)."""
    rows = [dict(r) for r in GOOD]
    rows[line - 2].update(changes)
    with pytest.raises(register.RegisterError) as err:
        check(write(tmp_path, rows))
    return [str(p) for p in err.value.problems]


def test_good_rows_are_typed(tmp_path):
    table = check(write(tmp_path, GOOD))
    assert list(table["line"]) == [2, 3, 4, 5]
    assert table["signed_year"].tolist() == [2017, 2019, 2023, 2027]
    assert table["signed_date"].dt.strftime("%Y-%m-%d").tolist() == [
        "2017-06-06",
        "2019-10-01",
        "2023-01-01",
        "2027-04-01",
    ]
    assert table["formal"].tolist() == [True, True, False, True]
    assert register.has_programme(table, "titp").tolist() == [True, True, True, False]
    # Only formal, signed, labour-related rows define exposure and diffusion events.
    assert register.labour_signed(table).tolist() == [True, True, False, False]


@pytest.mark.parametrize(
    "line, column, changes, words",
    [
        (3, "jp_code", {"jp_code": "48"}, "not a prefecture code"),
        (3, "jp_name", {"jp_name": "長野県"}, "is 長崎県 in the frame"),
        (4, "jp_code", {"jp_code": "03209"}, "not a municipal code"),
        (2, "jp_code", {"jp_code": "13"}, "must be blank for a national"),
        (3, "jp_level", {"jp_level": "county"}, "must be one of"),
        (3, "partner_country", {"partner_country": "XYZ"}, "must be one of"),
        (3, "partner_level", {"partner_level": "institution"}, "a province partner is subnational"),
        (3, "partner_admin1", {"partner_admin1": "VN-99"}, "not an ISO 3166-2 code of the crosswalks"),
        (3, "partner_admin1", {"partner_admin1": "ID-JT"}, "is a place in IDN, not in VNM"),
        (3, "partner_admin1", {"partner_admin1": ""}, "required for a subnational partner"),
        (2, "partner_admin1", {"partner_admin1": "VN-27"}, "must be blank for a national partner"),
        (3, "signed_on", {"signed_on": "2019-10-08"}, "does not have the form YYYY-MM"),
        (3, "signed_on", {"signed_on": "2019-13"}, "is not a date"),
        (3, "signed_on", {"signed_on": "2027-01", "status": "signed"}, "is after searched_on"),
        (3, "date_precision", {"date_precision": "week"}, "must be one of"),
        (3, "programme", {"programme": "titp;labour"}, "'labour' is not one of"),
        (3, "programme", {"programme": "titp;titp"}, "names a programme twice"),
        (5, "labour_related", {"labour_related": "no", "programme": "care"}, "names a labour programme"),
        (3, "labour_related", {"programme": "friendship"}, "names no labour programme"),
        (3, "evidence", {"evidence": " ".join(["word"] * 26)}, "has 26 words"),
        (3, "source", {"source": "example.org/b"}, "does not have the expected form"),
        (4, "source_2", {"source_2": "http://example.org/c"}, "repeats source"),
        (3, "agreement_id", {"agreement_id": "PA001"}, "appears more than once"),
        (3, "status", {"status": "announced"}, "must be one of"),
        (3, "formal", {"formal": "yes"}, "must be one of"),
        (3, "document", {"document": "treaty"}, "must be one of"),
    ],
)
def test_a_bad_cell_is_named_by_line_column_and_value(tmp_path, line, column, changes, words):
    found = problems(tmp_path, line, **changes)
    expected = f"public_agreements.csv, line {line}, column {column}"
    assert any(p.startswith(expected) and words in p for p in found), found


def test_duplicate_same_parties_same_date_is_refused(tmp_path):
    twin = dict(GOOD[1], agreement_id="PA005", partner_name="QUANG NAM provincial department of labour!")
    with pytest.raises(register.RegisterError) as err:
        check(write(tmp_path, [*GOOD, twin]))
    message = str(err.value)
    assert "line 6, column signed_on" in message and "same parties, date and document as line 3" in message


def test_same_parties_on_another_date_or_another_document_is_a_new_agreement(tmp_path):
    renewal = dict(GOOD[1], agreement_id="PA005", signed_on="2022-10")
    minutes = dict(GOOD[1], agreement_id="PA006", document="minutes")
    assert len(check(write(tmp_path, [*GOOD, renewal, minutes]))) == 6


def test_missing_and_extra_columns_are_named(tmp_path):
    rows = [{k: v for k, v in r.items() if k != "evidence"} | {"comment": "x"} for r in GOOD]
    path = tmp_path / "public_agreements.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    with pytest.raises(register.RegisterError) as err:
        check(path)
    message = str(err.value)
    assert "column evidence: missing column" in message and "column comment: column not in the codebook" in message


def test_every_problem_is_listed_at_once(tmp_path):
    rows = [dict(r) for r in GOOD]
    rows[1]["jp_code"] = "99"
    rows[2]["signed_on"] = "20xx"
    with pytest.raises(register.RegisterError) as err:
        check(write(tmp_path, rows))
    lines = {p.row for p in err.value.problems}
    assert {3, 4} <= lines


def test_make_data_validation_stops_on_a_bad_row(tmp_path, capsys):
    rows = [dict(r) for r in GOOD]
    rows[2]["partner_admin1"] = "VN-27"
    path = write(tmp_path, rows)
    # The command-line entry point (what `make data` runs) exits 1 with the message.
    original = register.validate
    try:
        register.validate = lambda p: original(p, names=(MUNICIPALITIES, PREFECTURES), places=PLACES)
        assert register.main([str(path)]) == 1
    finally:
        register.validate = original
    err = capsys.readouterr().err
    assert "public_agreements.csv, line 4, column partner_admin1" in err and "'VN-27'" in err


def test_partial_dates():
    assert str(register.parse_partial_date("2019", "year")) == "2019-01-01"
    assert str(register.parse_partial_date("2019-02", "month")) == "2019-02-01"
    with pytest.raises(ValueError, match="not a date"):
        register.parse_partial_date("2019-02-30", "day")


def test_the_committed_register_is_valid():
    table = register.validate(paths.PUBLIC_AGREEMENTS)
    assert table["agreement_id"].is_unique
    local = table.loc[table["jp_level"] != "national"]
    assert len(local) >= 90 and local.loc[local["jp_level"] == "prefecture", "jp_code"].nunique() >= 20


def test_search_log_is_complete_and_ordered():
    from translocal import record

    log = pd.read_csv(paths.REGISTER_SEARCH_LOG, dtype={"rows_added": int, "results_read": int})
    assert list(log.columns) == [
        "query_id", "round", "collector", "query", "language", "corpus", "searched_on", "results_read", "rows_added", "note",
    ]  # fmt: skip
    assert log["query_id"].tolist() == [f"Q{i:04d}" for i in range(1, len(log) + 1)]
    assert (log["corpus"] == "pages").all() and (log["rows_added"] >= 0).all() and log["query"].str.len().gt(0).all()
    assert record.final_run(pd.Series([2, 0, 1, 0, 0])) == 2 and record.final_run(pd.Series([0, 0])) == 2


def test_permutation_test_against_exact_enumeration():
    """On a small set, the permutation p-value approaches the exact one (all relabellings)."""
    import itertools

    import numpy as np

    from translocal import record

    values = np.array([1.0, 2.0, 3.0, 4.0, 10.0, 12.0])
    group = np.array([False, False, False, False, True, True])
    observed = abs(values[group].mean() - values[~group].mean())
    diffs = []
    for chosen in itertools.combinations(range(6), 2):
        mask = np.isin(np.arange(6), chosen)
        diffs.append(abs(values[mask].mean() - values[~mask].mean()))
    exact = np.mean(np.array(diffs) >= observed - 1e-12)  # 1 of 15
    p = record.permutation_test(values, group, 20000, np.random.default_rng(1))
    assert abs(p - exact) < 0.01 and exact == 1 / 15
    # drawn in blocks, the relabellings are those of one draw from the same stream
    draws = np.argsort(np.random.default_rng(1).random((20000, 6)), axis=1)[:, :2]
    means = values[draws].mean(axis=1)
    rest = (values.sum() - values[draws].sum(axis=1)) / 4
    assert p == (1 + np.sum(np.abs(means - rest) >= observed - 1e-12)) / 20001


def test_labour_agreements_are_formal_signed_and_about_workers(tmp_path):
    rows = [dict(r) for r in GOOD]
    rows[3].update(labour_related="yes", programme="care")  # planned: announced, not signed
    assert register.labour_signed(check(write(tmp_path, rows))).tolist() == [True, True, False, False]
    rows[3].update(status="signed", signed_on="2026-04-01")
    assert register.labour_signed(check(write(tmp_path, rows))).tolist() == [True, True, False, True]
    rows[1].update(labour_related="partly")  # only agreements wholly about workers
    assert register.labour_signed(check(write(tmp_path, rows)), values=("yes",)).tolist() == [True, False, False, True]


def test_signatories_and_profile_on_a_small_frame():
    import numpy as np

    from translocal import record

    reg = pd.DataFrame(
        {
            "jp_level": ["prefecture", "municipality", "municipality", "municipality"],
            "jp_code": ["01", "01100", "01100", "01202"],
            "status": ["signed", "signed", "signed", "planned"],
            "formal": [True, True, False, True],
            "labour_related": ["yes", "no", "yes", "yes"],
        }
    )
    table = record.signatories(reg, n_prefectures=47, n_municipalities=5)
    assert table.loc["prefecture"].tolist() == [47, 1, 1, 1, 1]
    # 01100 signed two (one informal, so not a labour agreement); the planned one does not count
    assert table.loc["municipality"].tolist() == [5, 1, 0, 2, 0]
    frame = pd.DataFrame({"code": list("abcde"), "x": [1.0, 2.0, np.nan, 4.0, 5.0]})
    out = record.profile(frame, {"a", "c"}, {"x": "X"}, n_perm=99, seed=1).iloc[0]
    # the missing value of c leaves c out: a alone against b, d, e
    assert (out["n signed"], out["n"]) == (1, 4)
    assert out["difference (signed - others)"] == pytest.approx(1.0 - 11.0 / 3)


def test_partner_typology_and_inferred_dates():
    from translocal import record

    rows = pd.DataFrame(
        {
            "agreement_id": ["PA1", "PA2", "PA3", "PA4"],
            "jp_level": ["prefecture", "prefecture", "municipality", "municipality"],
            "jp_code": ["01", "01", "01100", "02201"],
            "partner_level": ["national", "subnational", "subnational", "subnational"],
            "partner_type": ["ministry", "province", "local", "local"],
            "labour_related": ["yes", "no", "partly", "no"],
            "source_status": ["unconfirmed", "confirmed", "unconfirmed", "unconfirmed"],
        }
    )
    table = record.partner_typology(rows)
    assert table.loc[("national", "ministry"), ("prefecture", "about workers")] == 1
    assert table.loc[("subnational", "local"), ("municipality", "about workers")] == 1
    assert table.loc[("subnational", "local"), ("municipality", "other")] == 1
    assert table[("total", "")].tolist() == [1, 2, 1] and table[("total", "")].sum() == len(rows)
    # prefecture 01 has one confirmed date; 01100 and 02201 rest on inferred dates only
    assert record.rests_on_inferred_dates(rows) == 2


# --- the numbers the manuscript cites, as mappings for Values.record_all ------------------


def _small_register():
    return pd.DataFrame(
        {
            "jp_level": ["national", "prefecture", "municipality", "municipality", "municipality"],
            "jp_code": ["", "01", "01100", "01100", "01202"],
            "status": ["signed", "signed", "signed", "signed", "planned"],
            "formal": [True, True, True, False, True],
            "labour_related": ["yes", "yes", "partly", "yes", "yes"],
            "partner_country": ["VNM", "VNM", "VNM", "IDN", "PHL"],
            "signed_year": [2017, 2018, 2020, 2012, None],
            "searched_on": ["2026-11-01", "2026-11-20", "2026-11-03", "2026-11-04", "2026-11-05"],
        }
    )


def test_register_values_count_the_local_rows():
    from translocal import record

    reg = _small_register()
    signatories = record.signatories(reg, n_prefectures=47, n_municipalities=5)
    log = pd.DataFrame({"rows_added": [3, 0, 1, 0, 0, 0]})
    values = record.register_values(reg, log, signatories, unplaced={"school": 1, "company": 2})
    assert all(isinstance(entry, tuple) and len(entry) in (2, 3) for entry in values.values())
    counts = {k: values[k][0] for k in ("n_register", "n_register_local", "n_register_prefectural")}
    assert counts == {"n_register": 5, "n_register_local": 3, "n_register_prefectural": 1}
    assert values["n_register_national"][0] == 1 and values["n_register_planned"][0] == 1
    assert values["n_register_labour"][0] == 2  # the informal row is not a labour agreement
    assert values["register_first_year"] == (2012, "Year of the earliest local agreement", "2012")
    assert values["register_searched_on"][2] == "2026-11-20"
    assert values["n_register_queries"][0] == 6 and values["n_register_final_run"][0] == 3
    assert values["register_top_country"][0] == "Viet Nam"
    assert values["register_top_country_share"] == (200 / 3, "Its share of local agreements (%)", 0)
    assert values["share_labour_since_2019"][0] == 50.0  # 2018 and 2020
    assert values["n_prefecture_labour"][0] == 1 and values["n_municipality_labour"][0] == 1
    assert values["n_municipality_signed"][1] == "Municipalities with a signed agreement"
    assert values["n_prefecture_labour"][1] == "Prefectures with a signed labour agreement"
    assert values["n_register_unplaced"][0] == 3 and values["n_countries_searched"][0] == 11


def test_profile_values_key_each_column_and_phrase_the_p_values():
    from translocal import record

    frame = pd.DataFrame({"code": list("abcdef"), "x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "y": [0.0] * 6})
    columns = {"x": "X", "y": "Y"}
    signed = record.profile(frame, {"e", "f"}, columns, n_perm=99, seed=1)
    labour = record.profile(frame, {"a"}, columns, n_perm=99, seed=2)
    values = record.profile_values(columns, signed, 2, labour, 1, n_perm=99)
    assert values["profile_diff_x"] == (3.0, "Signed municipalities minus the others: X", 2)
    assert values["profile_labour_diff_x"][0] == pytest.approx(1.0 - 4.0)
    assert values["profile_p_y"] == (1.0, "Permutation p-value: Y", "p = 1.000")
    assert values["profile_labour_p_x"][1] == "Permutation p-value (labour agreements): X"
    assert (values["profile_n_signed"][0], values["profile_n_labour"][0], values["profile_n_perm"][0]) == (2, 1, 99)
    assert len(values) == 11


def test_register_exposure_values_count_each_definition():
    from translocal import outcome

    reg = pd.DataFrame(
        {
            "jp_level": ["prefecture", "prefecture", "prefecture", "municipality"],
            "jp_code": ["01", "02", "03", "01100"],
            "status": ["signed"] * 4,
            "formal": [True, True, True, True],
            "labour_related": ["yes", "partly", "no", "yes"],
            "signed_date": pd.to_datetime(["2019-05-01", "2021-01-01", "2018-01-01", "2019-01-01"]),
            "source_status": ["unconfirmed", "confirmed", "confirmed", "unconfirmed"],
        }
    )
    values = outcome.register_exposure_values(reg)
    assert {k: v[0] for k, v in values.items()} == {
        "n_exposure_unconfirmed": 1,  # 01's only qualifying row has a partly inferred date
        "n_prefecture_exposure_register": 1,
        "n_prefecture_exposure_strict_register": 1,
        "n_prefecture_exposure_2023_register": 2,
        "n_prefecture_exposure_any_register": 3,
    }
    assert values["n_prefecture_exposure_register"][1] == (
        "Prefectures exposed (labour agreement signed by the end of 2019), register only"
    )


def test_partner_table_flattens_the_typology():
    from translocal import record

    rows = pd.DataFrame(
        {
            "agreement_id": ["PA1", "PA2", "PA3"],
            "jp_level": ["prefecture", "municipality", "municipality"],
            "partner_level": ["national", "subnational", "subnational"],
            "partner_type": ["ministry", "province", "province"],
            "labour_related": ["yes", "no", "partly"],
        }
    )
    table = record.partner_table(record.partner_typology(rows))
    assert list(table.columns) == [
        "Partner",
        "municipality: about workers",
        "municipality: other",
        "prefecture: about workers",
        "total",
    ]
    assert table["Partner"].tolist() == ["national: ministry", "subnational: province"]
    assert table["total"].tolist() == [1, 2]
