"""Acquisition: files arrive only with the manifest's bytes, from a mirror or a URL."""

import hashlib
import os
from pathlib import Path

import pytest

from translocal.base.manifest import ChecksumError, PublicFile, verified
from translocal.build import acquire

CONTENT = b"code,name\n01100,\xe6\x9c\xad\xe5\xb9\x8c\xe5\xb8\x82\n"


def make_manifest(tmp_path: Path, content: bytes = CONTENT, url: str = "http://127.0.0.1:9/x.csv") -> Path:
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(
        f'''[[file]]
path = "demo/table.csv"
url = "{url}"
sha256 = "{hashlib.sha256(content).hexdigest()}"
bytes = {len(content)}
source = "demo"
vintage = "test"
redistribute = true
terms = "test"

[source.demo]
provider = "test"
licence = "test"
attribution = "test"
''',
        encoding="utf-8",
    )
    return manifest


def make_mirror(tmp_path: Path, content: bytes) -> Path:
    mirror = tmp_path / "mirror"
    (mirror / "demo").mkdir(parents=True)
    (mirror / "demo" / "table.csv").write_bytes(content)
    return mirror


def run_cli(tmp_path, manifest, mirror=None):
    args = ["--raw-dir", str(tmp_path / "raw"), "--manifest", str(manifest)]
    if mirror:
        args += ["--mirror", str(mirror)]
    return acquire.main(args)


def test_good_file_from_mirror_is_accepted(tmp_path):
    manifest = make_manifest(tmp_path)
    assert run_cli(tmp_path, manifest, make_mirror(tmp_path, CONTENT)) == 0
    target = tmp_path / "raw" / "demo" / "table.csv"
    assert target.read_bytes() == CONTENT
    assert target.stat().st_mode & 0o777 == 0o644
    assert verified("demo/table.csv", raw_dir=tmp_path / "raw", manifest=manifest).is_file()


def test_mirror_is_taken_from_the_environment(tmp_path, monkeypatch):
    manifest = make_manifest(tmp_path)
    monkeypatch.setenv(acquire.MIRROR_ENV, str(make_mirror(tmp_path, CONTENT)))
    assert run_cli(tmp_path, manifest) == 0


def test_one_changed_byte_is_refused_naming_file_and_hashes_leaving_nothing(tmp_path, capsys):
    manifest = make_manifest(tmp_path)
    changed = bytearray(CONTENT)
    changed[5] ^= 1
    assert run_cli(tmp_path, manifest, make_mirror(tmp_path, bytes(changed))) == 1
    err = capsys.readouterr().err
    assert "demo/table.csv: checksum mismatch" in err
    assert hashlib.sha256(CONTENT).hexdigest() in err
    assert hashlib.sha256(bytes(changed)).hexdigest() in err
    raw = tmp_path / "raw"
    assert not raw.exists() or [p for p in raw.rglob("*") if p.is_file()] == []


def test_a_wrong_file_already_in_raw_is_replaced(tmp_path):
    manifest = make_manifest(tmp_path)
    target = tmp_path / "raw" / "demo" / "table.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"tampered")
    assert run_cli(tmp_path, manifest, make_mirror(tmp_path, CONTENT)) == 0
    assert target.read_bytes() == CONTENT


def test_a_wrong_file_is_removed_even_when_the_refetch_fails(tmp_path):
    manifest = make_manifest(tmp_path)
    target = tmp_path / "raw" / "demo" / "table.csv"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"tampered")
    assert run_cli(tmp_path, manifest, make_mirror(tmp_path, b"also wrong")) == 1
    assert not target.exists()


def test_file_missing_from_mirror_says_where_it_looked(tmp_path, capsys):
    manifest = make_manifest(tmp_path)
    mirror = tmp_path / "empty-mirror"
    mirror.mkdir()
    assert run_cli(tmp_path, manifest, mirror) == 1
    assert f"not found in the mirror {mirror}" in capsys.readouterr().err


def test_no_network_and_no_mirror_says_what_to_do(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv(acquire.MIRROR_ENV, raising=False)
    manifest = make_manifest(tmp_path)  # URL on a closed local port: refused at once
    assert run_cli(tmp_path, manifest) == 1
    err = capsys.readouterr().err
    assert "could not download http://127.0.0.1:9/x.csv" in err
    assert "TRANSLOCAL_DATA_MIRROR" in err and "make data" in err


def test_mirror_variable_naming_no_folder_is_an_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(acquire.MIRROR_ENV, str(tmp_path / "nowhere"))
    assert run_cli(tmp_path, make_manifest(tmp_path)) == 1
    assert "is not a folder" in capsys.readouterr().err


def test_verified_refuses_a_file_changed_after_download(tmp_path):
    manifest = make_manifest(tmp_path)
    assert run_cli(tmp_path, manifest, make_mirror(tmp_path, CONTENT)) == 0
    (tmp_path / "raw" / "demo" / "table.csv").write_bytes(CONTENT + b"x")
    with pytest.raises(ChecksumError, match="does not match the manifest"):
        verified("demo/table.csv", raw_dir=tmp_path / "raw", manifest=manifest)


def test_real_manifest_matches_its_documented_facts():
    from translocal.base import manifest

    files, sources = manifest.load()
    assert len(files) == 23
    # Where the staging notes of the offline copy are at hand, every pinned checksum is theirs.
    mirror = os.environ.get("TRANSLOCAL_DATA_MIRROR")
    notes = Path(mirror) / "SOURCES.md" if mirror else None
    if notes is not None and notes.is_file():
        staged = notes.read_text(encoding="utf-8")
        assert all(f.sha256 in staged and f.url in staged for f in files)
    for f in files:
        assert isinstance(f, PublicFile)
        assert len(f.sha256) == 64 and f.url.startswith("https://") and f.bytes > 0
        assert "/" + f.path.split("/")[-1] in f.url or f.path.endswith("philippines-regions-2023.0.001.json")
        assert sources[f.source].attribution


def test_a_verified_file_is_left_untouched(tmp_path):
    import os

    manifest = make_manifest(tmp_path)
    mirror = make_mirror(tmp_path, CONTENT)
    assert run_cli(tmp_path, manifest, mirror) == 0
    target = tmp_path / "raw" / "demo" / "table.csv"
    os.utime(target, (1, 1))
    assert run_cli(tmp_path, manifest, mirror) == 0
    assert target.stat().st_mtime == 1


def test_a_file_entry_must_say_whether_it_may_be_redistributed(tmp_path):
    manifest = make_manifest(tmp_path)
    manifest.write_text(manifest.read_text(encoding="utf-8").replace("redistribute = true\n", ""), encoding="utf-8")
    with pytest.raises(ValueError, match="file demo/table.csv does not set redistribute"):
        acquire.fetch_all(raw_dir=tmp_path / "raw", manifest=manifest)
