"""``make watch`` (translocal.build.watch): which saves need what, and a real session in a copy of
the built tree: a manuscript save reaches the PDF within twice a bare typst compile, and
Ctrl-C stops it cleanly with a summary."""

import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from translocal.base import paths
from translocal.build import bench, package, watch

pytestmark = pytest.mark.skipif(not paths.PDF.exists(), reason="the build is missing: run `make` first")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("paper/manuscript.typ", "paper"),
        ("paper/references.bib", "paper"),
        ("notebooks/05_descriptives.ipynb", "code"),
        ("notebooks/pipeline.toml", "code"),
        ("notebooks/figures/map_strength.ipynb", "code"),
        ("notebooks/figures/.ipynb_checkpoints/map_strength-checkpoint.ipynb", None),
        ("src/translocal/plots.py", "code"),
        ("pyproject.toml", "code"),
        ("paper/manuscript.pdf", None),
        ("paper/exhibits.json", None),
        ("paper/figures/strength_map.pdf", None),
        ("notebooks/.ipynb_checkpoints/05_descriptives-checkpoint.ipynb", None),
        ("paper/.manuscript.typ.swp", None),
        ("src/translocal/__pycache__/plots.cpython-311.pyc", None),
        ("build/notebooks/05_descriptives.ipynb", None),
    ],
)
def test_each_save_asks_for_what_it_changes(name, kind):
    assert watch.classify(paths.ROOT / name) == kind


def test_a_batch_with_code_runs_make_and_names_its_files():
    kind, files = watch.needed({paths.ROOT / "paper/manuscript.typ", paths.ROOT / "src/translocal/plots.py"})
    assert kind == "code" and files == ["paper/manuscript.typ", "src/translocal/plots.py"]
    assert watch.needed({paths.ROOT / "paper/figures/a.png"}) == (None, [])


def test_a_failing_make_is_reported_and_watching_goes_on(tmp_path):
    tree = _built_copy(tmp_path)
    watcher = watch.Watcher(tree, make=["false"])
    line = watcher.rebuild("code", ["src/translocal/plots.py"], time.perf_counter())
    assert "rebuild failed" in line and watcher.session.failures == 1 and watcher.session.make_runs == 1


def _built_copy(tmp_path: Path) -> Path:
    """The sources and the paper's built inputs (figures, tables, values, exhibit map, write logs)."""
    tree = tmp_path / "compendium"
    package.copy_sources(paths.ROOT, tree)
    for item in ("paper/figures", "paper/tables", "build/logs"):
        shutil.copytree(paths.ROOT / item, tree / item)
    for item in ("paper/values.json", "paper/exhibits.json", "paper/manuscript.pdf"):
        shutil.copy2(paths.ROOT / item, tree / item)
    for log in (tree / "build" / "logs").rglob("*.writes"):  # they name files by absolute path
        log.write_text(log.read_text(encoding="utf-8").replace(str(paths.ROOT.resolve()), str(tree)), encoding="utf-8")
    return tree


def _bare_compile_seconds(tree: Path) -> float:
    """A bare typst compile of the manuscript: a fresh process, compile only (no imports)."""
    code = (
        "import time, sys; from pathlib import Path; from translocal.build import paper; "
        "t = time.perf_counter(); paper.compile_pdf(target=Path(sys.argv[1])); print(time.perf_counter() - t)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(tree / "bare.pdf")],
        env=bench.clone_env(tree),
        capture_output=True,
        text=True,
        check=True,
    )
    return float(out.stdout.strip())


def test_a_manuscript_save_reaches_the_pdf_quickly_and_ctrl_c_stops_cleanly(tmp_path):
    from pypdf import PdfReader

    tree = _built_copy(tmp_path)
    bare = min(_bare_compile_seconds(tree) for _ in range(2))
    proc = subprocess.Popen(
        [sys.executable, "-m", "translocal.build.watch", "--timeout", "120"],
        cwd=tree,
        env=bench.clone_env(tree),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: list[tuple[float, str]] = []
    reader = threading.Thread(target=lambda: [lines.append((time.perf_counter(), x)) for x in proc.stdout], daemon=True)
    reader.start()

    def wait_for(text: str, seconds: float = 60) -> float:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            for at, line in lines:
                if text in line:
                    return at
            time.sleep(0.01)
        proc.kill()
        raise AssertionError(f"no {text!r} from make watch; it said: {[x for _, x in lines]}")

    try:
        wait_for("watch: watching")
        time.sleep(0.5)  # let the watcher settle
        manuscript = tree / "paper" / "manuscript.typ"
        text = manuscript.read_text(encoding="utf-8")
        saved = time.perf_counter()
        manuscript.write_text(
            text.replace("= Discussion\n", "= Discussion\n\nWatchprobe sentence.\n", 1), encoding="utf-8"
        )
        updated = wait_for("rebuilt the exhibit map and PDF")
        latency = updated - saved
        assert "Watchprobe sentence." in "".join(
            p.extract_text() for p in PdfReader(tree / "paper/manuscript.pdf").pages
        )
        print(f"make watch: save to PDF {latency:.2f} s; bare typst compile {bare:.2f} s")
        assert latency <= 2 * bare, f"save to PDF took {latency:.2f} s, a bare compile {bare:.2f} s"
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0
        reader.join(timeout=5)
        assert "watch: stopped; PDF updated 1 time(s)" in lines[-1][1]
    finally:
        if proc.poll() is None:
            proc.kill()
