"""Shared fixtures: small spreadsheets laid out like the real public files."""

from __future__ import annotations

import tarfile
from pathlib import Path

import pandas as pd
import pytest

from translocal.sources import TITP_STATUSES


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    """Write rows (no header handling) to a one-sheet workbook."""
    pd.DataFrame(rows).to_excel(path, header=False, index=False)
    return path


@pytest.fixture
def fiscal_archive(tmp_path: Path):
    """A tar like japandata's indices.tar.gz with a FY2018 city sheet of three municipalities."""

    def make(rows=None) -> Path:
        rows = rows or [
            ["011002", "北海道", "札幌市", 0.73, 95.6, 2.2, 57.3, 99.9],
            ["131016", "東京都", "千代田区", 0.9, 73.7, 0.3, "-", 100.3],
            ["473812", "沖縄県", "竹富町", 0.16, 86.8, 5.1, "－", 94.5],
        ]
        sheet = tmp_path / "H30.xlsx"
        write_xlsx(
            sheet,
            [
                ["全市町村の主要財政指標（平成30年度決算）", None, None, None, None, None, None, None],
                [
                    "団体コード",
                    "都道府県名",
                    "団体名",
                    "財政力指数",
                    "経常収支比率",
                    "実質公債費比率",
                    "将来負担比率",
                    "ラスパイレス指数",
                ],
                *rows,
                ["全国市町村平均", None, None, 0.51, 93, 6.1, 28.9, "－"],
            ],
        )
        archive = tmp_path / "indices.tar.gz"
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(sheet, arcname="indices/city/H30.xlsx")
        return archive

    return make


@pytest.fixture
def register_file(tmp_path: Path):
    """A 住民基本台帳 table: six header rows, national and prefecture rows, a note."""

    def make(rows=None) -> Path:
        head = [
            ["令和4年1月1日住民基本台帳人口・世帯数", None, None, None, None, None],
            [None, None, None, "令和4年", "令和4年", "令和4年"],
            [None, None, None, "2022年", "2022年", "2022年"],
            [None, None, None, "人口", "人口", "人口"],
            [None, None, None, "男", "女", "計"],
            ["団体コード", "都道府県名", "市区町村名", "人", "人", "人"],
            ["-", "合計", "-", 61420626, 64507276, 125927902],
        ]
        rows = rows or [
            ["010006", "北海道", "-", 2450393, 2733294, 5183687],
            ["011002", "北海道", "札幌市", 916289, 1044379, 1960668],
            ["０１１０１１", "北海道", "札幌市中央区", 1, 1, 2],
            ["473812", "沖縄県", "八重山郡竹富町", 2232, 2063, 4295],
        ]
        return write_xlsx(
            tmp_path / "register.xlsx", [*head, *rows, ["注：「-」は「皆増」を示す", None, None, None, None, None]]
        )

    return make


@pytest.fixture
def residence_file(tmp_path: Path):
    """An ISA 市区町村別 在留資格別 table: title row, header row, totals, pooled その他 row."""
    statuses = list(TITP_STATUSES)

    def make(rows=None) -> Path:
        rows = rows or [
            ["01000", "北海道", 45491, 1, 2, 3, 4, 5, 6, 100],
            ["01100", "札幌市", 15978, 0, 1, 0, 1, 0, 1, 50],
            ["13100", "特別区", 498119, 0, 0, 0, 0, 0, 0, 9],
            ["13101", "千代田区", 3514, 0, 2, 0, 1, 0, 0, 9],
        ]
        table = [
            ["第４表　市区町村別　在留資格別　在留外国人", None, None, *[None] * 7],
            ["市区町村コード", "都道府県市区町村", "総数", *statuses, "留学"],
            [None, "総数", 3075213, 3310, 161683, 878, 83508, 1206, 74355, 300638],
            *rows,
            [None, "未定・不詳", 7859, 0, 0, 0, 0, 0, 0, 1],
            [None, "その他", 500, 0, 1, 0, 0, 0, 0, 0],
            ["（注２）その他の合計とは総数１０人以下の市区町村の合計のこと。", None, None, *[None] * 7],
        ]
        return write_xlsx(tmp_path / "residence.xlsx", table)

    return make


def source_tree(tmp_path_factory, name: str) -> Path:
    """A fresh copy of this project's sources in a scratch folder, for tests that build the
    paper a second time: the files git tracks, or in an unpacked replication package (no
    ``.git``) the sources its manifest lists, as they are now (``translocal.build.package``)."""
    from translocal.base import paths
    from translocal.build import package

    tree = tmp_path_factory.mktemp(name) / "compendium"
    package.copy_sources(paths.ROOT, tree)
    return tree


def build_clone(clone: Path, what: str, mirror: bool = True) -> Path:
    """``make SYSTEM_ENV=1 all`` in ``clone`` with this environment's Python and this build's
    verified public files as the mirror (``bench.clone_env``), or with no mirror at all (the
    files must be there already); fails naming ``what`` was built."""
    import subprocess

    from translocal.build import bench

    env = bench.clone_env(clone)
    if not mirror:
        del env["TRANSLOCAL_DATA_MIRROR"]
    result = subprocess.run(
        ["make", "SYSTEM_ENV=1", "all"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, f"the {what} failed:\n{result.stderr[-3000:]}"
    return clone
