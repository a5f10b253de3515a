"""The build and publishing machinery: it runs the notebooks, gathers what they record and
publishes it. It may import the science and the base layer; the science imports none of it
(an import-linter contract in pyproject.toml), and a notebook only ``values``.

- ``pipeline``: notebooks/pipeline.toml turned into make rules (standard library only).
- ``run``: executes one notebook and checks what it wrote and imported.
- ``values``: the numbers the manuscript cites, recorded with the notebook that made them.
- ``exhibits``: which notebook and cell made each figure, table and value.
- ``paper``, ``docx``, ``html``: the PDF (typst), the Word file (pandoc), the notebooks as HTML.
- ``report``, ``bench``: the runtime statement and the measurements against the goals.
- ``metadata``, ``citations``: CITATION.cff, the README's generated sections, the data citations.
- ``acquire``: fetches the public inputs by the manifest. ``package``: the replication package.
"""
