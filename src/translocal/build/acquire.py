"""Fetch the public input files into data/raw/ and verify each by sha256.

Files come from their pinned URLs through pooch, or, when ``TRANSLOCAL_DATA_MIRROR`` (or
``--mirror``) names a folder laid out like the manifest paths, from that offline copy. Either
way pooch writes to a temporary file, checks the hash, and only then moves it into place, so
``data/raw/`` never holds a partial or wrong file.

Usage: ``python -m translocal.build.acquire [--mirror DIR] [FILE ...]``
"""

from __future__ import annotations

import argparse
import logging
import os
import re
import shutil
import sys
from pathlib import Path

import pooch

from ..base import manifest as mf
from ..base import paths

MIRROR_ENV = "TRANSLOCAL_DATA_MIRROR"


class AcquisitionError(RuntimeError):
    """A public file could not be obtained or did not verify."""


class NetworkError(AcquisitionError):
    """A download failed before any bytes could be checked."""


NO_NETWORK_HINT = (
    f"No network? Point {MIRROR_ENV} at a folder holding the public files under the same "
    f"relative paths as data/manifest.toml (for example `export {MIRROR_ENV}=../shared/data/public`), "
    "then run `make data` again."
)


def _copy_from(mirror: Path):
    """A pooch downloader that copies the file from a local mirror instead of the network."""

    def download(url: str, output_file: str, pooch_obj: object, *, relative: str) -> None:
        source = mirror / relative
        if not source.is_file():
            raise AcquisitionError(
                f"{relative}: not found in the mirror {mirror} (expected {source}). The mirror "
                "must hold the files under the same relative paths as data/manifest.toml."
            )
        shutil.copyfile(source, output_file)

    return download


def fetch(f: mf.PublicFile, raw_dir: Path = paths.RAW, mirror: Path | None = None) -> Path:
    """Make ``raw_dir / f.path`` hold exactly the manifest's bytes; return its path."""
    target = raw_dir / f.path
    if target.is_file():
        if mf.sha256_of(target) == f.sha256:
            return target  # untouched: its timestamp says when its bytes last changed
        target.unlink()  # a wrong file must not survive a failed refetch
    target.parent.mkdir(parents=True, exist_ok=True)
    where = f"the mirror {mirror}" if mirror else f.url
    try:
        if mirror is not None:
            copy = _copy_from(mirror)
            downloader = lambda url, out, p: copy(url, out, p, relative=f.path)
        else:
            downloader = None
        pooch.retrieve(
            url=f.url,
            known_hash=f"sha256:{f.sha256}",
            fname=target.name,
            path=target.parent,
            downloader=downloader,
            progressbar=False,
        )
    except ValueError as err:  # pooch's hash mismatch
        actual = _other_hash(str(err), f.sha256)
        raise AcquisitionError(
            f"{f.path}: checksum mismatch for the copy from {where}: expected sha256 {f.sha256}, "
            f"got {actual}. The file was not kept in {raw_dir}. The source differs from the "
            "pinned version; do not edit data/manifest.toml to make it pass."
        ) from err
    except AcquisitionError:
        raise
    except Exception as err:  # network errors come in many types (requests, OSError)
        reason = str(err).split("(Caused by")[0].strip()
        raise NetworkError(f"{f.path}: could not download {f.url} ({type(err).__name__}: {reason})") from err
    target.chmod(0o644)  # pooch's temporary file is private to its owner
    return target


def _other_hash(message: str, expected: str) -> str:
    """The actual hash from pooch's mismatch message, which names both hashes."""
    found = [h for h in re.findall(r"[0-9a-f]{64}", message) if h != expected]
    return found[0] if found else "(unknown)"


def mirror_from_env() -> Path | None:
    """The mirror folder named by the environment, if any; it must exist."""
    value = os.environ.get(MIRROR_ENV, "").strip()
    if not value:
        return None
    mirror = Path(value).expanduser().resolve()
    if not mirror.is_dir():
        raise AcquisitionError(f"{MIRROR_ENV}={value} is not a folder ({mirror} does not exist).")
    return mirror


def fetch_all(
    raw_dir: Path = paths.RAW,
    mirror: Path | None = None,
    only: list[str] | None = None,
    manifest: Path = paths.MANIFEST,
) -> list[Path]:
    """Fetch every manifest file (or those named in ``only``); all problems are reported."""
    files, _ = mf.load(manifest)
    if only:
        unknown = sorted(set(only) - {f.path for f in files})
        if unknown:
            raise AcquisitionError(f"Not in {manifest}: {', '.join(unknown)}")
        files = [f for f in files if f.path in only]
    done, errors, offline = [], [], False
    for f in files:
        try:
            done.append(fetch(f, raw_dir, mirror))
        except AcquisitionError as err:
            errors.append(str(err))
            offline = offline or isinstance(err, NetworkError)
    if errors:
        summary = f"{len(errors)} of {len(files)} public files failed:"
        raise AcquisitionError("\n".join([summary, *errors, *([NO_NETWORK_HINT] if offline else [])]))
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m translocal.build.acquire", description=__doc__.split("\n")[0])
    parser.add_argument("files", nargs="*", help="manifest paths to fetch (default: all)")
    parser.add_argument("--mirror", type=Path, help=f"offline copy of the public files (default: ${MIRROR_ENV})")
    parser.add_argument("--raw-dir", type=Path, default=paths.RAW, help="where the files go (default: data/raw)")
    parser.add_argument("--manifest", type=Path, default=paths.MANIFEST, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    pooch.get_logger().setLevel(logging.WARNING)  # its "Downloading from URL" line misleads for a mirror
    try:
        mirror = args.mirror.resolve() if args.mirror else mirror_from_env()
        done = fetch_all(raw_dir=args.raw_dir, mirror=mirror, only=args.files or None, manifest=args.manifest)
    except AcquisitionError as err:
        print(f"make data failed:\n{err}", file=sys.stderr)
        return 1
    print(f"{len(done)} public files verified in {args.raw_dir}/" + (f" (from mirror {mirror})" if mirror else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
