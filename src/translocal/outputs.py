"""Writing outputs safely: atomically, and only when the bytes change.

A reader never sees a half-written file, and a failed step leaves the previous output in
place. An unchanged output keeps its bytes and timestamp, so re-executing a notebook outside
the build (nbval, JupyterLab) does not make anything look stale; after a successful build
step, ``translocal.run`` marks the step's outputs as fresh.

When ``TRANSLOCAL_WRITE_LOG`` names a file, every output written through this module is
listed there (changed or not), with the execution count of the notebook cell that wrote it:
``translocal.run`` uses it to check that a notebook wrote exactly the outputs it declares, so
a stale file from an earlier run never passes as new, and ``translocal.exhibits`` to say which
cell made each exhibit.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

WRITE_LOG_ENV = "TRANSLOCAL_WRITE_LOG"


def current_cell() -> int | None:
    """The execution count ("In [n]") of the notebook cell running now, or None outside a
    notebook. IPython has already counted the running cell when its code runs, hence - 1
    (a test runs a notebook and checks it against the counts nbclient records)."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is a dependency
        return None
    shell = get_ipython()
    if shell is None or not hasattr(shell, "kernel"):
        return None
    return int(shell.execution_count) - 1


VALUE_PREFIX = "value:"


def _append_to_log(item: str, with_cell: bool = True) -> None:
    """Append one line to the write log, if the build set one: ``item``, a tab and the
    current cell's execution count (blank outside a notebook)."""
    log = os.environ.get(WRITE_LOG_ENV)
    if log:
        if with_cell:
            cell = current_cell()
            item = f"{item}\t{'' if cell is None else cell}"
        with open(log, "a", encoding="utf-8") as fh:
            fh.write(f"{item}\n")


def log_value(key: str) -> None:
    """Note in the write log (during a build) which cell recorded the value ``key``."""
    _append_to_log(f"{VALUE_PREFIX}{key}")


MODULES_PREFIX = "modules:"


def log_modules() -> None:
    """Note in the write log (during a build) which ``translocal`` modules the notebook has
    imported: ``translocal.run`` checks them against the notebook's declaration in
    notebooks/pipeline.toml, which decides what a change in ``src/`` reruns."""
    import sys

    names = sorted(m.split(".", 1)[1] for m in sys.modules if m.startswith("translocal."))
    _append_to_log(f"{MODULES_PREFIX}{' '.join(names)}", with_cell=False)


def _log_write(path: Path) -> None:
    """Append the path (and the cell writing it) to the write log, one line each."""
    _append_to_log(str(path.resolve()))


def _dataset_key(path: Path) -> str | None:
    """The path relative to the repository root when it lies under ``data/`` (where the data
    dictionary may have a schema for it), else None."""
    from . import paths

    try:
        key = path.resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return None
    return key if key.startswith("data/") else None


def _check_dataset(path: Path, data: bytes | None = None, frame=None, layer: str | None = None) -> None:
    """Validate a table against its schema in ``translocal.dictionary`` before it is written
    (raising ``dictionary.DatasetError`` names the file and the columns). Only paths under
    ``data/`` are looked up, so writing figures and tables of the paper costs nothing."""
    key = _dataset_key(path)
    if key is None:
        return
    from . import dictionary

    if not dictionary.is_governed(key):
        return
    if frame is not None:
        dictionary.check(key, frame, layer)
    else:
        dictionary.check_bytes(key, data)


class OutputPathError(RuntimeError):
    """An output path cannot be written (for example a folder sits where a file should go)."""


def _check_target(path: Path) -> None:
    if path.is_dir():
        raise OutputPathError(f"Cannot write {path}: a folder is in the way. Move it aside and rerun.")
    for parent in path.parents:
        if parent.exists() and not parent.is_dir():
            raise OutputPathError(f"Cannot write {path}: {parent} is a file, not a folder. Move it aside and rerun.")


@contextlib.contextmanager
def atomic_output(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; on success, move it into place if it differs.

    On an exception the temporary file is removed and ``path`` is untouched.
    """
    path = Path(path)
    _check_target(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp" + path.suffix, dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # writers such as GDAL want to create the file themselves
    try:
        yield tmp
        if not tmp.exists():
            raise OutputPathError(f"Nothing was written for {path}.")
        if path.exists() and path.read_bytes() == tmp.read_bytes():
            tmp.unlink()
        else:
            os.replace(tmp, path)
        _log_write(path)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(path: str | os.PathLike, data: bytes) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly these bytes.

    Returns True when the file changed. A table under ``data/`` is first validated against its
    schema in ``translocal.dictionary`` (see ``_check_dataset``).
    """
    path = Path(path)
    _check_dataset(path, data=data)
    if path.is_file() and path.read_bytes() == data:
        _log_write(path)
        return False
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
    return True


def write_text(path: str | os.PathLike, text: str) -> bool:
    """``write_bytes`` for UTF-8 text."""
    return write_bytes(path, text.encode("utf-8"))


#: GeoPackages record a modification time; pinning it makes the file byte-reproducible.
GPKG_DATE = "2020-01-01T00:00:00Z"


def write_csv(path: str | os.PathLike, frame, float_format: str = "%.10g", **to_csv) -> bool:
    """Write a data frame as CSV (no index, ``\n`` line ends, floats to 10 significant digits
    unless ``float_format`` says otherwise) through ``write_text``; True when it changed."""
    return write_text(path, frame.to_csv(index=False, lineterminator="\n", float_format=float_format, **to_csv))


def write_geopackage(gdf, path: str | os.PathLike, layer: str) -> bool:
    """Write one layer to a GeoPackage atomically and reproducibly, after validating it against
    its schema in ``translocal.dictionary``; True when it changed."""
    from pyogrio import set_gdal_config_options

    path = Path(path)
    _check_dataset(path, frame=gdf, layer=layer)
    before = path.stat().st_mtime_ns if path.exists() else None
    set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    with atomic_output(path) as tmp:
        gdf.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio")
    return not path.exists() or path.stat().st_mtime_ns != before
