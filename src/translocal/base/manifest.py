"""The manifest of public input files (data/manifest.toml) and checksum verification."""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass
from pathlib import Path

from . import paths


@dataclass(frozen=True)
class PublicFile:
    """One public input file: where it lives, where it comes from, and its checksum."""

    path: str  # relative to data/raw/ and to an offline mirror
    url: str
    sha256: str
    bytes: int
    source: str
    vintage: str
    redistribute: bool  # may the replication package include the file (`make package`)?
    terms: str  # the licence or terms of use that decision rests on


#: The fields every ``[[file]]`` entry of the manifest must set.
FILE_FIELDS = tuple(PublicFile.__dataclass_fields__)


@dataclass(frozen=True)
class Source:
    """A data provider, with its licence and the attribution it asks for."""

    key: str
    provider: str
    licence: str
    attribution: str


class ChecksumError(RuntimeError):
    """A file's sha256 differs from the manifest's."""


def load(manifest: Path = paths.MANIFEST) -> tuple[list[PublicFile], dict[str, Source]]:
    """Read the manifest; every file must name a known source."""
    with open(manifest, "rb") as fh:
        raw = tomllib.load(fh)
    sources = {key: Source(key=key, **fields) for key, fields in raw.get("source", {}).items()}
    files = []
    for number, entry in enumerate(raw.get("file", []), start=1):
        name = entry.get("path", f"[[file]] number {number}")
        missing = [k for k in FILE_FIELDS if k not in entry]
        unknown = sorted(set(entry) - set(FILE_FIELDS))
        if missing:
            raise ValueError(f"{manifest}: file {name} does not set {', '.join(missing)}")
        if unknown:
            raise ValueError(f"{manifest}: file {name} sets unknown fields {', '.join(unknown)}")
        if not isinstance(entry["redistribute"], bool):
            raise TypeError(f"{manifest}: file {name}: redistribute must be true or false")
        files.append(PublicFile(**entry))
    for f in files:
        if f.source not in sources:
            raise ValueError(f"{manifest}: file {f.path} names unknown source {f.source!r}")
    return files, sources


def entry(relative: str, manifest: Path = paths.MANIFEST) -> PublicFile:
    """The manifest entry for one file."""
    files, _ = load(manifest)
    for f in files:
        if f.path == relative:
            return f
    raise KeyError(f"{relative} is not listed in {manifest}")


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verified(relative: str, raw_dir: Path = paths.RAW, manifest: Path = paths.MANIFEST) -> Path:
    """Path of a raw input after checking it against the manifest's sha256.

    Notebooks read their public inputs only through this, so a file changed after download
    is caught where it is used, not only when it arrives.
    """
    f = entry(relative, manifest)
    path = raw_dir / relative
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `make data` first.")
    actual = sha256_of(path)
    if actual != f.sha256:
        raise ChecksumError(
            f"{path} does not match the manifest: expected sha256 {f.sha256}, got {actual}. "
            "Delete it and run `make data` again."
        )
    return path


def sources_of(relative_paths: list[str], manifest: Path = paths.MANIFEST) -> list[Source]:
    """The providers of the given files (paths under data/raw/ or relative), in manifest order."""
    files, sources = load(manifest)
    wanted = {p.removeprefix("data/raw/") for p in relative_paths}
    keys = list(dict.fromkeys(f.source for f in files if f.path in wanted))
    return [sources[k] for k in keys]
