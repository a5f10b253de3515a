"""The runtime statement, measured by the build: wall time and peak memory of each notebook,
their total, and the machine they ran on (cores, memory, OS, Python).

``python -m translocal.build.report`` writes ``build/runtime.md`` (git-ignored) from the timings
that ``translocal.build.run`` records in ``build/runtime/``; ``make release`` copies it into the
README's runtime section, so an ordinary build never touches tracked files.
"""

from __future__ import annotations

import json
import os
import platform
import sys
from pathlib import Path

from ..base import outputs, paths
from . import pipeline

RUNTIME_MD = paths.BUILD / "runtime.md"


def machine() -> dict[str, str]:
    """Cores, memory, OS and Python of this machine."""
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.is_file():
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 1024**2:.0f} GiB"
    cpu = platform.processor() or "unknown CPU"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": str(os.cpu_count()),
        "memory": memory,
        "os": f"{platform.system()} {platform.release()} ({platform.machine()})",
        "python": platform.python_version(),
    }


def statement(timings: list[dict], info: dict[str, str]) -> str:
    """The runtime statement as Markdown: a table of notebooks, the total, the machine."""
    lines = ["| notebook | wall time (s) | peak memory (MB) |", "|---|---:|---:|"]
    for t in timings:
        lines.append(f"| `{t['notebook']}` | {t['seconds']:.1f} | {t['peak_rss_mib_kernel'] * 1.048576:.0f} |")
    total = sum(t["seconds"] for t in timings)
    peak = max((t["peak_rss_mib_kernel"] for t in timings), default=0) * 1.048576
    lines.append(f"| **all notebooks** | **{total:.1f}** | **{peak:.0f}** (largest) |")
    lines += [
        "",
        (
            f"Measured by the build on {info['cpu']}, {info['cores']} cores, {info['memory']} of memory, "
            f"{info['os']}, Python {info['python']}: the latest run of each notebook, including its kernel "
            "start. Peak memory is the largest resident set of the kernel and the processes it waited "
            "for (the bootstrap workers of notebook 06 may be left out). The environment install and "
            "the data download come on top."
        ),
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    timings = []
    for nb in pipeline.load():
        file = paths.BUILD / "runtime" / f"{nb.name}.json"
        if not file.is_file():
            print(f"report: no timing for {nb.name} (run `make` first)", file=sys.stderr)
            return 1
        timings.append(json.loads(file.read_text(encoding="utf-8")))
    outputs.write_text(RUNTIME_MD, statement(timings, machine()))
    print(f"report: runtime statement -> {RUNTIME_MD.relative_to(paths.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
