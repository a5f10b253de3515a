"""``make watch``: keep the PDF current while the author edits, until Ctrl-C.

It watches the manuscript's sources, the notebooks and the package's code:

- ``paper/*.typ`` or ``paper/*.bib`` saved: the exhibit map is rebuilt in this process and
  the PDF recompiled by one typst compiler kept alive, which lays out again only what changed
  (a fraction of a second, against about half a second for a fresh ``typst`` process);
- a notebook, ``notebooks/pipeline.toml``, ``pyproject.toml`` or a module under ``src/``
  saved: ``make`` reruns exactly the notebooks that depend on it (the Makefile knows which)
  and brings the values and the exhibit map up to date, then the PDF is recompiled as above.

The Word file and the HTML pages are left to the next ``make``. Each rebuild prints one line
(what changed, what was rebuilt, how long it took); Ctrl-C prints a summary and exits 0.

Usage: ``python -m translocal.build.watch [--timeout SECONDS]``.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from ..base import paths

#: What a saved file asks for: "paper" (recompile only) or "code" (make, then recompile).
PAPER, CODE = "paper", "code"


def classify(path: Path, root: Path = paths.ROOT) -> str | None:
    """What a change to ``path`` needs, or None when it needs nothing (a build product, an
    editor's temporary file, anything outside the watched sources)."""
    try:
        relative = path.resolve().relative_to(root.resolve())
    except ValueError:
        return None
    parts, name = relative.parts, relative.name
    if name.startswith((".", "#", "~")) or name.endswith(("~", ".swp", ".tmp", ".partial")):
        return None
    if parts[0] == "paper" and len(parts) == 2 and relative.suffix in (".typ", ".bib"):
        return PAPER
    if any(part.startswith(".") for part in parts):  # .ipynb_checkpoints and the like
        return None
    if parts[0] == "notebooks" and relative.suffix in (".ipynb", ".toml"):  # chapters and figures/
        return CODE
    if parts[0] == "src" and relative.suffix == ".py" and "__pycache__" not in parts:
        return CODE
    if relative == Path("pyproject.toml"):
        return CODE
    return None


def needed(changed: set[Path], root: Path = paths.ROOT) -> tuple[str | None, list[str]]:
    """The strongest need among a batch of changed files (code beats paper), and the files
    that asked for it (relative, sorted)."""
    kinds = {p: classify(p, root) for p in changed}
    wanted = [p for p, k in kinds.items() if k]
    if not wanted:
        return None, []
    kind = CODE if CODE in kinds.values() else PAPER
    return kind, sorted(str(p.resolve().relative_to(root.resolve())) for p in wanted)


@dataclass
class Session:
    """What a watch session rebuilt, for its closing summary."""

    pdf_seconds: list[float] = field(default_factory=list)
    make_runs: int = 0
    failures: int = 0

    def summary(self) -> str:
        if not self.pdf_seconds and not self.failures:
            return "watch: stopped; nothing was saved, nothing rebuilt"
        times = sorted(self.pdf_seconds)
        median = times[len(times) // 2] if times else 0.0
        return (
            f"watch: stopped; PDF updated {len(times)} time(s) (median {median:.2f} s from the save "
            f"to the new PDF), make run {self.make_runs} time(s), {self.failures} failed rebuild(s)"
        )


class Watcher:
    """One compiler kept alive, and the rebuild of each batch of saved files."""

    def __init__(self, root: Path = paths.ROOT, make: list[str] | None = None) -> None:
        from . import paper

        self.root = root
        self.make = make or ["make", "--no-print-directory"]
        self.compiler = paper.make_compiler(root / "paper" / "manuscript.typ")
        self.session = Session()

    def exhibit_map(self) -> None:
        """Rebuild paper/exhibits.json in this process (the manuscript may cite a new exhibit)."""
        from . import exhibits

        if exhibits.main() != 0:
            raise RuntimeError("the exhibit map could not be built (see above)")

    def pdf(self) -> bool:
        """Recompile the PDF; mark it up to date for make even when its bytes did not change."""
        from . import paper

        changed = paper.compile_with(self.compiler, self.root / "paper" / "manuscript.pdf")
        os.utime(self.root / "paper" / "manuscript.pdf")
        return changed

    def run_make(self) -> None:
        """The notebooks that depend on what changed, the values and the exhibit map."""
        self.session.make_runs += 1
        targets = ["notebooks", "paper/values.json", "paper/exhibits.json"]
        result = subprocess.run([*self.make, *targets], cwd=self.root, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"`make {' '.join(targets)}` failed (see above)")

    def rebuild(self, kind: str, files: list[str], saved_at: float) -> str:
        """Rebuild for one batch of saved files; the line that reports it."""
        import typst

        try:
            if kind == CODE:
                self.run_make()
            else:
                self.exhibit_map()
            changed = self.pdf()
        except (RuntimeError, OSError, ValueError, typst.TypstError) as err:  # report, keep watching
            self.session.failures += 1
            return f"watch: {', '.join(files)} saved; rebuild failed: {err}"
        seconds = time.perf_counter() - saved_at
        self.session.pdf_seconds.append(seconds)
        what = "notebooks as needed, values, exhibit map and PDF" if kind == CODE else "exhibit map and PDF"
        state = "updated" if changed else "unchanged"
        return f"watch: {', '.join(files)} saved; rebuilt the {what} in {seconds:.2f} s (PDF {state})"


def watched(root: Path) -> list[Path]:
    return [root / "paper", root / "notebooks", root / "src", root / "pyproject.toml"]


def main(argv: list[str] | None = None) -> int:
    import watchfiles

    parser = argparse.ArgumentParser(prog="python -m translocal.build.watch", description=__doc__.split("\n")[0])
    parser.add_argument("--timeout", type=float, help="stop after this many seconds (for tests)")
    args = parser.parse_args(argv)
    # Ctrl-C (and a supervisor's SIGTERM) stop cleanly, even when this process was started with
    # SIGINT ignored, as a background job of a non-interactive shell is.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    root = paths.ROOT
    watcher = Watcher(root)
    watcher.pdf()  # the compiler's first, full compile: later ones are incremental
    print("watch: watching paper/, notebooks/, src/ and pyproject.toml; Ctrl-C stops", flush=True)
    stop_at = time.monotonic() + args.timeout if args.timeout else None
    try:
        for changes in watchfiles.watch(
            *watched(root), step=20, debounce=400, rust_timeout=200, yield_on_timeout=True, raise_interrupt=True
        ):
            if stop_at and time.monotonic() > stop_at:
                break
            saved_at = time.perf_counter()
            kind, files = needed({Path(p) for _, p in changes}, root)
            if kind:
                print(watcher.rebuild(kind, files, saved_at), flush=True)
    except KeyboardInterrupt:
        pass
    print(watcher.session.summary(), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
