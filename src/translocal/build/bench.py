"""``make bench``: measure the build against its goals, once, and write ``build/bench.md``.

Everything is measured in a fresh clone of the current commit (so this tree's outputs and
timestamps are left alone), built with this environment's Python (``make SYSTEM_ENV=1``) and
the verified public files as an offline mirror:

- each notebook run by the build (papermill: process start, imports, kernel start, execution)
  against the same notebook run as a plain Python script (its executed copy exported by
  nbconvert, parameters included), and the whole pipeline's ratio;
- ``make`` with nothing to do; one figure notebook edited until the PDF is updated; compiling
  the paper alone; the peak memory of each notebook; a fresh install of the locked environment
  (uv, warm cache).

These are measurements, not tests: the report prints each figure beside its goal.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ..base import outputs, paths
from . import package, pipeline

BENCH_MD = paths.BUILD / "bench.md"

GOALS = {
    "overhead": 1.0,  # s of papermill overhead per notebook
    "ratio": 1.5,  # pipeline time over plain scripts
    "noop": 2.0,  # s for `make` with nothing to do
    "edit": 10.0,  # s from editing a figure notebook to an updated PDF
    "paper": 1.0,  # s to compile the paper
    "memory": 1024.0,  # MB peak per notebook (Binder's guaranteed memory)
}


def _timed(cmd: list[str], cwd: Path, env: dict) -> float:
    start = time.perf_counter()
    result = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{result.stderr[-2000:]}")
    return time.perf_counter() - start


def plain_script(executed: Path, target: Path) -> Path:
    """The executed notebook (parameters injected) as a plain Python script."""
    import nbformat
    from nbconvert import PythonExporter

    code, _ = PythonExporter().from_notebook_node(nbformat.read(executed, as_version=4))
    target.write_text("from IPython.display import display\n" + code, encoding="utf-8")
    return target


def clone_env(clone: Path) -> dict[str, str]:
    """Environment for building a fresh ``clone`` of this project with this environment's
    Python (``make SYSTEM_ENV=1``) and this build's verified public files as the offline
    mirror; used by ``make bench`` and by the determinism test."""
    return {
        **os.environ,
        "TRANSLOCAL_ROOT": str(clone),
        "TRANSLOCAL_DATA_MIRROR": str(paths.RAW),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }


def _timed_with_memory(cmd: list[str], cwd: Path, env: dict) -> tuple[float, float]:
    """Wall time of ``cmd`` and the peak of the summed resident memory of its whole process
    tree (make, runner, kernel, bootstrap workers), sampled every 0.1 s, in MB."""
    import psutil

    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    root, peak = psutil.Process(proc.pid), 0
    while proc.poll() is None:
        try:
            peak = max(peak, sum(p.memory_info().rss for p in [root, *root.children(recursive=True)]))
        except psutil.Error:
            pass
        time.sleep(0.1)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed:\n{proc.stderr.read()[-2000:]}")
    return time.perf_counter() - start, peak / 2**20 * 1.048576


def drawing_cell(notebook: Path, stem: str) -> int:
    """The index of the code cell of ``notebook`` that saves figure ``stem`` (its drawing code)."""
    import nbformat

    cells = nbformat.read(notebook, as_version=4).cells
    found = [i for i, c in enumerate(cells) if c.cell_type == "code" and f'"{stem}"' in c.source]
    if len(found) != 1:
        raise RuntimeError(f"{notebook.name}: {len(found)} code cells name figure {stem!r}, expected one")
    return found[0]


def edit_to_pdf(clone: Path, env: dict, make: list[str]) -> dict[str, float]:
    """For each figure of the manuscript: the time from an edit of its drawing code (a comment
    added to the cell that saves it) to an updated PDF (``make paper/manuscript.pdf``); the
    edit is then undone and the tree brought up to date again, untimed."""
    import nbformat

    exhibit_map = json.loads((clone / "paper" / "exhibits.json").read_text(encoding="utf-8"))
    times = {}
    for e in exhibit_map["exhibits"]:
        if e["kind"] != "Figure":
            continue
        stem = Path(e["file"]).stem
        notebook = clone / "notebooks" / f"{e['notebook']}.ipynb"
        original = notebook.read_bytes()
        nb = nbformat.read(notebook, as_version=4)
        nb.cells[drawing_cell(notebook, stem)].source += "\n# edited by make bench"
        nbformat.write(nb, notebook)
        try:
            times[stem] = _timed([*make, "paper/manuscript.pdf"], clone, env)
        finally:
            notebook.write_bytes(original)
        _timed([*make, "paper/manuscript.pdf"], clone, env)
    return times


def measure(clone: Path) -> dict:
    env = clone_env(clone)
    make = ["make", "SYSTEM_ENV=1"]
    _timed([*make, "data"], clone, env)
    pipeline_seconds, tree_mb = _timed_with_memory([*make, "notebooks"], clone, env)
    notebooks = pipeline.load()
    rows = []
    for nb in notebooks:
        runtime = json.loads((clone / "build" / "runtime" / f"{nb.name}.json").read_text(encoding="utf-8"))
        (clone / "build" / nb.name).parent.mkdir(parents=True, exist_ok=True)
        script = plain_script(clone / nb.executed, clone / "build" / f"{nb.name}.py")
        plain = _timed([sys.executable, str(script)], clone / "notebooks", {**env, "MPLBACKEND": "Agg"})
        rows.append(
            {
                "notebook": nb.name,
                "papermill": runtime["seconds"],
                "plain": plain,
                "mb": runtime["peak_rss_mib_kernel"] * 1.048576,
            }
        )
    _timed([*make, "all"], clone, env)
    noop = min(_timed([*make, "all"], clone, env) for _ in range(3))
    figure_edits = edit_to_pdf(clone, env, make)
    edit = max(figure_edits.values())
    paper = min(_timed([sys.executable, "-m", "translocal.build.paper"], clone, env) for _ in range(3))
    venv = Path(tempfile.mkdtemp(prefix="bench-venv-"))
    try:
        _timed([sys.executable, "-m", "venv", str(venv)], clone, env)
        uv = Path(sys.executable).parent / "uv"
        install = _timed(
            [
                str(uv),
                "pip",
                "sync",
                "--quiet",
                "--python",
                str(venv / "bin" / "python"),
                "--compile-bytecode",
                "requirements.lock",
            ],
            clone,
            env,
        )
    finally:
        shutil.rmtree(venv, ignore_errors=True)
    return {
        "rows": rows,
        "pipeline": pipeline_seconds,
        "tree_mb": tree_mb,
        "noop": noop,
        "edit": edit,
        "figure_edits": figure_edits,
        "paper": paper,
        "install": install,
    }


def report(m: dict) -> str:
    """The measurements as Markdown, each beside its goal."""

    def mark(ok: bool) -> str:
        return "met" if ok else "**missed**"

    papermill = sum(r["papermill"] for r in m["rows"])
    # The build's timing of a notebook starts after translocal.build.run has imported papermill; the
    # rest of each process (interpreter, imports) is the pipeline's time not spent in notebooks.
    per_process = (m["pipeline"] - papermill) / len(m["rows"])
    lines = ["| notebook | in the build s | plain script s | overhead s | peak MB |", "|---|---:|---:|---:|---:|"]
    for r in m["rows"]:
        build = r["papermill"] + per_process
        lines.append(
            f"| `{r['notebook']}` | {build:.1f} | {r['plain']:.1f} | {build - r['plain']:.1f} | {r['mb']:.0f} |"
        )
    plain = sum(r["plain"] for r in m["rows"])
    overhead = max(r["papermill"] + per_process - r["plain"] for r in m["rows"])
    ratio = m["pipeline"] / plain
    peak = max(r["mb"] for r in m["rows"])
    lines += [
        "",
        "| measure | value | goal | |",
        "|---|---:|---:|---|",
        f"| papermill overhead per notebook (largest) | {overhead:.1f} s | ≤ {GOALS['overhead']:.0f} s | {mark(overhead <= GOALS['overhead'])} |",
        f"| whole pipeline (`make notebooks`, {m['pipeline']:.1f} s) over plain scripts ({plain:.1f} s) | {ratio:.2f}× | ≤ {GOALS['ratio']}× | {mark(ratio <= GOALS['ratio'])} |",
        f"| `make` with nothing to do | {m['noop']:.2f} s | ≤ {GOALS['noop']:.0f} s | {mark(m['noop'] <= GOALS['noop'])} |",
        f"| a figure's drawing code edited → PDF updated (slowest figure) | {m['edit']:.1f} s | ≤ {GOALS['edit']:.0f} s | {mark(m['edit'] <= GOALS['edit'])} |",
        f"| paper compile | {m['paper']:.2f} s | ≤ {GOALS['paper']:.0f} s | {mark(m['paper'] <= GOALS['paper'])} |",
        f"| peak memory of a notebook kernel (largest) | {peak:.0f} MB | < {GOALS['memory']:.0f} MB | {mark(peak < GOALS['memory'])} |",
        f"| peak memory of the whole build (all its processes at once, summed RSS) | {m['tree_mb']:.0f} MB | < {GOALS['memory']:.0f} MB | {mark(m['tree_mb'] < GOALS['memory'])} |",
        f"| fresh install of the locked environment (uv, warm cache) | {m['install']:.1f} s | | |",
        "",
        (
            f"Each build step is papermill's execution ({papermill:.1f} s in all) plus {per_process:.1f} s of "
            "process start and imports (see translocal.build.run for what made them cheap); the plain "
            "scripts are the executed notebooks exported by nbconvert and run with `python`."
        ),
        "",
        (
            "Each figure of the manuscript, from an edit of its drawing code (a comment added to the cell "
            "that saves it) to an updated PDF (`make paper/manuscript.pdf`):"
        ),
        "",
        "| figure | edit → PDF s | goal | |",
        "|---|---:|---:|---|",
    ]
    lines += [
        f"| `{stem}` | {s:.1f} | ≤ {GOALS['edit']:.0f} s | {mark(s <= GOALS['edit'])} |"
        for stem, s in m["figure_edits"].items()
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        clone = Path(tmp) / "compendium"
        package.copy_sources(paths.ROOT, clone)  # a fresh tree: git's files, or an unpacked package's
        text = report(measure(clone))
    outputs.write_text(BENCH_MD, text)
    print(text)
    print(f"bench: -> {BENCH_MD.relative_to(paths.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
