"""Compile the manuscript with typst, offline, with the project's own fonts only.

System fonts are ignored so that a font missing from the project fails the same way on
every machine instead of being silently replaced; IPAexGothic (from matplotlib-fontja) is
given explicitly, the same file the figures use. ``#set document(date: none)`` in the
manuscript plus a fixed timestamp make the PDF byte-reproducible.

Usage: ``python -m translocal.build.paper``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typst

from ..base import outputs, paths
from ..base.manifest import sources_of
from ..figures import japanese_font_file
from . import metadata, pipeline

#: Fixed creation time (1 Jan 2020) so the same sources give the same PDF bytes.
TIMESTAMP = 1577836800


def attributions() -> list[dict[str, str]]:
    """Attribution for every provider whose files the notebooks read, as the manifest words it
    (the manuscript's "Data sources" section, in the PDF and the Word file alike)."""
    read = [path for nb in pipeline.load() for path in nb.inputs]
    return [{"provider": s.provider, "licence": s.licence, "attribution": s.attribution} for s in sources_of(read)]


def make_compiler(source: Path = paths.MANUSCRIPT) -> typst.Compiler:
    """A typst compiler for ``source`` with the project's fonts only. Kept alive (as ``make
    watch`` does), it recompiles incrementally: only what changed is laid out again."""
    return typst.Compiler(
        input=str(source),
        root=str(source.parent),
        font_paths=[str(japanese_font_file().parent)],
        ignore_system_fonts=True,
    )


def document_inputs() -> dict[str, str]:
    """What the manuscript reads through ``sys.inputs``: title, authors, repository, data
    attributions and the release settings (read afresh, so an edit of pyproject.toml shows)."""
    meta = metadata.load()
    document = {
        "title": meta["title"],
        "authors": metadata.author_names(meta),
        "repository": meta["repository"],
        "sources": attributions(),
        "release": meta["release"],
        "missing": metadata.release_missing(meta),
    }
    return {"metadata": json.dumps(document, ensure_ascii=False)}


def compile_with(compiler: typst.Compiler, target: Path = paths.PDF) -> bool:
    """Compile with ``compiler`` to ``target``; True when the PDF's bytes changed."""
    pdf = compiler.compile(format="pdf", timestamp=TIMESTAMP, sys_inputs=document_inputs())
    return outputs.write_bytes(target, pdf)


def compile_pdf(source: Path = paths.MANUSCRIPT, target: Path = paths.PDF) -> Path:
    """Compile ``source`` to ``target`` (written only when the bytes change)."""
    compile_with(make_compiler(source), target)
    return target


def main() -> int:
    try:
        target = compile_pdf()
    except typst.TypstError as err:
        print(
            f"paper: typst could not compile {paths.MANUSCRIPT.relative_to(paths.ROOT)}:\n{err.diagnostic or err.message}",
            file=sys.stderr,
        )
        for hint in err.hints or []:
            print(f"hint: {hint}", file=sys.stderr)
        return 1
    print(f"paper: {target.relative_to(paths.ROOT)} ({target.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
