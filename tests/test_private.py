"""The drop-in validator: accepts the forms the author's files come in, refuses every class
of bad input with a message naming file, row, column and value, and lists all problems."""

import shutil

import pytest

from translocal import private
from translocal.private import POLICY_ITEMS, DropInError, validate_folder

CODES = {"01100", "01202", "13101"}
HEADER = "code,responded,response_date," + ",".join(POLICY_ITEMS) + ",informal_ties,staff_multicultural"
SURVEY = [
    "011002,1,2019-07-01," + "1,0," * 4 + "1,3",
    "01202,1,令和元年7月2日," + "0,1," * 4 + "0,0",
    "131016,0,,,,,,,,,,,",
]
AGREEMENTS = [
    "agreement_id,jp_level,jp_code,partner_country,partner_type,partner_name,partner_admin1,signed_on,formal,source",
    "A1,municipality,01100,VNM,province,Nghe An provincial government,VN-22,2021-04-01,true,doc 1",
    "A2,prefecture,20,VNM,ministry,MOLISA,,2019-08-14,TRUE,doc 2",
    "A3,municipality,01202,PHL,school,School X,PH-40,令和4年1月5日,0,doc 3",
]
INTERVIEWS = ["interview_id,year,actor_type,region,mode", "I01,2019,municipal_official,hokkaido,in_person"]


def drop_in(tmp_path, survey=None, agreements=None, interviews=None, encoding="utf-8"):
    folder = tmp_path / "private"
    folder.mkdir(exist_ok=True)
    for name, lines in (
        ("survey_2019", [HEADER, *(SURVEY if survey is None else survey)]),
        ("agreements", AGREEMENTS if agreements is None else agreements),
        ("interviews", INTERVIEWS if interviews is None else interviews),
    ):
        (folder / f"{name}.csv").write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return folder


def problems_of(folder):
    with pytest.raises(DropInError) as err:
        validate_folder(folder, CODES)
    return [str(p) for p in err.value.problems]


def test_good_drop_in_is_normalised(tmp_path):
    tables = validate_folder(drop_in(tmp_path), CODES)
    survey = tables["survey_2019"]
    assert survey["code"].tolist() == ["01100", "01202", "13101"]
    assert str(survey.loc[1, "response_date"].date()) == "2019-07-02"
    assert survey.loc[2, POLICY_ITEMS[0]] is not None and survey[POLICY_ITEMS[0]].isna().tolist() == [
        False,
        False,
        True,
    ]
    agreements = tables["agreements"]
    assert agreements["formal"].tolist() == [True, True, False]
    assert agreements["jp_code"].tolist() == ["01100", "20", "01202"]
    assert str(agreements.loc[2, "signed_on"].date()) == "2022-01-05"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "cp932"])
def test_bom_and_shift_jis_are_accepted(tmp_path, encoding):
    tables = validate_folder(drop_in(tmp_path, encoding=encoding), CODES)
    assert tables["agreements"].loc[2, "signed_on"].year == 2022


def test_full_width_digits_and_spaces_are_accepted(tmp_path):
    survey = [" ０１１００２ ,1,2019-07-01," + "1,0," * 4 + "1,3", *SURVEY[1:]]
    assert validate_folder(drop_in(tmp_path, survey=survey), CODES)["survey_2019"]["code"][0] == "01100"


@pytest.mark.parametrize(
    "survey,expected",
    [
        (
            [SURVEY[0].replace("011002", "999990"), *SURVEY[1:]],
            "survey_2019.csv, row 2, column code: '999990': check digit 0 is wrong",
        ),
        ([SURVEY[0].replace("011002", "01101"), *SURVEY[1:]], "row 2, column code: unknown municipality code 01101"),
        ([SURVEY[0].replace("011002", "011003"), *SURVEY[1:]], "check digit 3 is wrong for 01100"),
        ([*SURVEY, SURVEY[0]], "row 5, column code: municipality 01100 appears more than once"),
        (SURVEY[:2], "1 municipalities of the frame have no row: 13101"),
        ([SURVEY[0].replace(",1,2019", ",2,2019"), *SURVEY[1:]], "row 2, column responded: must be 0 or 1"),
        (
            [SURVEY[0].replace("2019-07-01", "2019-02-30"), *SURVEY[1:]],
            "row 2, column response_date: '2019-02-30': day is out of range",
        ),
        (
            [SURVEY[0].rsplit(",", 1)[0] + ",-1", *SURVEY[1:]],
            "row 2, column staff_multicultural: must be a whole number",
        ),
        (
            [*SURVEY[:2], "131016,0,,1,,,,,,,,,"],
            "row 4, column policy_employer_subsidy: must be blank for non-respondents",
        ),
        ([SURVEY[0].replace(",1,3", ",,3"), *SURVEY[1:]], "row 2, column informal_ties: required for respondents"),
    ],
)
def test_each_survey_problem_is_named(tmp_path, survey, expected):
    assert any(expected in p for p in problems_of(drop_in(tmp_path, survey=survey))), expected


@pytest.mark.parametrize(
    "row,expected",
    [
        (
            "A9,municipality,01100,VNM,province,P,VN-22,2021-04-01,maybe,doc",
            "row 5, column formal: must be true/false or 1/0",
        ),
        ("A9,prefecture,48,VNM,ministry,M,,2021-04-01,true,doc", "row 5, column jp_code: not a prefecture code"),
        (
            "A9,municipality,01100,VNM,embassy,P,,2021-04-01,true,doc",
            "row 5, column partner_type: must be one of: ministry, province, school, broker, other",
        ),
        (
            "A9,municipality,01100,VIETNAM,school,P,,2021-04-01,true,doc",
            "row 5, column partner_country: does not have the expected form",
        ),
        (
            "A9,municipality,01100,VNM,school,P,ID-JB,2021-04-01,true,doc",
            "row 5, column partner_admin1: is not a subdivision of VNM",
        ),
        ("A9,municipality,01100,VNM,school,P,,平成31年5月1日,true,doc", "outside the 平成 era"),
        (
            "A1,municipality,01100,VNM,school,P,,2021-04-01,true,doc",
            "row 5, column agreement_id: agreement_id appears more than once",
        ),
        ("A9,municipality,01100,VNM,school,P,,2021-04-01,true,", "row 5, column source: a value is required"),
        (
            "A9,county,01100,VNM,school,P,,2021-04-01,true,doc",
            "row 5, column jp_level: must be one of: prefecture, municipality",
        ),
        (
            "A9,municipality,01100,ZZZ,school,P,,2021-04-01,true,doc",
            "row 5, column partner_country: is not a sending country",
        ),
        (
            "A9,municipality,01100,VNM,ministry,M,VN-HN,2021-04-01,true,doc",
            "row 5, column partner_admin1: must be blank for a ministry",
        ),
        ("A9,municipality,01100,VNM,school,P,,2021-04-01,true,doc,extra", "row 5: has 11 fields, the header has 10"),
    ],
)
def test_each_agreement_problem_is_named(tmp_path, row, expected):
    assert any(expected in p for p in problems_of(drop_in(tmp_path, agreements=[*AGREEMENTS, row]))), expected


@pytest.mark.parametrize(
    "rows,expected",
    [
        (
            ["interview_id,year,actor_type,region,mode,name", "I01,2019,ngo,kanto,online,Tanaka"],
            "column name: column not in the codebook",
        ),
        (["interview_id,year,actor_type,mode", "I01,2019,ngo,online"], "column region: missing column"),
        ([*INTERVIEWS, "I02,2019,ngo,okinawa,online"], "row 3, column region: must be one of: hokkaido, tohoku"),
        ([*INTERVIEWS, "I01,2019,ngo,kanto,online"], "row 3, column interview_id: appears more than once"),
        (["interview_id,year,actor_type,region,mode"], "interviews.csv: the file has a header but no rows"),
    ],
)
def test_each_interview_problem_is_named(tmp_path, rows, expected):
    assert any(expected in p for p in problems_of(drop_in(tmp_path, interviews=rows))), expected


def test_every_problem_is_listed_at_once(tmp_path):
    survey = [SURVEY[0].replace(",1,2019", ",2,2019"), SURVEY[1].replace("01202", "01299"), SURVEY[2]]
    agreements = [*AGREEMENTS, "A9,municipality,01100,VNM,school,P,,2021-04-01,maybe,doc"]
    interviews = [*INTERVIEWS, "I02,2019,ngo,okinawa,online"]
    found = problems_of(drop_in(tmp_path, survey, agreements, interviews))
    assert len(found) >= 4
    assert {p.split(",")[0] for p in found} == {"survey_2019.csv", "agreements.csv", "interviews.csv"}


def test_empty_file_and_missing_file_and_stray_file(tmp_path):
    folder = drop_in(tmp_path)
    (folder / "interviews.csv").write_bytes(b"")
    (folder / "agreements.csv").unlink()
    (folder / "notes.docx").write_bytes(b"x")
    found = problems_of(folder)
    assert "interviews.csv: the file is empty" in found
    assert "agreements.csv: missing: real mode needs all three files" in found
    assert any(p.startswith("notes.docx: not one of the expected files") for p in found)


def test_binary_garbage_is_refused(tmp_path):
    folder = drop_in(tmp_path)
    (folder / "survey_2019.csv").write_bytes(bytes(range(128, 256)) * 4)
    assert any("survey_2019.csv" in p for p in problems_of(folder))


def test_mode_follows_the_folder(tmp_path):
    folder = tmp_path / "private"
    folder.mkdir()
    (folder / "README.md").write_text("x")
    assert private.data_mode(folder) == "synthetic"
    (folder / "survey_2019.csv").write_text("x")
    assert private.data_mode(folder) == "real"


def test_refused_drop_in_writes_nothing(tmp_path, monkeypatch):
    folder = drop_in(tmp_path, survey=SURVEY[:2])
    out = tmp_path / "interim"
    monkeypatch.setattr(private.paths, "INTERIM_PRIVATE", out)
    monkeypatch.setattr(private, "frame_codes", lambda: CODES)
    assert private.main([str(folder)]) == 1
    assert not out.exists()
    shutil.rmtree(folder)
    assert private.main([str(drop_in(tmp_path))]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["agreements.csv", "interviews.csv", "survey_2019.csv"]


def test_a_missing_column_does_not_hide_problems_elsewhere_in_the_file(tmp_path):
    header = HEADER.replace(",staff_multicultural", "")
    survey = [
        header,
        SURVEY[0].replace("011002", "011003").rsplit(",", 1)[0],
        *(r.rsplit(",", 1)[0] for r in SURVEY[1:]),
    ]
    folder = drop_in(tmp_path)
    (folder / "survey_2019.csv").write_text("\n".join(survey) + "\n")
    found = problems_of(folder)
    assert "survey_2019.csv, column staff_multicultural: missing column" in found
    assert any("row 2, column code" in p and "check digit 3 is wrong" in p for p in found)
    assert not any("staff_multicultural: required" in p for p in found)


def test_blank_lines_do_not_shift_row_numbers(tmp_path):
    folder = drop_in(tmp_path, interviews=[*INTERVIEWS, "", "I02,2019,ngo,okinawa,online"])
    assert any(p.startswith("interviews.csv, row 4, column region") for p in problems_of(folder))
