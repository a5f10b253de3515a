import pytest

from translocal.sources import (
    SourceFormatError,
    read_fiscal_indicators,
    read_residence_status,
    read_resident_register,
)


def test_fiscal_reader_drops_check_digit_and_keeps_no_burden_as_zero(fiscal_archive):
    fiscal = read_fiscal_indicators(fiscal_archive())
    assert fiscal["code"].tolist() == ["01100", "13101", "47381"]
    assert fiscal["fiscal_strength"].tolist() == [0.73, 0.9, 0.16]
    assert fiscal["future_burden_ratio"].tolist() == [57.3, 0.0, 0.0]
    assert fiscal["future_burden_none"].tolist() == [False, True, True]
    assert fiscal["future_burden_ratio"].notna().all()
    assert fiscal.attrs["rows_left_out"] == ["全国市町村平均"]


def test_fiscal_reader_names_file_row_and_column_of_a_bad_value(fiscal_archive):
    archive = fiscal_archive([["011002", "北海道", "札幌市", "n/a", 95.6, 2.2, 57.3, 99.9]])
    with pytest.raises(
        SourceFormatError, match=r"indices/city/H30.xlsx, column 財政力指数 \(D\): not a number in row 3: 'n/a'"
    ):
        read_fiscal_indicators(archive)


def test_fiscal_reader_refuses_a_wrong_check_digit_naming_the_row(fiscal_archive):
    archive = fiscal_archive([["011009", "北海道", "札幌市", 0.7, 95.6, 2.2, 57.3, 99.9]])
    with pytest.raises(SourceFormatError, match=r"row 3, column 団体コード \(A\): .*check digit 9 is wrong"):
        read_fiscal_indicators(archive)


def test_fiscal_reader_refuses_duplicate_municipalities(fiscal_archive):
    row = ["011002", "北海道", "札幌市", 0.7, 95.6, 2.2, 57.3, 99.9]
    with pytest.raises(SourceFormatError, match="more than once: \\['01100'\\]"):
        read_fiscal_indicators(fiscal_archive([row, row]))


def test_fiscal_reader_names_a_missing_year(fiscal_archive):
    with pytest.raises(SourceFormatError, match="no member indices/city/R2.xlsx"):
        read_fiscal_indicators(fiscal_archive(), year="R2")


def test_register_reader_finds_total_column_under_multirow_header(register_file):
    register = read_resident_register(register_file())
    assert register["code"].tolist() == ["01000", "01100", "01101", "47381"]  # full-width code parsed
    assert register["population"].tolist() == [5183687, 1960668, 2, 4295]
    assert register["name_register"].iloc[3] == "八重山郡竹富町"  # names kept as published
    assert "- 合計 -" in register.attrs["rows_left_out"]


def test_register_reader_refuses_a_file_without_the_header(tmp_path):
    from conftest import write_xlsx

    path = write_xlsx(tmp_path / "x.xlsx", [["something else", 1], ["011002", 3]])
    with pytest.raises(SourceFormatError, match="x.xlsx: no header row starting with '団体コード'"):
        read_resident_register(path)


def test_residence_reader_sums_the_six_titp_statuses(residence_file):
    status = read_residence_status(residence_file())
    assert status["code"].tolist() == ["01000", "01100", "13100", "13101"]
    assert status["titp_trainees"].tolist() == [21, 3, 0, 3]  # 留学 is not counted
    assert status.attrs["national_titp_trainees"] == 3310 + 161683 + 878 + 83508 + 1206 + 74355
    assert any(label.startswith("その他") for label in status.attrs["rows_left_out"])


def test_residence_reader_names_a_missing_status_column(tmp_path):
    from conftest import write_xlsx

    path = write_xlsx(
        tmp_path / "r.xlsx",
        [["市区町村コード", "都道府県市区町村", "総数", "技能実習１号イ"], ["01100", "札幌市", 1, 1]],
    )
    with pytest.raises(SourceFormatError, match="r.xlsx: missing columns \\['技能実習1号ロ'"):
        read_residence_status(path)


def _feature(code, pref, gun, name, coords):
    return {
        "type": "Feature",
        "properties": {"N03_001": pref, "N03_002": None, "N03_003": gun, "N03_004": name, "N03_007": code},
        "geometry": {"type": "Polygon", "coordinates": [coords]},
    }


def write_boundaries(path, features):
    import json

    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False))
    return path


SQUARE = [[140, 35], [140.1, 35], [140.1, 35.1], [140, 35.1], [140, 35]]
BOWTIE = [[141, 35], [141.1, 35.1], [141.1, 35], [141, 35.1], [141, 35]]  # self-intersecting


def test_boundary_reader_sets_aside_non_municipalities_and_repairs_geometry(tmp_path):
    from translocal.sources import read_boundaries

    path = write_boundaries(
        tmp_path / "n03.json",
        [
            _feature("01100", "北海道", "札幌市", None, SQUARE),  # designated city: name in N03_003
            _feature("12204", "千葉県", None, "船橋市", BOWTIE),
            _feature("01695", "北海道", "色丹郡", "色丹村", SQUARE),
            _feature(None, "千葉県", None, "所属未定地", SQUARE),
        ],
    )
    kept, excluded = read_boundaries(path)
    assert kept["code"].tolist() == ["01100", "12204"]
    assert kept["name_ja"].tolist() == ["札幌市", "船橋市"]
    assert kept.geometry.is_valid.all()
    assert sorted(excluded["reason"]) == ["Northern Territories village", "所属未定地 (no municipality)"]


def test_boundary_reader_refuses_a_code_in_two_features(tmp_path):
    from translocal.sources import read_boundaries

    path = write_boundaries(
        tmp_path / "n03.json",
        [_feature("12204", "千葉県", None, "船橋市", SQUARE), _feature("12204", "千葉県", None, "船橋市", SQUARE)],
    )
    with pytest.raises(SourceFormatError, match="more than one feature: \\['12204'\\]"):
        read_boundaries(path)


def test_register_errors_give_the_spreadsheet_row_after_skipped_rows(register_file):
    rows = [
        ["010006", "北海道", "-", 1, 1, 2],
        ["011002", "北海道", "札幌市", 1, 1, "lots"],  # row 9: six header rows, the national row, one row before
    ]
    with pytest.raises(SourceFormatError, match=r"register.xlsx, column 人口 計 \(F\): not a number in row 9: 'lots'"):
        read_resident_register(register_file(rows))


def test_excel_column_letters():
    from translocal.sources import excel_column

    assert [excel_column(i) for i in (0, 5, 25, 26, 38)] == ["A", "F", "Z", "AA", "AM"]


def test_prefecture_table_reader_sums_titp_under_broken_headers(tmp_path):
    from conftest import write_xlsx

    from translocal.sources import read_residence_status_by_prefecture

    statuses = [
        "技能実習\n１号イ",
        "技能実習\n１号ロ",
        "技能実習\n２号イ",
        "技能実習\n２号ロ",
        "技能実習\n３号イ",
        "技能実習\n３号ロ",
    ]
    path = write_xlsx(
        tmp_path / "p.xlsx",
        [
            [None, None, *[None] * 6],
            ["第５表　都道府県別　在留資格別　在留外国人", None, *[None] * 6],
            [None, "総数", *statuses],
            ["総数", 100, 1, 2, 3, 4, 5, 6],
            ["北海道", 60, 1, 1, 1, 1, 1, 1],
            ["未定・不詳", 40, 0, 1, 2, 3, 4, 5],
        ],
    )
    table = read_residence_status_by_prefecture(path)
    assert table.attrs["national_titp_trainees"] == 21
    assert table["prefecture"].tolist() == ["北海道", "未定・不詳"]
    assert table["titp_trainees"].tolist() == [6, 15]


def test_fiscal_year_labels():
    from translocal.sources import fiscal_year_western

    assert [fiscal_year_western(y) for y in ("H30", "R1", "R3")] == [2018, 2019, 2021]
    with pytest.raises(ValueError):
        fiscal_year_western("FY2018")
