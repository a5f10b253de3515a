"""The executed notebooks as HTML, a browsable supplement: every step's code and output,
readable without running anything (``build/html/NAME.html``, one per notebook).

``python -m translocal.build.html NAME``; ``make`` runs it for every notebook.
"""

from __future__ import annotations

import os
import re
import sys

from ..base import outputs, paths
from .run import skip_unused_schema_formats

skip_unused_schema_formats()


def export(name: str) -> str:
    """Export ``build/notebooks/NAME.ipynb`` to HTML (JupyterLab's look, images embedded)."""
    import nbformat
    from nbconvert import HTMLExporter

    notebook = nbformat.read(paths.EXECUTED / f"{name}.ipynb", as_version=4)
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    # A chapter's markdown shows the figures its figure notebooks draw (![…](../paper/figures/…),
    # relative to the notebook, as JupyterLab reads it); nbconvert embeds only images under its
    # base folder, so the links are made relative to the project root, the base.
    folder = (paths.NOTEBOOKS / name).parent
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            cell.source = re.sub(
                r"(!\[[^\]]*\]\()([^)\s]+)\)",
                lambda m: f"{m.group(1)}{os.path.relpath((folder / m.group(2)).resolve(), paths.ROOT.resolve())})",
                cell.source,
            )
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": name, "path": str(paths.ROOT)}})
    target = paths.BUILD / "html" / f"{name}.html"
    outputs.write_text(target, body)
    return str(target.relative_to(paths.ROOT))


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m translocal.build.html NOTEBOOK_NAME", file=sys.stderr)
        return 2
    print(f"html: {export(args[0])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
