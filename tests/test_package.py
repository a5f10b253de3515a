"""The replication package (``make package``, ``translocal.build.package``), and what a journal's
verifier does with it: unpack it on a clean machine, without ``.git`` and without a data
mirror or network, build there, and get byte for byte the same figures, tables, values,
PDF and Word file as this build.

The second build is this suite's determinism test too (two independent builds, the same
bytes). It uses this environment's Python (``make SYSTEM_ENV=1``) and takes about two
minutes; then the tests that look at the tree itself (sources, ignore rules, a clean tree
after the build) run inside the unpacked package, where git is not there to answer them."""

import filecmp
import os
import re
import subprocess
import sys
import zipfile

import pytest
from conftest import build_clone

from translocal.base import manifest as mf
from translocal.base import paths
from translocal.build import bench, metadata, package, pipeline

pytestmark = pytest.mark.skipif(
    not paths.VALUES.exists(), reason="the build is missing: run `make` (or `make test`) first"
)

COMPARED = ["paper/figures", "paper/tables", "paper/values.json", "paper/manuscript.pdf", "paper/manuscript.docx"]


def _files(root):
    found = []
    for item in COMPARED:
        path = root / item
        found += sorted(p.relative_to(root) for p in path.iterdir()) if path.is_dir() else [path.relative_to(root)]
    return found


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    if pipeline.data_mode() == "real":
        pytest.skip("this build is in real mode, where no package is made (see test_real_mode)")
    return package.write(tmp_path_factory.mktemp("package") / "package.zip", paths.ROOT, draft=True)


@pytest.fixture(scope="module")
def unpacked(archive, tmp_path_factory):
    root = package.unpack(archive, tmp_path_factory.mktemp("unpacked"))
    assert not (root / ".git").exists()
    return build_clone(root, "build of the unpacked package", mirror=False)


def test_the_package_holds_sources_public_files_logs_and_a_manifest(archive):
    with zipfile.ZipFile(archive) as zf:
        names = [n.split("/", 1)[1] for n in zf.namelist()]
        listing = zf.read(next(n for n in zf.namelist() if n.endswith(package.MANIFEST_NAME))).decode()
    assert set(package.source_files(paths.ROOT)) <= set(names)
    files, _ = mf.load()
    assert {f"data/raw/{f.path}" for f in files if f.redistribute} <= set(names)
    for nb in pipeline.load():
        assert f"logs/notebooks/{nb.name}.ipynb" in names and f"logs/html/{nb.name}.html" in names
    assert {"logs/manuscript.pdf", "logs/manuscript.docx", "logs/runtime.md", "data/raw/NOTICE.md"} <= set(names)
    assert "docs/data-dictionary.md" in names or not (paths.ROOT / "docs" / "data-dictionary.md").exists()
    never = [n for n in names if n.startswith(package.NEVER) and n != package.PRIVATE_README]
    assert not never, f"in the package but never allowed: {never}"
    assert not [n for n in names if n.startswith(("paper/figures/", "paper/tables/")) or n == "paper/values.json"]
    listed = {line.split("  ", 1)[1] for line in listing.splitlines()}
    assert listed == set(names) - {package.MANIFEST_NAME}


def test_the_unpacked_package_builds_the_same_bytes_without_git_or_mirror(unpacked):
    assert not (unpacked / ".git").exists()
    ours, theirs = _files(paths.ROOT), _files(unpacked)
    assert ours == theirs, "the two builds made different sets of files"
    different = [str(f) for f in ours if not filecmp.cmp(paths.ROOT / f, unpacked / f, shallow=False)]
    assert not different, f"not byte-identical between this build and the unpacked package's: {different}"


def test_the_tree_tests_pass_inside_the_unpacked_package(unpacked):
    """The tests that ask git here (sources, ignore rules, a clean tree after the build) ask
    the package manifest there; run them in the unpacked, built package."""
    env = {k: v for k, v in bench.clone_env(unpacked).items() if not k.startswith("MAKE") and k != "MFLAGS"}
    env.pop("TRANSLOCAL_DATA_MIRROR")
    env["SYSTEM_ENV"] = "1"  # its `make -q` checks use this environment, as its build did
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "tests/test_project.py",
            "tests/test_build.py",
            "tests/test_package.py",
            "-k",
            "not unpacked",
        ],
        cwd=unpacked,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-4000:]
    assert " passed" in result.stdout and " skipped" not in result.stdout, result.stdout[-2000:]


def test_sources_come_from_git_or_from_the_package_manifest(tmp_path):
    tree = tmp_path / "tree"
    (tree / "src").mkdir(parents=True)
    (tree / "src" / "a.py").write_text("x = 1\n")
    (tree / "notes.txt").write_text("not tracked\n")
    subprocess.run(["git", "init", "-q", str(tree)], check=True)
    subprocess.run(["git", "-C", str(tree), "add", "src/a.py"], check=True)
    assert package.source_files(tree) == ["src/a.py"]
    subprocess.run(["rm", "-rf", str(tree / ".git")], check=True)
    with pytest.raises(package.PackageError, match="neither a git checkout nor an unpacked replication package"):
        package.source_files(tree)
    digest = mf.sha256_of(tree / "src" / "a.py")
    (tree / package.MANIFEST_NAME).write_text(
        f"{digest}  src/a.py\n{'0' * 64}  data/raw/x.csv\n{'1' * 64}  logs/a.pdf\n"
    )
    assert package.source_files(tree) == ["src/a.py"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("data/private/survey_2019.csv", True),
        ("data/private/README.md", False),
        ("data/raw/moj-zairyu/22-12-04.xlsx", True),
        ("data/interim/private/survey_2019.csv", True),
        ("build/notebooks/01_frame.ipynb", True),
        (".venv/bin/python", True),
        ("src/translocal/__pycache__/paths.cpython-311.pyc", True),
        ("src/translocal_compendium.egg-info/PKG-INFO", True),
        ("paper/values.json", True),
        ("paper/manuscript.typ", False),
        ("paper/figures/strength_map.pdf", True),
        ("src/translocal/build/package.py", False),
        ("src/translocal/build/__init__.py", False),
        ("notebooks/build/x.txt", False),
        ("data/public_agreements.csv", False),
        ("notes.txt", False),
    ],
)
def test_the_ignore_rules_are_read_as_git_reads_them(name, expected):
    patterns = (paths.ROOT / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert package.ignored(name, patterns) is expected
    if (paths.ROOT / ".git").exists():  # and git agrees, where it is there to ask
        git = subprocess.run(["git", "check-ignore", "-q", "--no-index", name], cwd=paths.ROOT, check=False)
        assert (git.returncode == 0) is expected


def test_redistribution_follows_the_manifest_and_the_notice_says_why(tmp_path):
    (tmp_path / "data" / "raw" / "demo").mkdir(parents=True)
    for name in ("a.csv", "b.csv"):
        (tmp_path / "data" / "raw" / "demo" / name).write_text(name)
    entries = []
    for name, allowed in (("a.csv", "true"), ("b.csv", "false")):
        path = tmp_path / "data" / "raw" / "demo" / name
        entries.append(
            f'[[file]]\npath = "demo/{name}"\nurl = "https://example.org/{name}"\nsha256 = "{mf.sha256_of(path)}"\n'
            f'bytes = 5\nsource = "demo"\nvintage = "2019"\nredistribute = {allowed}\nterms = "terms of {name}"\n'
        )
    source = '[source.demo]\nprovider = "Demo office"\nlicence = "CC BY 4.0"\nattribution = "Source: Demo office"\n'
    (tmp_path / "data" / "manifest.toml").write_text("\n".join([*entries, source]))
    members, left_out = package.raw_members(tmp_path)
    assert [m.name for m in members] == ["data/raw/demo/a.csv"]
    assert [f.path for f in left_out] == ["demo/b.csv"]
    notice = package.notice(tmp_path)
    assert "Source: Demo office" in notice and "terms of a.csv" in notice
    assert "## Not included" in notice and "`demo/b.csv`: terms of b.csv" in notice
    (tmp_path / "data" / "raw" / "demo" / "a.csv").write_text("changed")
    with pytest.raises(package.PackageError, match="data/raw/demo/a.csv does not match the sha256"):
        package.raw_members(tmp_path)


def _settings_tree(tmp_path, **release):
    """A folder with this project's pyproject.toml, its release settings replaced."""
    text = (paths.ROOT / "pyproject.toml").read_text(encoding="utf-8")
    for key, value in release.items():
        text = text.replace(f'\n{key} = ""', f'\n{key} = "{value}"', 1)
    (tmp_path / "data" / "private").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    return tmp_path


COMPLETE = {
    "repository": "https://github.com/example/translocal",
    "contact": "The author, author@example.org",
    "conditions": "A data use agreement",
    "retention": "Ten years",
    "statement": "Approved by the board, no. 1",
    "survey-instrument": "In the author's archive",
}


def test_a_package_for_release_needs_every_release_setting(tmp_path):
    tree = _settings_tree(tmp_path, **{k: v for k, v in COMPLETE.items() if k != "retention"})
    text = (tree / "pyproject.toml").read_text(encoding="utf-8")
    (tree / "pyproject.toml").write_text(text.replace('given-names = ""', 'given-names = "A"'), encoding="utf-8")
    reasons = package.refusals(tree)
    assert len(reasons) == 1 and "[tool.translocal.confidential-data] retention" in reasons[0]
    assert "contact" not in reasons[0] and "authors" not in reasons[0]
    assert package.refusals(tree, draft=True) == []


def test_every_missing_release_setting_is_listed():
    empty = {"title": "", "authors": [], "repository": "", "release": dict.fromkeys(metadata.load()["release"], "")}
    listed = metadata.release_missing(empty)
    assert len(listed) == 3 + len(metadata.RELEASE_SETTINGS)
    assert [item.split(":")[0] for item in listed[3:]] == [
        f"[tool.translocal.{table}] {key}" for table, key, _ in metadata.RELEASE_SETTINGS
    ]


def test_real_mode_is_refused_even_for_a_draft(tmp_path):
    tree = _settings_tree(tmp_path)
    (tree / "data" / "private" / "survey_2019.csv").write_text("code\n")
    reasons = package.refusals(tree, draft=True)
    assert len(reasons) == 1 and reasons[0].startswith("real mode: data/private/ holds survey_2019.csv")


def test_make_package_without_draft_lists_the_missing_settings_and_writes_nothing(tmp_path):
    """`make package` in a copy of the sources whose settings are empty: refused before any build."""
    tree = tmp_path / "compendium"
    package.copy_sources(paths.ROOT, tree)
    text = (tree / "pyproject.toml").read_text(encoding="utf-8")
    (tree / "pyproject.toml").write_text(text.replace('\nrepository = "', '\nrepository = "x'), encoding="utf-8")
    env = {k: v for k, v in bench.clone_env(tree).items() if not k.startswith("MAKE") and k != "MFLAGS"}
    result = subprocess.run(
        ["make", "SYSTEM_ENV=1", "package"], cwd=tree, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode != 0
    assert "make package refused" in result.stderr
    for item in metadata.release_missing(metadata.load(tree / "pyproject.toml")):
        assert item in result.stderr
    assert not (tree / "build" / "package").exists() and not (tree / "build" / "notebooks").exists()


def test_the_package_is_written_atomically(tmp_path, monkeypatch):
    def broken(root):
        raise package.PackageError("the build is incomplete (run `make`): missing paper/manuscript.pdf")

    monkeypatch.setattr(package, "log_members", broken)
    target = tmp_path / "p.zip"
    with pytest.raises(package.PackageError, match="incomplete"):
        package.write(target, paths.ROOT, draft=True)
    assert list(tmp_path.iterdir()) == []


def test_a_stray_or_changed_file_is_found_without_git(tmp_path):
    tree = tmp_path / "t"
    (tree / "src").mkdir(parents=True)
    (tree / "src" / "a.py").write_text("x = 1\n")
    (tree / ".gitignore").write_text("build/\n")
    lines = [f"{mf.sha256_of(tree / n)}  {n}" for n in (".gitignore", "src/a.py")]
    (tree / package.MANIFEST_NAME).write_text("\n".join(lines) + "\n")
    (tree / "build").mkdir()
    (tree / "build" / "made.txt").write_text("a build product\n")
    assert package.stray_files(tree) == []
    (tree / "src" / "a.py").write_text("x = 2\n")
    (tree / "stray.txt").write_text("?\n")
    assert package.stray_files(tree) == ["modified: src/a.py", "untracked: stray.txt"]


def test_unpack_checks_every_file_against_the_manifest(tmp_path):
    archive = tmp_path / "p.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("top/a.txt", "a")
        zf.writestr(f"top/{package.MANIFEST_NAME}", f"{'0' * 64}  a.txt\n")
    with pytest.raises(package.PackageError, match="a.txt differs from MANIFEST.sha256"):
        package.unpack(archive, tmp_path / "out")


def test_readme_says_how_to_make_and_use_the_package():
    readme = (paths.ROOT / "README.md").read_text(encoding="utf-8")
    assert "make package" in readme and "DRAFT=1" in readme and "MANIFEST.sha256" in readme
    assert os.path.basename(package.PACKAGE_DIR) == "package"


def test_only_the_package_module_asks_git():
    """A tree without `.git` (the unpacked package) must answer every test: git is asked only
    through translocal.build.package.source_files and the guarded clean-tree check."""
    allowed = {"src/translocal/build/package.py", "tests/test_package.py", "tests/test_build.py"}
    files = [n for n in package.source_files(paths.ROOT) if n.endswith(".py") and n not in allowed]
    asking = [n for n in files if re.search(r"""["']git["']\s*,""", (paths.ROOT / n).read_text(encoding="utf-8"))]
    assert not asking, f"these call git, which an unpacked package does not have: {asking}"
