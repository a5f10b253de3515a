import json
import os

import pytest

from translocal.base import outputs
from translocal.build.values import DuplicateValueError, Values, format_value, merge


def test_unchanged_bytes_keep_the_old_file_and_its_time(tmp_path):
    target = tmp_path / "a" / "f.txt"
    assert outputs.write_text(target, "same") is True
    os.utime(target, (1, 1))
    assert outputs.write_text(target, "same") is False
    assert target.stat().st_mtime == 1
    assert outputs.write_text(target, "new") is True
    assert target.read_text() == "new"


def test_failed_writer_leaves_previous_output_and_no_temp_file(tmp_path):
    target = tmp_path / "f.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), outputs.atomic_output(target) as tmp:
        tmp.write_text("half")
        raise RuntimeError("boom")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.txt"]


def test_a_folder_where_the_output_goes_is_named(tmp_path):
    (tmp_path / "f.txt").mkdir()
    with pytest.raises(outputs.OutputPathError, match="a folder is in the way"):
        outputs.write_text(tmp_path / "f.txt", "x")


def test_a_file_where_a_folder_should_be_is_named(tmp_path):
    (tmp_path / "figures").write_text("not a folder")
    with pytest.raises(outputs.OutputPathError, match="figures is a file, not a folder"):
        outputs.write_text(tmp_path / "figures" / "map.png", "x")


@pytest.mark.parametrize(
    "value,digits,text",
    [
        (1741, None, "1,741"),
        (0.4512, None, "0.45"),
        (125.9279, 1, "125.9"),
        (-1.3125, None, "\u22121.31"),
        ("FY2018", None, "FY2018"),
    ],
)
def test_format_value(value, digits, text):
    assert format_value(value, digits) == text


def test_numpy_scalars_are_stored_as_plain_numbers(tmp_path):
    import numpy as np

    values = Values("01_x")
    values.record("n", np.int64(1741), "count")
    values.record("share", np.float64(0.5), "share")
    saved = json.loads(values.save(tmp_path).read_text())
    assert saved["n"] == {"value": 1741, "text": "1,741", "description": "count", "notebook": "01_x"}
    assert saved["share"]["text"] == "0.50"


def test_a_key_recorded_twice_by_one_notebook_fails():
    values = Values("01_x")
    values.record("n", 1, "count")
    with pytest.raises(DuplicateValueError, match="01_x records 'n' twice"):
        values.record("n", 2, "count")


def test_a_key_written_by_two_notebooks_fails_the_merge(tmp_path):
    a, b = Values("01_a"), Values("02_b")
    a.record("n", 1, "count")
    b.record("n", 2, "count")
    parts = [a.save(tmp_path), b.save(tmp_path)]
    with pytest.raises(DuplicateValueError, match="'n' is written by both 01_a and 02_b"):
        merge(parts, tmp_path / "values.json")
    assert not (tmp_path / "values.json").exists()


def test_merge_combines_notebooks(tmp_path):
    a, b = Values("01_a"), Values("02_b")
    a.record("n", 1, "count")
    b.record("m", 2.5, "size", digits=1)
    merged = merge([a.save(tmp_path), b.save(tmp_path)], tmp_path / "values.json")
    assert {k: v["text"] for k, v in merged.items()} == {"n": "1", "m": "2.5"}


def test_keys_must_be_snake_case():
    with pytest.raises(ValueError, match="lower_snake_case"):
        Values("01_a").record("Median-Fiscal", 1, "x")


def test_record_all_takes_mappings_of_value_description_and_digits_or_text(tmp_path, monkeypatch):
    monkeypatch.delenv(outputs.WRITE_LOG_ENV, raising=False)
    values = Values("nb")
    values.record_all(
        {"n_rows": (1234, "Rows"), "share": (12.345, "Share (%)", 1)},
        {"first_year": (2019, "First year", "2019")},
    )
    assert {k: e["text"] for k, e in values.entries.items()} == {
        "n_rows": "1,234",
        "share": "12.3",
        "first_year": "2019",
    }
    assert (
        list(values.table().columns) == ["text", "description"]
        and values.table().loc["share", "description"] == "Share (%)"
    )
    with pytest.raises(ValueError, match="'bad'"):
        values.record_all({"bad": (1,)})
    with pytest.raises(ValueError, match="digits \\(int\\) or text"):
        values.record_all({"odd": (1.0, "Odd", 1.5)})
    with pytest.raises(DuplicateValueError):
        values.record_all({"n_rows": (1, "Again")})
