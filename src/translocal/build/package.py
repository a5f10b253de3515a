"""The replication package: one zip archive that a journal's data editor deposits (a Dataverse
keeps a zip's folders) and a verifier unpacks and runs, without git and without a network.

``make package`` writes ``build/package/<name>.zip``, holding under one top folder:

- the project's sources: the files git tracks (in an unpacked package, which has no ``.git``,
  the sources its own manifest lists), as they are in the working tree;
- the public input files under ``data/raw/`` whose providers' terms allow redistribution
  (``redistribute`` and ``terms`` of each file in ``data/manifest.toml``), each verified
  against the manifest's sha256, with ``data/raw/NOTICE.md`` stating their sources, terms and
  the attributions and notices the terms require;
- ``logs/``: the record of the build that made the package (executed notebooks, their HTML,
  the PDF and Word manuscript, the runtime statement and the exhibit map), kept apart from
  their build paths so that the unpacked tree builds everything from scratch;
- ``MANIFEST.sha256``: the sha256 of every other file (``sha256sum -c MANIFEST.sha256``).

Never ``data/private/`` (only its tracked README), ``data/interim/``, ``.venv/`` or anything
else the build makes. The
package is refused in real mode (it would carry results of the confidential data) and while
release settings are missing (``translocal.build.metadata.release_missing``), unless it is a draft
(``make package DRAFT=1``: the archive's name says "draft", as the PDF of such a build does).

Usage: ``python -m translocal.build.package [--draft] [--check] [--output FILE]``.
"""

from __future__ import annotations

import argparse
import fnmatch
import hashlib
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..base import manifest as mf
from ..base import paths
from . import metadata, pipeline

MANIFEST_NAME = "MANIFEST.sha256"
LOGS = "logs"
NOTICE = "data/raw/NOTICE.md"
PACKAGE_DIR = paths.BUILD / "package"
#: Never in a package, whatever lists them (checked on every member's path) ...
NEVER = ("data/private/", "data/interim/", ".venv/", ".git/", "build/")
#: ... but the tracked README of data/private/, which says what the author's files are.
PRIVATE_README = "data/private/README.md"
#: Fixed time for every member (1 Jan 2020, as the PDF): the same files give the same archive.
DATE_TIME = (2020, 1, 1, 0, 0, 0)


class PackageError(RuntimeError):
    """The package cannot be made (and nothing was written)."""


@dataclass(frozen=True)
class Member:
    """One file of the package: where its bytes are, and its path inside the package."""

    source: Path
    name: str


def _sha256_lines(text: str, where: Path) -> dict[str, str]:
    """The ``sha256sum`` lines of a manifest: path -> hash."""
    entries = {}
    for number, line in enumerate(text.splitlines(), start=1):
        digest, sep, name = line.partition("  ")
        if not sep or len(digest) != 64:
            raise PackageError(f"{where}, line {number}: not a `sha256sum` line: {line!r}")
        entries[name] = digest
    return entries


def package_manifest(root: Path) -> dict[str, str]:
    """The package manifest of an unpacked package at ``root`` (path -> sha256)."""
    path = root / MANIFEST_NAME
    return _sha256_lines(path.read_text(encoding="utf-8"), path)


def is_source(name: str) -> bool:
    """Whether a package member is a source (not a public raw file, a log or the manifest)."""
    return not (name.startswith(("data/raw/", f"{LOGS}/")) or name == MANIFEST_NAME)


def source_files(root: Path = paths.ROOT) -> list[str]:
    """The project's source files, relative to ``root``: what git tracks in a checkout, or,
    in an unpacked package (no ``.git``), the sources its ``MANIFEST.sha256`` lists."""
    if (root / ".git").exists():
        listed = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True, check=True).stdout.decode(
            "utf-8"
        )
        names = [n for n in listed.split("\0") if n]
        return sorted(n for n in names if (root / n).is_file())  # a deleted file is not packed
    if (root / MANIFEST_NAME).is_file():
        return sorted(n for n in package_manifest(root) if is_source(n))
    raise PackageError(
        f"{root} is neither a git checkout nor an unpacked replication package (no .git, no {MANIFEST_NAME}): "
        "cannot tell its sources from what the build made."
    )


def copy_sources(root: Path, target: Path) -> list[str]:
    """Copy the source files of ``root`` (``source_files``) into the new folder ``target``,
    keeping permissions (a fresh tree to build, as from a clone or an unpacked package)."""
    import shutil

    names = source_files(root)
    for name in names:
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / name, target / name)
    return names


def raw_members(root: Path = paths.ROOT) -> tuple[list[Member], list[mf.PublicFile]]:
    """The redistributable public files (verified against the manifest) and those left out."""
    files, _ = mf.load(root / "data" / "manifest.toml")
    members, problems = [], []
    for f in files:
        if not f.redistribute:
            continue
        path = root / "data" / "raw" / f.path
        if not path.is_file():
            problems.append(f"data/raw/{f.path} is missing (run `make data`)")
        elif mf.sha256_of(path) != f.sha256:
            problems.append(f"data/raw/{f.path} does not match the sha256 of data/manifest.toml (run `make data`)")
        else:
            members.append(Member(path, f"data/raw/{f.path}"))
    if problems:
        raise PackageError("public files cannot be packaged:\n  " + "\n  ".join(problems))
    return members, [f for f in files if not f.redistribute]


def notice(root: Path = paths.ROOT) -> str:
    """``data/raw/NOTICE.md``: each packaged file's source, terms and required attribution,
    with the notices a licence asks to be copied (``data/notices/<source>.txt``)."""
    files, sources = mf.load(root / "data" / "manifest.toml")
    lines = [
        "# The public files in this folder",
        "",
        "Copies, byte for byte, of the files listed in `data/manifest.toml` (pinned URL and sha256",
        "of each), included because their providers' terms allow redistribution. By provider:",
        "",
    ]
    left_out = [f for f in files if not f.redistribute]
    for key, source in sources.items():
        mine = [f for f in files if f.source == key and f.redistribute]
        if not mine:
            continue
        lines += [
            f"## {source.provider}",
            "",
            f"Licence: {source.licence}.",
            "",
            f"Attribution: {source.attribution}",
            "",
        ]
        lines += [f"- `{f.path}` ({f.vintage}); redistributed under: {f.terms}" for f in mine]
        text = root / "data" / "notices" / f"{key}.txt"
        if text.is_file():
            lines += [
                "",
                "Notice, as the licence requires:",
                "",
                "```",
                text.read_text(encoding="utf-8").rstrip(),
                "```",
            ]
        lines.append("")
    if left_out:
        lines += ["## Not included", ""]
        lines += [f"- `{f.path}`: {f.terms} (the build downloads it from {f.url})" for f in left_out]
        lines.append("")
    return "\n".join(lines)


def log_members(root: Path = paths.ROOT) -> list[Member]:
    """The record of the build: executed notebooks, HTML pages, the manuscript (PDF and Word),
    the runtime statement and the exhibit map, placed under ``logs/``."""
    notebooks = pipeline.load(root / "notebooks" / "pipeline.toml")
    wanted = [
        (root / "build" / "notebooks" / f"{nb.name}.ipynb", f"{LOGS}/notebooks/{nb.name}.ipynb") for nb in notebooks
    ]
    wanted += [(root / "build" / "html" / f"{nb.name}.html", f"{LOGS}/html/{nb.name}.html") for nb in notebooks]
    wanted += [
        (root / "paper" / "manuscript.pdf", f"{LOGS}/manuscript.pdf"),
        (root / "paper" / "manuscript.docx", f"{LOGS}/manuscript.docx"),
        (root / "build" / "runtime.md", f"{LOGS}/runtime.md"),
        (root / "build" / "exhibits.md", f"{LOGS}/exhibits.md"),
    ]
    missing = [str(src.relative_to(root)) for src, _ in wanted if not src.is_file()]
    if missing:
        raise PackageError(f"the build is incomplete (run `make`): missing {', '.join(missing)}")
    return [Member(src, name) for src, name in wanted]


def refusals(root: Path = paths.ROOT, draft: bool = False) -> list[str]:
    """Why a package must not be made now: real mode (always), missing release settings
    (unless a draft). Empty when it may."""
    reasons = []
    private = sorted(p.name for p in (root / "data" / "private").glob("*") if p.is_file() and p.name != "README.md")
    if private:
        reasons.append(
            f"real mode: data/private/ holds {', '.join(private)}. The package must not carry results of the "
            "confidential data; remove them, run `make` (synthetic mode), then `make package`."
        )
    if (root / ".git").exists():
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=all"],
            cwd=root,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.splitlines()
        untracked = [line[3:] for line in status if line.startswith("??")]
        changed = [line[3:] for line in status if not line.startswith("??")]
        if untracked:
            reasons.append(
                "files that are neither tracked nor ignored would be left out of the package (add them to git "
                "or to .gitignore): " + ", ".join(untracked)
            )
        if changed and not draft:
            reasons.append(
                "uncommitted changes (a package for release holds a commit; commit first): " + ", ".join(changed)
            )
    if not draft:
        missing = metadata.release_missing(metadata.load(root / "pyproject.toml"))
        if missing:
            reasons.append(
                "release settings missing in pyproject.toml (or run `make package DRAFT=1` for a draft):\n    "
                + "\n    ".join(missing)
            )
    return reasons


def archive_name(root: Path = paths.ROOT, draft: bool = False) -> str:
    """``translocal-compendium-<version>[-draft]``: the zip's stem and its top folder."""
    version = metadata.load(root / "pyproject.toml")["version"]
    return f"translocal-compendium-{version}{'-draft' if draft else ''}"


def members(root: Path = paths.ROOT) -> list[Member]:
    """Every file of the package but the generated notice and manifest, in archive order."""
    sources = [Member(root / n, n) for n in source_files(root)]
    raw, _ = raw_members(root)
    found = sorted([*sources, *raw, *log_members(root)], key=lambda m: m.name)
    names = [m.name for m in found]
    forbidden = [n for n in names if (n.startswith(NEVER) and n != PRIVATE_README) or n in (NOTICE, MANIFEST_NAME)]
    if forbidden:
        raise PackageError(f"refusing to package {', '.join(forbidden)}")
    if len(set(names)) != len(names):
        raise PackageError("two files would have the same path in the package")
    return found


def _add(archive: zipfile.ZipFile, name: str, data: bytes, mode: int) -> None:
    info = zipfile.ZipInfo(name, date_time=DATE_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.external_attr = (0o100000 | mode) << 16  # a regular file with its permission bits
    archive.writestr(info, data)


def write(target: Path, root: Path = paths.ROOT, draft: bool = False) -> Path:
    """Write the package to ``target`` (atomically: a refused or failed package leaves no file)."""
    reasons = refusals(root, draft)
    if reasons:
        raise PackageError("\n".join(reasons))
    top = archive_name(root, draft)
    found = members(root)
    digests = {}
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.partial")
    try:
        with zipfile.ZipFile(partial, "w") as archive:
            archive.comment = f"{top}: replication package{' (DRAFT)' if draft else ''}".encode()
            entries = [(m.name, m.source.read_bytes(), m.source.stat().st_mode & 0o777) for m in found]
            entries.append((NOTICE, notice(root).encode("utf-8"), 0o644))
            for name, data, mode in sorted(entries):
                digests[name] = hashlib.sha256(data).hexdigest()
                _add(archive, f"{top}/{name}", data, mode | 0o644)
            listing = "".join(f"{digest}  {name}\n" for name, digest in sorted(digests.items()))
            _add(archive, f"{top}/{MANIFEST_NAME}", listing.encode("utf-8"), 0o644)
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


def unpack(archive: Path, target: Path) -> Path:
    """Unpack a package into ``target`` (permissions kept, as ``unzip`` does); return its top
    folder after checking every file against ``MANIFEST.sha256``."""
    with zipfile.ZipFile(archive) as zf:
        tops = {n.split("/", 1)[0] for n in zf.namelist()}
        if len(tops) != 1:
            raise PackageError(f"{archive}: expected one top folder, found {sorted(tops)}")
        for info in zf.infolist():
            path = zf.extract(info, target)
            mode = (info.external_attr >> 16) & 0o777
            if mode:
                os.chmod(path, mode)
    root = target / tops.pop()
    problems = verify(root)
    if problems:
        raise PackageError(f"{archive}: " + "; ".join(problems))
    return root


def verify(root: Path) -> list[str]:
    """Files of an unpacked package that differ from its manifest, are missing, or are not
    listed in it (ignoring what a build adds where the build writes)."""
    listed = package_manifest(root)
    problems = []
    for name, digest in listed.items():
        path = root / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif mf.sha256_of(path) != digest:
            problems.append(f"{name} differs from {MANIFEST_NAME}")
    return problems


def ignored(name: str, patterns: list[str]) -> bool:
    """Whether a path (relative, with ``/``) is ignored by .gitignore-style ``patterns``: the
    subset the project's .gitignore uses (``dir/``, ``/dir/``, ``*.ext``, ``dir/*``, paths,
    ``!negation``), so a tree without git can tell build products from stray files."""
    result = False
    parts = name.split("/")
    for raw in patterns:
        pattern = raw.strip()
        if not pattern or pattern.startswith("#"):
            continue
        negate = pattern.startswith("!")
        pattern = pattern.removeprefix("!")
        directory = pattern.endswith("/")
        pattern = pattern.rstrip("/")
        anchored = "/" in pattern  # a slash before the end (``/build/``, ``data/raw/``), as git reads it
        pattern = pattern.lstrip("/")
        if anchored:  # at the root: the path itself or a folder above it
            candidates = ["/".join(parts[: i + 1]) for i in range(len(parts) - (1 if directory else 0))]
        else:  # any component (a folder pattern: any folder component)
            candidates = parts[:-1] if directory else parts
        if any(fnmatch.fnmatchcase(c, pattern) for c in candidates):
            result = not negate
    return result


def stray_files(root: Path = paths.ROOT) -> list[str]:
    """Without git: sources that differ from the package manifest or are missing, and files
    that are neither sources nor ignored build products (what ``git status`` would show)."""
    listed = {n: d for n, d in package_manifest(root).items() if is_source(n)}
    patterns = (root / ".gitignore").read_text(encoding="utf-8").splitlines()
    found = []
    for name, digest in sorted(listed.items()):
        path = root / name
        if not path.is_file():
            found.append(f"deleted: {name}")
        elif mf.sha256_of(path) != digest:
            found.append(f"modified: {name}")
    for path in sorted(root.rglob("*")):
        name = path.relative_to(root).as_posix()
        generated = name == MANIFEST_NAME or name.startswith(f"{LOGS}/") or ignored(name, patterns)
        if path.is_file() and name not in listed and not generated:
            found.append(f"untracked: {name}")
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m translocal.build.package", description=__doc__.split("\n")[0])
    parser.add_argument("--draft", action="store_true", help="a draft: release settings may be missing")
    parser.add_argument("--check", action="store_true", help="only say whether a package may be made now")
    parser.add_argument("--output", type=Path, help="the zip to write (default: build/package/<name>.zip)")
    args = parser.parse_args(argv)
    reasons = refusals(paths.ROOT, args.draft)
    if reasons:
        print("make package refused:\n" + "\n".join(f"- {r}" for r in reasons), file=sys.stderr)
        return 1
    if args.check:
        return 0
    target = args.output or PACKAGE_DIR / f"{archive_name(paths.ROOT, args.draft)}.zip"
    try:
        write(target, paths.ROOT, args.draft)
    except PackageError as err:
        print(f"make package failed: {err}", file=sys.stderr)
        return 1
    with zipfile.ZipFile(target) as zf:
        n = len(zf.namelist())
    _, left_out = raw_members(paths.ROOT)
    print(
        f"package: {target.relative_to(paths.ROOT) if target.is_relative_to(paths.ROOT) else target} "
        f"({target.stat().st_size / 1e6:.1f} MB, {n} files{', DRAFT' if args.draft else ''})"
        + (f"; left out by their terms: {', '.join(f.path for f in left_out)}" if left_out else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
