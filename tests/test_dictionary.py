"""The data dictionary (translocal.dictionary): complete, current, and enforced when writing."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
from shapely.geometry import box

from translocal import dictionary, private, spatial
from translocal.base import outputs, paths
from translocal.build import package

ROOT = paths.ROOT


def built_files() -> list[str]:
    """Data files the build made (data/processed/, data/synthetic/) and the tracked CSV files under data/."""
    made = [
        p.relative_to(ROOT).as_posix()
        for folder in dictionary.GOVERNED
        for p in sorted((ROOT / folder).rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    ]
    tracked = [n for n in package.source_files(ROOT) if n.startswith("data/") and n.endswith(".csv")]
    return sorted(set(made) | set(tracked))


@pytest.fixture
def scratch_root(tmp_path, monkeypatch):
    """A scratch repository root: writes under its data/ are checked as the real ones are."""
    monkeypatch.setattr(paths, "ROOT", tmp_path)
    return tmp_path


def weights_table() -> pd.DataFrame:
    return pd.DataFrame({"code": ["01100", "01202"], "neighbour": ["01202", "01100"], "source": ["queen", "queen"]})


# --------------------------------------------------------------------------- the Markdown
def test_committed_markdown_is_generated_from_the_schemas():
    committed = (ROOT / dictionary.MARKDOWN).read_text(encoding="utf-8")
    assert committed == dictionary.markdown(), (
        "docs/data-dictionary.md is stale: run `make dictionary` (python -m translocal.dictionary) and commit it."
    )


def test_check_exits_non_zero_when_the_markdown_is_stale(scratch_root, capsys):
    (scratch_root / "docs").mkdir()
    (scratch_root / dictionary.MARKDOWN).write_text("old\n", encoding="utf-8")
    assert dictionary.main(["--check"]) == 1
    assert "make dictionary" in capsys.readouterr().err
    assert dictionary.main([]) == 0
    assert dictionary.main(["--check"]) == 0


def test_markdown_has_a_section_and_every_column_for_each_dataset():
    text = dictionary.markdown()
    for key, entry in dictionary.DATASETS.items():
        assert f"## `{key}`" in text
        for column in entry.schema.columns:
            assert f"| `{column}` |" in text


# --------------------------------------------------------------------------- completeness
@pytest.mark.parametrize("key", sorted(dictionary.DATASETS))
def test_every_column_is_documented(key):
    for name, rule in dictionary.DATASETS[key].schema.columns.items():
        assert rule.description and rule.description.strip(), f"{key}: {name} has no description"
        for field in ("unit", "vintage", "source"):
            assert str(rule.metadata.get(field, "")).strip(), f"{key}: {name} has no {field}"


def test_every_built_and_tracked_data_file_has_a_schema_and_matches_it():
    files = built_files()
    if not any(f.startswith("data/processed/") for f in files):
        pytest.skip("run `make` first: data/processed/ is empty")
    missing = [f for f in files if f not in dictionary.DATASETS]
    assert not missing, f"no schema in translocal.dictionary for {missing}"
    failures = {}
    for key in files:
        entry = dictionary.DATASETS[key]
        found = dictionary.problems(dictionary.read(key), entry.schema, entry.key)
        if found:
            failures[key] = found
    assert not failures, failures


def test_the_pipeline_declares_only_datasets_with_schemas():
    from translocal.build import pipeline

    declared = set()
    for nb in pipeline.load():
        declared |= {
            p
            for p in (*nb.inputs, *nb.outputs, *nb.synthetic_outputs, *nb.synthetic_inputs, *nb.real_inputs)
            if p.startswith("data/") and not p.startswith("data/raw/")
        }
    assert declared - set(dictionary.DATASETS) == set()


def test_restated_constants_agree_with_their_modules():
    assert dictionary.LISA_LABELS == spatial.LISA_LABELS
    assert tuple(dictionary.WEIGHTS) == spatial.WEIGHTS_COLUMNS


def test_private_tables_take_columns_and_checks_from_translocal_private():
    for name, columns in private.TABLES.items():
        for folder in ("data/synthetic", "data/interim/private"):
            schema = dictionary.DATASETS[f"{folder}/{name}.csv"].schema
            assert tuple(schema.columns) == columns
    agreements = dictionary.DATASETS["data/synthetic/agreements.csv"].schema.columns
    same = private.AGREEMENT_SCHEMA.columns["partner_type"].checks
    assert [(c.name, c.statistics) for c in agreements["partner_type"].checks] == [(c.name, c.statistics) for c in same]
    interviews = dictionary.DATASETS["data/interim/private/interviews.csv"].schema.columns
    assert interviews["interview_id"].unique


# --------------------------------------------------------------------------- types as on disk
def test_canonical_reads_the_forms_a_csv_file_holds():
    schema = dictionary.table(
        {
            "n": dictionary.column(dictionary.INTEGER, "n", unit="count", vintage="v", source="s", nullable=True),
            "flag": dictionary.column(dictionary.BOOLEAN, "f", unit="flag", vintage="v", source="s"),
            "x": dictionary.column(dictionary.NUMBER, "x", unit="—", vintage="v", source="s"),
        },
        "t",
    )
    frame = dictionary.frame_from_text("n,flag,x\n1.0,True,0.5\n,false,2\n", "csv")
    assert dictionary.problems(frame, schema) == []
    out = dictionary.canonical(frame, schema)
    assert out["n"].tolist()[0] == 1 and pd.isna(out["n"].tolist()[1])
    assert out["flag"].tolist() == [True, False]
    bad = dictionary.frame_from_text("n,flag,x\n1.5,yes,a\n", "csv")
    found = "\n".join(dictionary.problems(bad, schema))
    assert all(f"column '{c}'" in found for c in ("n", "flag", "x"))


def test_a_repeated_key_is_reported():
    entry = dictionary.DATASETS["data/processed/weights.csv"]
    table = pd.concat([weights_table(), weights_table().head(1)])
    assert dictionary.problems(table, entry.schema, entry.key) == [
        "key (code, neighbour) repeated in 1 row(s): ('01100', '01202')"
    ]


# --------------------------------------------------------------------------- validation on write
def test_a_conforming_table_is_written(scratch_root):
    target = scratch_root / "data/processed/weights.csv"
    assert dictionary.write_csv(target, weights_table())
    assert target.read_text(encoding="utf-8").startswith("code,neighbour,source\n")


def test_an_extra_column_is_refused_naming_it_and_the_file_is_untouched(scratch_root):
    target = scratch_root / "data/processed/weights.csv"
    dictionary.write_csv(target, weights_table())
    before, stamp = target.read_bytes(), target.stat().st_mtime_ns
    with pytest.raises(dictionary.DatasetError) as err:
        dictionary.write_csv(target, weights_table().assign(distance_km=1.0))
    assert "data/processed/weights.csv" in str(err.value)
    assert "column 'distance_km' is not in the schema" in str(err.value)
    assert target.read_bytes() == before and target.stat().st_mtime_ns == stamp
    assert [p.name for p in target.parent.iterdir()] == ["weights.csv"]  # no temporary file left


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda t: t.drop(columns="source"), "column 'source' is missing"),
        (lambda t: t.assign(source=["queen", "rook"]), "column 'source': must be one of"),
        (lambda t: t.assign(code=["1100", "01202"]), "column 'code': must match"),
    ],
)
def test_a_missing_column_or_a_wrong_value_is_refused(scratch_root, change, message):
    with pytest.raises(dictionary.DatasetError, match=message):
        dictionary.write_csv(scratch_root / "data/processed/weights.csv", change(weights_table()))
    assert not (scratch_root / "data/processed/weights.csv").exists()


def test_text_written_to_a_schema_path_is_checked_too(scratch_root):
    with pytest.raises(dictionary.DatasetError, match="column 'extra'"):
        dictionary.write_text(
            scratch_root / "data/processed/weights.csv", "code,neighbour,source,extra\n01100,01202,queen,1\n"
        )


@pytest.mark.parametrize(
    "name", ["data/processed/new_table.csv", "data/synthetic/extra.json", "data/processed/x.parquet"]
)
def test_a_dataset_without_a_schema_is_refused(scratch_root, name):
    with pytest.raises(dictionary.DatasetError, match="add it to translocal.dictionary"):
        dictionary.write_bytes(scratch_root / name, b"a,b\n1,2\n")
    assert not (scratch_root / name).exists()


def test_files_outside_the_data_folders_are_not_looked_up(scratch_root):
    assert dictionary.write_csv(scratch_root / "paper/tables/anything.csv", pd.DataFrame({"x": [1]}))
    assert dictionary.write_csv(scratch_root / "data/raw/other.csv", pd.DataFrame({"x": [1]}))
    assert outputs.write_csv(scratch_root / "paper/tables/other.csv", pd.DataFrame({"x": [1]}))


@pytest.mark.parametrize(
    "name", ["data/processed/weights.csv", "data/processed/new_table.csv", "data/synthetic/truth.json"]
)
def test_the_base_writers_refuse_a_dataset_written_without_a_check(scratch_root, name):
    # the base layer knows no schema: a write under data/processed/ or data/synthetic/ that
    # does not go through the data dictionary's writers fails instead of landing unchecked
    target = scratch_root / name
    with pytest.raises(outputs.UncheckedDatasetError, match="write it through the data dictionary"):
        outputs.write_text(target, "code,neighbour,source\n01100,01202,queen\n")
    assert not target.exists()
    with pytest.raises(outputs.UncheckedDatasetError):
        outputs.write_geopackage(admin1_layer(), scratch_root / "data/processed/admin1.gpkg", layer="admin1")
    assert not (scratch_root / "data/processed/admin1.gpkg").exists()


def test_a_check_given_to_the_base_writers_decides():
    seen = []

    def refuse(path, **content):
        seen.append((path.name, sorted(content)))
        raise ValueError("refused")

    with pytest.raises(ValueError, match="refused"):
        outputs.write_text(ROOT / "build" / "never-written.txt", "x", check=refuse)
    assert seen == [("never-written.txt", ["data"])] and not (ROOT / "build" / "never-written.txt").exists()


def admin1_layer() -> gpd.GeoDataFrame:
    return gpd.GeoDataFrame(
        {"iso_3166_2": ["VN-HN"], "country": ["VNM"], "name": ["Hà Nội"], "capital": [True]},
        geometry=[box(105.0, 20.5, 106.0, 21.5)],
        crs="EPSG:4326",
    )


def test_a_geopackage_layer_is_checked_before_it_is_written(scratch_root):
    target = scratch_root / "data/processed/admin1.gpkg"
    assert dictionary.write_geopackage(admin1_layer(), target, layer="admin1")
    schema = dictionary.DATASETS["data/processed/admin1.gpkg"].schema
    assert dictionary.problems(dictionary.read("data/processed/admin1.gpkg", scratch_root), schema) == []
    before = target.read_bytes()
    with pytest.raises(dictionary.DatasetError, match="column 'population' is not in the schema"):
        dictionary.write_geopackage(admin1_layer().assign(population=1), target, layer="admin1")
    with pytest.raises(dictionary.DatasetError, match="layer 'places' has no schema"):
        dictionary.write_geopackage(admin1_layer(), target, layer="places")
    assert target.read_bytes() == before
