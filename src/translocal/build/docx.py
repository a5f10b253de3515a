"""The manuscript as a Word document for co-authors (``paper/manuscript.docx``), by pandoc.

Pandoc cannot evaluate typst, so this module writes the manuscript's own Markdown from the
same sources: the typst text of ``paper/manuscript.typ`` (headings, paragraphs, emphasis,
citations), with every ``#val`` replaced by its value, figures as their PNG copies, tables
from the notebooks' CSV files, cross-references numbered as in the PDF (from
``paper/exhibits.json``), the exhibit map as Markdown tables, and the references by pandoc's
citeproc from ``paper/references.bib``. The PDF stays the paper of record; the Word file is
for comments and tracked changes.

``python -m translocal.build.docx`` (``make`` runs it).
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import sys

from ..base import outputs, paths
from . import exhibits

DOCX = paths.PAPER / "manuscript.docx"

_FIGURE = re.compile(
    r'#figure\(\s*(?P<call>image|csv-table)\("(?P<path>[^"]+)"(?P<args>.*?)caption:\s*\[(?P<caption>.*?)\],'
    r"(?P<rest>.*?)\)\s*<(?P<label>[^>]+)>",
    re.DOTALL,
)


class DocxError(RuntimeError):
    """The manuscript uses typst the converter does not know."""


def _table_markdown(path: str, skip: list[int]) -> str:
    """A CSV table of the notebooks as a Markdown pipe table."""
    rows = list(csv.reader(io.StringIO((paths.PAPER / path).read_text(encoding="utf-8"))))
    keep = [i for i in range(len(rows[0])) if i not in skip]
    rows = [[r[i].replace("|", "\\|").replace("*", "\\*") for i in keep] for r in rows]
    lines = ["| " + " | ".join(rows[0]) + " |", "|" + "|".join([":---"] + ["---:"] * (len(keep) - 1)) + "|"]
    lines += ["| " + " | ".join(r) + " |" for r in rows[1:]]
    return "\n".join(lines)


def _setting(release: dict, table: str, key: str) -> str:
    """A release setting as the PDF's ``setting`` shows it: its text, or where to set it."""
    value = release.get(f"{table}.{key}", "")
    return value or f"(not yet set: `{key}` in `[tool.translocal.{table}]` of `pyproject.toml`)"


SYNTHETIC_ONLY = '#if values.at("data_mode").value == "synthetic" ['


def closing_bracket(text: str, start: int) -> int:
    """The index of the ``]`` that closes the content block opened by the ``[`` at ``start``
    (typst's nesting; ``\\[`` and ``\\]`` are literal brackets)."""
    depth, i = 0, start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "[":
            depth += 1
        elif text[i] == "]":
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise DocxError(f"paper/manuscript.typ: the block opened at character {start} is never closed")


def only_in_mode(body: str, synthetic: bool) -> str:
    """Resolve every ``#if values.at("data_mode").value == "synthetic" [...]``: its content in
    synthetic mode, nothing in real mode. The block may stand inline, mid-sentence, or on lines
    of its own, and may hold nested blocks (a figure and its caption)."""
    while (start := body.find(SYNTHETIC_ONLY)) >= 0:
        opening = start + len(SYNTHETIC_ONLY) - 1
        end = closing_bracket(body, opening)
        body = body[:start] + (body[opening + 1 : end] if synthetic else "") + body[end + 1 :]
    return body


def to_markdown(
    source: str,
    values: dict,
    exhibit_map: dict,
    sources: list[dict],
    title: str,
    release: dict | None = None,
    missing: list[str] | None = None,
) -> str:
    """Pandoc Markdown of the typst manuscript ``source`` (the subset the manuscript uses);
    ``release`` holds the release settings and ``missing`` those not yet set (a draft)."""
    release = release or {}
    numbers = {e["label"]: f"{e['kind']} {e['number']}" for e in exhibit_map["exhibits"]}
    synthetic = values["data_mode"]["value"] == "synthetic"
    body = source[source.index("#block(inset") :]
    # The abstract block, then the sections.
    body = re.sub(r"#block\(inset[^\[]*\[\s*#set text\([^)]*\)\s*#set par\([^)]*\)\s*", "", body, count=1)
    body = body.replace("\n]\n#v(0.8em)", "\n", 1)
    body = only_in_mode(body, synthetic)

    def figure(m: re.Match) -> str:
        label = m["label"]
        caption = f"{numbers.get(label, '')}: {m['caption'].strip()}"
        if m["call"] == "image":
            png = m["path"].rsplit(".", 1)[0] + ".png"
            return f"![{caption}]({png})"
        found = re.search(r"skip: \(([^)]*)\)", m["args"])
        skip = [int(i) for i in re.findall(r"\d+", found[1])] if found else []
        return f"{caption}\n\n{_table_markdown(m['path'], skip)}"

    body = _FIGURE.sub(figure, body)
    # The exhibit map (typst code) becomes the Markdown the README uses.
    start = body.find("#let exhibit-map")
    if start >= 0:
        end = body.index("\n}\n", start) + 3
        body = body[:start] + exhibits.markdown(exhibit_map) + body[end:]
    attribution = "\n".join(f"- {s['attribution']} ({s['licence']})." for s in sources)
    body = re.sub(r"#for source in meta\.sources \[.*?\n\]", lambda _: attribution, body, flags=re.DOTALL)
    body = re.sub(r'#setting\("([^"]+)", "([^"]+)"\)', lambda m: _setting(release, m[1], m[2]), body)
    body = re.sub(r"#bibliography\([^)]*\)", "# References {-}\n\n::: {#refs}\n:::", body)
    body = exhibits.VALUE.sub(lambda m: values[m.group(1)]["text"], body)
    body = re.sub(r"@((?:fig|tab)-[a-z0-9-]+)", lambda m: numbers.get(m.group(1), m.group(0)), body)
    body = re.sub(r"(?<![\w.])@([a-z][a-z0-9]*)(?![\w-])", r"[@\1]", body)  # citations (bib keys)
    body = re.sub(r"(?m)^== ", "## ", body)
    body = re.sub(r"(?m)^= ", "# ", body)
    body = body.replace("\\;", ";").replace("\\*", "\x00")  # escaped stars stay stars
    body = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"**\1**", body)
    body = body.replace("\x00", "\\*")
    leftover = re.findall(r"#[a-z][a-z-]*\(|#if\b|#for\b", body)
    if leftover:
        raise DocxError(f"paper/manuscript.typ: typst the Word export cannot translate: {sorted(set(leftover))}")
    banner = (
        "**Synthetic data.** The survey, agreement and interview results in this draft come from synthetic "
        "stand-ins, not from the study's confidential data; every number and figure drawn from them is "
        "illustrative only.\n\n"
        if synthetic
        else ""
    )
    if missing:
        banner += (
            f"**Draft**, not for release: the release settings in `pyproject.toml` lack {len(missing)} "
            f"{'entry' if len(missing) == 1 else 'entries'} (`make package` lists them).\n\n"
        )
    front = f'---\ntitle: "{title}"\n---\n\n'
    return front + banner + body


def main() -> int:
    import pypandoc

    from . import metadata

    values = json.loads(paths.VALUES.read_text(encoding="utf-8"))
    exhibit_map = json.loads(exhibits.EXHIBITS_JSON.read_text(encoding="utf-8"))
    from .paper import TIMESTAMP, attributions

    meta = metadata.load()
    try:
        markdown = to_markdown(
            paths.MANUSCRIPT.read_text(encoding="utf-8"),
            values,
            exhibit_map,
            attributions(),
            meta["title"],
            meta["release"],
            metadata.release_missing(meta),
        )
    except DocxError as err:
        print(f"docx: {err}", file=sys.stderr)
        return 1
    # Pandoc dates the document from SOURCE_DATE_EPOCH when set: same sources, same bytes.
    os.environ["SOURCE_DATE_EPOCH"] = str(TIMESTAMP)
    with outputs.atomic_output(DOCX) as tmp:
        pypandoc.convert_text(
            markdown,
            "docx",
            format="markdown",
            outputfile=str(tmp),
            # Relative paths from paper/: pandoc records the bibliography's path in the file.
            extra_args=["--citeproc", "--bibliography=references.bib", "--resource-path=."],
            cworkdir=str(paths.PAPER),
        )
    print(f"docx: {DOCX.relative_to(paths.ROOT)} ({DOCX.stat().st_size / 1024:.0f} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
