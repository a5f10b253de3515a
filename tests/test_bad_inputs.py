"""The bad-input sweep: every public input of the manifest, damaged three ways, gets one clear
message naming the file and leaves nothing behind; an output path occupied by a file is refused
by name. (The private drop-ins' malformation classes are swept in tests/test_private.py, the
missing mirror in tests/test_acquire.py.)"""

import shutil

import pytest

from translocal.base import manifest, paths
from translocal.base.outputs import OutputPathError, write_text
from translocal.build import acquire

FILES, _ = manifest.load()


def _damaged(data: bytes, how: str) -> bytes:
    if how == "changed byte":
        changed = bytearray(data)
        changed[len(changed) // 2] ^= 0x01
        return bytes(changed)
    if how == "truncated":
        return data[: len(data) // 2]
    return b"<!DOCTYPE html><html><body>404 Not Found</body></html>\n"  # an error page instead


@pytest.mark.parametrize("how", ["changed byte", "truncated", "wrong format"])
@pytest.mark.parametrize("public", FILES, ids=[f.path for f in FILES])
def test_a_damaged_public_file_is_refused_by_name_and_not_kept(public, how, tmp_path):
    original = paths.RAW / public.path
    if not original.is_file():
        pytest.skip("run `make data` first")
    mirror = tmp_path / "mirror"
    (mirror / public.path).parent.mkdir(parents=True)
    (mirror / public.path).write_bytes(_damaged(original.read_bytes(), how))
    raw = tmp_path / "raw"
    with pytest.raises(acquire.AcquisitionError) as caught:
        acquire.fetch(public, raw_dir=raw, mirror=mirror)
    message = str(caught.value)
    assert message.startswith(f"{public.path}: checksum mismatch") and public.sha256 in message
    assert not (raw / public.path).exists()
    assert [p for p in raw.rglob("*") if p.is_file()] == []


def test_the_intact_mirror_passes(tmp_path):
    public = FILES[0]
    mirror = tmp_path / "mirror"
    (mirror / public.path).parent.mkdir(parents=True)
    shutil.copy(paths.RAW / public.path, mirror / public.path)
    assert manifest.sha256_of(acquire.fetch(public, raw_dir=tmp_path / "raw", mirror=mirror)) == public.sha256


def test_an_output_path_occupied_by_a_file_or_folder_is_refused_by_name(tmp_path):
    blocker = tmp_path / "figures"
    blocker.write_text("not a folder", encoding="utf-8")
    with pytest.raises(OutputPathError, match="figures is a file, not a folder"):
        write_text(blocker / "map.png", "x")
    folder = tmp_path / "table.csv"
    folder.mkdir()
    with pytest.raises(OutputPathError, match="a folder is in the way"):
        write_text(folder, "x")
    assert blocker.read_text(encoding="utf-8") == "not a folder"
