"""The exhibit map: every figure, table and value the manuscript uses, with the notebook and
cell that made it and the input files it depends on.

Read from the build itself, never typed: the manuscript (which exhibits and values it uses,
in which order, with which captions), ``notebooks/pipeline.toml`` (which notebook declares
each file, and what each notebook reads), the write logs of ``translocal.build.run`` (which cell
wrote each file) and ``paper/values.json`` (which cell recorded each value). It also refuses a
manuscript that uses a figure or table no notebook declares (naming it), so nothing left over
from an earlier run can pass as a result.

``python -m translocal.build.exhibits`` writes ``paper/exhibits.json`` (for the manuscript's
appendix) and ``build/exhibits.md`` (the README's list of exhibits, copied there by
``make release``).
"""

from __future__ import annotations

import functools
import json
import re
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from ..base import outputs, paths
from . import pipeline

EXHIBITS_JSON = paths.PAPER / "exhibits.json"
EXHIBITS_MD = paths.BUILD / "exhibits.md"

#: Inputs that hold the confidential data or, in synthetic mode, their stand-ins: an exhibit
#: made by a notebook that depends on any of them (directly or through the notebooks it reads
#: from) is of data class "confidential", every other one "public". Derived from the declared
#: inputs by notebook, so it errs towards "confidential": a notebook that reads the private
#: layers makes only confidential exhibits, even those it draws from public data alone.
CONFIDENTIAL_INPUTS = ("data/private/", "data/interim/private/", "data/synthetic/")
PUBLIC, CONFIDENTIAL = "public", "confidential"

#: Figures and tables the notebooks write for readers of the notebooks and the HTML
#: supplement only, deliberately not in the manuscript (a test holds every other one to it).
SUPPLEMENTARY: frozenset[str] = frozenset()

_BLOCK = re.compile(
    r'#figure\(\s*(?P<call>image|csv-table)\("(?P<path>[^"]+)"(?P<body>.*?)caption:\s*\[(?P<caption>.*?)\],'
    r"(?P<rest>.*?)\)\s*<(?P<label>[^>]+)>",
    re.DOTALL,
)
#: A value the manuscript cites: ``#val("key")``.
VALUE = re.compile(r'#val\("([a-z0-9_]+)"\)')
#: The start of a part of the manuscript shown in synthetic mode only; the part follows in
#: ``[...]`` (content) or ``{...}`` (code).
SYNTHETIC_ONLY = re.compile(r'#if values\.at\("data_mode"\)\.value == "synthetic" *([\[{])')


def in_mode(source: str, mode: str) -> str:
    """The manuscript as typst shows it in data mode ``mode``: in real mode, the parts guarded
    by ``#if values.at("data_mode").value == "synthetic"`` are left out (their values, figures
    and tables exist in synthetic mode only)."""
    if mode == "synthetic":
        return source
    pieces, position = [], 0
    for match in SYNTHETIC_ONLY.finditer(source):
        if match.start() < position:
            continue  # inside a part already left out
        opening = match.group(1)
        closing = {"[": "]", "{": "}"}[opening]
        depth, end = 0, match.end() - 1
        for end in range(match.end() - 1, len(source)):
            depth += {opening: 1, closing: -1}.get(source[end], 0)
            if depth == 0:
                break
        else:
            raise ExhibitError(f"unclosed synthetic-only part at character {match.start()} of the manuscript")
        pieces.append(source[position : match.start()])
        position = end + 1
    return "".join(pieces) + source[position:]


class ExhibitError(ValueError):
    """The manuscript uses something the pipeline does not make."""


@dataclass(frozen=True)
class Exhibit:
    kind: str  # "Figure" or "Table"
    number: int
    label: str
    file: str  # relative to the project root
    caption: str
    notebook: str
    cell: int | None
    data_class: str  # "public" or "confidential" (data_class)


def plain(text: str, values: dict) -> str:
    """A typst caption as plain text: values filled in, markup and escapes removed."""
    text = VALUE.sub(lambda m: values[m.group(1)]["text"] if m.group(1) in values else m.group(0), text)
    text = re.sub(r"\\(.)", r"\1", text)
    text = re.sub(r"@([a-z0-9-]+)", r"\1", text)
    return re.sub(r"\s+", " ", text.replace("_", "")).strip()


@functools.cache
def cells_written(name: str) -> dict[str, int | None]:
    """Which cell of notebook ``name`` wrote each file (project-relative path) and recorded
    each value (``value:KEY``), from the write log of its last build run."""
    log = paths.BUILD / "logs" / f"{name}.writes"
    cells: dict[str, int | None] = {}
    if not log.is_file():
        return cells
    for line in log.read_text(encoding="utf-8").splitlines():
        if line.startswith(outputs.MODULES_PREFIX):
            continue
        item, _, cell = line.partition("\t")
        if not item.startswith(outputs.VALUE_PREFIX):
            item = str(Path(item).relative_to(paths.ROOT))
        cells[item] = int(cell) if cell else None
    return cells


def upstream(name: str, notebooks: list[pipeline.Notebook]) -> list[pipeline.Notebook]:
    """Notebook ``name`` and every notebook it reads from, directly or through others."""
    producer = {out: nb for nb in notebooks for out in nb.outputs}
    by_name = {nb.name: nb for nb in notebooks}
    seen, todo = {}, [by_name[name]]
    while todo:
        nb = todo.pop()
        if nb.name not in seen:
            seen[nb.name] = nb
            todo += [producer[path] for path in nb.inputs if path in producer]
    return list(seen.values())


def direct_inputs(nb: pipeline.Notebook, notebooks: list[pipeline.Notebook]) -> list[dict]:
    """The files notebook ``nb`` reads, as it declares them, each with the notebook that makes
    it (None for a file no notebook makes: public data, tracked tables, the private layers)."""
    producer = {out: other.name for other in notebooks for out in other.outputs}
    return [{"file": path, "made_by": producer.get(path)} for path in nb.inputs]


def upstream_files(name: str, notebooks: list[pipeline.Notebook]) -> set[str]:
    """Every file notebook ``name`` and the notebooks it reads from (transitively) read or
    write, as declared in ``notebooks/pipeline.toml`` for the current mode."""
    return {path for nb in upstream(name, notebooks) for path in (*nb.inputs, *nb.outputs)}


def data_class(files: set[str]) -> str:
    """The data class of what a notebook makes: confidential when the files it depends on
    (``upstream_files``) include a confidential table, its validated copy or its synthetic
    stand-in, else public."""
    return CONFIDENTIAL if any(path.startswith(CONFIDENTIAL_INPUTS) for path in files) else PUBLIC


def class_label(data_class_: str, mode: str) -> str:
    """How the exhibit lists show a data class: in synthetic mode, the confidential exhibits
    come from the stand-ins, and say so."""
    if data_class_ == CONFIDENTIAL and mode == "synthetic":
        return "confidential (synthetic stand-ins in this build)"
    return data_class_


def build(source: str, notebooks: list[pipeline.Notebook], values: dict) -> dict:
    """The exhibit map of the manuscript ``source`` in the current data mode."""
    mode = values.get("data_mode", {}).get("value", "synthetic")
    source = in_mode(source, mode)
    inputs = {nb.name: direct_inputs(nb, notebooks) for nb in notebooks}
    classes = {nb.name: data_class(upstream_files(nb.name, notebooks)) for nb in notebooks}
    declared = {out: nb.name for nb in notebooks for out in nb.outputs}
    synthetic_only = {out for nb in pipeline.load(mode="synthetic") for out in nb.outputs} - set(declared)
    exhibits, counters, problems = [], {"Figure": 0, "Table": 0}, []
    for match in _BLOCK.finditer(source):
        file = f"paper/{match['path']}"
        if file in synthetic_only:
            continue  # shown only with synthetic data (the manuscript guards it with #if)
        if file not in declared:
            problems.append(f"{file} (no notebook in notebooks/pipeline.toml declares it)")
            continue
        kind = "Table" if match["call"] == "csv-table" or "kind: table" in match["rest"] else "Figure"
        counters[kind] += 1
        notebook = declared[file]
        exhibits.append(
            Exhibit(
                kind=kind,
                number=counters[kind],
                label=match["label"],
                file=file,
                caption=plain(match["caption"], values),
                notebook=notebook,
                cell=cells_written(notebook).get(file),
                data_class=classes[notebook],
            )
        )
    # Any file the manuscript reads, inside a figure or not, must be made by a notebook (or be
    # one of the build's own files): nothing left over from an earlier run passes as a result.
    for path in dict.fromkeys(re.findall(r'(?:image|csv|json|read)\("([^"]+)"', source)):
        file = f"paper/{path}"
        if path in ("values.json", "exhibits.json", "references.bib") or file in synthetic_only:
            continue
        if file not in declared:
            problems.append(f"{file} (read by the manuscript; no notebook declares it)")
    used = list(dict.fromkeys(VALUE.findall(source)))
    missing = [key for key in used if key not in values]
    if missing:
        problems += [f"value {key!r} (no notebook recorded it; see paper/values.json)" for key in missing]
    strangers = [key for key in used if key in values and values[key]["notebook"] not in classes]
    problems += [
        f"value {key!r} (recorded by {values[key]['notebook']!r}, not in notebooks/pipeline.toml)" for key in strangers
    ]
    if problems:
        raise ExhibitError("the manuscript uses what the pipeline does not make: " + "; ".join(problems))
    value_rows = [
        {
            "key": key,
            "text": values[key]["text"],
            "notebook": values[key]["notebook"],
            "cell": cells_written(values[key]["notebook"]).get(f"{outputs.VALUE_PREFIX}{key}"),
            "data_class": classes[values[key]["notebook"]],
        }
        for key in used
    ]
    return {
        "data_mode": mode,
        "class_labels": {c: class_label(c, mode) for c in (PUBLIC, CONFIDENTIAL)},
        "exhibits": [asdict(e) for e in exhibits],
        "values": value_rows,
        "notebooks": [
            {
                "notebook": nb.name,
                "title": nb.title,
                "inputs": inputs[nb.name],
                "data_class": classes[nb.name],
                "html": f"build/html/{nb.name}.html",
            }
            for nb in notebooks
        ],
    }


def _cell(cell: int | None) -> str:
    return f"In [{cell}]" if cell is not None else "?"


def markdown(exhibit_map: dict) -> str:
    """The list of exhibits for the README: each figure and table with its file, notebook and
    cell; the values by notebook; each notebook's input files."""
    labels = exhibit_map["class_labels"]
    lines = ["| exhibit | file | made by | cell | data |", "|---|---|---|---|---|"]
    for e in exhibit_map["exhibits"]:
        caption = e["caption"].split(". ")[0].rstrip(".")
        lines.append(
            f"| {e['kind']} {e['number']}: {caption} | `{e['file']}` | `{e['notebook']}` | {_cell(e['cell'])} "
            f"| {labels[e['data_class']]} |"
        )
    by_notebook: dict[str, list[str]] = {}
    for v in exhibit_map["values"]:
        by_notebook.setdefault(v["notebook"], []).append(f"`{v['key']}` ({_cell(v['cell'])})")
    lines += [
        "",
        (
            "<details><summary>Numbers in the text (<code>paper/values.json</code>), by the notebook and cell "
            f"that record them ({len(exhibit_map['values'])} values)</summary>"
        ),
        "",
    ]
    class_of = {nb["notebook"]: nb["data_class"] for nb in exhibit_map["notebooks"]}
    for name, keys in by_notebook.items():
        lines.append(f"- `{name}`, {labels[class_of[name]]}: {', '.join(keys)}")
    lines += [
        "",
        "</details>",
        "",
        (
            "The files each notebook reads (as `notebooks/pipeline.toml` declares them, in this build's data "
            "mode), with the notebook that makes each file another notebook made:"
        ),
        "",
    ]
    for nb in exhibit_map["notebooks"]:
        lines.append(f"- `{nb['notebook']}` ({labels[nb['data_class']]}): {grouped(nb['inputs'])}")
    return "\n".join(lines) + "\n"


def grouped(files: list[dict]) -> str:
    """Files grouped by folder, each made by a notebook followed by its name: "`data/raw/moj-zairyu/`
    19-12-05.xlsx, 22-12-04.xlsx; `data/processed/` analysis.gpkg (04_spatial_join)"."""
    if not files:
        return "none"
    folders: dict[str, list[str]] = {}
    for f in files:
        folder, _, name = f["file"].rpartition("/")
        folders.setdefault(folder, []).append(name + (f" ({f['made_by']})" if f["made_by"] else ""))
    return "; ".join(f"`{folder}/` {', '.join(names)}" for folder, names in folders.items())


def main() -> int:
    values = json.loads(paths.VALUES.read_text(encoding="utf-8"))
    try:
        exhibit_map = build(paths.MANUSCRIPT.read_text(encoding="utf-8"), pipeline.load(), values)
    except ExhibitError as err:
        print(f"exhibits: {err}", file=sys.stderr)
        return 1
    outputs.write_text(EXHIBITS_JSON, json.dumps(exhibit_map, ensure_ascii=False, indent=1) + "\n")
    outputs.write_text(EXHIBITS_MD, markdown(exhibit_map))
    n = len(exhibit_map["exhibits"])
    print(f"exhibits: {n} figures and tables, {len(exhibit_map['values'])} values -> paper/exhibits.json")
    return 0


if __name__ == "__main__":
    sys.exit(main())
