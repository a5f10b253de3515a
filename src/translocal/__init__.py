"""Trans-local policy assemblages: the research compendium's code, in three layers.

- The science, in this package's own modules: the data sources and codes (``sources``,
  ``codes``, ``eras``), the municipal frame (``frame``), the public register and the private
  layers (``register``, ``record``, ``private``, ``synthetic``, ``outcome``, ``disclosure``),
  the places (``admin1``, ``spatial``), the models (``models``, ``diffusion``, ``analysis``),
  figures and words (``figures``, ``plots``, ``words``) and the data dictionary
  (``dictionary``). The notebooks import these.
- ``base``: the few helpers both need (``paths``, ``outputs``, ``manifest``).
- ``build``: the build and publishing machinery (pipeline, notebook runs, values, the paper).

The science imports nothing of ``build``, and ``base`` nothing of either (import-linter
contracts in pyproject.toml, run by ``tests/test_architecture.py``).
"""

__version__ = "0.1.0"
