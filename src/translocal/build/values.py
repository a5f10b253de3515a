"""Numbers the manuscript cites, recorded by the notebook that computed them.

A notebook calls ``record`` for each number, then ``save``; each notebook's values go to
``build/values/<notebook>.json``. ``merge`` joins them into ``paper/values.json`` and fails
when two notebooks write the same key. Each entry keeps the raw value, the text the
manuscript prints, a description and the notebook that made it.
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Mapping
from pathlib import Path

from ..base import outputs, paths

_KEY = re.compile(r"[a-z][a-z0-9_]*")


class DuplicateValueError(RuntimeError):
    """Two notebooks wrote the same value key."""


def format_value(value: object, digits: int | None = None) -> str:
    """Text for the manuscript: integers with thousands separators, floats to ``digits``
    decimals (2 unless given), anything else as ``str``."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        text = f"{value:,}"
    elif isinstance(value, float):
        text = f"{value:,.{2 if digits is None else digits}f}"
    else:
        return str(value)
    return text.replace("-", "\N{MINUS SIGN}")  # a typographic minus in print


class Values:
    """The values one notebook records."""

    def __init__(self, notebook: str):
        self.notebook = notebook
        self.entries: dict[str, dict] = {}

    def record(self, key: str, value: object, description: str, digits: int | None = None, text: str | None = None):
        """Keep ``value`` under ``key``; returns the printed text so a notebook can show it."""
        if not _KEY.fullmatch(key):
            raise ValueError(f"value key {key!r}: use lower_snake_case")
        if key in self.entries:
            raise DuplicateValueError(f"{self.notebook} records {key!r} twice")
        plain = value.item() if hasattr(value, "item") else value
        shown = text if text is not None else format_value(plain, digits)
        self.entries[key] = {"value": plain, "text": shown, "description": description, "notebook": self.notebook}
        # Which cell recorded it goes to the build's write log, not into the values: a notebook
        # re-run elsewhere (nbval, JupyterLab) must leave the values byte-identical.
        outputs.log_value(key)
        return shown

    def record_all(self, *mappings: Mapping[str, tuple]) -> None:
        """Record every entry of each mapping: ``key -> (value, description)``, or with a third
        item, an ``int`` for the ``digits`` or a ``str`` for the ``text`` printed. The science
        modules compute such mappings in tested functions (``outcome.summary_values`` …), so a
        notebook's Outputs section records all its numbers in one call."""
        for mapping in mappings:
            for key, entry in mapping.items():
                if not isinstance(entry, tuple) or len(entry) not in (2, 3):
                    raise ValueError(f"value {key!r}: expected (value, description[, digits or text]), got {entry!r}")
                value, description, *extra = entry
                how = extra[0] if extra else None
                if how is not None and not isinstance(how, (int, str)) or isinstance(how, bool):
                    raise ValueError(f"value {key!r}: the third item is digits (int) or text (str), not {how!r}")
                self.record(
                    key,
                    value,
                    description,
                    digits=how if isinstance(how, int) else None,
                    text=how if isinstance(how, str) else None,
                )

    def table(self):
        """The recorded values as a table to show: key, printed text, description."""
        import pandas as pd

        return pd.DataFrame(self.entries).T[["text", "description"]]

    def save(self, folder: Path = paths.VALUES_PARTS) -> Path:
        """Write this notebook's values to ``folder/<notebook>.json``."""
        target = folder / f"{self.notebook}.json"
        outputs.write_text(target, json.dumps(self.entries, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
        outputs.log_modules()  # the last step of every notebook: which src/ modules it used
        return target


def merge(parts: list[Path], target: Path = paths.VALUES) -> dict:
    """Merge per-notebook value files into ``target``; a key written twice is an error."""
    merged: dict[str, dict] = {}
    for part in sorted(parts):
        for key, entry in json.loads(part.read_text(encoding="utf-8")).items():
            if key in merged:
                raise DuplicateValueError(
                    f"value {key!r} is written by both {merged[key]['notebook']} and {entry['notebook']}"
                )
            merged[key] = entry
    outputs.write_text(target, json.dumps(merged, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    return merged


def main(argv: list[str] | None = None) -> int:
    parts = [Path(p) for p in (argv if argv is not None else sys.argv[1:])]
    if not parts:
        print("values: name the notebooks' value files (build/values/*.json); `make` does", file=sys.stderr)
        return 2
    try:
        merged = merge(parts)
    except DuplicateValueError as err:
        print(f"values: {err}", file=sys.stderr)
        return 1
    print(f"{len(merged)} values from {len(parts)} notebooks in {paths.VALUES.relative_to(paths.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
