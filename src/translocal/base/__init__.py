"""The base layer, which both the science and the build machinery use, and which imports
neither (an import-linter contract in pyproject.toml, run by the tests):

- ``paths``: every file location the project uses, and the data mode (standard library only).
- ``outputs``: writing outputs atomically, only when the bytes change, logged for the build;
  a dataset under ``data/processed/`` or ``data/synthetic/`` only with a check of its contents.
- ``manifest``: the public input files, read only after their sha256 is verified.
"""
