"""What the notebooks may show of the confidential tables: rows of the synthetic stand-ins, but
of the author's files only aggregates.

Executed notebooks and their HTML pages are published (the replication package's ``logs/``,
Binder, the HTML supplement). In synthetic mode a notebook shows the stand-ins' first rows,
so a student sees what a row of the survey or the agreement list looks like; in real mode the
same cell shows a summary of each column instead (``preview``). ``shown_rows`` finds rows of
a private table in a notebook's or page's text; the real-mode test runs it on every executed
notebook and HTML page of a real-mode build.
"""

from __future__ import annotations

import html
import re

import pandas as pd

#: Rows a synthetic-mode preview shows.
PREVIEW_ROWS = 5


def column_summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per column: its type, how many values are present and how many distinct (no
    value of any row)."""
    return pd.DataFrame(
        {
            "type": table.dtypes.astype(str),
            "non-missing": table.notna().sum(),
            "distinct": table.nunique(),
        }
    ).rename_axis("column")


def preview(table: pd.DataFrame, data_mode: str, rows: int = PREVIEW_ROWS) -> pd.DataFrame:
    """What a notebook displays of a private table: its first rows in synthetic mode, the
    column summary (aggregates only) in real mode."""
    if data_mode == "synthetic":
        return table.head(rows)
    if data_mode == "real":
        return column_summary(table)
    raise ValueError(f"data_mode must be 'synthetic' or 'real', not {data_mode!r}")


def text_lines(text: str) -> list[str]:
    """The lines of a notebook output or HTML page as a reader sees them: an HTML table row
    becomes one line, tags are dropped, entities decoded."""
    text = re.sub(r"(?i)</tr\s*>|<br\s*/?>", "\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    return [html.unescape(line) for line in text.splitlines()]


def _code_forms(code: str) -> set[str]:
    """A municipal code as it may be printed: 5 digits, and with its check digit."""
    from .codes import check_digit

    code = str(code).zfill(5)[:5]
    return {code, code + check_digit(code)}


def _day(value) -> str | None:
    """A date as a notebook prints it (ISO), from the forms the private files hold (ISO, era)."""
    from .eras import parse_date

    if value is None or pd.isna(value):
        return None
    return parse_date(str(value)[:10] if str(value)[:4].isdigit() else value).isoformat()


def shown_rows(text: str, tables: dict[str, pd.DataFrame]) -> list[str]:
    """Rows of the private ``tables`` that ``text`` shows. A row is shown when one line holds
    its identifier (``agreement_id``, ``interview_id``) or, for a survey respondent or an
    agreement, its municipality code together with its date (a non-respondent's row, code
    and a 0, cannot be told from public data and is not looked for)."""
    lines = text_lines(text)
    words = [set(re.findall(r"[\w-]+", line)) for line in lines]
    found = []

    def on_one_line(needles: list[set[str] | str]) -> bool:
        for line, tokens in zip(lines, words, strict=True):
            if all((tokens & n) if isinstance(n, set) else (n in line) for n in needles):
                return True
        return False

    for name, table in tables.items():
        for i, row in enumerate(table.to_dict("records")):
            key = row.get("agreement_id") or row.get("interview_id")
            if key and any(str(key) in tokens for tokens in words):
                found.append(f"{name} row {i + 1} ({key})")
                continue
            code = row.get("code", row.get("jp_code"))
            day = _day(row.get("response_date", row.get("signed_on")))
            if code and day and on_one_line([_code_forms(code), day]):
                found.append(f"{name} row {i + 1} (code {code}, {day})")
    return found
