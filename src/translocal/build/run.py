"""Execute one pipeline notebook with papermill into build/notebooks/.

Usage: ``python -m translocal.build.run NAME``. The source notebook is never modified. The executed
copy is written atomically; on failure it is kept as ``NAME.failed.ipynb`` beside it, and the
error names the cell. Afterwards the notebook must have written exactly its declared outputs
(checked through the write log of ``translocal.base.outputs``); they are then touched so make
sees the step as up to date. Wall time goes to ``build/runtime/NAME.json``.

A notebook whose prerequisites (source, parameters, inputs, modules, lock file) have the same
bytes as at its last successful run, and whose targets still hold what that run wrote, is not
executed again: make reruns it when an upstream notebook reran, but if that notebook wrote the
same bytes (a comment edited, a figure restyled) the run only touches the targets (the sha256
of both sides is kept in ``build/logs/NAME.fingerprint.json``).
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import resource
import sys
import time
from pathlib import Path

from ..base import outputs, paths
from . import pipeline


def skip_unused_schema_formats() -> None:
    """Make importing nbformat (papermill, nbconvert) about 0.7 s cheaper in this process.

    jsonschema, which nbformat imports, loads the optional IRI format checker rfc3987_syntax
    when it is installed; that module compiles a grammar at import (0.7 s of the 1.3 s papermill
    took to import here, by ``python -X importtime``), and notebook validation never checks IRI
    formats. Called by the short-lived build processes (runner, HTML export), never in a kernel."""
    sys.modules.setdefault("rfc3987_syntax", None)


skip_unused_schema_formats()


class NotebookFailed(RuntimeError):
    """A notebook raised, or did not write what it declares."""


def ipc_kernel_manager():
    """A jupyter_client ``KernelManager`` class whose kernels talk over IPC (Unix-domain)
    sockets in a private temporary folder instead of TCP on localhost: a local kernel needs no
    network port, and the kernel no longer prints its "running over TCP without encryption"
    warning into every build. The folder is removed when the runner exits.

    jupyter_client interrupts a kernel before asking it to shut down; after the last cell the
    kernel is idle, and the interrupt only made ipykernel log a spurious "ERROR |
    KeyboardInterrupt caught in kernel". The manager skips that interrupt while shutting down
    (a cell's real errors are in the executed notebook and stop the build either way)."""
    import atexit
    import shutil
    import tempfile

    from jupyter_client.manager import KernelManager

    folder = tempfile.mkdtemp(prefix="translocal-kernel-")
    atexit.register(shutil.rmtree, folder, ignore_errors=True)

    class IPCKernelManager(KernelManager):
        def __init__(self, **kwargs):
            kwargs.setdefault("transport", "ipc")
            kwargs.setdefault("connection_file", os.path.join(folder, "kernel.json"))
            super().__init__(**kwargs)

        async def _async_interrupt_kernel(self) -> None:
            if self.shutting_down:  # after the last cell: nothing runs, nothing to interrupt
                return
            await super()._async_interrupt_kernel()

    return IPCKernelManager


def _digests(files: list[str]) -> dict[str, str | None]:
    """The sha256 of each file (relative to the project root), None for a missing one."""
    out = {}
    for name in files:
        path = paths.ROOT / name
        out[name] = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else None
    return out


def fingerprint_file(nb: pipeline.Notebook) -> Path:
    return paths.BUILD / "logs" / f"{nb.name}.fingerprint.json"


def unchanged(nb: pipeline.Notebook, inputs: dict[str, str | None]) -> bool:
    """True when the last successful run of ``nb`` had prerequisites with exactly these bytes
    and its targets still hold exactly the bytes it wrote: running it again would rewrite the
    same files. This is what make cannot see: an upstream notebook that reran (its targets are
    touched) but wrote the same bytes must not rerun every notebook downstream."""
    record = fingerprint_file(nb)
    if None in inputs.values() or not record.is_file():
        return False
    last = json.loads(record.read_text(encoding="utf-8"))
    return last.get("inputs") == inputs and last.get("targets") == _digests(nb.targets)


def run(name: str) -> Path:
    nb = pipeline.by_name(name)
    target = paths.ROOT / nb.executed
    inputs = _digests(nb.prerequisites)  # as at the start: a change during the run reruns next time
    if unchanged(nb, inputs):
        for out in nb.targets:
            os.utime(paths.ROOT / out)
        print(f"{nb.source}: its prerequisites have the bytes of its last run; not executed again")
        return target
    import papermill as pm

    params = json.loads((paths.ROOT / nb.params_file).read_text(encoding="utf-8"))
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp.ipynb")
    failed = target.with_name(f"{target.stem}.failed.ipynb")
    log = paths.BUILD / "logs" / f"{name}.writes"
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("", encoding="utf-8")
    os.environ[outputs.WRITE_LOG_ENV] = str(log)  # the kernel inherits it
    started = time.perf_counter()
    try:
        pm.execute_notebook(
            str(paths.ROOT / nb.source),
            str(tmp),
            parameters=params,
            cwd=str(paths.NOTEBOOKS),
            kernel_name="python3",
            # on a terminal, one line per notebook: cells done of total and the elapsed time
            # (papermill's tqdm bar); none in logs and CI
            progress_bar={"desc": name} if sys.stderr.isatty() else False,
            # papermill rewrites the output notebook after every cell by default; once at the end
            # is enough here (a failure still saves the notebook with its traceback).
            request_save_on_cell_execute=False,
            kernel_manager_class=ipc_kernel_manager(),
        )
    except pm.PapermillExecutionError as err:
        os.replace(tmp, failed)
        raise NotebookFailed(
            f"{nb.source} failed in cell {err.exec_count} ({err.ename}: {err.evalue}). "
            f"The executed notebook with the traceback is {failed.relative_to(paths.ROOT)}."
        ) from None
    except BaseException:
        tmp.unlink(missing_ok=True)  # e.g. the kernel died or the user interrupted
        raise
    seconds = time.perf_counter() - started
    lines = log.read_text(encoding="utf-8").splitlines()
    writes = [
        line.split("\t")[0] for line in lines if not line.startswith((outputs.VALUE_PREFIX, outputs.MODULES_PREFIX))
    ]
    problems = check_writes(nb, writes)
    problems += check_modules(nb, [line for line in lines if line.startswith(outputs.MODULES_PREFIX)])
    problems += check_imports(nb, paths.ROOT / nb.source)
    if problems:
        tmp.unlink(missing_ok=True)
        raise NotebookFailed(f"{nb.source} ran, but " + "; ".join(problems))
    os.replace(tmp, target)
    failed.unlink(missing_ok=True)
    for out in [nb.values_file, *nb.outputs]:
        os.utime(paths.ROOT / out)
    record = {"inputs": inputs, "targets": _digests(nb.targets)}
    tmp = fingerprint_file(nb).with_suffix(".tmp")  # not through outputs: no entry in the write log
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    os.replace(tmp, fingerprint_file(nb))
    peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    runtime = {"notebook": name, "seconds": round(seconds, 2), "peak_rss_mib_kernel": round(peak_kib / 1024, 1)}
    runtime_file = paths.BUILD / "runtime" / f"{name}.json"
    runtime_file.parent.mkdir(parents=True, exist_ok=True)
    runtime_file.write_text(json.dumps(runtime) + "\n", encoding="utf-8")
    print(f"{nb.source}: executed in {seconds:.1f} s -> {nb.executed}")
    return target


def check_modules(nb: pipeline.Notebook, logged: list[str]) -> list[str]:
    """Compare the ``translocal`` modules a notebook imported with those it declares (its
    ``modules`` in notebooks/pipeline.toml): an undeclared one would let a change go unnoticed
    by the build."""
    if not logged:
        return ["it did not log its modules (does it end with values.save()?)"]
    seen = set(logged[-1][len(outputs.MODULES_PREFIX) :].split())
    missing = sorted(seen - set(nb.modules))
    if missing:
        return [
            "it imports translocal modules that notebooks/pipeline.toml does not declare in its `modules`: "
            + ", ".join(missing)
        ]
    return []


def translocal_imports(code: str) -> set[str]:
    """The dotted ``translocal`` names a cell's code imports: ``from translocal import frame`` is
    ``translocal.frame``, ``from translocal.outcome import KIND_ORDER`` is
    ``translocal.outcome.KIND_ORDER`` (IPython's magics and shell lines are dropped first)."""
    code = "\n".join(line for line in code.splitlines() if not line.lstrip().startswith(("%", "!")))
    found = set()
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "translocal"}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "translocal":
            found |= {f"{node.module}.{a.name}" for a in node.names}
    return found


def module_of(name: str) -> str:
    """The module of a dotted ``translocal`` name, as notebooks/pipeline.toml names modules
    (``translocal.base.paths`` is ``base.paths``; ``translocal.outcome.KIND_ORDER`` is ``outcome``)."""
    parts = name.split(".")[1:]
    while parts and not (paths.ROOT / pipeline.module_file(".".join(parts))).is_file():
        parts.pop()
    return ".".join(parts)


def imported_modules(source: Path) -> set[str]:
    """The ``translocal`` modules the code cells of the notebook ``source`` import, named as
    notebooks/pipeline.toml names them."""
    import nbformat

    cells = nbformat.read(source, as_version=4).cells
    names = set().union(*(translocal_imports(c.source) for c in cells if c.cell_type == "code"))
    return {module_of(name) for name in names} - {""}


def check_imports(nb: pipeline.Notebook, source: Path) -> list[str]:
    """The imports written in the notebook, wherever they stand (``check_modules`` sees what was
    imported when the values were saved; a cell after that, such as "What we found", is seen
    here)."""
    missing = sorted(imported_modules(source) - set(nb.modules))
    if missing:
        return [
            "its code imports translocal modules that notebooks/pipeline.toml does not declare: " + ", ".join(missing)
        ]
    return []


def check_writes(nb: pipeline.Notebook, written: list[str]) -> list[str]:
    """Compare what a notebook wrote with what it declares in notebooks/pipeline.toml."""
    declared = {str((paths.ROOT / o).resolve()): o for o in [nb.values_file, *nb.outputs]}
    seen = set(written)
    problems = []
    missing = [o for p, o in declared.items() if p not in seen]
    if missing:
        problems.append(
            "it did not write these declared outputs (an old copy must not pass as new): " + ", ".join(missing)
        )
    extra = sorted({str(Path(p).relative_to(paths.ROOT)) for p in seen if p not in declared})
    if extra:
        problems.append("it wrote outputs that notebooks/pipeline.toml does not declare: " + ", ".join(extra))
    return problems


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m translocal.build.run NOTEBOOK_NAME", file=sys.stderr)
        return 2
    try:
        run(args[0])
    except (NotebookFailed, KeyError) as err:
        print(f"run: {err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
