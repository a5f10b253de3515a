"""Trans-local policy assemblages: the research compendium's code.

Modules, by what they are about:

- ``paths``: every file location the project uses (no notebook builds a path by hand).
- ``manifest`` and ``acquire``: the public input files, their checksums and how they arrive.
- ``codes``: Japanese local-government codes (JIS X 0402) and their check digit.
- ``sources``: one reader per public table, returning tidy frames.
- ``frame``: the municipal frame built from those tables, with every join accounted for.
- ``figures``: the one place that owns figure style, fonts and saving.
- ``values``: numbers the manuscript cites, recorded with the notebook that made them.
- ``pipeline``, ``run`` and ``paper``: the build (notebook order, execution, typst).
- ``metadata``: CITATION.cff and the Binder link, generated from pyproject.toml.
"""

__version__ = "0.1.0"
