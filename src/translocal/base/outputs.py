"""Writing outputs safely: atomically, and only when the bytes change.

A reader never sees a half-written file, and a failed step leaves the previous output in
place. An unchanged output keeps its bytes and timestamp, so re-executing a notebook outside
the build (nbval, JupyterLab) does not make anything look stale; after a successful build
step, ``translocal.build.run`` marks the step's outputs as fresh.

When ``TRANSLOCAL_WRITE_LOG`` names a file, every output written through this module is
listed there (changed or not), with the execution count of the notebook cell that wrote it:
``translocal.build.run`` uses it to check that a notebook wrote exactly the outputs it declares, so
a stale file from an earlier run never passes as new, and ``translocal.build.exhibits`` to say
which cell made each exhibit.

Datasets are checked before they are written, but this module knows no schema: each writer
takes an optional ``check`` (called with the path and the bytes, or the frame and layer, and
raising to refuse the write). A file under ``data/processed/`` or ``data/synthetic/``
(``GOVERNED``) is refused unless a check is given: the science writes its datasets through the
data dictionary's writers (``translocal.dictionary.write_csv`` and the like), which pass its
schema check, so a table written without one cannot land there unchecked.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterator
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
    imported, named relative to the package (``frame``, ``base.paths``; packages themselves are
    left out): ``translocal.build.run`` checks them against the notebook's declaration in
    notebooks/pipeline.toml, which decides what a change in ``src/`` reruns."""
    import sys

    names = sorted(
        name.split(".", 1)[1]
        for name, module in list(sys.modules.items())
        if name.startswith("translocal.") and not hasattr(module, "__path__")
    )
    _append_to_log(f"{MODULES_PREFIX}{' '.join(names)}", with_cell=False)


def _log_write(path: Path) -> None:
    """Append the path (and the cell writing it) to the write log, one line each."""
    _append_to_log(str(path.resolve()))


#: Folders of datasets, relative to the repository root: a file written under one of them must
#: pass a ``check`` (the data dictionary's schema, see ``translocal.dictionary``).
GOVERNED = ("data/processed/", "data/synthetic/")

#: A check of a file about to be written: ``check(path, data=bytes)`` for bytes, or
#: ``check(path, frame=frame, layer=layer)`` for a GeoPackage layer; it raises to refuse.
Check = Callable[..., None]


def dataset_key(path: Path) -> str | None:
    """The path relative to the repository root when it lies under ``data/`` (where a dataset
    may have a schema), else None."""
    from . import paths

    try:
        key = Path(path).resolve().relative_to(paths.ROOT.resolve()).as_posix()
    except ValueError:
        return None
    return key if key.startswith("data/") else None


class OutputPathError(RuntimeError):
    """An output path cannot be written (for example a folder sits where a file should go)."""


class UncheckedDatasetError(OutputPathError):
    """A file under a ``GOVERNED`` folder was written without a check of its contents."""


def _run_check(path: Path, check: Check | None, **content) -> None:
    """Run ``check`` on what is about to be written to ``path``; without one, refuse a path
    under a ``GOVERNED`` folder (nothing is written either way when this raises)."""
    if check is not None:
        check(path, **content)
        return
    key = dataset_key(path)
    if key is not None and key.startswith(GOVERNED):
        raise UncheckedDatasetError(
            f"{key} is a dataset: write it through the data dictionary (translocal.dictionary.write_csv, "
            "write_text, write_bytes or write_geopackage), which checks it against its schema."
        )


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


def write_bytes(path: str | os.PathLike, data: bytes, check: Check | None = None) -> bool:
    """Write ``data`` to ``path`` atomically unless it already holds exactly these bytes.

    Returns True when the file changed. ``check(path, data=data)`` runs first and may refuse the
    write; a path under a ``GOVERNED`` folder needs one (see ``_run_check``).
    """
    path = Path(path)
    _run_check(path, check, data=data)
    if path.is_file() and path.read_bytes() == data:
        _log_write(path)
        return False
    with atomic_output(path) as tmp:
        tmp.write_bytes(data)
    return True


def write_text(path: str | os.PathLike, text: str, check: Check | None = None) -> bool:
    """``write_bytes`` for UTF-8 text."""
    return write_bytes(path, text.encode("utf-8"), check)


#: GeoPackages record a modification time; pinning it makes the file byte-reproducible.
GPKG_DATE = "2020-01-01T00:00:00Z"


def write_csv(
    path: str | os.PathLike, frame, float_format: str = "%.10g", check: Check | None = None, **to_csv
) -> bool:
    """Write a data frame as CSV (no index, ``\n`` line ends, floats to 10 significant digits
    unless ``float_format`` says otherwise) through ``write_text``; True when it changed."""
    text = frame.to_csv(index=False, lineterminator="\n", float_format=float_format, **to_csv)
    return write_text(path, text, check)


def write_geopackage(gdf, path: str | os.PathLike, layer: str, check: Check | None = None) -> bool:
    """Write one layer to a GeoPackage atomically and reproducibly, after
    ``check(path, frame=gdf, layer=layer)`` (see ``write_bytes``); True when it changed."""
    from pyogrio import set_gdal_config_options

    path = Path(path)
    _run_check(path, check, frame=gdf, layer=layer)
    before = path.stat().st_mtime_ns if path.exists() else None
    set_gdal_config_options({"OGR_CURRENT_DATE": GPKG_DATE})
    with atomic_output(path) as tmp:
        gdf.to_file(tmp, layer=layer, driver="GPKG", engine="pyogrio")
    return not path.exists() or path.stat().st_mtime_ns != before
